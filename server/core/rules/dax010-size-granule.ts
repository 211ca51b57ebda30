// DAX010: a size that is not a multiple of the device's granule, max(align, 2 MiB).
import { formatBytes, roundDown, roundUp, sizeLiteral } from '../units';
import { alignOf, archOf, defineRule, devices, granuleOf } from './util';

export const dax010 = defineRule({
  code: 'DAX010',
  title: 'size not a multiple of the granule',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const v of devices(a)) {
      const size = v.device.size;
      const g = granuleOf(v);
      if (!size || g === undefined || size.value % g === 0n) continue;
      const lo = roundDown(size.value, g);
      const hi = roundUp(size.value, g);
      const align = alignOf(v) as bigint;
      const why =
        g === align
          ? `align ${formatBytes(align)}`
          : `${formatBytes(g)} (the kernel's allocation granule: max(align ${formatBytes(align)}, ${formatBytes(archOf(v.host).compatAlign.value)}))`;
      const nearest = [lo, hi].filter((x) => x > 0n);
      out.push(
        report(
          size.span,
          `size ${formatBytes(size.value)} is not a multiple of ${why}; nearest valid sizes: ${nearest.map(formatBytes).join(', ')}`,
          {
            fixes: nearest.map((x) => ({
              title: `Change size to ${sizeLiteral(x)}`,
              edits: [{ span: size.span, newText: sizeLiteral(x) }],
            })),
          },
        ),
      );
    }
    return out;
  },
});
