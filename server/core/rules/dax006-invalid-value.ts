// DAX006: a value the language does not accept (unknown unit, fraction, mode, option…).
import type { Rule } from './util';
import { finding } from './util';

export const dax006: Rule = {
  code: 'DAX006',
  title: 'invalid value',
  check: (a) =>
    a.layout.issues.filter((i) => i.kind === 'value').map((i) => finding('DAX006', 'error', i.span, i.message, i.related ? { related: i.related } : {})),
};
