import type { CxlFacts } from './cxl-facts';

// Host facts: what the core needs to know about a host to predict what its
// kernel will do. This is the in-memory form (integer bytes as bigint); the
// JSON file format is documented in docs/facts.md and read by facts/read.ts, which
// also accepts `daxctl list -RDMi` output as is. It sits below the kernel model, which is
// seeded from it, and the readers in facts/, which produce it.

export type DriverName = 'device_dax' | 'kmem';

export type AutoOnlinePolicy = 'offline' | 'online' | 'online_kernel' | 'online_movable';

export type BlockState = 'online' | 'offline';

/** Zone of an online memory block (what `valid_zones` prints for it). */
export type Zone = 'Normal' | 'Movable' | 'DMA32' | 'DMA' | 'none';

export interface MappingFacts {
  /** K of `mappingK` (an id, normally equal to the range index). */
  readonly id: number;
  readonly start: bigint;
  /** Inclusive, as the kernel prints it. */
  readonly end: bigint;
  /** Offset in pages within the device. */
  readonly pageOffset: bigint;
}

/** The values the 7.3 kmem `state` attribute reads (kmem.c state_show). */
export const KMEM_STATE_VALUES = ['offline', 'unplugged', 'online_movable', 'online_kernel'] as const;
export type KmemStateValue = (typeof KMEM_STATE_VALUES)[number];

export interface DeviceFacts {
  /** `daxR.N` */
  readonly name: string;
  readonly size: bigint;
  readonly align: bigint;
  /** Bound driver, or null when unbound (daxctl: `"state": "disabled"`). */
  readonly driver: DriverName | null;
  /** -1 when the kernel reports none (the attribute is then absent). */
  readonly targetNode: number;
  /** undefined on kernels without the attribute (before 6.8). */
  readonly memmapOnMemory?: boolean;
  /**
   * 7.3+: what the kmem `state` attribute read (present only while bound to kmem). It records
   * only changes made through itself, so it can disagree with the memory blocks (DAX035);
   * undefined when not captured (older kernels, daxctl JSON).
   */
  readonly kmemState?: KmemStateValue;
  /** Ordered by page offset. Empty for a zero-size device. */
  readonly mappings: readonly MappingFacts[];
}

export interface RegionFacts {
  readonly id: number;
  /**
   * sysfs path of the region's parent device, e.g.
   * `/sys/devices/platform/hmem.0`; the region attributes are in
   * `<path>/dax_region/`.
   */
  readonly path: string;
  /** Physical start; undefined when it could not be learnt (see docs/facts.md). */
  readonly start: bigint | undefined;
  readonly size: bigint;
  readonly align: bigint;
  readonly dynamic: boolean;
  /** Region target node (proximity domain), -1 when none. */
  readonly targetNode: number;
  /** 6.3+: devices of this region match kmem by default (IORESOURCE_DAX_KMEM). */
  readonly kmemDefault: boolean;
  readonly devices: readonly DeviceFacts[];
}

export interface MemoryBlockFacts {
  /** N of `memoryN`: the block covers [N * blockSize, (N + 1) * blockSize). */
  readonly index: number;
  readonly state: BlockState;
  /** Zone while online; undefined when offline or unknown. */
  readonly zone?: Zone;
  readonly node: number;
  readonly removable: boolean;
}

export interface AccessClassFacts {
  /** Initiator nodes that reach this target best. */
  readonly initiators: readonly number[];
  /** Nanoseconds. */
  readonly readLatency?: number;
  readonly writeLatency?: number;
  /** MB/s as the kernel reports it. */
  readonly readBandwidth?: number;
  readonly writeBandwidth?: number;
}

export interface MemorySideCacheFacts {
  readonly level: number;
  readonly size: bigint;
  readonly lineSize: number;
  /** 0 direct-mapped, 1 indexed, 2 other. */
  readonly indexing: number;
  /** 0 write-back, 1 write-through, 2 other. */
  readonly writePolicy: number;
  readonly addressMode?: number;
}

export interface NodeFacts {
  readonly id: number;
  /** CPU list as the kernel prints it (`0-1`), empty for a CPU-less node. */
  readonly cpus: string;
  readonly online: boolean;
  /** Bytes of memory online on the node, when known. */
  readonly memTotal?: bigint;
  readonly access0?: AccessClassFacts;
  readonly access1?: AccessClassFacts;
  readonly caches: readonly MemorySideCacheFacts[];
}

export interface HostFacts {
  /** Where the facts came from (a file name, `daxctl list`, a declaration). */
  readonly source: string;
  /** Host name the facts were captured on, when known. */
  readonly hostname?: string;
  /** `uname -r`; undefined when not given (daxctl JSON). */
  readonly kernelRelease: string | undefined;
  readonly arch: string;
  readonly pageSize: bigint;
  /** Alignments a dax device may take on this host, when captured. */
  readonly daxAligns?: readonly bigint[];
  readonly memoryBlockSize: bigint;
  readonly autoOnlineBlocks: AutoOnlinePolicy;
  /** Whether memory hotplug can put the memmap on hot-added memory. */
  readonly memmapOnMemorySupported?: boolean;
  readonly regions: readonly RegionFacts[];
  /** Memory blocks of dax (kmem) memory; boot memory blocks may be omitted. */
  readonly memoryBlocks: readonly MemoryBlockFacts[];
  readonly nodes: readonly NodeFacts[];
  /** The CXL topology (memdevs, ports, decoders, regions), when the capture had one (facts/cxl.ts). */
  readonly cxl?: CxlFacts;
  /** What had to be assumed while reading the facts (shown to the user). */
  readonly assumptions: readonly string[];
}
