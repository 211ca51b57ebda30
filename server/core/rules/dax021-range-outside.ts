// DAX021: a pinned range that is not inside its region.
import { hex } from '../units';
import { defineRule, devices, regionLabel, regionSpan } from './util';

export const dax021 = defineRule({
  code: 'DAX021',
  title: 'pinned range outside the region',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const v of devices(a)) {
      const f = v.region.before;
      if (!f || f.start === undefined) continue;
      const end = f.start + f.size - 1n;
      for (const r of v.device.ranges) {
        if (r.start >= f.start && r.end <= end) continue;
        out.push(
          report(
            r.span,
            `${hex(r.start)}..${hex(r.end)} is not inside ${regionLabel(v.region)} (${hex(f.start)}..${hex(end)}); the kernel refuses the mapping write (ENOMEM)`,
            {
              related: [
                { span: regionSpan(v.region), message: `${regionLabel(v.region)} spans ${hex(f.start)}..${hex(end)}` },
              ],
            },
          ),
        );
      }
    }
    return out;
  },
});
