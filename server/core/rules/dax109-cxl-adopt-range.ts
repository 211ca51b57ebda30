// DAX109: `adopt START..END` names a range that no CXL region of the host has, or that several have (plan/cxl-checks.ts makes the check before any write; nothing is written for the region).
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

export const dax109 = defineRule({
  code: 'DAX109',
  title: 'No single CXL region has the adopted range',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const h of a.hosts)
      for (const p of h.plan?.cxl?.values() ?? [])
        for (const x of p.problems) if (x.code === 'DAX109') out.push(report(x.span, x.message));
    return out;
  },
});
