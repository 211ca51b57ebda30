// The kernel model's state: dax regions, dax devices with their ranges, the two
// dax drivers' id lists, memory blocks and the iomem reservations that kmem and
// device_dax hold. Seeded from host facts; turned back into facts by snapshot().

import { PendingOnline } from './pending-online';
import type { AutoOnlinePolicy, DriverName, HostFacts, NodeFacts } from '../host-facts';
import { BlockRuns, type IndexRanges } from './blocks';
import { impossibleFacts } from './limits';
import { ARCHES, DEFAULT_ARCH, type ArchFacts } from './tables';
import { has, parseRelease, type KernelVersion } from './version';

export interface SimRange {
  /** Id of the `mappingK` child. */
  mappingId: number;
  start: bigint;
  /** Inclusive. */
  end: bigint;
  /** Page offset within the device. */
  pgoff: bigint;
}

export interface SimDevice {
  readonly region: SimRegion;
  readonly id: number;
  align: bigint;
  ranges: SimRange[];
  driver: DriverName | null;
  targetNode: number;
  memmapOnMemory: boolean;
  /** Set once deleted; stale handles must not be used. */
  deleted: boolean;
  /**
   * A device_dax probe of this dynamic device failed after it had set `dev_dax->pgmap`: the
   * pointer stays behind (the pgmap itself was freed with the failed probe's devres) and every
   * later device_dax probe refuses the device with EINVAL, until it is deleted. Not visible in
   * sysfs, so never in facts.
   */
  pgmapStale?: boolean;
  /**
   * 7.3+ (kmemState): what the kmem `state` attribute reads while the device is bound to kmem.
   * It records only changes made through itself; `unknown` when the facts or the model cannot
   * tell (writes to `state` are then not modelled). Absent when not bound to kmem.
   */
  kmemState?: KmemState;
}

/** Values of the 7.3 kmem `state` attribute, and `unknown` for one the model cannot tell. */
export type KmemState = 'offline' | 'unplugged' | 'online_movable' | 'online_kernel' | 'unknown';

export interface SimRegion {
  readonly id: number;
  /** Parent device path, e.g. `/sys/devices/platform/hmem.0`. */
  readonly path: string;
  readonly start: bigint;
  /** Inclusive. */
  readonly end: bigint;
  readonly align: bigint;
  readonly dynamic: boolean;
  readonly kmemFlag: boolean;
  readonly targetNode: number;
  /** The region's parent device has a driver (always so for captured regions). */
  enabled: boolean;
  readonly devices: Map<number, SimDevice>;
  /**
   * Every range of the region's devices, ascending by start: an index the model keeps as it
   * adds and removes ranges (a range's start never changes; its end may), so that a write
   * does not sort the region's allocations again.
   */
  readonly allocs: Allocation[];
  /** Bytes the region's devices hold (the sum of every range), kept as ranges change. */
  used: bigint;
  /**
   * How many allocations from the start of `allocs` are known to lie back to back from the
   * region's start (no gap before or between them): first fit skips them. A hint: reset when a
   * range is removed or shrunk, extended as growth finds them packed.
   */
  packed: number;
  /** No device id below this is free (create_store takes the lowest free id). */
  freeIdFloor: number;
  seed: SimDevice | null;
  youngest: SimDevice | null;
}

export type { SimBlock } from './blocks';

/** Where the memmap of one hot-add went (see SimState.memmapPlacements). */
export interface MemmapPlacement {
  /** The node's kernel-zone blocks online at the hot-add. */
  readonly hosts: IndexRanges;
  /** The hot-added blocks still present (hot-remove takes them out). */
  blocks: IndexRanges;
}

/** An iomem reservation held by a driver (kmem memory, device_dax mappings). */
export interface Reservation {
  start: bigint;
  end: bigint;
  owner: string;
  kind: 'kmem' | 'device_dax';
  /** kmem memory whose hot-remove failed: held until reboot. */
  stranded: boolean;
}

export interface SimState {
  readonly version: KernelVersion;
  readonly arch: ArchFacts;
  readonly pageSize: bigint;
  readonly blockSize: bigint;
  autoOnline: AutoOnlinePolicy;
  readonly memmapOnMemorySupported: boolean;
  readonly regions: SimRegion[];
  readonly driverIds: Record<DriverName, string[]>;
  /** Memory blocks as runs (kernel/blocks.ts). */
  readonly blocks: BlockRuns;
  readonly reservations: Reservation[];
  /**
   * Where the memmap (struct pages) of hot-added blocks went: memory hotplug allocates it on the
   * blocks' own node, so when that node has kernel-zone (Normal) memory online, the memmap lands
   * there and pins it (offlining it fails with EBUSY until those blocks are removed again).
   * `hosts` are the node's Normal blocks online at the time; with more than one the model does
   * not know which took it. Hidden state: facts cannot carry it.
   */
  readonly memmapPlacements?: MemmapPlacement[];
  /** Online types left recorded by refused `state` writes (pending-online.ts). Hidden state. */
  readonly pendingOnline?: PendingOnline;
  readonly nodes: readonly NodeFacts[];
  readonly hostname?: string;
}

