// DAX013: a device without a size, or whose size, `rest` and ranges disagree.
import { defineRule, devices } from './util';

export const dax013 = defineRule({
  code: 'DAX013',
  title: 'device size missing or contradictory',
  severity: 'error',
  check(a, report) {
    const out = a.layout.issues
      .filter((i) => i.kind === 'size-conflict')
      .map((i) => report(i.span, i.message, i.related ? { related: i.related } : {}));
    for (const v of devices(a)) {
      const d = v.device;
      if (d.size || d.rest || d.ranges.length > 0 || d.colours) continue;
      if (d.decl.properties.some((p) => p.key.text === 'size' || p.key.text === 'range')) continue; // already reported
      out.push(
        report(
          d.labelSpan,
          `device \`${d.label}\` has no size: add \`size 4G\`, \`size rest\` (what the other devices leave) or a pinned \`range\``,
        ),
      );
    }
    return out;
  },
});
