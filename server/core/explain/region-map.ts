// A region's address map as plain data: what `explain --svg` and the editor's map draw
// (map-svg.ts). A view of an analysis: every address, size and block is read from the
// predicted state (the plan run through the kernel model), the layout and the facts — never
// placed again here. Integer bytes throughout.

import type { Span } from '../../../grammar/src/ast';
import type { Analysis, HostAnalysis, RegionAnalysis } from '../analysis/types';
import { colourList } from '../colour/stripes';
import { regionColourMap } from './colours';
import type { FleetAnalysis } from '../analysis/types';
import {
  deviceName,
  deviceSize,
  availableSize,
  hotplugRange,
  regionSize,
  type SimDevice,
  type SimRegion,
} from '../kernel/state';
import { modeText, nodeInfo, type NodeInfo } from './describe';

export interface MapRange {
  readonly start: bigint;
  /** Inclusive. */
  readonly end: bigint;
}

export interface MapDevice {
  /** Stable within the map: the kernel name, or `layout:LABEL` for a device the plan could not make. */
  readonly key: string;
  /** The layout's label; absent for a device the layout does not list. */
  readonly label?: string;
  /** `dax0.1`; absent when the plan could not make the device. */
  readonly kernelName?: string;
  readonly size: bigint;
  readonly align?: bigint;
  /** `devdax`, `system-ram online movable`, `unbound`, `not created`. */
  readonly mode: string;
  readonly driver: 'device_dax' | 'kmem' | null;
  readonly ranges: readonly MapRange[];
  /** `colours 0..1 of 4 (exclusive)`, when the device asks for colours. */
  readonly colours?: string;
  /** Where the layout declares the device (its label), when it does. */
  readonly declaration?: Span;
  /** The device's whole block in the layout (`device … { … }`). */
  readonly block?: Span;
  /** Position in the layout (0-based) for devices it lists; picks the device's colour. */
  readonly order?: number;
}

export interface MapPinned {
  /** The label of the device the range is pinned for. */
  readonly label: string;
  readonly start: bigint;
  readonly end: bigint;
  readonly span: Span;
}

/** A run of memory blocks inside the region: present (System RAM, online or offline) or not added. */
export interface MapBlocks {
  readonly start: bigint;
  /** Inclusive. */
  readonly end: bigint;
  readonly count: number;
  readonly state: 'online' | 'offline';
  readonly zone?: string;
  readonly node: number;
}

export interface MapStripes {
  readonly cacheSize: bigint;
  readonly k: number;
  /** C / K: one stripe's length. */
  readonly width: bigint;
  readonly level: number;
  readonly indexing: string;
}

export interface RegionMap {
  readonly host: string;
  readonly kernel?: string;
  readonly region: number;
  readonly start: bigint;
  /** Inclusive. */
  readonly end: bigint;
  readonly size: bigint;
  readonly align: bigint;
  readonly dynamic: boolean;
  readonly targetNode: number;
  readonly free: readonly MapRange[];
  readonly freeBytes: bigint;
  readonly devices: readonly MapDevice[];
  readonly pinned: readonly MapPinned[];
  readonly blockSize: bigint;
  readonly blocks: readonly MapBlocks[];
  /** The memory-side-cache colouring, when a device of the region asks for colours. */
  readonly stripes?: MapStripes;
  readonly node?: NodeInfo;
  /** Where the layout declares the region. */
  readonly declaration?: Span;
  /** The layout has errors in this region's host: the prediction stops where the kernel would refuse. */
  readonly errors: number;
}

const byStart = (a: MapRange, b: MapRange): number => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0);

/** The parts of [start, end] no range covers. */
function gaps(start: bigint, end: bigint, taken: readonly MapRange[]): MapRange[] {
  const out: MapRange[] = [];
  let at = start;
  for (const r of [...taken].sort(byStart)) {
    if (r.end < at) continue;
    if (r.start > end) break;
    if (r.start > at) out.push({ start: at, end: r.start - 1n });
    at = r.end + 1n;
  }
  if (at <= end) out.push({ start: at, end });
  return out;
}

function blocksOf(h: HostAnalysis, sim: SimRegion): MapBlocks[] {
  const state = h.model?.state;
  if (!state) return [];
  const bs = state.blockSize;
  const inner = hotplugRange(sim.start, sim.end, bs);
  if (!inner) return [];
  return state.blocks.slice(Number(inner.start / bs), Number(inner.end / bs)).map((r) => ({
    start: BigInt(r.first) * bs,
    end: BigInt(r.last + 1) * bs - 1n,
    count: r.last - r.first + 1,
    state: r.state,
    ...(r.zone ? { zone: r.zone } : {}),
    node: r.node,
  }));
}

