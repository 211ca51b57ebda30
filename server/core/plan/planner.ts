// The planner: desired regions of one host + the host's current state → the
// ordered sysfs writes an apply performs. Every write is run through the kernel
// model as it is planned, so the plan's outcome (names the kernel assigns,
// where first fit places memory, which writes the kernel refuses) is the
// model's prediction, and the final model state is the layout's desired state.

import { planRegionColours, type AddrRange, type ColourPlacement } from '../colour/stripes';
import type { DriverName, MemorySideCacheFacts } from '../host-facts';
import type { BlockRun } from '../kernel/blocks';
import type { KernelModel, WriteResult } from '../kernel/model';
import {
  deviceName,
  deviceSize,
  hotplugRange,
  inert,
  regionSize,
  type SimDevice,
  type SimRegion,
} from '../kernel/state';
import type { Errno } from '../kernel/tables';
import type { LayoutDevice, LayoutRegion } from '../layout/types';
import { formatBytes } from '../units';
import type { CxlPlan, CxlRegionPlan } from './cxl';

export interface PlannedWrite {
  /** The attribute written; for a run of memory blocks, the first block's. */
  readonly path: string;
  /** The value without the trailing newline `echo` adds. */
  readonly value: string;
  readonly result: WriteResult;
  /**
   * A run of memory blocks: the same write to `memoryN/state` for N = first…last, in that
   * order, all with this result. The plan keeps it as one write; `expandWrite` lists them one
   * by one where a script is rendered for a host.
   */
  readonly blocks?: { readonly first: number; readonly last: number };
}

/** The path of memory block N's attribute. */
export const memoryPath = (index: number, attr = 'state'): string =>
  `/sys/devices/system/memory/memory${index}/${attr}`;

/** One write per block for a block-run write (the writes an apply performs); others as they are. */
export function expandWrite(w: PlannedWrite): PlannedWrite[] {
  if (!w.blocks) return [w];
  const out: PlannedWrite[] = [];
  for (let i = w.blocks.first; i <= w.blocks.last; i++)
    out.push({ path: memoryPath(i), value: w.value, result: w.result });
  return out;
}

/** How many writes an apply performs for this planned write. */
export function writeCount(w: PlannedWrite): number {
  return w.blocks ? w.blocks.last - w.blocks.first + 1 : 1;
}

/** The path as people read it: `…/memory4…memory9/state` for a run. */
export function writeTarget(w: PlannedWrite): string {
  return w.blocks && w.blocks.last > w.blocks.first
    ? memoryPath(w.blocks.first).replace(/\/state$/, `…memory${w.blocks.last}/state`)
    : w.path;
}

export type StepOp = '+' | '~' | '-';

export interface PlanStep {
  readonly op: StepOp;
  /** Kernel name the step acts on (`dax0.1`), or `memoryN` for block steps. */
  readonly target: string;
  readonly device?: LayoutDevice;
  readonly region: LayoutRegion;
  readonly summary: string;
  readonly writes: PlannedWrite[];
}

export type Purpose =
  'release' | 'shrink' | 'delete' | 'create' | 'align' | 'mapping' | 'size' | 'memmap' | 'bind' | 'block';

export interface PlanFailure {
  readonly region: LayoutRegion;
  readonly device?: LayoutDevice;
  readonly kernelName?: string;
  readonly purpose: Purpose;
  readonly write: PlannedWrite;
  readonly errno?: Errno;
}

/** A change the planner will not make, and why (e.g. online kernel-zone memory). */
export interface Refusal {
  readonly region: LayoutRegion;
  readonly device?: LayoutDevice;
  readonly kernelName: string;
  readonly reason: string;
}

export interface UnlistedDevice {
  readonly region: LayoutRegion;
  readonly kernelName: string;
  readonly size: bigint;
  readonly driver: DriverName | null;
  readonly pruned: boolean;
}

export interface PlanOptions {
  /** Remove devices of owned regions that the layout does not list. */
  readonly prune: boolean;
}

