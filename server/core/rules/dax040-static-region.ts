// DAX040: a static (pmem-backed) region cannot be split or resized through dax sysfs.
import { formatBytes } from '../units';
import type { Rule } from './util';
import { finding, regionLabel, regionSpan } from './util';

export const dax040: Rule = {
  code: 'DAX040',
  title: 'static region cannot be split',
  check(a) {
    const out = [];
    for (const h of a.hosts) {
      for (const r of h.regions) {
        const f = r.before;
        if (!f || f.dynamic) continue;
        const devs = r.layout.devices;
        const first = f.devices[0];
        const extra = devs.slice(1);
        for (const d of extra) {
          out.push(
            finding(
              'DAX040',
              'error',
              d.labelSpan,
              `${regionLabel(r)} is static (pmem-backed): it has exactly one device, sized by its nvdimm namespace; it cannot be split. Create more namespaces with ndctl instead`,
              { related: [{ span: regionSpan(r), message: 'the static region' }] },
            ),
          );
        }
        const d = devs[0];
        if (!d || !first) continue;
        const size = d.size?.value;
        if ((size !== undefined && size !== first.size) || d.ranges.length > 0 || (d.align && d.align.value !== first.align)) {
          out.push(
            finding(
              'DAX040',
              'error',
              d.size?.span ?? d.align?.span ?? d.labelSpan,
              `${regionLabel(r)} is static: ${first.name} is ${formatBytes(first.size)} with align ${formatBytes(first.align)}, set by its namespace; size, align and ranges cannot be changed through dax sysfs (use ndctl create-namespace --size/--align)`,
            ),
          );
        }
      }
    }
    return out;
  },
};
