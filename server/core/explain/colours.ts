// What hovers and `explain` show of colours: a region's colour map (which
// device holds which colours, what is free) and a device's colours and stripes.
// Read from the plan's predicted state; nothing is re-placed here.

import type { HostAnalysis, RegionAnalysis } from '../analysis/types';
import { CACHE_INDEXING } from '../kernel/cache-tables';
import { deviceName } from '../kernel/state';
import type { LayoutDevice } from '../layout/types';
import { colourBytesByColour, colouringCache, defaultColourCount, rangeBytes, type AddrRange } from '../colour/stripes';

export interface ColourHolder {
  /** Layout label, or the kernel name of a device the layout does not list. */
  readonly name: string;
  readonly kernelName: string;
  readonly exclusive: boolean;
}

/** Consecutive colours with the same holders. */
export interface ColourRun {
  readonly first: number;
  readonly last: number;
  readonly holders: readonly ColourHolder[];
  /** Bytes of these colours in the region that no device holds. */
  readonly free: bigint;
}

export interface RegionColourMap {
  readonly node: number;
  readonly cacheSize: bigint;
  readonly level: number;
  readonly indexing: string;
  readonly k: number;
  /** C / K: the length of one stripe. */
  readonly width: bigint;
  readonly runs: readonly ColourRun[];
}

/** The finest map worth showing; beyond it the hover would be a wall of numbers. */
const MAX_MAP_COLOURS = 1024;

export function regionColourMap(host: HostAnalysis, ra: RegionAnalysis): RegionColourMap | undefined {
  const sim = ra.after;
  const facts = host.before;
  if (!sim || !facts || !host.model) return undefined;
  const node = facts.nodes.find((n) => n.id === sim.targetNode);
  const cache = colouringCache(node);
  if (!cache) return undefined;
  const plan = host.plan;
  const coloured = ra.layout.devices.filter((d) => d.colours);
  const placed = coloured.map((d) => plan?.colours.get(d)).find((p) => p && p.width > 0n);
  const compat = host.model.state.arch.compatAlign.value;
  const k = placed?.k ?? defaultColourCount(cache.size, sim.align > compat ? sim.align : compat);
  if (k < 2 || k > MAX_MAP_COLOURS || cache.size % BigInt(k) !== 0n) return undefined;
  const width = cache.size / BigInt(k);
  const byKernel = new Map<string, LayoutDevice>();
  if (plan) for (const [l, d] of plan.assigned) if (l.region === ra.layout) byKernel.set(deviceName(d), l);
  const region: AddrRange = { start: sim.start, end: sim.end };
  const devs = [...sim.devices.values()].filter((d) => d.ranges.length > 0).sort((a, b) => a.id - b.id);
  const runs: ColourRun[] = [];
  const bytesOf = devs.map((d) => colourBytesByColour(d.ranges, cache.size, width, k));
  const regionBytes = colourBytesByColour([region], cache.size, width, k);
  for (let c = 0; c < k; c++) {
    const holders: ColourHolder[] = [];
    let held = 0n;
    for (const [i, d] of devs.entries()) {
      const bytes = (bytesOf[i] as bigint[])[c] as bigint;
      if (bytes === 0n) continue;
      held += bytes;
      const name = deviceName(d);
      const l = byKernel.get(name);
      holders.push({ name: l?.label ?? name, kernelName: name, exclusive: l?.colours?.exclusive !== undefined });
    }
    const free = (regionBytes[c] as bigint) - held;
    const prev = runs[runs.length - 1];
    const same =
      prev &&
      prev.holders.length === holders.length &&
      prev.holders.every((h, i) => h.kernelName === holders[i]?.kernelName) &&
      (prev.free === 0n) === (free === 0n);
    if (prev && same) runs[runs.length - 1] = { ...prev, last: c, free: prev.free + free };
    else runs.push({ first: c, last: c, holders, free });
  }
  return {
    node: sim.targetNode,
    cacheSize: cache.size,
    level: cache.level,
    indexing: CACHE_INDEXING[cache.indexing]?.value ?? `indexing ${cache.indexing}`,
    k,
    width,
    runs,
  };
}

export interface DeviceColours {
  readonly k: number;
  readonly width: bigint;
  readonly cacheSize: bigint;
  /** The colours the device holds (chosen by the planner for `any N`). */
  readonly colours: readonly number[];
  readonly any?: number;
  readonly exclusive: boolean;
  /** Stripes the plan pins the device to, and their bytes. */
  readonly stripes: number;
  readonly bytes: bigint;
  /** What the colours give in the region's free space. */
  readonly gives: bigint;
  readonly first?: AddrRange;
}

export function deviceColours(host: HostAnalysis | undefined, l: LayoutDevice): DeviceColours | undefined {
  const c = l.colours;
  const p = host?.plan?.colours.get(l);
  if (!c || !p) return undefined;
  const cacheSize = p.width * BigInt(p.k);
  return {
    k: p.k,
    width: p.width,
    cacheSize,
    colours: p.colours,
    ...(c.any ? { any: c.any.value } : {}),
    exclusive: c.exclusive !== undefined,
    stripes: p.stripes.length,
    bytes: rangeBytes(p.stripes),
    gives: p.gives,
    ...(p.stripes[0] ? { first: p.stripes[0] } : {}),
  };
}
