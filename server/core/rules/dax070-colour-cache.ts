// DAX070: `colours` on a region whose node has no memory-side cache, or one that is not direct-mapped.
import type { Finding } from '../analysis/finding';
import { CACHE_INDEXING, DIRECT_MAPPED } from '../kernel/cache-tables';
import { formatBytes } from '../units';
import { colourViews } from './colour-views';
import { defineRule, regionLabel } from './util';

export const dax070 = defineRule({
  code: 'DAX070',
  title: 'colours without a direct-mapped memory-side cache',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const c of colourViews(a)) {
      const span = c.req.span;
      const where = regionLabel(c.v.region);
      if (c.node === undefined || c.node < 0) {
        out.push(
          report(
            span,
            `${where} has no target NUMA node, so there is no memory-side cache to colour by; drop \`colours\` (the device cannot be placed by colour)`,
          ),
        );
        continue;
      }
      if (!c.cache) {
        const node = c.v.host.before?.nodes.find((n) => n.id === c.node);
        const why = !node
          ? `node ${c.node} is not in the facts`
          : node.access0 || node.access1
            ? `node ${c.node} reports no memory-side cache (memory_side_cache/ is empty)`
            : `node ${c.node} shows no HMAT data at all (sysfs lists them only once its memory is online: capture the facts again as root, which reads the firmware's HMAT table, or declare the cache with the region's \`cache\` property)`;
        out.push(
          report(
            span,
            `${why}: colours mean nothing without a direct-mapped cache in front of the memory; drop \`colours\` (the device cannot be placed by colour)`,
          ),
        );
        continue;
      }
      if (c.cache.indexing !== DIRECT_MAPPED.value) {
        const kind = CACHE_INDEXING[c.cache.indexing]?.value ?? `indexing ${c.cache.indexing}`;
        out.push(
          report(
            span,
            `the ${formatBytes(c.cache.size)} memory-side cache of node ${c.node} is ${kind} (indexing ${c.cache.indexing}), not direct-mapped: addresses ${formatBytes(c.cache.size)} apart need not alias, so colours do not keep devices from evicting each other; the stripes are placed as if it were direct-mapped`,
            {},
            'warning',
          ),
        );
      }
    }
    return out;
  },
});
