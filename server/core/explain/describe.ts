// Plain-data descriptions of what the model predicts and what the facts say:
// one region, one device, one NUMA node, one host. Hover renders these; the
// CLI may print them. Every number is read from the model state, the plan or
// the facts — never derived by other means.

import type { Analysis, HostAnalysis, RegionAnalysis } from '../analysis/types';
import type { FactsInputKind } from '../facts/read';
import type { DriverName, HostFacts, NodeFacts } from '../host-facts';
import type { KernelModel } from '../kernel/model';
import { countBlocks, deviceBlocks } from '../kernel/snapshot';
import {
  availableSize,
  deviceName,
  deviceSize,
  regionSize,
  seedState,
  type SimDevice,
  type SimRegion,
  type SimState,
} from '../kernel/state';
import { has } from '../kernel/version';
import type { LayoutDevice } from '../layout/types';
import { hostAligns, kmemUse } from '../rules/util';

export interface FactsStatus {
  readonly origin: 'file' | 'declared' | 'none' | 'undeclared';
  /** The facts path as written in the layout. */
  readonly path?: string;
  readonly source?: string;
  readonly kind?: FactsInputKind;
  /** Errors and warnings from reading the facts, or why the model could not start. */
  readonly problems: readonly string[];
  readonly assumptions: readonly string[];
  /** How to get facts, when the prediction lacks them. */
  readonly help?: string;
}

export const FACTS_HELP =
  'Capture the host\'s facts (a `daxlayout-facts/1` file, or `daxctl list -RDMi` output) and name it in the host block: `facts "hbm01.facts.json"` — see docs/facts.md.';

export function factsStatus(h: HostAnalysis | undefined): FactsStatus {
  if (!h)
    return {
      origin: 'undeclared',
      problems: [],
      assumptions: [],
      help: 'Declare the host (`host NAME { facts "…" }`) to get a prediction. ' + FACTS_HELP,
    };
  const problems = h.factsProblems.filter((p) => p.severity !== 'info').map((p) => p.message);
  if (h.modelError) problems.push(h.modelError);
  const origin = h.factsOrigin;
  const usable = origin !== 'none' && !h.modelError;
  return {
    origin,
    ...(h.decl?.facts ? { path: h.decl.facts.value } : {}),
    ...(h.before ? { source: h.before.source } : {}),
    ...(h.factsKind ? { kind: h.factsKind } : {}),
    problems,
    assumptions: h.before?.assumptions ?? [],
    ...(!usable || origin === 'declared' ? { help: FACTS_HELP } : {}),
  };
}

export type MapLevel = 'PTE' | 'PMD' | 'PUD';

export interface RangeInfo {
  readonly start: bigint;
  /** Inclusive. */
  readonly end: bigint;
  readonly size: bigint;
  /** The kernel's `page_offset` of the mapping, in pages. */
  readonly pageOffset: bigint;
  /** The same offset in bytes (page_offset × PAGE_SIZE). */
  readonly offset: bigint;
}

export interface KmemInfo {
  readonly usable: bigint;
  readonly lost: bigint;
  readonly blocks: bigint;
  readonly blockSize: bigint;
  /** Memory blocks the model has for the device, and how many of them are online. */
  readonly modelBlocks: number;
  readonly onlineBlocks: number;
  readonly zones: readonly string[];
}

export interface DeviceState {
  readonly kernelName: string;
  readonly size: bigint;
  readonly align: bigint;
  /** The host's base page size. */
  readonly pageSize: bigint;
  /** The page size a devdax mapping faults in (the device's align), with its page-table level. */
  readonly mapsWith: { readonly size: bigint; readonly level?: MapLevel };
  readonly driver: DriverName | null;
  readonly mode: 'devdax' | 'system-ram' | 'unbound';
  /** e.g. `system-ram online movable`, as `daxlayout explain` prints it. */
  readonly modeText: string;
  readonly targetNode: number;
  readonly ranges: readonly RangeInfo[];
  readonly kmem?: KmemInfo;
}

export function mapLevel(state: SimState, size: bigint): MapLevel | undefined {
  if (size === state.arch.pudSize.value) return 'PUD';
  if (size === state.arch.pmdSize.value) return 'PMD';
  if (size === state.pageSize) return 'PTE';
  return undefined;
}

