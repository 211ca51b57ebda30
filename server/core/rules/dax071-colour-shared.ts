// DAX071: memory of a colour that a device asked for exclusively is held (or asked for) by another device.
import type { Finding } from '../analysis/finding';
import { colourBytesByColour, meetsSorted, overlaps, periodIntervals } from '../colour/stripes';
import { deviceName } from '../kernel/state';
import type { LayoutDevice } from '../layout/types';
import { formatBytes } from '../units';
import { askText, colourViews, listColours } from './colour-views';
import { defineRule } from './util';

export const dax071 = defineRule({
  code: 'DAX071',
  title: 'exclusive colour shared',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    const views = colourViews(a).filter((c) => c.placement && c.placement.width > 0n && c.cache);
    // 1. Two colour requests that overlap, one of them exclusive.
    const reported = new Set<LayoutDevice>();
    for (let i = 0; i < views.length; i++) {
      for (let j = 0; j < i; j++) {
        const x = views[i]!;
        const y = views[j]!;
        if (x.v.region !== y.v.region) continue;
        if (!x.req.exclusive && !y.req.exclusive) continue;
        const C = x.cache!.size;
        const px = x.placement!;
        const py = y.placement!;
        const theirs = periodIntervals(py.colours, C, py.k); // sorted, disjoint
        if (!overlaps(periodIntervals(px.colours, C, px.k), theirs)) continue;
        const shared = px.colours.filter((c) =>
          meetsSorted({ start: BigInt(c) * px.width, end: BigInt(c + 1) * px.width - 1n }, theirs),
        );
        const owner = y.req.exclusive ? y : x;
        reported.add(x.v.device);
        out.push(
          report(
            x.req.colours?.span ?? x.req.span,
            `\`${x.v.device.label}\` asks for colour${shared.length === 1 ? '' : 's'} ${listColours(shared)} of ${px.k}, which \`${y.v.device.label}\` also asks for, and \`${owner.v.device.label}\` wants its colours exclusively; give each device colours of its own`,
            {
              related: [
                { span: y.req.colours?.span ?? y.req.span, message: `\`${y.v.device.label}\`: ${askText(py, y.req)}` },
              ],
            },
          ),
        );
      }
    }
    // 2. Other devices of the region (placed by first fit, or kept outside the layout) holding exclusive colours.
    for (const x of views) {
      if (!x.req.exclusive) continue;
      const sim = x.v.region.after;
      const plan = x.v.host.plan;
      if (!sim || !plan) continue;
      const C = x.cache!.size;
      const p = x.placement!;
      const mine = plan.assigned.get(x.v.device);
      const byKernel = new Map<string, LayoutDevice>();
      for (const [l, d] of plan.assigned) byKernel.set(deviceName(d), l);
      for (const d of sim.devices.values()) {
        if (d === mine || d.ranges.length === 0) continue;
        const l = byKernel.get(deviceName(d));
        if (l && (l.colours || reported.has(l))) continue; // colour requests are judged above
        const byColour = colourBytesByColour(d.ranges, C, p.width, p.k);
        const held = p.colours.filter((c) => (byColour[c] ?? 0n) > 0n);
        if (held.length === 0) continue;
        const bytes = held.reduce((s, c) => s + (byColour[c] as bigint), 0n);
        const how = l?.ranges.length ? 'pinned by `range`' : 'placed by first fit';
        const who = l
          ? `\`${l.label}\` (${deviceName(d)}, ${how})`
          : `${deviceName(d)}, which the layout does not list and keeps,`;
        const fix = l
          ? `give \`${l.label}\` colours of its own (e.g. \`colours ${free(p.k, p.colours)} of ${p.k}\`) or drop \`exclusive\``
          : 'prune it (apply --prune) or drop `exclusive`';
        out.push(
          report(
            l ? l.labelSpan : (x.req.exclusive as NonNullable<typeof x.req.exclusive>),
            `${who} holds ${formatBytes(bytes)} of colour${held.length === 1 ? '' : 's'} ${listColours(held)} of ${p.k}, which \`${x.v.device.label}\` asked for exclusively: its memory evicts \`${x.v.device.label}\`'s from the cache; ${fix}`,
            { related: [{ span: x.req.span, message: `\`${x.v.device.label}\`: ${askText(p, x.req)}` }] },
          ),
        );
      }
    }
    return out;
  },
});

/** The colours of K not in `taken`, written as a list. */
function free(k: number, taken: readonly number[]): string {
  const rest: number[] = [];
  const held = new Set(taken);
  for (let c = 0; c < k && rest.length < 64; c++) if (!held.has(c)) rest.push(c);
  return listColours(rest);
}
