// The lowered layout: names resolved, numbers with units turned into bytes,
// defaults applied. Every value keeps the span it came from, so findings can
// point at it. Parts the user has not written are undefined.

import type { DeviceDecl, HostDecl, RegionDecl, Span } from '../../../grammar/src/ast';
import type { AutoOnlinePolicy } from '../facts/types';

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
}

export interface RegionGeometry {
  readonly start?: Spanned<bigint>;
  readonly size?: Spanned<bigint>;
  readonly align?: Spanned<bigint>;
  readonly node?: Spanned<number>;
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
}

export interface LayoutRegion {
  readonly decl: RegionDecl;
  readonly id?: Spanned<number>;
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
