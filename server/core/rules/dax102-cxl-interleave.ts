// DAX102: interleave ways (the number of memdevs) or a granularity the window cannot take (plan/cxl-checks.ts makes the check before any write; nothing is written for the region).
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

export const dax102 = defineRule({
  code: 'DAX102',
  title: 'interleave the CXL window cannot take',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const h of a.hosts)
      for (const p of h.plan?.cxl?.values() ?? [])
        for (const x of p.problems) if (x.code === 'DAX102') out.push(report(x.span, x.message));
    return out;
  },
});