export interface Plan {
  readonly steps: PlanStep[];
  readonly failures: PlanFailure[];
  readonly refusals: Refusal[];
  readonly unlisted: UnlistedDevice[];
  /** The kernel device each layout device ends up as (absent when it could not be made). */
  readonly assigned: Map<LayoutDevice, SimDevice>;
  /** Target sizes (after resolving `size rest`). */
  readonly targetSize: Map<LayoutDevice, bigint>;
  /** The stripes each `colours` device is pinned to (docs/colours.md). */
  readonly colours: Map<LayoutDevice, ColourPlacement<LayoutDevice>>;
  /**
   * Set when the model's work budget ran out (KernelModel.budget): the plan stops at that write,
   * and what follows is neither planned nor checked (DAX098 says so).
   */
  stoppedShort?: { readonly work: number; readonly budget: number; readonly steps: number };
  /** What the plan does with each `cxl region` (plan/cxl.ts); its writes come first in `steps`. */
  cxl?: Map<LayoutRegion, CxlRegionPlan>;
}

/** The memory-side cache that colours a region's memory, and K when a device does not say. */
export interface RegionColouring {
  readonly cache: MemorySideCacheFacts;
  readonly defaultK: number;
}

export interface DesiredRegion {
  readonly layout: LayoutRegion;
  readonly sim: SimRegion;
  /** Absent: the region's node has no memory-side cache (colour requests cannot be placed). */
  readonly colouring?: RegionColouring;
}

interface Work {
  readonly layout: LayoutDevice;
  readonly region: DesiredRegion;
  dev: SimDevice | undefined;
  readonly size: bigint | undefined;
  readonly align: bigint;
  readonly driver: DriverName;
  blocked: boolean;
}

const dev = (d: SimDevice) => `/sys/bus/dax/devices/${deviceName(d)}`;

/** How many blocks a list of runs holds. */
function count(runs: readonly BlockRun[]): number {
  let n = 0;
  for (const r of runs) n += r.last - r.first + 1;
  return n;
}

function sameRanges(d: SimDevice, want: readonly AddrRange[]): boolean {
  if (d.ranges.length !== want.length) return false;
  return d.ranges.every((r, i) => r.start === want[i]?.start && r.end === want[i]?.end);
}

/** Whether the device's place is given (pinned ranges or colour stripes) rather than found by first fit. */
function isPinned(l: LayoutDevice): boolean {
  return l.ranges.length > 0 || l.colours !== undefined;
}

export class Planner {
  private readonly plan: Plan = {
    steps: [],
    failures: [],
    refusals: [],
    unlisted: [],
    assigned: new Map(),
    targetSize: new Map(),
    colours: new Map(),
  };

  constructor(
    private readonly model: KernelModel,
    private readonly options: PlanOptions,
  ) {}

  private step(op: StepOp, target: string, region: LayoutRegion, summary: string, device?: LayoutDevice): PlanStep {
    // a step's writes hold no layout objects: marked once for the whole list, not per write
    const s: PlanStep = {
      op,
      target,
      region,
      summary,
      writes: inert<PlannedWrite[]>([]),
      ...(device ? { device } : {}),
    };
    this.plan.steps.push(s);
    return s;
  }

  /** Runs one write through the model and records it; false when the kernel would refuse it. */
  private write(step: PlanStep, path: string, value: string, purpose: Purpose, kernelName?: string): boolean {
    if (this.outOfBudget()) return false;
    const result = this.model.write(path, value + '\n');
    const w: PlannedWrite = { path, value, result };
    step.writes.push(w);
    if (result.kind === 'ok') return true;
    this.plan.failures.push({
      region: step.region,
      ...(step.device ? { device: step.device } : {}),
      ...(kernelName ? { kernelName } : {}),
      purpose,
      write: w,
      ...(result.kind === 'errno' ? { errno: result.errno } : {}),
    });
    return false;
  }

  /** True (and the plan marked as stopped short) once the model's budget is spent. */
  private outOfBudget(): boolean {
    if (!this.model.exhausted) return false;
    if (!this.plan.stoppedShort)
      this.plan.stoppedShort = { work: this.model.work, budget: this.model.budget, steps: this.plan.steps.length };
    return true;
  }

