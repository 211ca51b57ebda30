// CXL region facts as data: what the region sysfs ABI accepts and where Linux 6.12, 6.18, 7.2 and
// 7.3 answer differently. Measured on Debian 6.12.118, 6.18.15, 7.2.12 and 7.3.4 under QEMU 10.0.2
// (docs/cxl.md, "The region ABI write by write"); each row names the kernel function that gives
// the answer (drivers/cxl/core/region.c, port.c, hdm.c).

import type { Errno } from './tables';
import { MiB } from '../units';
import type { KernelVersion } from './version';

export interface CxlCited<T> {
  readonly value: T;
  readonly source: string;
}

/** A region's size is a multiple of this times its interleave ways; so is an endpoint decoder's dpa_size. */
export const CXL_SIZE_UNIT: CxlCited<bigint> = {
  value: 256n * MiB,
  source:
    'region.c alloc_hpa (div_u64_rem(size, SZ_256M * p->interleave_ways)); port.c dpa_size_store (IS_ALIGNED(size, SZ_256M)); measured 6.12/7.3 (docs/cxl.md)',
};

/** Interleave ways the CXL HDM decoders can encode (ways_to_cxl, drivers/cxl/cxl.h). */
export const CXL_WAYS: CxlCited<readonly number[]> = {
  value: [1, 2, 4, 8, 16, 3, 6, 12],
  source:
    'cxl.h ways_to_cxl; region.c interleave_ways_store (also: a multiple of the root decoder ways, by a power of 2); measured 0, 3, 32 → EINVAL, 16 ok',
};

/** Interleave granularities (granularity_to_cxl): powers of 2 from 256 B to 16 KiB. */
export const CXL_GRANULARITIES: CxlCited<readonly number[]> = {
  value: [256, 512, 1024, 2048, 4096, 8192, 16384],
  source: 'cxl.h granularity_to_cxl; region.c interleave_granularity_store; measured 128, 300, 32768 → EINVAL, 4096 ok',
};

/** The dax region of a CXL RAM region: align PMD_SIZE, devices bound to kmem, memmap_on_memory 1. */
export const CXL_DAX_REGION = {
  memmapOnMemory: {
    value: true,
    source:
      'drivers/dax/cxl.c cxl_dax_region_probe (memmap_on_memory = true); measured memmap_on_memory 1 on 6.12, 6.18, 7.2 and 7.3',
  },
} as const;

/** The kernels whose CXL region ABI was measured; the model answers only for these. */
export type CxlAbi = '6.12' | '6.18' | '7.2' | '7.3';

export const CXL_ABIS: readonly CxlAbi[] = ['6.12', '6.18', '7.2', '7.3'];

export function cxlAbi(v: KernelVersion): CxlAbi | undefined {
  const key = `${v.major}.${v.minor}`;
  return CXL_ABIS.find((a) => a === key);
}

export const CXL_MEASURED =
  'CXL region writes are modelled for Linux 6.12, 6.18, 7.2 and 7.3 only (the kernels measured, docs/cxl.md)';

/** Where the measured kernels answer the same write differently. */
export interface CxlDiff {
  readonly key: CxlDiffKey;
  readonly what: string;
  readonly answers: Readonly<Record<CxlAbi, Errno | 'ok'>>;
  readonly source: string;
}

export type CxlDiffKey = 'attachNoMode' | 'modeNoCapacity' | 'dpaSizeNoMode';

// 6.12 against the rest: the DPA partition rework of drivers/cxl (struct cxl_dpa_partition,
// cxl_dpa_set_part) landed between 6.12 and 6.18, so 6.18.15, 7.2.12 and 7.3.4 answer its three
// rows alike.
export const CXL_DIFFS: readonly CxlDiff[] = [
  {
    key: 'attachNoMode',
    what: 'targetN ← an endpoint decoder whose mode is none',
    answers: { '6.12': 'EINVAL', '6.18': 'ENODEV', '7.2': 'ENODEV', '7.3': 'ENODEV' },
    source:
      'region.c cxl_region_attach: 6.12 compares the decoder mode with the region mode (EINVAL); 6.18+ first refuses a decoder without a DPA partition (ENODEV); measured on 6.12.118, 6.18.15, 7.2.12, 7.3.4 (cxl-region-2way.sh)',
  },
  {
    key: 'modeNoCapacity',
    what: 'endpoint decoder mode ← a mode the memdev has no capacity for (pmem on a volatile-only device)',
    answers: { '6.12': 'ENXIO', '6.18': 'EINVAL', '7.2': 'EINVAL', '7.3': 'EINVAL' },
    source:
      'hdm.c 6.12 cxl_dpa_set_mode (a mode with no capacity: ENXIO); 6.18+ cxl_dpa_set_part (no partition of that mode: EINVAL); measured on 6.12.118, 6.18.15, 7.2.12, 7.3.4 (cxl-region-2way.sh)',
  },
  {
    key: 'dpaSizeNoMode',
    what: 'endpoint decoder dpa_size ← a size while its mode is none',
    answers: { '6.12': 'EINVAL', '6.18': 'EBUSY', '7.2': 'EBUSY', '7.3': 'EBUSY' },
    source:
      'hdm.c cxl_dpa_alloc: 6.12 refuses mode none with EINVAL, 6.18+ a decoder without a partition with EBUSY; measured on 6.12.118, 6.18.15, 7.2.12, 7.3.4 (cxl-region-2way.sh)',
  },
];

export function cxlDiff(abi: CxlAbi, key: CxlDiffKey): Errno | 'ok' {
  const row = CXL_DIFFS.find((d) => d.key === key);
  if (!row) throw new Error(`unknown CXL difference ${key}`);
  return row.answers[abi];
}

/**
 * create_ram_region reads the id with sscanf("region%u") on every measured kernel: `region01`
 * while region1 is offered is region1 (6.12.118, 6.18.15, 7.2.12, 7.3.4: cxl-region-2way.sh's last
 * write), `region00` while region0 is offered is region0 (7.3.4, hmem-cxl machine).
 */
export const CXL_REGION_NAME_BY_ID: CxlCited<boolean> = {
  value: true,
  source:
    'region.c create_ram_region_store (sscanf(buf, "region%u\\n", &id)), __create_region; measured on 6.12.118, 6.18.15, 7.2.12, 7.3.4',
};

/** Regions have a read-only `locked` attribute from 7.2 on (absent on 6.12 and 6.18). */
export const CXL_REGION_LOCKED: CxlCited<readonly CxlAbi[]> = {
  value: ['7.2', '7.3'],
  source:
    'region.c region attributes: `locked` read on 7.2.12 and 7.3.4, absent on 6.12.118 and 6.18.15 (cxl-region-2way.sh, the CXL state after every write)',
};

export function cxlRegionHasLocked(abi: CxlAbi): boolean {
  return CXL_REGION_LOCKED.value.includes(abi);
}