/** The mode as `daxlayout explain` prints it, from the model's memory blocks. */
export function modeText(state: SimState, d: SimDevice): string {
  if (d.driver === 'kmem') {
    const c = countBlocks(deviceBlocks(state, d));
    if (c.online === 0) return 'system-ram offline';
    const on = c.online === c.total ? 'online' : `${c.online}/${c.total} online`;
    return `system-ram ${on} ${c.zones.size === 1 && c.zones.has('Movable') ? 'movable' : 'normal'}`;
  }
  return d.driver === 'device_dax' ? 'devdax' : 'unbound';
}

export function deviceState(model: KernelModel, d: SimDevice): DeviceState {
  const state = model.state;
  const level = mapLevel(state, d.align);
  let kmem: KmemInfo | undefined;
  if (d.driver === 'kmem') {
    const use = kmemUse(d.ranges, state.blockSize);
    const c = countBlocks(deviceBlocks(state, d));
    kmem = {
      usable: use.usable,
      lost: use.lost,
      blocks: use.blocks,
      blockSize: state.blockSize,
      modelBlocks: c.total,
      onlineBlocks: c.online,
      zones: [...c.zones],
    };
  }
  return {
    kernelName: deviceName(d),
    size: deviceSize(d),
    align: d.align,
    pageSize: state.pageSize,
    mapsWith: { size: d.align, ...(level ? { level } : {}) },
    driver: d.driver,
    mode: d.driver === 'kmem' ? 'system-ram' : d.driver === 'device_dax' ? 'devdax' : 'unbound',
    modeText: modeText(state, d),
    targetNode: d.targetNode,
    ranges: d.ranges.map((r) => ({
      start: r.start,
      end: r.end,
      size: r.end - r.start + 1n,
      pageOffset: r.pgoff,
      offset: r.pgoff * state.pageSize,
    })),
    ...(kmem ? { kmem } : {}),
  };
}

export interface RegionState {
  readonly id: number;
  readonly path: string;
  readonly start: bigint;
  readonly end: bigint;
  readonly size: bigint;
  readonly align: bigint;
  readonly dynamic: boolean;
  readonly targetNode: number;
  /** available_size as the facts describe the region (before the plan). */
  readonly availableBefore?: bigint;
  /** available_size in the predicted state (after the plan). */
  readonly availableAfter: bigint;
  readonly memoryBlockSize: bigint;
  readonly defaultDriver: DriverName;
  readonly defaultDriverWhy: string;
}

const beforeStates = new WeakMap<HostFacts, SimState | null>();

/** The model state seeded from the facts alone (before the plan), memoised per facts object. */
export function stateBefore(facts: HostFacts): SimState | undefined {
  let s = beforeStates.get(facts);
  if (s === undefined) {
    try {
      s = seedState(facts);
    } catch {
      s = null;
    }
    beforeStates.set(facts, s);
  }
  return s ?? undefined;
}

export function defaultDriver(model: KernelModel, r: SimRegion): { driver: DriverName; why: string } {
  const v = model.version;
  if (has(v, 'kmemTypeMatch')) {
    return r.kmemFlag
      ? {
          driver: 'kmem',
          why: `Linux ${v.major}.${v.minor} (6.3+): an hmem/CXL region (IORESOURCE_DAX_KMEM) matches kmem; device_dax only through new_id`,
        }
      : {
          driver: 'device_dax',
          why: `Linux ${v.major}.${v.minor}: the region is not flagged for kmem, so its devices match device_dax`,
        };
  }
  return {
    driver: 'device_dax',
    why: `Linux ${v.major}.${v.minor} (before 6.3): every device matches device_dax; kmem only through new_id`,
  };
}

export function regionState(h: HostAnalysis, r: RegionAnalysis): RegionState | undefined {
  const sim = r.after;
  const model = h.model;
  if (!sim || !model) return undefined;
  const before = h.before ? stateBefore(h.before)?.regions.find((x) => x.id === sim.id) : undefined;
  const drv = defaultDriver(model, sim);
  return {
    id: sim.id,
    path: sim.path,
    start: sim.start,
    end: sim.end,
    size: regionSize(sim),
    align: sim.align,
    dynamic: sim.dynamic,
    targetNode: sim.targetNode,
    ...(before ? { availableBefore: availableSize(before) } : {}),
    availableAfter: availableSize(sim),
    memoryBlockSize: model.state.blockSize,
    defaultDriver: drv.driver,
    defaultDriverWhy: drv.why,
  };
}