  /** Runs one write to each memory block of [first, last] through the model; false when one is refused. */
  private writeBlocks(step: PlanStep, first: number, last: number, value: string, kernelName: string): boolean {
    if (this.outOfBudget()) return false;
    let ok = true;
    for (const seg of this.model.writeBlockRun(first, last, 'state', value + '\n')) {
      const w: PlannedWrite = {
        path: memoryPath(seg.first),
        value,
        result: seg.result,
        ...(seg.last > seg.first ? { blocks: { first: seg.first, last: seg.last } } : {}),
      };
      step.writes.push(w);
      if (seg.result.kind === 'ok') continue;
      ok = false;
      this.plan.failures.push({
        region: step.region,
        ...(step.device ? { device: step.device } : {}),
        kernelName,
        purpose: 'block',
        write: w,
        ...(seg.result.kind === 'errno' ? { errno: seg.result.errno } : {}),
      });
    }
    return ok;
  }

  /** Pinned ranges of every layout device, by region: memory other devices must give up. */
  private readonly pins = new Map<LayoutRegion, { start: bigint; end: bigint; owner: LayoutDevice }[]>();

  /** Where a pinned device must lie: its `range`s, or its colour stripes. */
  private rangesOf(l: LayoutDevice): readonly AddrRange[] {
    if (l.ranges.length > 0) return l.ranges;
    return this.plan.colours.get(l)?.stripes ?? [];
  }

  /** Colour stripes of a region's `colours` devices, around what `occupied` holds. */
  private placeColours(r: DesiredRegion, occupied: readonly AddrRange[]): void {
    const asks = r.layout.devices.filter((l) => l.colours && l.ranges.length === 0);
    for (const l of asks) this.plan.colours.delete(l);
    if (!r.colouring || asks.length === 0) return;
    const compat = this.model.state.arch.compatAlign.value;
    const pins = r.layout.devices.flatMap((l) => l.ranges.map((x) => ({ start: x.start, end: x.end })));
    const placed = planRegionColours(
      { start: r.sim.start, end: r.sim.end },
      r.colouring.cache.size,
      r.colouring.defaultK,
      asks.map((l) => {
        const c = l.colours as NonNullable<LayoutDevice['colours']>;
        const align = l.align?.value ?? r.sim.align;
        return {
          key: l,
          ...(c.colours ? { colours: c.colours.value } : {}),
          ...(c.any ? { any: c.any.value } : {}),
          ...(c.of ? { of: c.of.value } : {}),
          exclusive: c.exclusive !== undefined,
          ...(l.size ? { size: l.size.value } : {}),
          granule: align > compat ? align : compat,
        };
      }),
      [...pins, ...occupied],
    );
    for (const p of placed) this.plan.colours.set(p.key, p);
  }

  /** The ranges a device keeps when shrunk to `size` (its logical head). */
  private kept(d: SimDevice, size: bigint): { start: bigint; end: bigint }[] {
    const out: { start: bigint; end: bigint }[] = [];
    let left = size;
    for (const r of d.ranges) {
      if (left <= 0n) break;
      const len = r.end - r.start + 1n;
      const take = len < left ? len : left;
      out.push({ start: r.start, end: r.start + take - 1n });
      left -= take;
    }
    return out;
  }

  /** Whether these ranges overlap memory another layout device pins. */
  private blocksPins(w: Work, ranges: readonly { start: bigint; end: bigint }[]): boolean {
    const pins = this.pins.get(w.region.layout) ?? [];
    return ranges.some((r) => pins.some((p) => p.owner !== w.layout && p.start <= r.end && r.start <= p.end));
  }

