// DAX052: a change that needs kmem unbound while its memory is online in the kernel zone: refused.
import { defineRule, regionSpan } from './util';

export const dax052 = defineRule({
  code: 'DAX052',
  title: 'online memory blocks a change',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      for (const x of h.plan?.refusals ?? []) {
        if (x.reason.includes('static')) continue; // DAX040 explains it
        const r = h.regions.find((y) => y.layout === x.region);
        const span = x.device?.labelSpan ?? (r ? regionSpan(r) : undefined);
        if (!span) continue;
        out.push(
          report(
            span,
            `${x.reason}. The plan leaves ${x.kernelName} as it is: offline its memory first (daxctl offline-memory), or keep its current geometry and mode`,
          ),
        );
      }
    }
    return out;
  },
});
