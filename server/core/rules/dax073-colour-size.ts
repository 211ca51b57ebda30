// DAX073: a `size` that does not match what the asked colours give, or colours that give nothing.
import type { Finding } from '../analysis/finding';
import { rangeBytes, trimToGranule } from '../colour/stripes';
import { formatBytes, sizeLiteral } from '../units';
import { askText, colourViews } from './colour-views';
import { defineRule, granuleOf, regionLabel } from './util';

export const dax073 = defineRule({
  code: 'DAX073',
  title: 'size does not match the colours',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const c of colourViews(a)) {
      const p = c.placement;
      if (!p || p.problem || p.width === 0n) continue;
      const d = c.v.device;
      const ask = askText(p, c.req);
      const stripesOf = `${p.available.length} stripe${p.available.length === 1 ? '' : 's'}`;
      if (p.gives === 0n) {
        if (p.colours.every((x) => x >= p.k)) continue; // DAX074: no such colour
        if (p.all.length === 0) {
          out.push(
            report(
              c.req.span,
              `${ask} give no memory in ${regionLabel(c.v.region)}: no address of the region has these colours (it is smaller than one ${formatBytes(p.width * BigInt(p.k))} cache period); the device is not created`,
            ),
          );
          continue;
        }
        const g = granuleOf(c.v);
        if (g !== undefined && rangeBytes(trimToGranule(p.all, g)) === 0n) continue; // DAX072: stripes below the granule
        out.push(
          report(
            c.req.span,
            `${ask} give no memory in ${regionLabel(c.v.region)}: every stripe of these colours is held by other devices; the device is not created`,
          ),
        );
        continue;
      }
      if (!d.size || d.size.value === p.gives) continue;
      const fix = {
        title: `Change size to ${sizeLiteral(p.gives)}`,
        edits: [{ span: d.size.span, newText: sizeLiteral(p.gives) }],
      };
      if (d.size.value > p.gives) {
        out.push(
          report(
            d.size.span,
            `size ${formatBytes(d.size.value)} does not match the colours: ${ask} give ${formatBytes(p.gives)} in ${regionLabel(c.v.region)} (${stripesOf} of ${formatBytes(p.width)} or less); write size ${sizeLiteral(p.gives)}, drop \`size\`, or ask for more colours`,
            { fixes: [fix] },
          ),
        );
      } else {
        out.push(
          report(
            d.size.span,
            `size ${formatBytes(d.size.value)} takes the lowest stripes of ${ask}, which give ${formatBytes(p.gives)}; the other ${formatBytes(p.gives - d.size.value)} of these colours stays free for other devices (drop \`size\` to take them all)`,
            { fixes: [fix] },
            'info',
          ),
        );
      }
    }
    return out;
  },
});
