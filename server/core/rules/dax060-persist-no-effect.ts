// DAX060: `persist` where nothing can be restored at boot: a region without a host, or a static region.
import type { Span } from '../../../grammar/src/ast';
import type { Rule } from './util';
import { finding, regionLabel } from './util';

export const dax060: Rule = {
  code: 'DAX060',
  title: 'persist has no effect',
  check(a) {
    const out = [];
    for (const h of a.hosts) {
      for (const r of h.regions) {
        const span: Span | undefined = r.layout.persist ?? h.decl?.persist;
        if (!span) continue;
        if (!h.decl) {
          out.push(finding('DAX060', 'warning', span, `${regionLabel(r)} has no host: \`persist\` installs a boot-time restorer on a host, so it has no effect here (write \`region ${r.layout.id?.value ?? 'N'} on HOST\`)`));
        } else if (r.before && !r.before.dynamic) {
          out.push(finding('DAX060', 'warning', r.layout.persist ?? span, `${regionLabel(r)} is static (pmem-backed): its namespace keeps its device across reboots, so \`persist\` has nothing to restore and the restorer leaves the region alone`));
        }
      }
    }
    return out;
  },
};
