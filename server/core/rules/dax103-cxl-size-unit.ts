// DAX103: a `cxl region` size that is not a multiple of 256 MiB times its interleave ways (plan/cxl-checks.ts makes the check before any write; nothing is written for the region).
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

export const dax103 = defineRule({
  code: 'DAX103',
  title: 'CXL region size not a multiple of 256 MiB × ways',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const h of a.hosts)
      for (const p of h.plan?.cxl?.values() ?? [])
        for (const x of p.problems) if (x.code === 'DAX103') out.push(report(x.span, x.message));
    return out;
  },
});
