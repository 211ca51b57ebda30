// Values no kernel can have. Checked before anything is modelled: a memory block of one byte or
// a region past the physical address width would otherwise make the model do work (or hold
// state) in proportion to numbers the user is still typing, and predict nothing real.
// The bounds come from the arch tables (kernel/tables.ts); docs/kernel-model.md lists them.

import type { HostFacts } from '../host-facts';
import { ARCHES, DEFAULT_ARCH, type ArchFacts } from './tables';
import { formatBytes, hex } from '../units';

const isPow2 = (v: bigint): boolean => v > 0n && (v & (v - 1n)) === 0n;

/** Memory block sizes the arch can have: powers of two between its section size and its largest block. */
export function memoryBlockProblem(size: bigint, arch: ArchFacts): string | undefined {
  if (!isPow2(size)) return `a memory block size is a power of two, not ${formatBytes(size)}`;
  if (size < arch.minMemoryBlock.value || size > arch.maxMemoryBlock.value) {
    const range =
      arch.minMemoryBlock.value === arch.maxMemoryBlock.value
        ? formatBytes(arch.minMemoryBlock.value)
        : `${formatBytes(arch.minMemoryBlock.value)} to ${formatBytes(arch.maxMemoryBlock.value)}`;
    return `${arch.name} memory blocks are ${range}, not ${formatBytes(size)} (block_size_bytes in /sys/devices/system/memory)`;
  }
  return undefined;
}

/** The first byte past what any physical address of the arch can reach. */
export function physLimit(arch: ArchFacts): bigint {
  return 1n << BigInt(arch.physAddrBits.value);
}

/** A region that cannot exist: empty, or reaching past the physical address width. */
export function regionProblem(start: bigint, size: bigint, arch: ArchFacts): string | undefined {
  if (size <= 0n) return 'a region has a size above 0';
  const limit = physLimit(arch);
  if (start + size > limit)
    return `the region ends past ${arch.physAddrBits.value}-bit physical addresses (${hex(limit)}), the most ${arch.name} can address`;
  return undefined;
}

/** A memory-side cache smaller than a page colours nothing: HMAT does not describe such caches. */
export function cacheProblem(size: bigint, pageSize: bigint): string | undefined {
  if (size < pageSize)
    return `a memory-side cache of ${formatBytes(size)} is smaller than a ${formatBytes(pageSize)} page; HMAT caches are megabytes to gigabytes`;
  return undefined;
}

/** Every value of these facts no kernel can have, as sentences; empty when the facts are possible. */
export function impossibleFacts(facts: HostFacts): string[] {
  const arch = ARCHES[facts.arch] ?? (ARCHES[DEFAULT_ARCH] as ArchFacts);
  const out: string[] = [];
  if (!isPow2(facts.pageSize) || facts.pageSize < 4096n || facts.pageSize > 65536n)
    out.push(`a page size of ${formatBytes(facts.pageSize)} is not one Linux uses (4 KiB, 16 KiB or 64 KiB)`);
  const mb = memoryBlockProblem(facts.memoryBlockSize, arch);
  if (mb) out.push(mb);
  for (const r of facts.regions) {
    if (r.start === undefined) continue;
    const p = regionProblem(r.start, r.size, arch);
    if (p) out.push(`region ${r.id}: ${p}`);
  }
  for (const n of facts.nodes) {
    for (const c of n.caches) {
      const p = cacheProblem(c.size, facts.pageSize);
      if (p) out.push(`node ${n.id}: ${p}`);
    }
  }
  return out;
}