  run(regions: readonly DesiredRegion[]): Plan {
    for (const r of regions) this.placeColours(r, []);
    const work: Work[] = [];
    for (const r of regions) work.push(...this.match(r));
    // Memory of devices the layout does not list, and keeps, is not free for colours.
    for (const r of regions) {
      const kept = this.plan.unlisted
        .filter((u) => u.region === r.layout && !u.pruned)
        .flatMap((u) => this.model.findDevice(u.kernelName)?.ranges ?? []);
      if (kept.length === 0 || !r.layout.devices.some((l) => l.colours)) continue;
      this.placeColours(r, kept);
      for (const w of work) {
        if (w.region !== r || !w.layout.colours || w.layout.ranges.length > 0) continue;
        const size = this.colourSize(w.layout);
        (w as { size: bigint | undefined }).size = size;
        if (size === undefined) this.plan.targetSize.delete(w.layout);
        else this.plan.targetSize.set(w.layout, size);
      }
    }
    for (const r of regions) {
      this.pins.set(
        r.layout,
        r.layout.devices.flatMap((owner) => this.rangesOf(owner).map((x) => ({ start: x.start, end: x.end, owner }))),
      );
    }

    // 1. release: unbind what must change (offlining movable kmem memory first).
    for (const w of work) if (w.dev && this.needsRelease(w)) this.release(w.dev, w.region.layout, w);
    for (const u of this.plan.unlisted) {
      if (!u.pruned) continue;
      const d = this.model.findDevice(u.kernelName);
      // an unbound device (an apply stopped between its unbind and its destroy) has nothing to release
      if (d?.driver) this.release(d, u.region);
    }
    // 2. free: shrink or empty devices whose geometry changes; destroy pruned ones.
    for (const w of work) if (w.dev && !w.blocked) this.free(w);
    for (const u of this.plan.unlisted) {
      if (!u.pruned) continue;
      const d = this.model.findDevice(u.kernelName);
      if (d && !d.driver) this.destroy(d, u.region);
    }
    // 3. create the devices that do not exist yet, in layout order.
    for (const w of work) if (!w.dev && w.size !== undefined) this.create(w);
    // 4. pinned ranges first, so that first fit cannot take them; then sizes; `rest` last.
    for (const w of work) if (w.dev && !w.blocked && isPinned(w.layout)) this.claim(w);
    for (const w of work) if (w.dev && !w.blocked && !isPinned(w.layout) && !w.layout.rest) this.grow(w);
    for (const w of work) if (w.dev && !w.blocked && !isPinned(w.layout) && w.layout.rest) this.grow(w);
    // 5. memmap_on_memory, then bind: device_dax before kmem (a kmem new_id attaches every matching unbound device).
    for (const w of work)
      if (w.dev && !w.blocked && w.layout.memmapOnMemory && !w.dev.memmapOnMemory && !w.dev.driver) this.memmap(w);
    for (const w of work) if (w.dev && !w.blocked && w.driver === 'device_dax') this.bind(w);
    for (const w of work) if (w.dev && !w.blocked && w.driver === 'kmem') this.bind(w);
    // 6. memory block states for system-ram devices.
    for (const w of work) if (w.dev && !w.blocked && w.driver === 'kmem' && w.dev.driver === 'kmem') this.blocks(w);

    for (const w of work) if (w.dev) this.plan.assigned.set(w.layout, w.dev);
    return this.plan;
  }

  /** Pairs layout devices with kernel devices: pinned names, exact matches, then position. */
  private match(r: DesiredRegion): Work[] {
    const sim = r.sim;
    const existing = [...sim.devices.values()].sort((a, b) => a.id - b.id);
    const taken = new Set<SimDevice>();
    const pair = new Map<LayoutDevice, SimDevice>();
    const devices = r.layout.devices;
    for (const l of devices) {
      if (!l.kernelName) continue;
      const e = this.model.findDevice(l.kernelName.value);
      if (e && e.region === sim && !taken.has(e)) {
        pair.set(l, e);
        taken.add(e);
      }
    }
    const sizes = new Map<LayoutDevice, bigint | undefined>();
    for (const l of devices) {
      if (l.ranges.length > 0)
        sizes.set(
          l,
          l.ranges.reduce((s, x) => s + (x.end - x.start + 1n), 0n),
        );
      else if (l.colours) sizes.set(l, this.colourSize(l));
      else if (l.size) sizes.set(l, l.size.value);
    }
    const driverOf = (l: LayoutDevice): DriverName => (l.mode === 'system-ram' ? 'kmem' : 'device_dax');
    const alignOf = (l: LayoutDevice) => l.align?.value ?? sim.align;
    for (const l of devices) {
      // `size rest` has no size until the others are placed: it pairs by position.
      if (l.kernelName || pair.has(l) || l.rest) continue;
      const e = existing.find(
        (x) =>
          !taken.has(x) &&
          deviceSize(x) > 0n &&
          x.driver === driverOf(l) &&
          x.align === alignOf(l) &&
          (isPinned(l) ? sameRanges(x, this.rangesOf(l)) : deviceSize(x) === sizes.get(l)),
      );
      if (e) {
        pair.set(l, e);
        taken.add(e);
      }
    }
    const rest = existing.filter((x) => !taken.has(x));
    for (const l of devices) {
      if (l.kernelName || pair.has(l)) continue;
      // A colour device whose stripes cannot be placed (DAX070–DAX074) takes no device.
      if (l.colours && l.ranges.length === 0 && sizes.get(l) === undefined) continue;
      const e = rest.shift();
      if (!e) break;
      pair.set(l, e);
      taken.add(e);
    }
    for (const e of existing) {
      if (taken.has(e)) continue;
      this.plan.unlisted.push({
        region: r.layout,
        kernelName: deviceName(e),
        size: deviceSize(e),
        driver: e.driver,
        pruned: this.options.prune,
      });
    }
    // `size rest`: what the others and the devices kept outside the layout leave.
    const restDev = devices.find((l) => l.rest && !isPinned(l));
    if (restDev) {
      let used = 0n;
      for (const l of devices) if (l !== restDev) used += sizes.get(l) ?? 0n;
      for (const u of this.plan.unlisted) if (u.region === r.layout && !u.pruned) used += u.size;
      const left = regionSize(sim) - used;
      sizes.set(restDev, left > 0n ? left : 0n);
    }
    return devices.map((l) => {
      const size = sizes.get(l);
      if (size !== undefined) this.plan.targetSize.set(l, size);
      return { layout: l, region: r, dev: pair.get(l), size, align: alignOf(l), driver: driverOf(l), blocked: false };
    });
  }