export function deviceName(d: SimDevice): string {
  return `dax${d.region.id}.${d.id}`;
}

export function deviceSize(d: SimDevice): bigint {
  let s = 0n;
  for (const r of d.ranges) s += r.end - r.start + 1n;
  return s;
}

export function regionSize(r: SimRegion): bigint {
  return r.end - r.start + 1n;
}

export interface Allocation {
  readonly dev: SimDevice;
  readonly range: SimRange;
}

/** All allocations of a region, ascending by address (the region's index: do not change it). */
export function allocations(r: SimRegion): readonly Allocation[] {
  return r.allocs;
}

/** Position of the first allocation of the region that starts at or after `start`. */
export function allocationAt(r: SimRegion, start: bigint): number {
  let lo = 0;
  let hi = r.allocs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((r.allocs[mid] as Allocation).range.start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Records a new range of `dev` in its region's index. */
export function indexRange(dev: SimDevice, range: SimRange): void {
  const r = dev.region;
  r.allocs.splice(allocationAt(r, range.start), 0, { dev, range });
}

/** Takes a range out of its region's index. */
export function unindexRange(dev: SimDevice, range: SimRange): void {
  const r = dev.region;
  r.packed = 0;
  for (let i = allocationAt(r, range.start); i < r.allocs.length; i++) {
    const a = r.allocs[i] as Allocation;
    if (a.range.start !== range.start) break;
    if (a.range === range) {
      r.allocs.splice(i, 1);
      return;
    }
  }
}

export function availableSize(r: SimRegion): bigint {
  return regionSize(r) - r.used;
}

/**
 * Objects that hold no layout objects, directly or through what they refer to: the model's
 * regions and devices, the planner's writes. Code that walks an analysis to swap layout objects
 * (the analysis cache relocating a plan onto the layout of a new text) stops at them.
 */
const INERT = new WeakSet<object>();

/** Marks `x` as holding no layout objects (see isInert). */
export function inert<T extends object>(x: T): T {
  INERT.add(x);
  return x;
}

/** Whether `x` was marked as holding no layout objects. */
export function isInert(x: object): boolean {
  return INERT.has(x);
}

export class SeedError extends Error {}

/**
 * Builds the model's state from host facts. Throws SeedError (a usage error,
 * not a kernel errno) when the facts lack what the model needs.
 */
export function seedState(facts: HostFacts, releaseOverride?: string): SimState {
  const release = releaseOverride ?? facts.kernelRelease;
  if (!release)
    throw new SeedError('the facts do not give the kernel release; pass --kernel RELEASE (a `uname -r` string)');
  const version = parseRelease(release);
  if (!version)
    throw new SeedError(
      `cannot read kernel release "${release}" (expected a \`uname -r\` string such as 6.12.117+deb12-amd64)`,
    );
  const arch = ARCHES[facts.arch] ?? ARCHES[DEFAULT_ARCH];
  if (!arch) throw new SeedError(`unknown architecture ${facts.arch}`);
  // Values no kernel has are not modelled (the model's work would follow them, not the layout).
  const impossible = impossibleFacts(facts);
  if (impossible.length > 0) throw new SeedError(`not modelled: ${impossible.join('; ')}`);
  const regions: SimRegion[] = [];
  // 7.3+: the kmem `state` values the capture read (the memory blocks cannot tell them apart)
  const kmemStateOf = new Map<string, KmemState>(
    facts.regions.flatMap((r) =>
      r.devices.flatMap((d) => (d.kmemState !== undefined ? [[d.name, d.kmemState] as const] : [])),
    ),
  );
  for (const rf of facts.regions) {
    if (rf.start === undefined) {
      throw new SeedError(`region ${rf.id}: its physical start is unknown (pass --region-start ${rf.id}=ADDR)`);
    }
    const region: SimRegion = inert({
      id: rf.id,
      path: normalisePath(rf.path),
      start: rf.start,
      end: rf.start + rf.size - 1n,
      align: rf.align,
      dynamic: rf.dynamic,
      kmemFlag: rf.kmemDefault,
      targetNode: rf.targetNode,
      enabled: true,
      devices: new Map(),
      allocs: [],
      used: 0n,
      packed: 0,
      freeIdFloor: 0,
      seed: null,
      youngest: null,
    });
    for (const df of rf.devices) {
      const m = /^dax(\d+)\.(\d+)$/.exec(df.name);
      if (!m || Number(m[1]) !== rf.id)
        throw new SeedError(`region ${rf.id}: device name ${df.name} is not dax${rf.id}.N`);
      const dev: SimDevice = inert({
        region,
        id: Number(m[2]),
        align: df.align,
        ranges: [...df.mappings]
          .sort((a, b) => (a.pageOffset < b.pageOffset ? -1 : 1))
          .map((mp) => ({ mappingId: mp.id, start: mp.start, end: mp.end, pgoff: mp.pageOffset })),
        driver: df.driver,
        targetNode: df.targetNode,
        memmapOnMemory: df.memmapOnMemory ?? false,
        deleted: false,
      });
      region.devices.set(dev.id, dev);
      for (const range of dev.ranges) {
        indexRange(dev, range);
        region.used += range.end - range.start + 1n;
      }
    }
    regions.push(region);
  }
  const blocks = BlockRuns.of(
    facts.memoryBlocks.map((b) => ({
      index: b.index,
      state: b.state,
      zone: b.zone,
      node: b.node,
      removable: b.removable,
    })),
  );
  const state: SimState = {
    version,
    arch,
    pageSize: facts.pageSize,
    blockSize: facts.memoryBlockSize,
    autoOnline: facts.autoOnlineBlocks,
    memmapOnMemorySupported: facts.memmapOnMemorySupported ?? false,
    regions,
    driverIds: { device_dax: [], kmem: [] },
    blocks,
    reservations: [],
    memmapPlacements: [],
    pendingOnline: new PendingOnline(),
    nodes: facts.nodes,
    ...(facts.hostname !== undefined ? { hostname: facts.hostname } : {}),
  };
  // Bound devices hold iomem reservations: device_dax its ranges, kmem the
  // block-aligned interior of each range.
  for (const region of regions) {
    for (const dev of region.devices.values()) {
      if (dev.driver === 'device_dax') {
        for (const r of dev.ranges)
          state.reservations.push({
            start: r.start,
            end: r.end,
            owner: deviceName(dev),
            kind: 'device_dax',
            stranded: false,
          });
      } else if (dev.driver === 'kmem' && dev.kmemState !== 'unplugged') {
        // (7.3: a device unplugged through its `state` holds no memory and no resource)
        for (const r of dev.ranges) {
          const h = hotplugRange(r.start, r.end, state.blockSize);
          if (h)
            state.reservations.push({
              start: h.start,
              end: h.end,
              owner: deviceName(dev),
              kind: 'kmem',
              stranded: false,
            });
        }
        if (has(version, 'kmemState')) dev.kmemState = kmemStateOf.get(deviceName(dev)) ?? seedKmemState(dev, state);
      }
    }
  }
  return state;
}

/**
 * The kmem `state` a kmem-bound device reads (7.3+) when the facts do not carry it (daxctl
 * JSON, captures made before daxlayout read it); the memory blocks tell it when they are
 * unambiguous: none of the device's blocks present →
 * `unplugged`; all present and offline → `offline` (what kmem's probe leaves with
 * memhp_default_state=offline, kernel-facts.md §16). Online blocks may have been
 * onlined through `state` or block by block (`state` then still reads `offline`): `unknown`.
 */
function seedKmemState(dev: SimDevice, state: SimState): KmemState {
  const bs = state.blockSize;
  let present = 0;
  let online = 0;
  for (const r of dev.ranges) {
    const h = hotplugRange(r.start, r.end, bs);
    if (!h) continue;
    for (const run of state.blocks.slice(Number(h.start / bs), Number(h.end / bs))) {
      const n = run.last - run.first + 1;
      present += n;
      if (run.state === 'online') online += n;
    }
  }
  if (present === 0) return 'unplugged';
  return online === 0 ? 'offline' : 'unknown';
}

/** dax_kmem_range: the memory-block-aligned interior of a range, if any. */
export function hotplugRange(start: bigint, end: bigint, block: bigint): { start: bigint; end: bigint } | undefined {
  const s = ((start + block - 1n) / block) * block;
  const e = ((end + 1n) / block) * block - 1n;
  if (s >= e) return undefined;
  return { start: s, end: e };
}

export function normalisePath(p: string): string {
  let s = p.replace(/\/+/g, '/');
  if (!s.startsWith('/sys/')) s = '/sys/devices' + (s.startsWith('/') ? s : '/' + s);
  s = s.replace(/\/dax_region\/?$/, '');
  return s.replace(/\/$/, '');
}
