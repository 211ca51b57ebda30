// DAX042: a region's device 0 cannot be deleted; when the layout leaves it unused it stays, empty.
import { defineRule, regionLabel, regionSpan } from './util';

export const dax042 = defineRule({
  code: 'DAX042',
  title: 'device 0 cannot be deleted',
  severity: 'info',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      const plan = h.plan;
      if (!plan) continue;
      for (const r of h.regions) {
        const sim = r.after;
        if (!sim || !sim.dynamic || r.layout.devices.length === 0) continue;
        const zero = sim.devices.get(0);
        if (!zero || zero.ranges.length > 0) continue;
        const used = [...plan.assigned.values()].includes(zero);
        if (used) continue;
        const wasFull = (r.before?.devices.find((d) => d.name === `dax${sim.id}.0`)?.size ?? 0n) > 0n;
        if (!wasFull && !plan.unlisted.some((u) => u.kernelName === `dax${sim.id}.0` && u.pruned)) continue;
        out.push(
          report(
            regionSpan(r),
            `dax${sim.id}.0 stays on ${regionLabel(r)} as an empty, unbound device: the kernel never deletes a region's device 0 (delete → EBUSY), it can only be emptied. Name a layout device \`dax${sim.id}.0\` to use it`,
          ),
        );
      }
    }
    return out;
  },
});
