// DAX105: a memdev of a `cxl region` that another region already holds (plan/cxl-checks.ts makes the check before any write; nothing is written for the region).
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

export const dax105 = defineRule({
  code: 'DAX105',
  title: 'CXL memdev used by another region',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const h of a.hosts)
      for (const p of h.plan?.cxl?.values() ?? [])
        for (const x of p.problems) if (x.code === 'DAX105') out.push(report(x.span, x.message));
    return out;
  },
});
