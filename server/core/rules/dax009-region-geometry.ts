// DAX009: a region with neither host facts nor declared geometry, or whose declared geometry contradicts the facts.
import { formatBytes, hex } from '../units';
import { defineRule, regionSpan } from './util';

export const dax009 = defineRule({
  code: 'DAX009',
  title: 'region geometry',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      for (const r of h.regions) {
        const g = r.layout.geometry;
        if (h.factsOrigin === 'declared') {
          if (!r.layout.id) continue;
          const missing = [!g.start && '`start`', !g.size && '`size`'].filter(Boolean);
          if (missing.length > 0) {
            out.push(
              report(
                regionSpan(r),
                `region ${r.layout.id.value} has no host facts, so its geometry must be declared: add ${missing.join(' and ')}${h.decl ? ` (or give host ${h.name} a \`facts\` file)` : ' (or place it `on` a host with `facts`)'}`,
              ),
            );
          }
          continue;
        }
        const f = r.before;
        if (!f || r.layout.cxl) continue; // a cxl region's size is checked by DAX103/DAX104 (plan/cxl-checks.ts)
        const clash = (what: string, declared: string, actual: string, span: { start: number; end: number }) =>
          out.push(
            report(
              span,
              `${what} is declared as ${declared} but the host's facts say ${actual}; the facts are used`,
              {},
              'warning',
            ),
          );
        if (g.start && f.start !== undefined && g.start.value !== f.start)
          clash('the region start', hex(g.start.value), hex(f.start), g.start.span);
        if (g.size && g.size.value !== f.size)
          clash('the region size', formatBytes(g.size.value), formatBytes(f.size), g.size.span);
        if (g.align && g.align.value !== f.align)
          clash('the region align', formatBytes(g.align.value), formatBytes(f.align), g.align.span);
        if (g.node && g.node.value !== f.targetNode)
          clash('the target node', String(g.node.value), String(f.targetNode), g.node.span);
        if (g.cache) {
          const node = h.before?.nodes.find((n) => n.id === f.targetNode);
          const c = node?.caches.find((x) => x.level === 1) ?? node?.caches[0];
          if (!c || c.size !== g.cache.value)
            clash('the memory-side cache', formatBytes(g.cache.value), c ? formatBytes(c.size) : 'none', g.cache.span);
        }
        if (g.dynamic && g.dynamic.value !== f.dynamic)
          clash(
            'the region kind',
            g.dynamic.value ? 'dynamic' : 'static',
            f.dynamic ? 'dynamic' : 'static',
            g.dynamic.span,
          );
      }
    }
    return out;
  },
});
