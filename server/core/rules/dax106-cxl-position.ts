// DAX106: a memdev in an interleave position its host bridge cannot take in the window (plan/cxl-checks.ts makes the check before any write; nothing is written for the region).
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

export const dax106 = defineRule({
  code: 'DAX106',
  title: 'CXL interleave position the topology forbids',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const h of a.hosts)
      for (const p of h.plan?.cxl?.values() ?? [])
        for (const x of p.problems) if (x.code === 'DAX106') out.push(report(x.span, x.message));
    return out;
  },
});
