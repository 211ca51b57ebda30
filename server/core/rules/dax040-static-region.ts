// DAX040: a static (pmem-backed) region cannot be split or resized through dax sysfs.
import { formatBytes } from '../units';
import { defineRule, regionLabel, regionSpan } from './util';

export const dax040 = defineRule({
  code: 'DAX040',
  title: 'static region cannot be split',
  severity: 'error',
  check(a, report) {
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
            report(
              d.labelSpan,
              `${regionLabel(r)} is static (pmem-backed): it has exactly one device, sized by its nvdimm namespace; it cannot be split. Create more namespaces with ndctl instead`,
              { related: [{ span: regionSpan(r), message: 'the static region' }] },
            ),
          );
        }
        const d = devs[0];
        if (!d || !first) continue;
        const sizeDiffers = d.size !== undefined && d.size.value !== first.size;
        const alignDiffers = d.align !== undefined && d.align.value !== first.align;
        const rangesDiffer =
          d.ranges.length > 0 &&
          (d.ranges.length !== first.mappings.length ||
            d.ranges.some((x, i) => x.start !== first.mappings[i]?.start || x.end !== first.mappings[i]?.end));
        if (sizeDiffers || alignDiffers || rangesDiffer) {
          const span = sizeDiffers
            ? d.size?.span
            : alignDiffers
              ? d.align?.span
              : d.ranges.find((x, i) => x.start !== first.mappings[i]?.start || x.end !== first.mappings[i]?.end)?.span;
          out.push(
            report(
              span ?? d.labelSpan,
              `${regionLabel(r)} is static: ${first.name} is ${formatBytes(first.size)} with align ${formatBytes(first.align)}, set by its namespace; size, align and ranges cannot be changed through dax sysfs (use ndctl create-namespace --size/--align)`,
            ),
          );
        }
      }
    }
    return out;
  },
});
