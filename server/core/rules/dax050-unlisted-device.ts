// DAX050: a device on an owned region that the layout does not list.
import { formatBytes } from '../units';
import type { Rule } from './util';
import { finding, regionLabel, regionSpan } from './util';

export const dax050: Rule = {
  code: 'DAX050',
  title: 'device not in the layout',
  check(a) {
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
          out.push(finding('DAX050', 'warning', regionSpan(r), `${u.kernelName} (${formatBytes(u.size)}, ${mode}) on ${regionLabel(r)} is not in the layout, but --prune cannot remove it: ${refused.reason}`));
          continue;
        }
        out.push(
          finding(
            'DAX050',
            u.pruned ? 'info' : 'warning',
            regionSpan(r),
            u.pruned
              ? `${u.kernelName} (${formatBytes(u.size)}, ${mode}) on ${regionLabel(r)} is not in the layout and will be removed (--prune)`
              : `${u.kernelName} (${formatBytes(u.size)}, ${mode}) on ${regionLabel(r)} is not in the layout; apply keeps it (apply --prune removes it, or add a device for it)`,
          ),
        );
      }
    }
    return out;
  },
};
