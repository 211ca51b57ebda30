import { defineRule } from './util';
// DAX006: a value the language does not accept (unknown unit, fraction, mode, option…).

export const dax006 = defineRule({
  code: 'DAX006',
  title: 'invalid value',
  severity: 'error',
  check: (a, report) =>
    a.layout.issues
      .filter((i) => i.kind === 'value')
      .map((i) => report(i.span, i.message, i.related ? { related: i.related } : {})),
});
