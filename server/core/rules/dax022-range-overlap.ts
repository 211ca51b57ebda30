// DAX022: pinned ranges that overlap each other or memory held by a device the layout keeps.
import type { Related } from '../analysis/finding';
import { hex } from '../units';
import { defineRule, regionSpan } from './util';

/** Overlapping ranges named in one finding's related information. */
const MAX_RELATED = 10;

export const dax022 = defineRule({
  code: 'DAX022',
  title: 'pinned range overlaps',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      for (const r of h.regions) {
        const pinned = r.layout.devices.flatMap((d) => d.ranges.map((x) => ({ d, x })));
        // By start, with the running maximum of the ends: the ranges that can meet one are found
        // by a binary search and a short scan, not by comparing every pair (a region of thousands).
        const order = pinned
          .map((_, i) => i)
          .sort((i, j) => {
            const a = (pinned[i] as (typeof pinned)[number]).x.start;
            const b = (pinned[j] as (typeof pinned)[number]).x.start;
            return a < b ? -1 : a > b ? 1 : i - j;
          });
        const maxEnd: bigint[] = [];
        for (const i of order) {
          const e = (pinned[i] as (typeof pinned)[number]).x.end;
          const before = maxEnd[maxEnd.length - 1];
          maxEnd.push(before !== undefined && before > e ? before : e);
        }
        for (let i = 0; i < pinned.length; i++) {
          const p = pinned[i] as (typeof pinned)[number];
          // the earlier ranges meeting p (at most MAX_RELATED of them are named)
          const hits: number[] = [];
          let lo = 0;
          let hi = order.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if ((maxEnd[mid] as bigint) < p.x.start) lo = mid + 1;
            else hi = mid;
          }
          for (let k = lo; k < order.length && hits.length < MAX_RELATED; k++) {
            const j = order[k] as number;
            const q = pinned[j] as (typeof pinned)[number];
            if (q.x.start > p.x.end) break;
            if (j < i && q.x.start <= p.x.end && p.x.start <= q.x.end) hits.push(j);
          }
          const related: Related[] = hits
            .sort((x, y) => x - y)
            .map((j) => {
              const q = pinned[j] as (typeof pinned)[number];
              return {
                span: q.x.span,
                message:
                  q.d === p.d
                    ? `the other range, ${hex(q.x.start)}..${hex(q.x.end)}`
                    : `\`${q.d.label}\` pins ${hex(q.x.start)}..${hex(q.x.end)}`,
              };
            });
          if (related.length) {
            const own = p.d.ranges
              .slice(0, p.d.ranges.indexOf(p.x))
              .some((x) => x.start <= p.x.end && p.x.start <= x.end);
            const msg = own
              ? `${hex(p.x.start)}..${hex(p.x.end)} of \`${p.d.label}\` overlaps another of its own ranges; a device's ranges are distinct memory, each byte once`
              : `${hex(p.x.start)}..${hex(p.x.end)} of \`${p.d.label}\` overlaps memory pinned by another device; each byte belongs to one device`;
            out.push(report(p.x.span, msg, { related }));
            continue;
          }
          const kept = h.plan?.unlisted.filter((u) => u.region === r.layout && !u.pruned) ?? [];
          for (const u of kept) {
            const dev = r.before?.devices.find((x) => x.name === u.kernelName);
            const hit = dev?.mappings.find((m) => m.start <= p.x.end && p.x.start <= m.end);
            if (hit) {
              out.push(
                report(
                  p.x.span,
                  `${hex(p.x.start)}..${hex(p.x.end)} overlaps ${u.kernelName} (${hex(hit.start)}..${hex(hit.end)}), which is not in the layout and is kept; the kernel refuses the mapping write (ENOMEM) — apply --prune removes ${u.kernelName}`,
                  { related: [{ span: regionSpan(r), message: `${u.kernelName} is on this region` }] },
                ),
              );
              break;
            }
          }
        }
      }
    }
    return out;
  },
});
