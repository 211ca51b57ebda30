// What the facts readers share: the intermediate "draft" form of regions
// (values plus where each came from), the inference rules for what an input
// does not say (region start, static/dynamic, kmem default binding, memory
// blocks of kmem devices), and the consistency checks every input must pass.
// docs/facts.md describes each rule.

import type {
  DeviceFacts,
  DriverName,
  KmemStateValue,
  MappingFacts,
  MemoryBlockFacts,
  RegionFacts,
  Zone,
} from '../host-facts';
import type { Loc, Problems, ReadFactsOptions } from './problems';
import { ARCHES, DEFAULT_ARCH, allowedAligns } from '../kernel/tables';
import { has, parseRelease } from '../kernel/version';
import { formatBytes as bytes, hex } from '../units';

export interface MappingDraft {
  id: number;
  start: bigint;
  end: bigint;
  pageOffset: bigint;
  loc?: Loc;
}

export interface DeviceDraft {
  name: string;
  size: bigint;
  align: bigint;
  driver: DriverName | null;
  targetNode: number;
  memmapOnMemory?: boolean;
  kmemState?: KmemStateValue;
  mappings: MappingDraft[];
  loc?: Loc;
}

export interface RegionDraft {
  id: number;
  path: string;
  start: bigint | undefined;
  size: bigint;
  align: bigint;
  dynamic: boolean;
  targetNode: number;
  kmemDefault: boolean;
  devices: DeviceDraft[];
  /** available_size as the input gave it (checked against the devices). */
  availableSize?: bigint;
  loc?: Loc;
}

// ---------------------------------------------------------------------------
// Formatting

// The readers word sizes and addresses as everything else does (units.ts): `2 GiB`, `4097 B`, `0x1000`.
export { formatBytes as bytes, hex } from '../units';

export function isPowerOfTwo(v: bigint): boolean {
  return v > 0n && (v & (v - 1n)) === 0n;
}

// ---------------------------------------------------------------------------
// Architecture defaults

export interface ArchDefaults {
  readonly arch: string;
  readonly pageSize: bigint;
  readonly blockSize: bigint;
  /** Powers of two the memory block size can take on this arch (for inference). */
  readonly blockSizes: readonly bigint[];
  readonly aligns: readonly bigint[] | undefined;
  readonly known: boolean;
}

export function archDefaults(arch: string): ArchDefaults {
  const a = ARCHES[arch];
  if (a) {
    const sizes: bigint[] = [];
    for (let b = a.minMemoryBlock.value; b <= a.maxMemoryBlock.value; b *= 2n) sizes.push(b);
    return {
      arch,
      pageSize: a.pageSize.value,
      blockSize: a.minMemoryBlock.value,
      blockSizes: sizes,
      aligns: allowedAligns(a),
      known: true,
    };
  }
  const fallback = ARCHES[DEFAULT_ARCH];
  const sizes: bigint[] = [];
  for (let b = 1n << 24n; b <= 1n << 34n; b *= 2n) sizes.push(b);
  return {
    arch,
    pageSize: fallback?.pageSize.value ?? 4096n,
    blockSize: fallback?.minMemoryBlock.value ?? 128n << 20n,
    blockSizes: sizes,
    aligns: undefined,
    known: false,
  };
}

// ---------------------------------------------------------------------------
// Region kind and flags

export type RegionKind = 'hmem' | 'cxl' | 'pmem' | 'unknown';

/**
 * Which provider made a region, from the sysfs path of its parent device:
 * hmem platform devices are `.../hmem.N`; CXL dax regions are `dax_regionN`
 * devices under a CXL region (`.../regionN/dax_regionN`, ACPI0017 root);
 * pmem (nvdimm) dax regions sit under an `ndbusN/regionN` (`.../daxR.N`, or
 * a namespace). See docs/facts.md "static or dynamic".
 */
