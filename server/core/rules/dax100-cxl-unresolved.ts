// DAX100: a `cxl region` whose window, memdevs or adopted region the host's CXL facts do not have (or an adopted region that differs from the block) (plan/cxl-checks.ts makes the check before any write; nothing is written for the region).
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

export const dax100 = defineRule({
  code: 'DAX100',
  title: 'CXL region cannot be resolved',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const h of a.hosts)
      for (const p of h.plan?.cxl?.values() ?? [])
        for (const x of p.problems) if (x.code === 'DAX100') out.push(report(x.span, x.message));
    return out;
  },
});
