// DAX074: a colour that does not exist for the K in use, or `any N` finding fewer than N colours.
import type { Finding } from '../analysis/finding';
import { formatBytes } from '../units';
import { colourViews, listColours } from './colour-views';
import { defineRule } from './util';

export const dax074 = defineRule({
  code: 'DAX074',
  title: 'colours not available',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const c of colourViews(a)) {
      const p = c.placement;
      if (!p || !c.cache || p.problem) continue;
      const C = c.cache.size;
      if (c.req.colours) {
        const over = c.req.colours.value.filter((x) => x >= p.k);
        if (over.length === 0) continue;
        const derived = c.req.of === undefined;
        out.push(
          report(
            c.req.colours.span,
            `colour${over.length === 1 ? '' : 's'} ${listColours(over)} do${over.length === 1 ? 'es' : ''} not exist: ${derived ? `without \`of\`, the ${formatBytes(C)} cache is sliced into ${p.k} colours (stripes of ${formatBytes(p.width)}, the region's granule)` : `there are ${p.k} colours`}, numbered 0..${p.k - 1}${derived ? '; write `of K` to choose K' : ''}`,
          ),
        );
      } else if (c.req.any && p.colours.length < c.req.any.value) {
        out.push(
          report(
            c.req.any.span,
            `only ${p.colours.length} of the ${p.k} colours ${p.colours.length === 0 ? 'are' : `(${listColours(p.colours)}) are`} free of other devices' requests${c.req.exclusive ? '' : ' made exclusively'}, not ${c.req.any.value}; ask for fewer colours or use a larger K (\`of ${p.k * 2}\`)`,
          ),
        );
      }
    }
    return out;
  },
});
