// DAX022: pinned ranges that overlap each other or memory held by a device the layout keeps.
import type { Related } from '../analysis/finding';
import { hex } from '../units';
import type { Rule } from './util';
import { finding, regionSpan } from './util';

export const dax022: Rule = {
  code: 'DAX022',
  title: 'pinned range overlaps',
  check(a) {
    const out = [];
    for (const h of a.hosts) {
      for (const r of h.regions) {
        const pinned = r.layout.devices.flatMap((d) => d.ranges.map((x) => ({ d, x })));
        for (let i = 0; i < pinned.length; i++) {
          const p = pinned[i] as (typeof pinned)[number];
          const related: Related[] = [];
          for (let j = 0; j < i; j++) {
            const q = pinned[j] as (typeof pinned)[number];
            if (q.x.start <= p.x.end && p.x.start <= q.x.end) {
              related.push({ span: q.x.span, message: q.d === p.d ? `the other range, ${hex(q.x.start)}..${hex(q.x.end)}` : `\`${q.d.label}\` pins ${hex(q.x.start)}..${hex(q.x.end)}` });
            }
          }
          if (related.length) {
            const own = pinned.slice(0, i).some((q) => q.d === p.d && q.x.start <= p.x.end && p.x.start <= q.x.end);
            const msg = own
              ? `${hex(p.x.start)}..${hex(p.x.end)} of \`${p.d.label}\` overlaps another of its own ranges; a device's ranges are distinct memory, each byte once`
              : `${hex(p.x.start)}..${hex(p.x.end)} of \`${p.d.label}\` overlaps memory pinned by another device; each byte belongs to one device`;
            out.push(finding('DAX022', 'error', p.x.span, msg, { related }));
            continue;
          }
          const kept = h.plan?.unlisted.filter((u) => u.region === r.layout && !u.pruned) ?? [];
          for (const u of kept) {
            const dev = r.before?.devices.find((x) => x.name === u.kernelName);
            const hit = dev?.mappings.find((m) => m.start <= p.x.end && p.x.start <= m.end);
            if (hit) {
              out.push(
                finding(
                  'DAX022',
                  'error',
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
};
