// DAX101: a `cxl region` in a window (root decoder) whose cap_ram is 0 (plan/cxl-checks.ts makes the check before any write; nothing is written for the region).
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

export const dax101 = defineRule({
  code: 'DAX101',
  title: 'CXL window without RAM capability',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const h of a.hosts)
      for (const p of h.plan?.cxl?.values() ?? [])
        for (const x of p.problems) if (x.code === 'DAX101') out.push(report(x.span, x.message));
    return out;
  },
});