function regionMap(h: HostAnalysis, ra: RegionAnalysis, hostName: string, errors: number): RegionMap | undefined {
  const sim = ra.after;
  const model = h.model;
  if (!sim || !model) return undefined;
  const plan = h.plan;
  const labelOf = new Map<SimDevice, { label: string; order: number; span: Span; block: Span; colours?: string }>();
  ra.layout.devices.forEach((ld, order) => {
    const d = plan?.assigned.get(ld);
    const c = plan?.colours.get(ld);
    const colours =
      ld.colours && c
        ? `colours ${colourList(c.colours)} of ${c.k}${ld.colours.exclusive ? ' (exclusive)' : ''}`
        : undefined;
    if (d)
      labelOf.set(d, {
        label: ld.label,
        order,
        span: ld.labelSpan,
        block: ld.decl.span,
        ...(colours ? { colours } : {}),
      });
  });
  const devices: MapDevice[] = [];
  for (const d of [...sim.devices.values()].sort((a, b) => a.id - b.id)) {
    const l = labelOf.get(d);
    // the region's empty seed device (and other empty devices nobody asked for) hold nothing
    if (!l && deviceSize(d) === 0n) continue;
    const name = deviceName(d);
    devices.push({
      key: name,
      ...(l ? { label: l.label, order: l.order, declaration: l.span, block: l.block } : {}),
      kernelName: name,
      size: deviceSize(d),
      align: d.align,
      mode: modeText(model.state, d),
      driver: d.driver,
      ranges: d.ranges.map((r) => ({ start: r.start, end: r.end })).sort(byStart),
      ...(l?.colours ? { colours: l.colours } : {}),
    });
  }
  ra.layout.devices.forEach((ld, order) => {
    if (plan?.assigned.has(ld)) return;
    devices.push({
      key: `layout:${ld.label}`,
      label: ld.label,
      size: 0n,
      mode: 'not created',
      driver: null,
      ranges: [],
      declaration: ld.labelSpan,
      block: ld.decl.span,
      order,
    });
  });
  const taken = devices.flatMap((d) => d.ranges);
  const pinned: MapPinned[] = [];
  for (const ld of ra.layout.devices) {
    for (const r of ld.ranges) {
      if (r.end < sim.start || r.start > sim.end) continue;
      pinned.push({
        label: ld.label,
        start: r.start < sim.start ? sim.start : r.start,
        end: r.end > sim.end ? sim.end : r.end,
        span: r.span,
      });
    }
  }
  // the stripes matter where a device asks for colours; the node's cache is named either way
  const cmap = ra.layout.devices.some((d) => d.colours) ? regionColourMap(h, ra) : undefined;
  const facts = h.before;
  const node = facts ? nodeInfo(facts.nodes, sim.targetNode) : undefined;
  return {
    host: hostName,
    ...(h.version ? { kernel: h.version.release } : {}),
    region: sim.id,
    start: sim.start,
    end: sim.end,
    size: regionSize(sim),
    align: sim.align,
    dynamic: sim.dynamic,
    targetNode: sim.targetNode,
    free: gaps(sim.start, sim.end, taken),
    freeBytes: availableSize(sim),
    devices,
    pinned,
    blockSize: model.state.blockSize,
    blocks: blocksOf(h, sim),
    ...(cmap
      ? {
          stripes: {
            cacheSize: cmap.cacheSize,
            k: cmap.k,
            width: cmap.width,
            level: cmap.level,
            indexing: cmap.indexing,
          },
        }
      : {}),
    ...(node ? { node } : {}),
    ...(ra.layout.id ? { declaration: ra.layout.id.span } : {}),
    errors,
  };
}

function hostMaps(a: Analysis, h: HostAnalysis, hostName: string): RegionMap[] {
  const errors = a.findings.filter((f) => f.severity === 'error').length;
  return h.regions.map((r) => regionMap(h, r, hostName, errors)).filter((m): m is RegionMap => m !== undefined);
}

/**
 * Every region the analysis predicts, in layout order of hosts and regions. The members of a
 * `hosts "…"` block (a fleet analysis) each get their own maps, named after the member.
 */
export function regionMaps(a: Analysis): RegionMap[] {
  const members = (a as Partial<FleetAnalysis>).members ?? [];
  const templates = new Set(members.map((m) => m.template));
  const out: RegionMap[] = [];
  for (const h of a.hosts) {
    if (templates.has(h.name)) {
      for (const m of members.filter((x) => x.template === h.name)) {
        const mh = m.analysis.hosts.find((x) => x.name === h.name);
        if (mh) out.push(...hostMaps(m.analysis, mh, m.host));
      }
      continue;
    }
    out.push(...hostMaps(a, h, h.name));
  }
  return out;
}

/** The device of a map whose block in the layout holds `offset` (the cursor), if any. */
export function mapDeviceAt(map: RegionMap, offset: number): MapDevice | undefined {
  return map.devices.find((d) => d.block && offset >= d.block.start && offset <= d.block.end);
}
