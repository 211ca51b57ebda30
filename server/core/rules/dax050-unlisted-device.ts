// DAX050: a device on an owned region that the layout does not list (and a CXL region of the host that no `cxl region` declares).
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
      // CXL regions no block declares (plan/cxl.ts): reported on the host's first `cxl region`
      for (const u of h.plan.unlistedCxl ?? []) {
        const r = h.regions.find((x) => x.layout === u.anchor);
        if (!r) continue;
        const what = `CXL region ${u.name} (${formatBytes(u.size)} in ${u.window})`;
        const refused = h.plan.refusals.find((x) => x.kernelName === u.name);
        out.push(
          report(
            regionSpan(r),
            u.pruned && refused
              ? refused.reason
              : u.pruned
                ? `${what} is not in the layout and will be torn down (--prune)`
                : `${what} is not in the layout; apply keeps it (apply --prune tears it down, or add a \`cxl region\` that adopts it)`,
            {},
            u.pruned && !refused ? 'info' : 'warning',
          ),
        );
      }
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
