// DAX020: a region asked for more than it holds (layout devices plus devices kept outside the layout).
import { formatBytes, roundDown, sizeLiteral } from '../units';
import type { Finding } from '../analysis/finding';
import { defineRule, granuleOf, regionLabel, regionSpan } from './util';

export const dax020 = defineRule({
  code: 'DAX020',
  title: 'region over-committed',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const h of a.hosts) {
      const plan = h.plan;
      if (!plan) continue;
      for (const r of h.regions) {
        const f = r.before;
        if (!f) continue;
        const kept = plan.unlisted.filter((u) => u.region === r.layout && !u.pruned);
        const keptBytes = kept.reduce((s, u) => s + u.size, 0n);
        let asked = keptBytes;
        let overflowAt: (typeof r.layout.devices)[number] | undefined;
        let free = 0n;
        for (const d of r.layout.devices) {
          if (d.rest) continue;
          const before = asked;
          asked += plan.targetSize.get(d) ?? 0n;
          if (!overflowAt && asked > f.size) {
            overflowAt = d;
            free = f.size - before;
          }
        }
        const keptText = kept.length
          ? ` (including ${formatBytes(keptBytes)} kept on ${kept.map((u) => u.kernelName).join(', ')}, which the layout does not list — apply --prune removes them)`
          : '';
        if (overflowAt) {
          const over = asked - f.size;
          const size = overflowAt.size;
          const fixes = [];
          if (size) {
            const g = granuleOf({ device: overflowAt, region: r, host: h });
            const shrunk = g ? roundDown(free, g) : 0n;
            if (shrunk > 0n)
              fixes.push({
                title: `Shrink \`${overflowAt.label}\` to ${sizeLiteral(shrunk)}`,
                edits: [{ span: size.span, newText: sizeLiteral(shrunk) }],
              });
          }
          out.push(
            report(
              overflowAt.size?.span ?? overflowAt.labelSpan,
              `${regionLabel(r)} is over-committed by ${formatBytes(over)}: the devices ask for ${formatBytes(asked)}${keptText} but the region holds ${formatBytes(f.size)}; ${free > 0n ? `${formatBytes(free)} is left for \`${overflowAt.label}\`` : `nothing is left for \`${overflowAt.label}\``}`,
              { fixes, related: [{ span: regionSpan(r), message: `${regionLabel(r)}: ${formatBytes(f.size)}` }] },
            ),
          );
          continue;
        }
        const rest = r.layout.devices.find((d) => d.rest && d.ranges.length === 0);
        if (rest && (plan.targetSize.get(rest) ?? 0n) === 0n) {
          out.push(
            report(
              rest.rest ?? rest.labelSpan,
              `nothing is left for \`size rest\`: the other devices${keptText} take all ${formatBytes(f.size)} of ${regionLabel(r)}`,
            ),
          );
        }
      }
    }
    return out;
  },
});
