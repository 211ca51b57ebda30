// DAX050: a device on an owned region that the layout does not list.
import { formatBytes } from '../units';
import { defineRule, regionLabel, regionSpan } from './util';

export const dax050 = defineRule({
  code: 'DAX050',
  title: 'device not in the layout',
  severity: 'warning',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      if (!h.plan || h.factsOrigin !== 'file') continue;
      for (const u of h.plan.unlisted) {
        if (u.size === 0n && !u.driver) continue; // an idle seed holds nothing
        const r = h.regions.find((x) => x.layout === u.region);
        if (!r) continue;
        const mode = u.driver === 'kmem' ? 'system-ram' : u.driver ? 'devdax' : 'unbound';
        const refused = h.plan.refusals.find((x) => x.kernelName === u.kernelName);
        if (u.pruned && refused) {
          out.push(
            report(
              regionSpan(r),
              `${u.kernelName} (${formatBytes(u.size)}, ${mode}) on ${regionLabel(r)} is not in the layout, but --prune cannot remove it: ${refused.reason}`,
            ),
          );
          continue;
        }
        out.push(
          report(
            regionSpan(r),
            u.pruned
              ? `${u.kernelName} (${formatBytes(u.size)}, ${mode}) on ${regionLabel(r)} is not in the layout and will be removed (--prune)`
              : `${u.kernelName} (${formatBytes(u.size)}, ${mode}) on ${regionLabel(r)} is not in the layout; apply keeps it (apply --prune removes it, or add a device for it)`,
            {},
            u.pruned ? 'info' : 'warning',
          ),
        );
      }
    }
    return out;
  },
});
