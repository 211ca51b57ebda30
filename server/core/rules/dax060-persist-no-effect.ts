// DAX060: `persist` where nothing can be restored at boot: a region without a host, or a static region.
import type { Span } from '../../../grammar/src/ast';
import { defineRule, regionLabel } from './util';

export const dax060 = defineRule({
  code: 'DAX060',
  title: 'persist has no effect',
  severity: 'warning',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      for (const r of h.regions) {
        const span: Span | undefined = r.layout.persist ?? h.decl?.persist;
        if (!span) continue;
        if (!h.decl) {
          out.push(
            report(
              span,
              `${regionLabel(r)} has no host: \`persist\` installs a boot-time restorer on a host, so it has no effect here (write \`region ${r.layout.id?.value ?? 'N'} on HOST\`)`,
            ),
          );
        } else if (r.before && !r.before.dynamic) {
          out.push(
            report(
              r.layout.persist ?? span,
              `${regionLabel(r)} is static (pmem-backed): its namespace keeps its device across reboots, so \`persist\` has nothing to restore and the restorer leaves the region alone`,
            ),
          );
        }
      }
    }
    return out;
  },
});
