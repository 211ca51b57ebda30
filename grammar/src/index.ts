// daxlayout grammar: the .dax language front end.

export * from './ast';
export { parse } from './parse';
export { reparse } from './incremental';
export { format } from './format';
export { closest } from './suggest';
export { KEYWORDS, type KeywordInfo, type Keywords } from './schema';
