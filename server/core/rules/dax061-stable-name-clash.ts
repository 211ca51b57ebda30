// DAX061: two devices of one host's persisted regions share a label: /dev/dax/by-label/LABEL clashes.
import type { LayoutDevice } from '../layout/types';
import { persists } from '../persist/spec';
import { defineRule } from './util';

export const dax061 = defineRule({
  code: 'DAX061',
  title: 'stable name used twice',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      if (!h.decl) continue;
      const seen = new Map<string, LayoutDevice>();
      for (const r of h.regions) {
        if (!persists(h, r.layout)) continue;
        for (const d of r.layout.devices) {
          const first = seen.get(d.label);
          if (!first) {
            seen.set(d.label, d);
            continue;
          }
          out.push(
            report(
              d.labelSpan,
              `label \`${d.label}\` is also used in region ${first.region.id?.value ?? '?'} of ${h.name}: the stable names of persisted regions (/dev/dax/by-label/${d.label}, /run/daxlayout/by-label/${d.label}) need labels unique per host`,
              { related: [{ span: first.labelSpan, message: `the first \`${d.label}\`` }] },
            ),
          );
        }
      }
    }
    return out;
  },
});
