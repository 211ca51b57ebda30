// Kernel facts as data. Every entry cites where it comes from; rules and the
// model read these tables instead of writing numbers of their own. Citation
// keys are those of docs/kernel-facts.md §0 (bus.c[new],
// kmem.c[new], …) — see docs/kernel-model.md.

import { GiB, KiB, MiB } from '../units';

export interface Cited<T> {
  readonly value: T;
  readonly source: string;
  /** True when docs/kernel-facts.md marks it as unconfirmed (recalled rather than read). */
  readonly fromMemory?: boolean;
}

/** Per-architecture facts the device-dax rules depend on. */
export interface ArchFacts {
  readonly name: string;
  readonly pageSize: Cited<bigint>;
  /** PMD-level huge page (2 MiB on x86-64), when the arch maps it. */
  readonly pmdSize: Cited<bigint | undefined>;
  /** PUD-level huge page (1 GiB on x86-64), when the arch has PUD THP. */
  readonly pudSize: Cited<bigint | undefined>;
  /** memremap_compat_align(): the granule floor of every dax allocation. */
  readonly compatAlign: Cited<bigint>;
  /** Smallest memory block size (also the default when none was captured). */
  readonly minMemoryBlock: Cited<bigint>;
  readonly maxMemoryBlock: Cited<bigint>;
  /** MAX_PHYSMEM_BITS at its largest: no physical address of the arch reaches 2^bits. */
  readonly physAddrBits: Cited<number>;
}

export const ARCHES: Readonly<Record<string, ArchFacts>> = {
  x86_64: {
    name: 'x86_64',
    pageSize: { value: 4n * KiB, source: 'x86-64 PAGE_SIZE; getconf PAGESIZE in the 6.1/6.12 captures' },
    pmdSize: { value: 2n * MiB, source: 'kernel-facts.md §4.4 dax_align_valid: PMD_SIZE with THP (x86-64)' },
    pudSize: {
      value: GiB,
      source: 'kernel-facts.md §4.4 dax_align_valid: PUD_SIZE with CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD (x86-64)',
    },
    compatAlign: {
      value: 2n * MiB,
      source:
        'kernel-facts.md §4 granule(dev): memremap_compat_align() = sub-section size, bus.c[new] alloc_is_aligned',
    },
    minMemoryBlock: {
      value: 128n * MiB,
      source: 'kernel-facts.md §8.2: x86-64 minimum 128 MiB (section size); block_size_bytes 8000000 in the captures',
    },
    maxMemoryBlock: {
      value: 2n * GiB,
      source: 'kernel-facts.md §8.2: x86 init_64.c probe_memory_block_size, up to 2 GiB',
    },
    physAddrBits: {
      value: 52,
      source: 'arch/x86/include/asm/sparsemem.h: MAX_PHYSMEM_BITS is 52 with 5-level paging, 46 without',
    },
  },
  aarch64: {
    name: 'aarch64',
    pageSize: { value: 4n * KiB, source: 'arm64 with 4 KiB pages (the common distro configuration)', fromMemory: true },
    pmdSize: { value: 2n * MiB, source: 'kernel-facts.md §4.4: arm64/4K PMD 2 MiB', fromMemory: true },
    pudSize: { value: undefined, source: 'kernel-facts.md §4.4: arm64 has no PUD THP', fromMemory: true },
    compatAlign: {
      value: 2n * MiB,
      source: 'kernel-facts.md §4: sub-section size 2 MiB on most arches',
      fromMemory: true,
    },
    minMemoryBlock: { value: 128n * MiB, source: 'arm64/4K SECTION_SIZE_BITS 27', fromMemory: true },
    maxMemoryBlock: { value: 128n * MiB, source: 'arm64 memory block = section size', fromMemory: true },
    physAddrBits: {
      value: 52,
      source: 'arch/arm64/include/asm/sparsemem.h: MAX_PHYSMEM_BITS is CONFIG_ARM64_PA_BITS, at most 52',
    },
  },
};

export const DEFAULT_ARCH = 'x86_64';

/** Alignments a device may take: PAGE_SIZE, PMD_SIZE (THP), PUD_SIZE (PUD THP). */
export function allowedAligns(arch: ArchFacts): bigint[] {
  const out = [arch.pageSize.value];
  if (arch.pmdSize.value !== undefined) out.push(arch.pmdSize.value);
  if (arch.pudSize.value !== undefined) out.push(arch.pudSize.value);
  return out;
}

/** Linux errno names the model returns, with the numbers a shell reports. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  ENXIO: 6,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EISDIR: 21,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  EOPNOTSUPP: 95,
} as const;

export type Errno = keyof typeof ERRNO;

/** What each errno means to a person, in the words a diagnostic uses. */
export const ERRNO_TEXT: Readonly<Record<Errno, string>> = {
  EPERM: 'operation not permitted',
  ENOENT: 'no such file (the attribute does not exist)',
  EINTR: 'interrupted',
  ENXIO: 'no such device or address',
  ENOMEM: 'cannot allocate memory (the range is outside the region or already taken)',
  EACCES: 'permission denied (read-only attribute)',
  EBUSY: 'device or resource busy',
  EEXIST: 'file exists',
  ENODEV: 'no such device (the driver does not match it)',
  EISDIR: 'is a directory',
  EINVAL: 'invalid argument',
  ENOSPC: 'no space left on device',
  ERANGE: 'numerical result out of range',
  EOPNOTSUPP: 'operation not supported',
};
