// DAX031: a system-ram device whose ranges do not start and end on memory-block boundaries: the edges are lost.
import { formatBytes, hex } from '../units';
import { defineRule, placedSystemRam } from './util';

export const dax031 = defineRule({
  code: 'DAX031',
  title: 'system-ram loses partial memory blocks',
  severity: 'warning',
  check(a, report) {
    const out = [];
    for (const { v, blockSize: bs, use } of placedSystemRam(a)) {
      if (use.usable === 0n || use.lost === 0n) continue;
      const parts = use.perRange
        .filter((r) => r.head + r.tail > 0n)
        .map(
          (r) =>
            `${hex(r.start)}..${hex(r.end)}: ${formatBytes(r.head)} at the head, ${formatBytes(r.tail)} at the tail`,
        );
      out.push(
        report(
          v.device.modeSpan ?? v.device.labelSpan,
          `kmem hot-plugs whole ${formatBytes(bs)} memory blocks only: ${formatBytes(use.lost)} of \`${v.device.label}\` stays unused (${parts.join('; ')}); ${formatBytes(use.usable)} becomes System RAM. Use a multiple of ${formatBytes(bs)} that starts on a block boundary`,
        ),
      );
    }
    return out;
  },
});