export interface AccessInfo {
  readonly cls: 'access0' | 'access1';
  readonly meaning: string;
  readonly initiators: readonly number[];
  /** Nanoseconds. */
  readonly readLatency?: number;
  readonly writeLatency?: number;
  /** MB/s. */
  readonly readBandwidth?: number;
  readonly writeBandwidth?: number;
}

export interface CacheInfo {
  readonly level: number;
  readonly size: bigint;
  readonly lineSize: number;
  readonly indexing: 'direct-mapped' | 'indexed' | 'other';
  readonly writePolicy: 'write-back' | 'write-through' | 'other';
}

export interface NodeInfo {
  readonly id: number;
  readonly cpus: string;
  readonly online: boolean;
  readonly memTotal?: bigint;
  readonly access: readonly AccessInfo[];
  readonly caches: readonly CacheInfo[];
}

const INDEXING = ['direct-mapped', 'indexed', 'other'] as const;
const WRITE_POLICY = ['write-back', 'write-through', 'other'] as const;

export function nodeInfo(nodes: readonly NodeFacts[], id: number): NodeInfo | undefined {
  const n = nodes.find((x) => x.id === id);
  if (!n) return undefined;
  const access: AccessInfo[] = [];
  const add = (cls: AccessInfo['cls'], meaning: string, f: NodeFacts['access0']) => {
    if (f) access.push({ cls, meaning, ...f });
  };
  add('access0', 'best initiator of any kind', n.access0);
  add('access1', 'best CPU initiator', n.access1);
  return {
    id: n.id,
    cpus: n.cpus,
    online: n.online,
    ...(n.memTotal !== undefined ? { memTotal: n.memTotal } : {}),
    access,
    caches: n.caches.map((c) => ({
      level: c.level,
      size: c.size,
      lineSize: c.lineSize,
      indexing: INDEXING[c.indexing] ?? 'other',
      writePolicy: WRITE_POLICY[c.writePolicy] ?? 'other',
    })),
  };
}

export interface HostRegionSummary {
  readonly id: number;
  readonly start?: bigint;
  readonly size: bigint;
  readonly dynamic: boolean;
  readonly targetNode: number;
  readonly devices: number;
}

export interface HostState {
  readonly name: string;
  readonly kernel?: string;
  readonly arch?: string;
  readonly ssh?: string;
  readonly port?: number;
  readonly facts: FactsStatus;
  readonly pageSize?: bigint;
  readonly memoryBlockSize?: bigint;
  readonly autoOnline?: string;
  readonly aligns: readonly bigint[];
  /** Regions as the facts describe them (before the plan). */
  readonly regions: readonly HostRegionSummary[];
}

export function hostState(h: HostAnalysis): HostState {
  const f = h.before;
  return {
    name: h.name,
    ...(h.version ? { kernel: h.version.release } : f?.kernelRelease ? { kernel: f.kernelRelease } : {}),
    ...(f
      ? { arch: f.arch, pageSize: f.pageSize, memoryBlockSize: f.memoryBlockSize, autoOnline: f.autoOnlineBlocks }
      : {}),
    ...(h.decl?.ssh ? { ssh: h.decl.ssh.value } : {}),
    ...(h.decl?.port ? { port: h.decl.port.value } : {}),
    facts: factsStatus(h),
    aligns: f ? hostAligns(h) : [],
    regions: (f?.regions ?? []).map((r) => ({
      id: r.id,
      ...(r.start !== undefined ? { start: r.start } : {}),
      size: r.size,
      dynamic: r.dynamic,
      targetNode: r.targetNode,
      devices: r.devices.filter((d) => d.size > 0n).length,
    })),
  };
}

/** The host analysis and region analysis of a layout device. */
export function deviceContext(
  a: Analysis,
  ld: LayoutDevice,
): { host: HostAnalysis; region: RegionAnalysis } | undefined {
  for (const host of a.hosts)
    for (const region of host.regions) if (region.layout === ld.region) return { host, region };
  return undefined;
}