export function regionKind(path: string): RegionKind {
  const segs = path.split('/').filter((s) => s.length > 0);
  const last = segs[segs.length - 1] ?? '';
  if (segs.some((s) => /^hmem\.\d+$/.test(s))) return 'hmem';
  if (/^dax_region\d+$/.test(last) || segs.some((s) => /^ACPI0017:/.test(s) || /^cxl/.test(s))) return 'cxl';
  if (segs.some((s) => /^ndbus\d+$/.test(s) || /^namespace\d+\.\d+$/.test(s) || /^ACPI0012:/.test(s))) return 'pmem';
  return 'unknown';
}

/** Normalises a region path to `/sys/devices/...` (daxctl prints it without that prefix). */
export function sysfsRegionPath(path: string): string {
  let s = path.replace(/\/+/g, '/');
  if (!s.startsWith('/sys/')) s = '/sys/devices' + (s.startsWith('/') ? s : '/' + s);
  s = s.replace(/\/dax_region\/?$/, '');
  return s.length > 1 ? s.replace(/\/$/, '') : s;
}

export interface Inferred<T> {
  readonly value: T;
  /** Set when the value is a guess the user should know about. */
  readonly assumption?: string;
}

/**
 * Static (pmem) or dynamic (hmem, CXL). `available_size` is hidden on static
 * regions, so its presence proves a dynamic region.
 */
export function inferDynamic(id: number, path: string, availableSeen: boolean): Inferred<boolean> {
  if (availableSeen) return { value: true };
  const kind = regionKind(path);
  if (kind === 'hmem' || kind === 'cxl') return { value: true };
  if (kind === 'pmem') return { value: false };
  return {
    value: true,
    assumption: `region ${id} (${path}) is assumed dynamic: its path is neither hmem, CXL nor nvdimm, and the input does not show available_size`,
  };
}

/**
 * IORESOURCE_DAX_KMEM (6.3+): hmem and CXL regions' devices bind kmem by
 * default, unless (hmem only) `dax_hmem.region_idle=1`.
 */
export function inferKmemDefault(
  id: number,
  path: string,
  kernelRelease: string | undefined,
  regionIdle: boolean | undefined,
): Inferred<boolean> {
  const kind = regionKind(path);
  if (kind !== 'hmem' && kind !== 'cxl') return { value: false };
  const v = kernelRelease !== undefined ? parseRelease(kernelRelease) : undefined;
  if (!v) {
    return {
      value: false,
      assumption: `region ${id}: kernel release unknown, so the 6.3+ default binding of ${kind} regions to kmem is assumed absent`,
    };
  }
  if (!has(v, 'kmemTypeMatch')) return { value: false };
  if (kind === 'cxl') return { value: true };
  if (regionIdle === true) return { value: false };
  if (regionIdle === false) return { value: true };
  return {
    value: true,
    assumption: `region ${id}: devices of this hmem region are assumed to bind kmem by default (kernel ${v.major}.${v.minor} ≥ 6.3); booting with dax_hmem.region_idle=1 would drop that, and the input does not show it`,
  };
}

// ---------------------------------------------------------------------------
// Region start

function sumMappings(devices: readonly DeviceDraft[]): {
  total: bigint;
  min: bigint | undefined;
  max: bigint | undefined;
} {
  let total = 0n;
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (const d of devices) {
    for (const m of d.mappings) {
      total += m.end - m.start + 1n;
      if (min === undefined || m.start < min) min = m.start;
      if (max === undefined || m.end > max) max = m.end;
    }
  }
  return { total, min, max };
}

/**
 * The region start the devices prove: when the lowest mapping start and the
 * highest mapping end are exactly `size` bytes apart (in particular when the
 * mappings cover the whole region, as daxR.0 does at boot), the region
 * starts at the lowest mapping start. Otherwise undefined.
 */
export function startFromMappings(size: bigint, devices: readonly DeviceDraft[]): bigint | undefined {
  const { min, max } = sumMappings(devices);
  if (min === undefined || max === undefined) return undefined;
  if (max - min + 1n === size) return min;
  return undefined;
}

