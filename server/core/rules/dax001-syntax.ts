import { defineRule } from './util';
// DAX001: syntax errors, as the parser words them (several per file; the parser recovers).

export const dax001 = defineRule({
  code: 'DAX001',
  title: 'syntax error',
  severity: 'error',
  check: (a, report) => a.file.errors.map((e) => report(e.span, e.message)),
});
