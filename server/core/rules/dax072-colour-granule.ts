// DAX072: colour stripes the kernel cannot claim: not a whole number of bytes, smaller than or not a multiple of the device's granule, or cut by the region's edges.
import type { Finding } from '../analysis/finding';
import { rangeBytes, trimToGranule } from '../colour/stripes';
import { formatBytes } from '../units';
import { askText, colourViews } from './colour-views';
import { alignOf, defineRule, granuleOf, regionLabel } from './util';

export const dax072 = defineRule({
  code: 'DAX072',
  title: 'colour stripes do not fit the granule',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const c of colourViews(a)) {
      const p = c.placement;
      if (!p || !c.cache) continue;
      const C = c.cache.size;
      const g = granuleOf(c.v);
      const span = c.req.of?.span ?? c.req.span;
      if (p.problem === 'fraction') {
        out.push(
          report(
            span,
            `the ${formatBytes(C)} cache does not split into ${p.k} equal colours (${formatBytes(C)} / ${p.k} is not a whole number of bytes); use a power of two such as ${pow2Below(C, g ?? 1n)}`,
          ),
        );
        continue;
      }
      if (p.problem === 'too-many') {
        out.push(
          report(
            span,
            `${askText(p, c.req)} cuts ${regionLabel(c.v.region)} into more than 100000 stripes; use fewer, wider colours (a smaller K)`,
          ),
        );
        continue;
      }
      if (g === undefined) continue;
      const align = alignOf(c.v) as bigint;
      const granule =
        g === align
          ? `align ${formatBytes(align)}`
          : `granule ${formatBytes(g)} (max(align ${formatBytes(align)}, ${formatBytes(g)}))`;
      const best = C / g;
      if (p.width < g || p.width % g !== 0n) {
        const kFix =
          best >= 2n
            ? ` use at most ${best} colours (\`of ${best}\`, stripes of ${formatBytes(g)})`
            : ' the cache is smaller than one granule, so this device cannot be coloured';
        out.push(
          report(
            span,
            `each colour stripe is ${formatBytes(p.width)} (${formatBytes(C)} / ${p.k}), ${p.width < g ? 'smaller than' : 'not a multiple of'} the device's ${granule}: the kernel allocates whole granules, so the stripes cannot be claimed exactly;${kFix}`,
          ),
        );
        continue;
      }
      const lost = rangeBytes(p.all) - rangeBytes(trimToGranule(p.all, g));
      if (lost > 0n) {
        out.push(
          report(
            span,
            `${regionLabel(c.v.region)} starts or ends inside a stripe: ${formatBytes(lost)} of these colours lie in pieces smaller than the ${granule} at its edges and are left out`,
            {},
            'warning',
          ),
        );
      }
    }
    return out;
  },
});

function pow2Below(cache: bigint, granule: bigint): string {
  let k = 1n;
  while (k * 2n <= cache / (granule > 0n ? granule : 1n) && k < 1024n) k *= 2n;
  return String(k < 2n ? 2n : k);
}
