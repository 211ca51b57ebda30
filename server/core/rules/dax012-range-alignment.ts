// DAX012: a pinned range whose length is not a granule multiple, or whose start is not aligned.
import { formatBytes, hex } from '../units';
import { alignOf, archOf, defineRule, devices, granuleOf } from './util';
import { has } from '../kernel/version';

export const dax012 = defineRule({
  code: 'DAX012',
  title: 'pinned range not aligned',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const v of devices(a)) {
      const g = granuleOf(v);
      const align = alignOf(v);
      if (g === undefined || align === undefined) continue;
      const compat = archOf(v.host).compatAlign.value;
      const quirk = v.host.version ? has(v.host.version, 'mappingRcQuirk') : false;
      for (const r of v.device.ranges) {
        const len = r.end - r.start + 1n;
        if (len % g !== 0n) {
          out.push(
            report(
              r.span,
              `range length ${formatBytes(len)} is not a multiple of ${formatBytes(g)} (max(align, ${formatBytes(compat)})); the kernel ${quirk ? 'reports success for such a mapping write but allocates nothing' : 'refuses the mapping write (ENXIO)'}`,
            ),
          );
        } else if (r.start % compat !== 0n) {
          out.push(
            report(
              r.span,
              `range start ${hex(r.start)} is not ${formatBytes(compat)}-aligned: device_dax cannot map memory that does not start on a sub-section boundary (bind fails)`,
            ),
          );
        } else if (r.start % align !== 0n) {
          out.push(
            report(
              r.span,
              `range start ${hex(r.start)} is not aligned to the device's align ${formatBytes(align)}: the kernel accepts it, but ${formatBytes(align)} page faults in it fail; start it at a multiple of ${formatBytes(align)}`,
              {},
              'warning',
            ),
          );
        }
      }
    }
    return out;
  },
});
