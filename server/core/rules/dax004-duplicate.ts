// DAX004: a host, region, device label or device property declared twice.
import type { Rule } from './util';
import { finding } from './util';

export const dax004: Rule = {
  code: 'DAX004',
  title: 'duplicate declaration',
  check: (a) =>
    a.layout.issues.filter((i) => i.kind === 'duplicate').map((i) => finding('DAX004', 'error', i.span, i.message, i.related ? { related: i.related } : {})),
};
