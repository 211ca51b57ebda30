// DAX023: a device aligned above 2 MiB that first fit places in holes not aligned to its align.
import { formatBytes, hex } from '../units';
import { alignOf, archOf, assigned, defineRule, devices } from './util';

export const dax023 = defineRule({
  code: 'DAX023',
  title: 'huge-page device in misaligned holes',
  severity: 'warning',
  check(a, report) {
    const out = [];
    for (const v of devices(a)) {
      if (v.device.ranges.length > 0 || v.device.colours) continue;
      const align = alignOf(v);
      const dev = assigned(v);
      if (align === undefined || !dev || align <= archOf(v.host).compatAlign.value) continue;
      const bad = dev.ranges.filter((r) => r.start % align !== 0n || (r.end + 1n) % align !== 0n);
      if (bad.length === 0) continue;
      const list = bad.map((r) => `${hex(r.start)}..${hex(r.end)}`).join(', ');
      out.push(
        report(
          v.device.align?.span ?? v.device.labelSpan,
          `first fit places \`${v.device.label}\` in ${bad.length === 1 ? 'a hole' : 'holes'} not aligned to its ${formatBytes(align)} align (${list}); ${formatBytes(align)} page faults there fail. Pin aligned ranges with \`range\`, or declare this device before devices with a smaller align`,
        ),
      );
    }
    return out;
  },
});
