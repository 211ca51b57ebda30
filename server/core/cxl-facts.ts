// The CXL topology of a host (memdevs, ports, decoders, regions) as plain data: part of the host
// facts (host-facts.ts), read from a capture by facts/cxl.ts, used by the CXL region model
// (kernel/cxl-model.ts). Types only.

export type CxlDecoderKind = 'root' | 'switch' | 'endpoint';

export interface CxlMemdevFacts {
  /** `memN` */
  readonly name: string;
  readonly serial: bigint;
  /** Volatile (`ram/size`) and persistent (`pmem/size`) capacity, bytes. */
  readonly ramSize: bigint;
  readonly pmemSize: bigint;
  /** `numa_node` of the PCI device (-1: none). */
  readonly numaNode: number;
  /** The memdev's sysfs device path (its ancestors name the root port and host bridge). */
  readonly path: string;
  /**
   * `ram/qos_class` (6.8+): the QoS classes (QTG ids) the platform gave the volatile partition;
   * absent where the kernel has no such attribute or hides it (no valid class).
   */
  readonly ramQosClass?: readonly number[];
}

export interface CxlDportFacts {
  /** N of `dportN` (for the root port: the host bridge's ACPI UID; else the PCIe port number). */
  readonly id: number;
  /** The device the link points at (`pci0000:0c`, `0000:0c:00.0`). */
  readonly device: string;
}

export interface CxlPortFacts {
  /** `root0`, `portN`, `endpointN` */
  readonly name: string;
  readonly kind: 'root' | 'port' | 'endpoint';
  /** The parent port's name (undefined for the root). */
  readonly parent: string | undefined;
  readonly dports: readonly CxlDportFacts[];
  /** The upstream device (`uport` link target's last component): host bridge, switch or memdev. */
  readonly uport: string | undefined;
}

export interface CxlDecoderFacts {
  /** `decoderP.N` */
  readonly name: string;
  readonly kind: CxlDecoderKind;
  /** The port the decoder belongs to. */
  readonly port: string;
  /** Its sysfs device path (`/sys/devices/platform/ACPI0017:00/root0/decoder0.0`). */
  readonly path: string;
  /** N of `decoderP.N`: decoders of a port are allocated and committed in this order. */
  readonly index: number;
  readonly start: bigint;
  readonly size: bigint;
  readonly ways: number;
  readonly granularity: number;
  /** `target_list`: dport ids (root and switch decoders). */
  readonly targets: readonly number[];
  readonly locked: boolean;
  /** The region the decoder is attached to, if any. */
  readonly region: string | undefined;
  /** Endpoint decoders: `mode` (none, ram, pmem, …), `dpa_resource` (undefined when unallocated), `dpa_size`. */
  readonly mode?: string;
  readonly dpaStart?: bigint;
  readonly dpaSize?: bigint;
  /** Root decoders: `cap_ram`, `cap_pmem`, and the region name `create_ram_region` offers. */
  readonly capRam?: boolean;
  readonly capPmem?: boolean;
  readonly nextRegion?: number;
  /** Root decoders: `qos_class` (6.7+), the window's QoS class (QTG id) from CFMWS; absent when unknown (-1). */
  readonly qosClass?: number;
}

export interface CxlRegionFacts {
  /** `regionN` (N is also its dax region's id). */
  readonly name: string;
  readonly id: number;
  /** The root decoder it was created from. */
  readonly decoder: string;
  readonly mode: string;
  readonly ways: number;
  readonly granularity: number;
  readonly size: bigint;
  /** Physical start (`resource`); undefined before a size is set. */
  readonly start: bigint | undefined;
  readonly commit: boolean;
  /** `targetN` for N < ways: the endpoint decoder at each position, undefined when empty. */
  readonly targets: readonly (string | undefined)[];
  /** Bound to the cxl_region driver (its dax region exists then). */
  readonly bound: boolean;
  /** 7.3: the read-only `locked` attribute; undefined where the kernel has none. */
  readonly locked?: boolean;
}

export interface CxlWindowNode {
  /** A root decoder. */
  readonly decoder: string;
  /** The NUMA node memory of this window comes up on. */
  readonly node: number;
  /** True when inferred (see readCxlFacts), false when the facts said it. */
  readonly inferred: boolean;
}

export interface CxlFacts {
  readonly memdevs: readonly CxlMemdevFacts[];
  readonly ports: readonly CxlPortFacts[];
  readonly decoders: readonly CxlDecoderFacts[];
  readonly regions: readonly CxlRegionFacts[];
  readonly windowNodes: readonly CxlWindowNode[];
}
