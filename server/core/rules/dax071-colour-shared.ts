// DAX071: memory of a colour that a device asked for exclusively is held (or asked for) by another device.
import type { Finding } from '../analysis/finding';
import { colourBytesByColour, meetsSorted, periodIntervals, type AddrRange } from '../colour/stripes';
import { deviceName } from '../kernel/state';
import type { LayoutDevice } from '../layout/types';
import { formatBytes } from '../units';
import { askText, colourViews, listColours, type ColourView } from './colour-views';
import { defineRule } from './util';

export const dax071 = defineRule({
  code: 'DAX071',
  title: 'exclusive colour shared',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    const views = colourViews(a).filter((c) => c.placement && c.placement.width > 0n && c.cache);
    // Each view's colours as ranges of one cache period (sorted, disjoint), made once.
    const period = new Map<ColourView, AddrRange[]>();
    const periodOf = (v: ColourView): AddrRange[] => {
      let r = period.get(v);
      if (!r) period.set(v, (r = periodIntervals(v.placement!.colours, v.cache!.size, v.placement!.k)));
      return r;
    };
    // 1. Two colour requests that overlap, one of them exclusive: one finding on the later request,
    //    naming the first earlier one and counting the others (thousands of devices asking for the
    //    same colours make one finding each, not one per pair).
    const reported = new Set<LayoutDevice>();
    const byRegion = new Map<unknown, ColourView[]>();
    for (const v of views) {
      const list = byRegion.get(v.v.region);
      if (list) list.push(v);
      else byRegion.set(v.v.region, [v]);
    }
    for (const list of byRegion.values()) {
      for (let i = 0; i < list.length; i++) {
        const x = list[i]!;
        let first: ColourView | undefined;
        let more = 0;
        for (let j = 0; j < i; j++) {
          const y = list[j]!;
          if (!x.req.exclusive && !y.req.exclusive) continue;
          if (!meetSorted(periodOf(x), periodOf(y))) continue;
          if (first) more++;
          else first = y;
        }
        if (!first) continue;
        const y = first;
        const px = x.placement!;
        const py = y.placement!;
        const theirs = periodOf(y);
        const shared = px.colours.filter((c) =>
          meetsSorted({ start: BigInt(c) * px.width, end: BigInt(c + 1) * px.width - 1n }, theirs),
        );
        const owner = y.req.exclusive ? y : x;
        reported.add(x.v.device);
        out.push(
          report(
            x.req.colours?.span ?? x.req.span,
            `\`${x.v.device.label}\` asks for colour${shared.length === 1 ? '' : 's'} ${listColours(shared)} of ${px.k}, which \`${y.v.device.label}\` also asks for${others(more)}, and \`${owner.v.device.label}\` wants its colours exclusively; give each device colours of its own`,
            {
              related: [
                { span: y.req.colours?.span ?? y.req.span, message: `\`${y.v.device.label}\`: ${askText(py, y.req)}` },
              ],
            },
          ),
        );
      }
    }
    // 2. Other devices of the region (placed by first fit, or kept outside the layout) holding
    //    exclusive colours: one finding per such device, for the first exclusive request it holds
    //    memory of, counting the others.
    const kernelNames = new Map<object, Map<string, LayoutDevice>>();
    const held = new Map<
      object,
      { x: ColourView; l: LayoutDevice | undefined; name: string; colours: number[]; bytes: bigint; more: number }
    >();
    const bytesCache = new Map<object, Map<string, bigint[]>>();
    for (const x of views) {
      if (!x.req.exclusive) continue;
      const sim = x.v.region.after;
      const plan = x.v.host.plan;
      if (!sim || !plan) continue;
      const C = x.cache!.size;
      const p = x.placement!;
      const mine = plan.assigned.get(x.v.device);
      let byKernel = kernelNames.get(plan);
      if (!byKernel) {
        byKernel = new Map<string, LayoutDevice>();
        for (const [l, d] of plan.assigned) byKernel.set(deviceName(d), l);
        kernelNames.set(plan, byKernel);
      }
      const key = `${C}/${p.width}/${p.k}`;
      for (const d of sim.devices.values()) {
        if (d === mine || d.ranges.length === 0) continue;
        const l = byKernel.get(deviceName(d));
        if (l && (l.colours || reported.has(l))) continue; // colour requests are judged above
        let cached = bytesCache.get(d);
        if (!cached) bytesCache.set(d, (cached = new Map()));
        let byColour = cached.get(key);
        if (!byColour) cached.set(key, (byColour = colourBytesByColour(d.ranges, C, p.width, p.k)));
        const colours = p.colours.filter((c) => (byColour[c] ?? 0n) > 0n);
        if (colours.length === 0) continue;
        const seen = held.get(l ?? d);
        if (seen) {
          seen.more++;
          continue;
        }
        const bytes = colours.reduce((s, c) => s + (byColour[c] as bigint), 0n);
        held.set(l ?? d, { x, l, name: deviceName(d), colours, bytes, more: 0 });
      }
    }
    for (const { x, l, name, colours, bytes, more } of held.values()) {
      const p = x.placement!;
      const how = l?.ranges.length ? 'pinned by `range`' : 'placed by first fit';
      const who = l ? `\`${l.label}\` (${name}, ${how})` : `${name}, which the layout does not list and keeps,`;
      const fix = l
        ? `give \`${l.label}\` colours of its own (e.g. \`colours ${free(p.k, p.colours)} of ${p.k}\`) or drop \`exclusive\``
        : 'prune it (apply --prune) or drop `exclusive`';
      out.push(
        report(
          l ? l.labelSpan : (x.req.exclusive as NonNullable<typeof x.req.exclusive>),
          `${who} holds ${formatBytes(bytes)} of colour${colours.length === 1 ? '' : 's'} ${listColours(colours)} of ${p.k}, which \`${x.v.device.label}\` asked for exclusively${others(more)}: its memory evicts \`${x.v.device.label}\`'s from the cache; ${fix}`,
          { related: [{ span: x.req.span, message: `\`${x.v.device.label}\`: ${askText(p, x.req)}` }] },
        ),
      );
    }
    return out;
  },
});

/** ` (and N other devices)`, or nothing when there are none. */
function others(n: number): string {
  return n === 0 ? '' : ` (and ${n} other device${n === 1 ? '' : 's'})`;
}

/** Whether two sorted lists of disjoint ranges meet (one merge pass, no copies). */
function meetSorted(a: readonly AddrRange[], b: readonly AddrRange[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x.end < y.start) i++;
    else if (y.end < x.start) j++;
    else return true;
  }
  return false;
}

/** The colours of K not in `taken`, written as a list. */
function free(k: number, taken: readonly number[]): string {
  const rest: number[] = [];
  const held = new Set(taken);
  for (let c = 0; c < k && rest.length < 64; c++) if (!held.has(c)) rest.push(c);
  return listColours(rest);
}
