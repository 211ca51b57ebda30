// Platform facts about memory-side caches and HMAT performance, as data with a
// citation each (the tables.ts convention): rules and the colour planner read
// these instead of writing numbers of their own. Citation keys are those of
// docs/kernel-facts.md §0 (`ABI-node`, `numaperf`, `node.c`).

import type { Cited } from './tables';

/** `memory_side_cache/indexL/indexing` values. */
export const CACHE_INDEXING: Readonly<Record<number, Cited<string>>> = {
  0: { value: 'direct-mapped', source: 'kernel-facts.md §9: indexing 0 direct-mapped (ABI-node, numaperf, node.c)' },
  1: {
    value: 'indexed (complex)',
    source: 'kernel-facts.md §9: indexing 1 indexed (ABI-node; ACPI HMAT "complex cache indexing")',
  },
  2: { value: 'other', source: 'kernel-facts.md §9: indexing 2 other (ABI-node)' },
};

/** The indexing value colouring needs: only in a direct-mapped cache do A and A + C alias. */
export const DIRECT_MAPPED: Cited<number> = {
  value: 0,
  source: 'kernel-facts.md §9 (ABI-node memory_side_cache/indexL/indexing: 0 = direct-mapped)',
};

/** `memory_side_cache/indexL/write_policy` values. */
export const CACHE_WRITE_POLICY: Readonly<Record<number, Cited<string>>> = {
  0: { value: 'write-back', source: 'kernel-facts.md §9 (ABI-node write_policy 0)' },
  1: { value: 'write-through', source: 'kernel-facts.md §9 (ABI-node write_policy 1)' },
  2: { value: 'other', source: 'kernel-facts.md §9 (ABI-node write_policy 2)' },
};

/**
 * The colour of a physical address in a direct-mapped cache of `size` bytes sliced
 * into `colours` equal colours: (address / (size / colours)) mod colours. It assumes
 * the cache is indexed by physical address (the memory-side cache sits in front of
 * the memory, below any address translation); HMAT does not state it, so every
 * colour rule page repeats it.
 */
export const COLOUR_FORMULA: Cited<string> = {
  value: 'colour(A) = (A / (C / K)) mod K',
  source:
    'direct mapping: line index = (A / lineSize) mod (C / lineSize) (numaperf "memory side cache", ABI-node indexing 0); addresses A and A + C share every line, so slicing C into K equal parts gives each address one of K colours',
};

/** Which cache level colours a node's memory: level 1 is the one nearest the memory (highest levels are nearest the CPU). */
export const COLOUR_LEVEL: Cited<number> = {
  value: 1,
  source:
    'kernel-facts.md §9: memory_side_cache/indexL, L is the cache level; a higher number is nearer the CPU (numaperf)',
};

/** HMAT performance attributes and their units. */
export const HMAT_UNITS: Readonly<Record<'latency' | 'bandwidth', Cited<string>>> = {
  latency: {
    value: 'ns',
    source: 'kernel-facts.md §9: read_latency, write_latency in nanoseconds (ABI-node, numaperf)',
  },
  bandwidth: {
    value: 'MB/s',
    source:
      'kernel-facts.md §9: read_bandwidth, write_bandwidth in MB/s (ABI-node; numaperf says MiB/s — values come straight from HMAT)',
  },
};

/** HMAT exports performance only for a target's best initiators. */
export const HMAT_BEST_ONLY: Cited<boolean> = {
  value: true,
  source: 'kernel-facts.md §9: "Only best-initiator values are exported" (numaperf, node.c)',
};
