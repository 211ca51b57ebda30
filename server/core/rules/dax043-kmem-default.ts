// DAX043: on 6.3+ hmem and CXL regions boot with their memory bound to kmem; partitioning undoes that.
import { has } from '../kernel/version';
import { defineRule, regionLabel, regionSpan } from './util';

export const dax043 = defineRule({
  code: 'DAX043',
  title: 'default kmem binding undone',
  severity: 'info',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      if (!h.plan || !h.version || !has(h.version, 'kmemTypeMatch')) continue;
      for (const r of h.regions) {
        const f = r.before;
        if (!f || !f.kmemDefault) continue;
        const boundKmem = f.devices.filter((d) => d.driver === 'kmem').map((d) => d.name);
        const unbinds = h.plan.steps.filter(
          (s) =>
            s.region === r.layout &&
            s.writes.some((w) => w.path === '/sys/bus/dax/drivers/kmem/unbind' && boundKmem.includes(w.value)),
        );
        if (unbinds.length === 0) continue;
        out.push(
          report(
            regionSpan(r),
            `on Linux ${h.version.release} ${regionLabel(r)} binds to kmem by default, so ${boundKmem.join(', ')} boot${boundKmem.length === 1 ? 's' : ''} as system-ram; the plan unbinds kmem (its memory is offline or movable) before partitioning, and devdax devices of this region bind through device_dax/new_id`,
          ),
        );
      }
    }
    return out;
  },
});
