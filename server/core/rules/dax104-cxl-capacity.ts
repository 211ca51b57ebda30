// DAX104: a `cxl region` larger than its memdevs' free RAM, its window's free space, or with no endpoint decoder left (plan/cxl-checks.ts makes the check before any write; nothing is written for the region).
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

export const dax104 = defineRule({
  code: 'DAX104',
  title: 'CXL capacity',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const h of a.hosts)
      for (const p of h.plan?.cxl?.values() ?? [])
        for (const x of p.problems) if (x.code === 'DAX104') out.push(report(x.span, x.message));
    return out;
  },
});
