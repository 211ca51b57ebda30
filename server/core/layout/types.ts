// The lowered layout: names resolved, numbers with units turned into bytes,
// defaults applied. Every value keeps the span it came from, so findings can
// point at it. Parts the user has not written are undefined.

import type { DeviceDecl, HostDecl, RegionDecl, Span } from '../../../grammar/src/ast';
import type { AutoOnlinePolicy } from '../host-facts';

export interface Spanned<T> {
  readonly value: T;
  readonly span: Span;
}

export interface LayoutHost {
  readonly decl: HostDecl;
  readonly name: string;
  readonly nameSpan: Span;
  readonly ssh?: Spanned<string>;
  readonly port?: Spanned<number>;
  readonly facts?: Spanned<string>;
  readonly kernel?: Spanned<string>;
  readonly arch?: Spanned<string>;
  readonly memoryBlock?: Spanned<bigint>;
  readonly autoOnline?: Spanned<AutoOnlinePolicy>;
  /** `persist`: every region of the host survives reboots (docs/persist.md). */
  readonly persist?: Span;
  /** `hosts "PATTERN"`: the block stands for every inventory host the Ansible pattern matches (docs/fleet.md). */
  readonly pattern?: Spanned<string>;
  /** `inventory "FILE"`: the Ansible inventory `hosts` is matched against. */
  readonly inventory?: Spanned<string>;
}

export interface RegionGeometry {
  readonly start?: Spanned<bigint>;
  readonly size?: Spanned<bigint>;
  readonly align?: Spanned<bigint>;
  readonly node?: Spanned<number>;
  /** `cache N`: a direct-mapped memory-side cache of N bytes in front of the node (for colours). */
  readonly cache?: Spanned<bigint>;
  /** `dynamic` (true) or `static` (false). */
  readonly dynamic?: Spanned<boolean>;
}

export interface PinnedRange {
  readonly start: bigint;
  /** Inclusive. */
  readonly end: bigint;
  readonly span: Span;
}

export type DeviceMode = 'devdax' | 'system-ram';

/**
 * `colours 0, 2..3 of 8 exclusive` / `colours any 2 exclusive`: the
 * memory-side-cache colours the device's memory must have (docs/colours.md).
 */
export interface ColourRequest {
  /** The whole property. */
  readonly span: Span;
  /** Specific colours, sorted and unique; absent for `any N`. */
  readonly colours?: Spanned<readonly number[]>;
  /** `any N`: N colours the planner chooses. */
  readonly any?: Spanned<number>;
  /** `of K`: how many colours the cache is sliced into; absent: derived from the cache. */
  readonly of?: Spanned<number>;
  /** `exclusive`: no other device of the region may hold memory of these colours. */
  readonly exclusive?: Span;
}

export type ExpectMetric = 'read-latency' | 'write-latency' | 'read-bandwidth' | 'write-bandwidth';

/** `expect read-latency 120ns from node 0 access1`: a need of the device's consumers. */
export interface Expectation {
  readonly span: Span;
  readonly metric: Spanned<ExpectMetric>;
  /** Nanoseconds (latency) or MB/s (bandwidth), as HMAT reports them. */
  readonly value: Spanned<number>;
  readonly initiator: Spanned<number>;
  /** HMAT access class: 0 (any initiator, the default) or 1 (CPU initiators). */
  readonly access: 0 | 1;
  readonly accessSpan?: Span;
}

export interface LayoutDevice {
  readonly decl: DeviceDecl;
  readonly region: LayoutRegion;
  readonly label: string;
  readonly labelSpan: Span;
  readonly kernelName?: Spanned<string>;
  /** `size N`; `rest` is kept apart. */
  readonly size?: Spanned<bigint>;
  readonly rest?: Span;
  readonly align?: Spanned<bigint>;
  readonly mode: DeviceMode;
  readonly modeSpan?: Span;
  /** system-ram: blocks onlined (default) or left offline. */
  readonly online: boolean;
  /** system-ram: ZONE_MOVABLE (default) or the kernel zone. */
  readonly movable: boolean;
  readonly memmapOnMemory?: Span;
  readonly ranges: readonly PinnedRange[];
  /** `colours …`: memory-side-cache colours the device asks for. */
  readonly colours?: ColourRequest;
  /** `expect …`: performance needs, checked against HMAT. */
  readonly expects?: readonly Expectation[];
  /** `owner`, `group`, `permissions`: who may open /dev/daxR.N (VM parcels). */
  readonly owner?: Spanned<string>;
  readonly group?: Spanned<string>;
  /** File mode as written (octal, such as 0660); DAX090 checks it. */
  readonly permissions?: Spanned<string>;
}

/** A memdev of a `cxl region`, by name (`mem0`) or by serial number (`0x2`). */
export interface CxlMemdevRef {
  readonly name?: string;
  readonly serial?: bigint;
  readonly span: Span;
}

/** `cxl region LABEL { … }`: the CXL RAM region the dax region is made from (docs/cxl.md). */
export interface CxlRegionAsk {
  readonly label: Spanned<string>;
  /** The root decoder (CXL window); absent: the host's only window with RAM capability. */
  readonly window?: Spanned<string>;
  /** The memdevs in interleave positions 0, 1, …; their count is the interleave ways. */
  readonly memdevs?: { readonly refs: readonly CxlMemdevRef[]; readonly span: Span };
  /** Bytes; absent: the window's granularity. */
  readonly granularity?: Spanned<number>;
  /** `adopt regionN`: an existing region taken over instead of made. */
  readonly adopt?: Spanned<string>;
  /** `adopt START..END` (or `START + SIZE`): the existing region found by its physical range. */
  readonly adoptRange?: PinnedRange;
}

export interface LayoutRegion {
  readonly decl: RegionDecl;
  /** The kernel's region id; absent for a `cxl region` (the kernel numbers it when it is made). */
  readonly id?: Spanned<number>;
  /** A `cxl region` block. */
  readonly cxl?: CxlRegionAsk;
  readonly hostName?: Spanned<string>;
  readonly geometry: RegionGeometry;
  /** `persist`: the region's layout survives reboots (docs/persist.md). */
  readonly persist?: Span;
  readonly devices: LayoutDevice[];
}

export type LoweringKind =
  | 'value' // DAX006: a value the language does not accept
  | 'duplicate' // DAX004
  | 'range-shape' // DAX008
  | 'size-conflict'; // DAX013

export interface LoweringIssue {
  readonly kind: LoweringKind;
  readonly message: string;
  readonly span: Span;
  readonly related?: readonly { span: Span; message: string }[];
}

export interface Layout {
  readonly hosts: LayoutHost[];
  readonly regions: LayoutRegion[];
  readonly issues: LoweringIssue[];
}
