// DAX001: syntax errors, as the parser words them (several per file; the parser recovers).
import type { Rule } from './util';
import { finding } from './util';

export const dax001: Rule = {
  code: 'DAX001',
  title: 'syntax error',
  check: (a) => a.file.errors.map((e) => finding('DAX001', 'error', e.span, e.message)),
};
