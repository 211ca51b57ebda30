// DAX007: what had to be assumed about a host (kernel release of a design host, values daxctl JSON does not carry,
// a kernel release outside the modelled range modelled as the nearest one: a warning).
import { defineRule, regionSpan } from './util';

export const dax007 = defineRule({
  code: 'DAX007',
  title: 'assumed host facts',
  severity: 'info',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      // A release outside the modelled range: modelled as the nearest one, which may differ.
      if (h.kernelNote) {
        const at =
          h.decl?.kernel?.span ??
          h.decl?.facts?.span ??
          h.decl?.nameSpan ??
          (h.regions[0] ? regionSpan(h.regions[0]) : undefined);
        if (at)
          out.push(
            report(
              at,
              `${h.name === '(design)' ? 'regions without a host (designed from their declarations)' : `host ${h.name}`}: ${h.kernelNote}`,
              {},
              'warning',
            ),
          );
      }
      // Assumptions stored in a daxlayout facts file were shown when it was made; fresh ones
      // (declared hosts, daxctl JSON and capture imports) are reported here.
      const fresh = h.factsOrigin === 'declared' || h.factsKind === 'daxctl' || h.factsKind === 'capture';
      const assumptions = fresh ? (h.before?.assumptions ?? []) : [];
      const infos = h.factsProblems.filter((p) => p.severity === 'info').map((p) => p.message);
      const all = [...assumptions, ...infos];
      if (all.length === 0) continue;
      const span = h.decl?.facts?.span ?? h.decl?.nameSpan ?? (h.regions[0] ? regionSpan(h.regions[0]) : undefined);
      if (!span) continue;
      for (const m of all)
        out.push(
          report(
            span,
            `${h.name === '(design)' ? 'regions without a host (designed from their declarations)' : `host ${h.name}`}: ${m}`,
          ),
        );
    }
    return out;
  },
});