  private geometryChanges(w: Work, d: SimDevice): boolean {
    if (w.size === undefined) return false;
    if (this.blocksPins(w, d.ranges)) return true;
    if (isPinned(w.layout)) return !sameRanges(d, this.rangesOf(w.layout)) || d.align !== w.align;
    return deviceSize(d) !== w.size || d.align !== w.align;
  }

  private needsRelease(w: Work): boolean {
    const d = w.dev as SimDevice;
    if (!d.driver) return false;
    if (d.driver !== w.driver) return true;
    // only 1 can be written to memmap_on_memory: a device that has it (CXL regions' do) keeps it
    if (w.driver === 'kmem' && !!w.layout.memmapOnMemory && !d.memmapOnMemory) return true;
    return this.geometryChanges(w, d);
  }

  /** Unbinds a device; kmem memory is offlined first when movable, otherwise the change is refused. */
  private release(d: SimDevice, region: LayoutRegion, w?: Work): void {
    const name = deviceName(d);
    if (d.driver === 'kmem') {
      const online = this.kmemBlocks(d).filter((b) => b.state === 'online');
      const pinned = online.filter((b) => b.zone !== 'Movable');
      if (pinned.length > 0) {
        this.plan.refusals.push({
          region,
          ...(w ? { device: w.layout } : {}),
          kernelName: name,
          reason: `${name} has ${count(pinned)} memory block(s) online in the ${pinned[0]?.zone ?? 'kernel'} zone (memory${pinned[0]?.first}); kernel-zone memory cannot be reliably offlined, and unbinding kmem with memory online strands it until reboot`,
        });
        if (w) w.blocked = true;
        return;
      }
      if (online.length > 0) {
        const s = this.step(
          '~',
          name,
          region,
          `offline ${count(online)} movable memory block(s) of ${name}`,
          w?.layout,
        );
        for (const b of online) this.writeBlocks(s, b.first, b.last, 'offline', name);
      }
    }
    const s = this.step(w ? '~' : '-', name, region, `unbind ${name} from ${d.driver}`, w?.layout);
    if (!this.write(s, `/sys/bus/dax/drivers/${d.driver}/unbind`, name, 'release', name) && w) w.blocked = true;
  }

  /** The memory blocks of a kmem device, as runs in the order of its ranges. */
  private kmemBlocks(d: SimDevice): BlockRun[] {
    const out: BlockRun[] = [];
    for (const r of d.ranges) {
      const u = hotplugRange(r.start, r.end, this.model.state.blockSize);
      if (u) out.push(...this.model.blockRunsIn(u.start, u.end));
    }
    return out;
  }