/**
 * Settles each region's start: keeps a known one, else takes it from the
 * devices' mappings, else from `given` (--region-start), else leaves it
 * undefined with a warning. A given start that contradicts the mappings is
 * an error.
 */
export function settleRegionStarts(
  regions: RegionDraft[],
  given: ReadonlyMap<number, bigint> | undefined,
  problems: Problems,
  how: string,
): void {
  for (const r of regions) {
    const proved = startFromMappings(r.size, r.devices);
    const opt = given?.get(r.id);
    if (opt !== undefined) {
      if (r.start !== undefined && r.start !== opt) {
        problems.warning(
          `region ${r.id}: --region-start ${r.id}=${hex(opt)} replaces the start ${hex(r.start)} ${how}`,
          r.loc,
        );
      } else if (proved !== undefined && proved !== opt) {
        problems.error(
          `region ${r.id}: --region-start ${r.id}=${hex(opt)} contradicts the mappings, which cover ${bytes(r.size)} from ${hex(proved)}`,
          r.loc,
        );
      }
      r.start = opt;
      continue;
    }
    if (r.start !== undefined) continue;
    if (proved !== undefined) {
      r.start = proved;
      continue;
    }
    problems.warning(
      `region ${r.id}: its physical start cannot be learnt ${how} (the devices' mappings do not span the region); pass --region-start ${r.id}=ADDR`,
      r.loc,
    );
  }
}

// ---------------------------------------------------------------------------
// Memory blocks of kmem devices

/** Indices of the memory blocks kmem hot-adds for a range (its block-aligned interior). */
export function interiorBlocks(start: bigint, end: bigint, blockSize: bigint): bigint[] {
  const first = (start + blockSize - 1n) / blockSize;
  const limit = (end + 1n) / blockSize; // exclusive
  const out: bigint[] = [];
  for (let k = first; k < limit; k++) out.push(k);
  return out;
}

/** How daxctl counts a device's blocks: block starts within [resource, resource + size). */
export function daxctlBlockCount(resource: bigint, size: bigint, blockSize: bigint): bigint {
  if (size <= 0n) return 0n;
  const first = (resource + blockSize - 1n) / blockSize;
  const last = (resource + size - 1n) / blockSize;
  return last >= first ? last - first + 1n : 0n;
}

export const MAX_DERIVED_BLOCKS = 1_000_000;

export function zoneFromValidZones(s: string): Zone | undefined {
  const t = s.trim();
  return (ZONES as readonly string[]).includes(t) ? (t as Zone) : undefined;
}

export const ZONES: readonly Zone[] = ['Normal', 'Movable', 'DMA32', 'DMA', 'none'];

// ---------------------------------------------------------------------------
// Consistency checks

export interface CheckContext {
  readonly pageSize: bigint;
}

/**
 * The rules every set of regions must satisfy whatever its source (docs/facts.md
 * "consistency"). Sorts each device's mappings by page offset. Reports
 * errors; returns nothing.
 */
