import { defineRule } from './util';
// DAX008: a pinned range that ends before it starts or is empty.

export const dax008 = defineRule({
  code: 'DAX008',
  title: 'malformed range',
  severity: 'error',
  check: (a, report) => a.layout.issues.filter((i) => i.kind === 'range-shape').map((i) => report(i.span, i.message)),
});