  private free(w: Work): void {
    const d = w.dev as SimDevice;
    if (w.size === undefined || !this.geometryChanges(w, d)) return;
    if (d.driver) return; // could not be released
    if (!d.region.dynamic) {
      this.plan.refusals.push({
        region: w.region.layout,
        device: w.layout,
        kernelName: deviceName(d),
        reason: `region ${d.region.id} is static (pmem-backed): its device's size and align are set by the namespace, not through dax sysfs`,
      });
      w.blocked = true;
      return;
    }
    const name = deviceName(d);
    const compat = this.model.state.arch.compatAlign.value;
    const newGranule = w.align > compat ? w.align : compat;
    const keepsAlign = d.ranges.every((r) => (r.end - r.start + 1n) % newGranule === 0n);
    let target = w.size < deviceSize(d) ? w.size : deviceSize(d);
    // A size the kernel would refuse (DAX010 says so) still frees the old space, so
    // that the rest of the layout is judged on its own.
    if (isPinned(w.layout) || !keepsAlign || target % newGranule !== 0n) target = 0n;
    // Memory another device pins must be given up, even if this device keeps its size.
    if (target > 0n && this.blocksPins(w, this.kept(d, target))) target = 0n;
    if (target !== deviceSize(d)) {
      const s = this.step(
        '~',
        name,
        w.region.layout,
        `shrink ${name} (${w.layout.label}) from ${formatBytes(deviceSize(d))} to ${formatBytes(target)}`,
        w.layout,
      );
      if (!this.write(s, `${dev(d)}/size`, target.toString(), 'shrink', name)) w.blocked = true;
    }
    if (d.align !== w.align && !w.blocked) {
      const s = this.step(
        '~',
        name,
        w.region.layout,
        `set ${name} (${w.layout.label}) align to ${formatBytes(w.align)}`,
        w.layout,
      );
      if (!this.write(s, `${dev(d)}/align`, w.align.toString(), 'align', name)) w.blocked = true;
    }
  }

  private destroy(d: SimDevice, region: LayoutRegion): void {
    const name = deviceName(d);
    const s = this.step(
      '-',
      name,
      region,
      d.id === 0 ? `empty ${name} (the kernel never deletes a region's device 0)` : `destroy ${name}`,
    );
    if (deviceSize(d) > 0n && !this.write(s, `${dev(d)}/size`, '0', 'shrink', name)) return;
    if (d.id !== 0) this.write(s, `${d.region.path}/dax_region/delete`, name, 'delete', name);
  }

  private create(w: Work): void {
    const sim = w.region.sim;
    const s = this.step('+', '(new)', w.region.layout, `create ${w.layout.label}`, w.layout);
    if (!this.write(s, `${sim.path}/dax_region/create`, '1', 'create')) {
      w.blocked = true;
      return;
    }
    const d = sim.youngest;
    if (!d) {
      w.blocked = true;
      return;
    }
    w.dev = d;
    (s as { target: string }).target = deviceName(d);
    (s as { summary: string }).summary = `create ${deviceName(d)} (${w.layout.label})`;
    if (d.align !== w.align && !this.write(s, `${dev(d)}/align`, w.align.toString(), 'align', deviceName(d)))
      w.blocked = true;
  }

  /** A colour device's size: what its stripes add up to; undefined when they cannot be placed. */
  private colourSize(l: LayoutDevice): bigint | undefined {
    const p = this.plan.colours.get(l);
    if (!p || p.stripes.length === 0) return undefined;
    return p.stripes.reduce((s, x) => s + (x.end - x.start + 1n), 0n);
  }

  private claim(w: Work): void {
    const d = w.dev as SimDevice;
    const want = this.rangesOf(w.layout);
    if (sameRanges(d, want)) return;
    const name = deviceName(d);
    const what = w.layout.ranges.length > 0 ? `${want.length} pinned range(s)` : `${want.length} colour stripe(s)`;
    const s = this.step('~', name, w.region.layout, `claim ${what} for ${name} (${w.layout.label})`, w.layout);
    for (const r of want) {
      const before = d.ranges.length;
      if (!this.write(s, `${dev(d)}/mapping`, `${r.start.toString(16)}-${r.end.toString(16)}`, 'mapping', name)) {
        w.blocked = true;
        return;
      }
      if (d.ranges.length === before) {
        // 6.8+ reports success for a misaligned length and allocates nothing.
        this.plan.failures.push({
          region: w.region.layout,
          device: w.layout,
          kernelName: name,
          purpose: 'mapping',
          write: s.writes[s.writes.length - 1] as PlannedWrite,
        });
        w.blocked = true;
        return;
      }
    }
  }