export function checkRegions(regions: RegionDraft[], ctx: CheckContext, problems: Problems): void {
  const pageSize = isPowerOfTwo(ctx.pageSize) ? ctx.pageSize : 1n;
  const ids = new Map<number, RegionDraft>();
  const names = new Map<string, DeviceDraft>();
  for (const r of regions) {
    if (ids.has(r.id)) problems.error(`region id ${r.id} appears more than once`, r.loc);
    ids.set(r.id, r);
    if (r.size <= 0n) problems.error(`region ${r.id}: size must be greater than 0`, r.loc);
    if (!isPowerOfTwo(r.align)) problems.error(`region ${r.id}: align ${r.align} is not a power of two`, r.loc);
    else {
      if (r.size % r.align !== 0n) {
        problems.error(
          `region ${r.id}: size ${bytes(r.size)} is not a multiple of the region align ${bytes(r.align)} (the kernel would not create it)`,
          r.loc,
        );
      }
      if (r.start !== undefined && r.start % r.align !== 0n) {
        problems.error(
          `region ${r.id}: start ${hex(r.start)} is not a multiple of the region align ${bytes(r.align)} (the kernel would not create it)`,
          r.loc,
        );
      }
    }
    if (r.start !== undefined && r.start < 0n) problems.error(`region ${r.id}: start is negative`, r.loc);
    if (r.targetNode < -1)
      problems.error(`region ${r.id}: target node ${r.targetNode} is not a node (-1 means none)`, r.loc);

    let used = 0n;
    const all: { m: MappingDraft; dev: DeviceDraft }[] = [];
    for (const d of r.devices) {
      const nm = /^dax(\d+)\.(\d+)$/.exec(d.name);
      if (!nm) problems.error(`device name "${d.name}" is not of the form daxR.N`, d.loc);
      else if (Number(nm[1]) !== r.id)
        problems.error(`device ${d.name} is listed under region ${r.id}; its name says region ${nm[1]}`, d.loc);
      if (names.has(d.name)) problems.error(`device ${d.name} appears more than once`, d.loc);
      names.set(d.name, d);
      if (!isPowerOfTwo(d.align)) problems.error(`${d.name}: align ${d.align} is not a power of two`, d.loc);
      if (d.size < 0n) problems.error(`${d.name}: size is negative`, d.loc);
      if (d.targetNode < -1)
        problems.error(`${d.name}: target node ${d.targetNode} is not a node (-1 means none)`, d.loc);
      if (d.driver === 'kmem' && d.targetNode < 0) {
        problems.error(`${d.name}: bound to kmem but has no target node (kmem rejects such a device)`, d.loc);
      }
      used += d.size;

      d.mappings.sort((a, b) => (a.pageOffset < b.pageOffset ? -1 : a.pageOffset > b.pageOffset ? 1 : 0));
      const mids = new Set<number>();
      let expectOffset = 0n;
      let sum = 0n;
      for (const m of d.mappings) {
        if (mids.has(m.id)) problems.error(`${d.name}: mapping id ${m.id} appears more than once`, m.loc);
        mids.add(m.id);
        if (m.end < m.start) {
          problems.error(`${d.name}: mapping${m.id} ends (${hex(m.end)}) before it starts (${hex(m.start)})`, m.loc);
          continue;
        }
        const len = m.end - m.start + 1n;
        sum += len;
        if (m.pageOffset !== expectOffset) {
          problems.error(
            `${d.name}: mapping${m.id} has page_offset ${hex(m.pageOffset)}, but the ranges before it hold ${hex(expectOffset)} pages (ranges are concatenated in page-offset order)`,
            m.loc,
          );
        }
        if (len % pageSize !== 0n) {
          problems.error(
            `${d.name}: mapping${m.id} is ${len} bytes long, not a whole number of ${pageSize}-byte pages`,
            m.loc,
          );
        }
        expectOffset = m.pageOffset + len / pageSize;
        if (r.start !== undefined && (m.start < r.start || m.end > r.start + r.size - 1n)) {
          problems.error(
            `${d.name}: mapping${m.id} ${hex(m.start)}-${hex(m.end)} lies outside region ${r.id} (${hex(r.start)}-${hex(r.start + r.size - 1n)})`,
            m.loc,
          );
        }
        all.push({ m, dev: d });
      }
      if (sum !== d.size) {
        problems.error(
          `${d.name}: size is ${d.size} (${bytes(d.size)}) but its mappings add up to ${sum} (${bytes(sum)})`,
          d.loc,
        );
      }
      if (!r.dynamic && d.mappings.length > 1) {
        problems.warning(
          `${d.name}: a device of a static region has one range; this one lists ${d.mappings.length}`,
          d.loc,
        );
      }
    }
    all.sort((a, b) => (a.m.start < b.m.start ? -1 : a.m.start > b.m.start ? 1 : 0));
    for (let i = 1; i < all.length; i++) {
      const prev = all[i - 1];
      const cur = all[i];
      if (prev && cur && cur.m.start <= prev.m.end) {
        problems.error(
          `${cur.dev.name}: mapping${cur.m.id} ${hex(cur.m.start)}-${hex(cur.m.end)} overlaps ${prev.dev.name} mapping${prev.m.id} ${hex(prev.m.start)}-${hex(prev.m.end)}`,
          cur.m.loc,
        );
      }
    }
    if (used > r.size) {
      problems.error(`region ${r.id}: its devices hold ${bytes(used)}, more than the region's ${bytes(r.size)}`, r.loc);
    } else if (r.availableSize !== undefined && r.dynamic && r.availableSize !== r.size - used) {
      problems.error(
        `region ${r.id}: available_size is ${r.availableSize} (${bytes(r.availableSize)}) but size minus the listed devices is ${r.size - used} (${bytes(r.size - used)}); are devices missing from the input?`,
        r.loc,
      );
    }
  }
}

