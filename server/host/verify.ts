// Verification after an apply: the host's fresh facts against the state the
// kernel model predicted. Every difference is named (device, attribute, both
// values); none is tolerated.

import {
  formatBytes,
  hex,
  type DeviceFacts,
  type DriverName,
  type HostFacts,
  type MemoryBlockFacts,
} from '../core/index';

const mode = (d: DriverName | null) =>
  d === 'kmem' ? 'system-ram (kmem)' : d === 'device_dax' ? 'devdax (device_dax)' : 'unbound';
const ranges = (d: DeviceFacts) =>
  d.mappings.length === 0
    ? 'none'
    : [...d.mappings]
        .sort((a, b) => (a.pageOffset < b.pageOffset ? -1 : 1))
        .map((m) => `${hex(m.start)}..${hex(m.end)}@${hex(m.pageOffset)}`)
        .join(', ');
const block = (b: MemoryBlockFacts) => (b.state === 'online' ? `online${b.zone ? ` (${b.zone})` : ''}` : 'offline');

/** Differences between the predicted and the actual host, as sentences (empty: they match). */
export function diffHost(predicted: HostFacts, actual: HostFacts): string[] {
  const out: string[] = [];
  for (const p of predicted.regions) {
    const a = actual.regions.find((r) => r.id === p.id);
    if (!a) {
      out.push(`region ${p.id}: predicted, but the host has no such region`);
      continue;
    }
    if (a.size !== p.size)
      out.push(`region ${p.id}: size ${formatBytes(a.size)} on the host, ${formatBytes(p.size)} predicted`);
    for (const pd of p.devices) {
      const ad = a.devices.find((d) => d.name === pd.name);
      if (!ad) {
        out.push(
          `${pd.name}: predicted (${formatBytes(pd.size)}, ${mode(pd.driver)}), but the host has no such device`,
        );
        continue;
      }
      if (ad.size !== pd.size)
        out.push(`${pd.name}: size ${formatBytes(ad.size)} on the host, ${formatBytes(pd.size)} predicted`);
      if (ad.align !== pd.align)
        out.push(`${pd.name}: align ${formatBytes(ad.align)} on the host, ${formatBytes(pd.align)} predicted`);
      if (ad.driver !== pd.driver)
        out.push(`${pd.name}: mode ${mode(ad.driver)} on the host, ${mode(pd.driver)} predicted`);
      if (ranges(ad) !== ranges(pd)) out.push(`${pd.name}: ranges ${ranges(ad)} on the host, ${ranges(pd)} predicted`);
      if (ad.targetNode !== pd.targetNode)
        out.push(`${pd.name}: target node ${ad.targetNode} on the host, ${pd.targetNode} predicted`);
      if (
        ad.memmapOnMemory !== undefined &&
        pd.memmapOnMemory !== undefined &&
        ad.memmapOnMemory !== pd.memmapOnMemory
      ) {
        out.push(
          `${pd.name}: memmap_on_memory ${ad.memmapOnMemory ? 1 : 0} on the host, ${pd.memmapOnMemory ? 1 : 0} predicted`,
        );
      }
    }
    for (const ad of a.devices) {
      if (!p.devices.some((d) => d.name === ad.name))
        out.push(`${ad.name}: on the host (${formatBytes(ad.size)}, ${mode(ad.driver)}), not predicted`);
    }
  }
  for (const a of actual.regions)
    if (!predicted.regions.some((r) => r.id === a.id)) out.push(`region ${a.id}: on the host, not predicted`);
  const pb = new Map(predicted.memoryBlocks.map((b) => [b.index, b]));
  const ab = new Map(actual.memoryBlocks.map((b) => [b.index, b]));
  for (const [i, p] of pb) {
    const a = ab.get(i);
    if (!a) {
      out.push(`memory${i}: predicted ${block(p)} on node ${p.node}, but the host has no such memory block`);
      continue;
    }
    const zoneDiffers =
      a.state === 'online' && p.state === 'online' && a.zone !== undefined && p.zone !== undefined && a.zone !== p.zone;
    if (a.state !== p.state || zoneDiffers) out.push(`memory${i}: ${block(a)} on the host, ${block(p)} predicted`);
    if (a.node !== p.node) out.push(`memory${i}: node ${a.node} on the host, node ${p.node} predicted`);
  }
  for (const [i, a] of ab)
    if (!pb.has(i)) out.push(`memory${i}: ${block(a)} on the host (node ${a.node}), not predicted`);
  return out;
}
