// DAX062: on 6.3+ a persisted kmem-type region boots as System RAM onlined into a kernel zone,
// which the restorer refuses to offline.
import { has } from '../kernel/version';
import { persists } from '../persist/spec';
import { defineRule, regionLabel } from './util';

export const dax062 = defineRule({
  code: 'DAX062',
  title: 'restorer would meet kernel-zone memory at boot',
  severity: 'warning',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      const policy = h.before?.autoOnlineBlocks;
      if (
        !h.decl ||
        !h.version ||
        !has(h.version, 'kmemTypeMatch') ||
        (policy !== 'online' && policy !== 'online_kernel')
      )
        continue;
      for (const r of h.regions) {
        if (!persists(h, r.layout) || !r.before?.kmemDefault || !r.before.dynamic) continue;
        const span = r.layout.persist ?? h.decl.persist;
        if (!span) continue;
        out.push(
          report(
            span,
            `on Linux ${h.version.release} ${regionLabel(r)} boots bound to kmem, and with auto_online_blocks=${policy} its memory comes up online in a kernel zone, which cannot be reliably offlined: the restorer will refuse to repartition it at boot. Boot ${h.name} with memhp_default_state=offline (or online_movable), or with dax_hmem.region_idle=1`,
          ),
        );
      }
    }
    return out;
  },
});
