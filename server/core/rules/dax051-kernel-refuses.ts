// DAX051: a planned write the kernel model refuses that no other rule explains. Nothing fails silently.
import type { Finding } from '../analysis/finding';
import { ERRNO_TEXT } from '../kernel/tables';
import { defineRule, regionSpan, spanIndex } from './util';

export const dax051 = defineRule({
  code: 'DAX051',
  title: 'kernel refuses a planned write',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    // Is [start, end) met by an error of another rule?
    const explained = spanIndex(
      a.findings.filter((f) => f.severity === 'error' && f.code !== 'DAX051').map((f) => f.span),
    );
    for (const h of a.hosts) {
      if (!h.plan) continue;
      const seen = new Set<unknown>();
      for (const f of h.plan.failures) {
        const key = f.device ?? f.region;
        if (seen.has(key)) continue;
        seen.add(key);
        const r = h.regions.find((x) => x.layout === f.region);
        const span = f.device ? f.device.decl.span : r ? regionSpan(r) : undefined;
        if (!span || explained.meets(span.start, span.end)) continue;
        const res = f.write.result;
        const outcome =
          res.kind === 'errno'
            ? `fails with ${res.errno} (${ERRNO_TEXT[res.errno]})`
            : res.kind === 'unmodelled'
              ? `cannot be predicted (${res.reason})`
              : 'reports success but does not take effect';
        out.push(
          report(
            f.device ? f.device.labelSpan : span,
            `the kernel model says \`echo ${f.write.value} > ${f.write.path}\` ${outcome}, so ${f.device ? `\`${f.device.label}\`` : 'this region'} cannot be set up as written`,
          ),
        );
      }
    }
    return out;
  },
});
