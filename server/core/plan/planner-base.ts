// The planner's workbench: the plan being built, each write run through the kernel model as
// it is recorded, the pairing of layout devices with the kernel's devices, and where pinned
// ranges and colour stripes lie. The phases that use it are in planner.ts.

import { planRegionColours, type AddrRange } from '../colour/stripes';
import type { DriverName } from '../host-facts';
import type { BlockRun } from '../kernel/blocks';
import type { KernelModel } from '../kernel/model';
import { deviceName, deviceSize, regionSize, type SimDevice } from '../kernel/state';
import type { LayoutDevice, LayoutRegion } from '../layout/types';
import {
  memoryPath,
  type DesiredRegion,
  type Plan,
  type PlannedWrite,
  type PlanOptions,
  type PlanStep,
  type Purpose,
  type StepOp,
} from './plan-types';

export interface Work {
  readonly layout: LayoutDevice;
  readonly region: DesiredRegion;
  dev: SimDevice | undefined;
  readonly size: bigint | undefined;
  readonly align: bigint;
  readonly driver: DriverName;
  blocked: boolean;
}

export const dev = (d: SimDevice) => `/sys/bus/dax/devices/${deviceName(d)}`;

/** How many blocks a list of runs holds. */
export function count(runs: readonly BlockRun[]): number {
  let n = 0;
  for (const r of runs) n += r.last - r.first + 1;
  return n;
}

export function sameRanges(d: SimDevice, want: readonly AddrRange[]): boolean {
  if (d.ranges.length !== want.length) return false;
  return d.ranges.every((r, i) => r.start === want[i]?.start && r.end === want[i]?.end);
}

/** Whether the device's place is given (pinned ranges or colour stripes) rather than found by first fit. */
export function isPinned(l: LayoutDevice): boolean {
  return l.ranges.length > 0 || l.colours !== undefined;
}

export class PlannerBase {
  protected readonly plan: Plan = {
    steps: [],
    failures: [],
    refusals: [],
    unlisted: [],
    assigned: new Map(),
    targetSize: new Map(),
    colours: new Map(),
  };

  constructor(
    protected readonly model: KernelModel,
    protected readonly options: PlanOptions,
  ) {}

  protected step(op: StepOp, target: string, region: LayoutRegion, summary: string, device?: LayoutDevice): PlanStep {
    const s: PlanStep = {
      op,
      target,
      region,
      summary,
      writes: [],
      ...(device ? { device } : {}),
    };
    this.plan.steps.push(s);
    return s;
  }

  /** Runs one write through the model and records it; false when the kernel would refuse it. */
  protected write(step: PlanStep, path: string, value: string, purpose: Purpose, kernelName?: string): boolean {
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
  protected outOfBudget(): boolean {
    if (!this.model.exhausted) return false;
    if (!this.plan.stoppedShort)
      this.plan.stoppedShort = { work: this.model.work, budget: this.model.budget, steps: this.plan.steps.length };
    return true;
  }

  /** Runs one write to each memory block of [first, last] through the model; false when one is refused. */
  protected writeBlocks(step: PlanStep, first: number, last: number, value: string, kernelName: string): boolean {
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
  protected readonly pins = new Map<LayoutRegion, { start: bigint; end: bigint; owner: LayoutDevice }[]>();

  /** Where a pinned device must lie: its `range`s, or its colour stripes. */
  protected rangesOf(l: LayoutDevice): readonly AddrRange[] {
    if (l.ranges.length > 0) return l.ranges;
    return this.plan.colours.get(l)?.stripes ?? [];
  }

  /** Colour stripes of a region's `colours` devices, around what `occupied` holds. */
  protected placeColours(r: DesiredRegion, occupied: readonly AddrRange[]): void {
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
  protected kept(d: SimDevice, size: bigint): { start: bigint; end: bigint }[] {
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
  protected blocksPins(w: Work, ranges: readonly { start: bigint; end: bigint }[]): boolean {
    const pins = this.pins.get(w.region.layout) ?? [];
    return ranges.some((r) => pins.some((p) => p.owner !== w.layout && p.start <= r.end && r.start <= p.end));
  }

  /** A colour device's size: what its stripes add up to; undefined when they cannot be placed. */
  protected colourSize(l: LayoutDevice): bigint | undefined {
    const p = this.plan.colours.get(l);
    if (!p || p.stripes.length === 0) return undefined;
    return p.stripes.reduce((s, x) => s + (x.end - x.start + 1n), 0n);
  }

  /** Pairs layout devices with kernel devices: pinned names, exact matches, then position. */
  protected match(r: DesiredRegion): Work[] {
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
}
