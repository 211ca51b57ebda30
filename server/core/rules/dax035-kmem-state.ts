// DAX035: a 7.3+ kmem device whose `state` attribute disagrees with its memory blocks.
import type { DeviceFacts, HostFacts } from '../host-facts';
import { hotplugRange } from '../kernel/state';
import { defineRule, regionSpan } from './util';

/** What the device's memory blocks say, counted over the blocks its ranges cover. */
function blocksOf(
  facts: HostFacts,
  d: DeviceFacts,
): { total: number; absent: number; offline: number; movable: number; kernel: number; first?: number } {
  const bs = facts.memoryBlockSize;
  const byIndex = new Map(facts.memoryBlocks.map((b) => [b.index, b]));
  const out = { total: 0, absent: 0, offline: 0, movable: 0, kernel: 0, first: undefined as number | undefined };
  for (const m of d.mappings) {
    const h = hotplugRange(m.start, m.end, bs);
    if (!h) continue;
    for (let i = Number(h.start / bs); i <= Number(h.end / bs); i++) {
      out.total++;
      const b = byIndex.get(i);
      if (!b) out.absent++;
      else if (b.state !== 'online') out.offline++;
      else if (b.zone === 'Movable') out.movable++;
      else out.kernel++;
    }
  }
  return out;
}

/** What writes to `state` do from each value, as measured on Debian 7.3.4 (docs/kernel-model.md). */
const WRITES = {
  offline: 'from offline, online values are refused with EBUSY and unplugged removes every block, online ones included',
  online_movable: 'from online_movable, other online values are refused with EBUSY and unplugged removes every block',
  online_kernel: 'from online_kernel, unplugged and other online values are refused with EBUSY',
  unplugged: 'from unplugged, an online value adds the memory again; with blocks still present this was not measured',
} as const;

export const dax035 = defineRule({
  code: 'DAX035',
  title: 'kmem state disagrees with the memory blocks',
  severity: 'info',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      const facts = h.before;
      if (!facts) continue;
      for (const r of facts.regions) {
        for (const d of r.devices) {
          if (d.driver !== 'kmem' || d.kmemState === undefined) continue;
          const b = blocksOf(facts, d);
          if (b.total === 0) continue;
          const present = b.total - b.absent;
          const agrees =
            d.kmemState === 'unplugged'
              ? present === 0
              : b.absent === 0 &&
                (d.kmemState === 'offline'
                  ? b.offline === b.total
                  : d.kmemState === 'online_movable'
                    ? b.movable === b.total
                    : b.kernel === b.total);
          if (agrees) continue;
          const parts = [
            b.movable ? `${b.movable} online in ZONE_MOVABLE` : '',
            b.kernel ? `${b.kernel} online in a kernel zone` : '',
            b.offline ? `${b.offline} offline` : '',
            b.absent ? `${b.absent} not hot-added` : '',
          ].filter((x) => x !== '');
          const ra = h.regions.find((x) => x.before?.id === r.id);
          const span = ra ? regionSpan(ra) : (h.decl?.facts?.span ?? h.decl?.nameSpan);
          if (!span) continue;
          const how =
            d.kmemState === 'offline' && b.movable + b.kernel > 0
              ? "they were onlined block by block (as daxctl and daxlayout's plan do), which `state` does not record"
              : '`state` records only the changes made through it, not those made block by block';
          out.push(
            report(
              span,
              `${d.name}'s kmem \`state\` reads ${d.kmemState}, but its ${b.total} memory block(s) are ${parts.join(', ')}: the memory blocks are what the kernel uses; ${how}. daxlayout plans from the blocks; a write to ${d.name}/state is answered from what it reads (${WRITES[d.kmemState]}). To make them agree, offline the blocks and write unplugged, then online_movable, to ${d.name}/state; or leave \`state\` alone`,
            ),
          );
        }
      }
    }
    return out;
  },
});
