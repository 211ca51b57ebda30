// DAX003: a region id the host's facts do not have.
import { formatBytes, hex } from '../units';
import { defineRule, regionSpan } from './util';

export const dax003 = defineRule({
  code: 'DAX003',
  title: 'unknown region',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      if (h.factsOrigin !== 'file' || !h.before || h.modelError) continue;
      for (const r of h.regions) {
        if (!r.layout.id || r.before) continue;
        const have = h.before.regions.map(
          (x) => `${x.id} (${formatBytes(x.size)}${x.start !== undefined ? ` at ${hex(x.start)}` : ''})`,
        );
        const msg = have.length
          ? `host ${h.name} has no dax region ${r.layout.id.value}; its regions: ${have.join(', ')}`
          : `host ${h.name} has no dax region at all (is the memory soft-reserved, and are dax_hmem / the CXL driver loaded?)`;
        const fixes = h.before.regions.map((x) => ({
          title: `Use region ${x.id}`,
          edits: [{ span: (r.layout.id as { span: { start: number; end: number } }).span, newText: String(x.id) }],
        }));
        out.push(report(regionSpan(r), msg, { fixes }));
      }
    }
    return out;
  },
});