  private grow(w: Work): void {
    const d = w.dev as SimDevice;
    if (w.size === undefined || deviceSize(d) === w.size) return;
    if (w.size === 0n) return;
    const name = deviceName(d);
    const grow = w.size > deviceSize(d);
    const s = this.step(
      '~',
      name,
      w.region.layout,
      `${grow ? 'size' : 'shrink'} ${name} (${w.layout.label}) to ${formatBytes(w.size)}`,
      w.layout,
    );
    if (!this.write(s, `${dev(d)}/size`, w.size.toString(), 'size', name)) w.blocked = true;
  }

  private memmap(w: Work): void {
    const d = w.dev as SimDevice;
    const name = deviceName(d);
    const s = this.step(
      '~',
      name,
      w.region.layout,
      `enable memmap_on_memory for ${name} (${w.layout.label})`,
      w.layout,
    );
    if (!this.write(s, `${dev(d)}/memmap_on_memory`, '1', 'memmap', name)) w.blocked = true;
  }

  private bind(w: Work): void {
    const d = w.dev as SimDevice;
    if (d.driver === w.driver) return;
    if (d.driver) return; // bound elsewhere and could not be released: reported already
    const name = deviceName(d);
    const s = this.step('~', name, w.region.layout, `bind ${name} (${w.layout.label}) to ${w.driver}`, w.layout);
    const attr = this.model.matches(w.driver, d) ? 'bind' : 'new_id';
    if (!this.write(s, `/sys/bus/dax/drivers/${w.driver}/${attr}`, name, 'bind', name)) {
      w.blocked = true;
      return;
    }
    if (d.driver !== w.driver) {
      // new_id attached nothing (the probe failed): the kernel reports success anyway.
      this.plan.failures.push({
        region: w.region.layout,
        device: w.layout,
        kernelName: name,
        purpose: 'bind',
        write: s.writes[s.writes.length - 1] as PlannedWrite,
      });
      w.blocked = true;
    }
  }

  private blocks(w: Work): void {
    const d = w.dev as SimDevice;
    const name = deviceName(d);
    const want = w.layout.online ? (w.layout.movable ? 'Movable' : 'Normal') : undefined;
    const blocks = this.kmemBlocks(d);
    const kernelZone = blocks.filter((b) => b.state === 'online' && b.zone !== 'Movable' && (!want || b.zone !== want));
    if (kernelZone.length > 0) {
      // Offlining kernel-zone memory can fail half-way (unmovable pages): refuse rather than try.
      this.plan.refusals.push({
        region: w.region.layout,
        device: w.layout,
        kernelName: name,
        reason: `${name} has ${count(kernelZone)} memory block(s) online in the ${kernelZone[0]?.zone ?? 'kernel'} zone (memory${kernelZone[0]?.first}) but the layout wants them ${want ? `online as ${want}` : 'offline'}; kernel-zone memory cannot be reliably offlined`,
      });
      return;
    }
    const wrongZone = blocks.filter((b) => b.state === 'online' && want && b.zone !== want);
    const toOffline = blocks.filter((b) => b.state === 'online' && (!want || b.zone !== want));
    const toOnline = want ? blocks.filter((b) => b.state === 'offline' || wrongZone.includes(b)) : [];
    if (toOffline.length === 0 && toOnline.length === 0) return;
    const s = this.step(
      '~',
      name,
      w.region.layout,
      want
        ? `online ${count(toOnline)} memory block(s) of ${name} (${w.layout.label}) as ${want}`
        : `offline ${count(toOffline)} memory block(s) of ${name} (${w.layout.label})`,
      w.layout,
    );
    for (const b of toOffline) this.writeBlocks(s, b.first, b.last, 'offline', name);
    for (const b of toOnline)
      this.writeBlocks(s, b.first, b.last, want === 'Movable' ? 'online_movable' : 'online_kernel', name);
  }
}

export function planHost(
  model: KernelModel,
  regions: readonly DesiredRegion[],
  options: PlanOptions,
  cxl?: CxlPlan,
): Plan {
  const plan = new Planner(model, options).run(regions);
  if (cxl && cxl.regions.size > 0) {
    plan.steps.unshift(...cxl.steps);
    plan.failures.unshift(...cxl.failures);
    plan.refusals.unshift(...cxl.refusals);
    plan.cxl = cxl.regions;
  }
  return plan;
}
