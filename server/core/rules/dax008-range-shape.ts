// DAX008: a pinned range that ends before it starts or is empty.
import type { Rule } from './util';
import { finding } from './util';

export const dax008: Rule = {
  code: 'DAX008',
  title: 'malformed range',
  check: (a) => a.layout.issues.filter((i) => i.kind === 'range-shape').map((i) => finding('DAX008', 'error', i.span, i.message)),
};