export function finishRegion(r: RegionDraft): RegionFacts {
  return {
    id: r.id,
    path: r.path,
    start: r.start,
    size: r.size,
    align: r.align,
    dynamic: r.dynamic,
    targetNode: r.targetNode,
    kmemDefault: r.kmemDefault,
    devices: r.devices.map(finishDevice),
  };
}

function finishDevice(d: DeviceDraft): DeviceFacts {
  const mappings: MappingFacts[] = d.mappings.map((m) => ({
    id: m.id,
    start: m.start,
    end: m.end,
    pageOffset: m.pageOffset,
  }));
  return {
    name: d.name,
    size: d.size,
    align: d.align,
    driver: d.driver,
    targetNode: d.targetNode,
    ...(d.memmapOnMemory !== undefined ? { memmapOnMemory: d.memmapOnMemory } : {}),
    ...(d.kmemState !== undefined && d.driver === 'kmem' ? { kmemState: d.kmemState } : {}),
    mappings,
  };
}

export function checkBlocks(blocks: readonly (MemoryBlockFacts & { loc?: Loc })[], problems: Problems): void {
  const seen = new Set<number>();
  for (const b of blocks) {
    if (seen.has(b.index)) problems.error(`memory${b.index} appears more than once`, b.loc);
    seen.add(b.index);
    if (b.node < 0) problems.error(`memory${b.index}: node ${b.node} is not a node`, b.loc);
  }
}

export function sortBlocks<T extends { index: number }>(blocks: T[]): T[] {
  return blocks.sort((a, b) => a.index - b.index);
}

/** Reports unusable options (they come from a command line); returns false if any is unusable. */
export function checkOptions(o: ReadFactsOptions, problems: Problems): boolean {
  let ok = true;
  if (o.memoryBlockSize !== undefined && !isPowerOfTwo(o.memoryBlockSize)) {
    problems.error(`--block-size ${o.memoryBlockSize} is not a power of two`);
    ok = false;
  }
  if (o.autoOnline !== undefined && !['offline', 'online', 'online_kernel', 'online_movable'].includes(o.autoOnline)) {
    problems.error(
      `--auto-online must be offline, online, online_kernel or online_movable, not "${String(o.autoOnline)}"`,
    );
    ok = false;
  }
  if (
    o.kernelRelease !== undefined &&
    (typeof o.kernelRelease !== 'string' || parseRelease(o.kernelRelease) === undefined)
  ) {
    problems.error(`--kernel "${String(o.kernelRelease)}" is not a \`uname -r\` release such as 6.12.117+deb12-amd64`);
    ok = false;
  }
  if (o.arch !== undefined && (typeof o.arch !== 'string' || o.arch.trim() === '')) {
    problems.error('--arch must name an architecture (`uname -m`)');
    ok = false;
  }
  for (const [id, start] of o.regionStart ?? []) {
    if (start < 0n) {
      problems.error(`--region-start ${id}=${start}: an address cannot be negative`);
      ok = false;
    }
  }
  return ok;
}

export function dedupe(list: readonly string[]): string[] {
  return [...new Set(list)];
}
