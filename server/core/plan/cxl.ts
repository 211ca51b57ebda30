// The CXL part of a plan: for each `cxl region` of a host, the /sys/bus/cxl writes that make it,
// in the order test/vm/scripts/cxl-region-2way.sh measured (endpoint decoder mode and dpa_size,
// create_ram_region, interleave_granularity, interleave_ways, size, targetN, commit, bind to
// cxl_region), each run through the kernel model (kernel/cxl-model.ts), before the dax writes on
// the dax region the bind makes. A region over the same memdevs configured otherwise is torn down
// first, in the reverse order (unbind, commit 0, targets cleared, delete_region, dpa_size 0).
// Nothing is written for a region a pre-write check refuses (cxl-checks.ts, DAX100–DAX106, DAX109).
// A region of the host that no block declares is kept, and listed (`unlisted`); with `--prune` it
// is torn down first: its dax devices' movable memory offlined and the devices unbound, then the
// region in the same reverse order; online memory of a kernel zone refuses it (docs/apply.md).

import type { CxlRegionFacts } from '../cxl-facts';
import type { HostFacts } from '../host-facts';
import type { BlockRun } from '../kernel/blocks';
import type { KernelModel } from '../kernel/model';
import { deviceName, hotplugRange, inert } from '../kernel/state';
import type { Errno } from '../kernel/tables';
import type { LayoutRegion } from '../layout/types';
import { formatBytes } from '../units';
import { checkCxlRegion, type CxlCheck, type CxlProblem, type CxlResolved } from './cxl-checks';
import {
  memoryPath,
  type Plan,
  type PlanFailure,
  type PlanStep,
  type PlannedWrite,
  type Purpose,
  type Refusal,
} from './plan-types';
import { settleAfterBind } from './settle';

export type { CxlProblem, CxlResolved, CxlCode } from './cxl-checks';

const BUS = '/sys/bus/cxl/devices';
const DRIVER = '/sys/bus/cxl/drivers/cxl_region';

/** What the plan does with one `cxl region`. */
export interface CxlRegionPlan {
  readonly problems: readonly CxlProblem[];
  readonly resolved?: CxlResolved;
  /** The kernel's name for the region (`regionN`) and its dax region id N, once known. */
  readonly name?: string;
  readonly id?: number;
  /** `keep`: it exists as declared; `create`; `recreate`: an existing one is torn down first. */
  readonly action?: 'keep' | 'bind' | 'create' | 'recreate';
}

/** A CXL region of the host that no `cxl region` (or `region N` for its dax region) declares. */
export interface UnlistedCxlRegion {
  /** The host's first `cxl region` block: where diagnostics about it go. */
  readonly anchor: LayoutRegion;
  readonly name: string;
  readonly size: bigint;
  readonly window: string;
  /** `--prune`: torn down (unless refused: see the plan's refusals). */
  readonly pruned: boolean;
}

export interface CxlPlan {
  readonly regions: Map<LayoutRegion, CxlRegionPlan>;
  readonly steps: PlanStep[];
  readonly failures: PlanFailure[];
  readonly refusals: Refusal[];
  readonly unlisted: UnlistedCxlRegion[];
}

class CxlPlanner {
  readonly out: CxlPlan = { regions: new Map(), steps: [], failures: [], refusals: [], unlisted: [] };

  constructor(
    private readonly model: KernelModel,
    private readonly facts: HostFacts,
    private readonly prune: boolean,
  ) {}

  private step(region: LayoutRegion, op: PlanStep['op'], target: string, summary: string): PlanStep {
    const s: PlanStep = { op, target, region, summary, writes: inert<PlannedWrite[]>([]) };
    this.out.steps.push(s);
    return s;
  }

  /** Runs one write through the model; false when the kernel would refuse it. */
  private write(s: PlanStep, path: string, value: string, purpose: Purpose, kernelName: string): boolean {
    const result = this.model.write(path, value + '\n');
    const w: PlannedWrite = { path, value, result };
    s.writes.push(w);
    if (result.kind === 'ok') return true;
    this.out.failures.push({
      region: s.region,
      kernelName,
      purpose,
      write: w,
      ...(result.kind === 'errno' ? { errno: result.errno as Errno } : {}),
    });
    return false;
  }

  /**
   * Binds a region to cxl_region. The model probes its dax region at once; a kernel may do it
   * after the write returns (7.3), so the write carries the wait for the device (settle.ts).
   */
  private bind(s: PlanStep, name: string, id: number): boolean {
    const b = cxlBindWrite(name);
    if (!this.write(s, b.path, b.value, b.purpose, b.kernelName)) return false;
    const settle = settleAfterBind(this.model, id);
    const i = s.writes.length - 1;
    if (settle) s.writes[i] = { ...(s.writes[i] as PlannedWrite), settle };
    return true;
  }

  /** Online memory in [start, end]: a region holding it cannot be torn down (hot-remove would fail). */
  private onlineIn(start: bigint, size: bigint): boolean {
    const bs = this.facts.memoryBlockSize;
    return this.facts.memoryBlocks.some(
      (b) => b.state === 'online' && BigInt(b.index) * bs < start + size && BigInt(b.index + 1) * bs > start,
    );
  }

  run(regions: readonly LayoutRegion[]): CxlPlan {
    const demand = new Map<string, bigint>();
    const claimed = new Map<string, string>();
    const checks = new Map(
      regions.filter((r) => r.cxl).map((r) => [r, checkCxlRegion(r, this.facts.cxl, demand, claimed)] as const),
    );
    this.undeclared(regions, checks);
    for (const [r, check] of checks) {
      const res = check.resolved;
      if (!res || check.problems.length > 0) {
        this.out.regions.set(r, { problems: check.problems });
        continue;
      }
      if (!this.model.cxl) {
        this.out.regions.set(r, { problems: [], resolved: res });
        continue;
      }
      if (res.existing) {
        const e = res.existing;
        if (e.bound) {
          this.out.regions.set(r, { problems: [], resolved: res, name: e.name, id: e.id, action: 'keep' });
          continue;
        }
        const s = this.step(r, '+', e.name, `bind ${e.name} to cxl_region: its dax region ${e.id} appears`);
        this.bind(s, e.name, e.id);
        this.out.regions.set(r, { problems: [], resolved: res, name: e.name, id: e.id, action: 'bind' });
        continue;
      }
      if (res.replaces) {
        const old = res.replaces;
        if (old.start !== undefined && this.onlineIn(old.start, old.size)) {
          this.out.refusals.push({
            region: r,
            kernelName: old.name,
            reason: `${old.name} holds memory that is online; offline its dax devices' memory (or reboot) before it is made again with another size or granularity`,
          });
          this.out.regions.set(r, { problems: [], resolved: res });
          continue;
        }
        if (!this.teardown(r, old, `tear down ${old.name} (${formatBytes(old.size)}) to make it again as declared`)) {
          this.out.regions.set(r, { problems: [], resolved: res });
          continue;
        }
      }
      const made = this.create(r, res);
      this.out.regions.set(r, {
        problems: [],
        resolved: res,
        ...(made !== undefined ? { name: `region${made}`, id: made } : {}),
        action: res.replaces ? 'recreate' : 'create',
      });
    }
    return this.out;
  }

  /**
   * The host's CXL regions no block declares (by making, adopting or replacing it, or as the dax
   * region of a `region N`): listed, and with `--prune` torn down before anything is made. Nothing
   * is pruned while a block cannot be resolved (it might have meant one of them).
   */
  private undeclared(regions: readonly LayoutRegion[], checks: ReadonlyMap<LayoutRegion, CxlCheck>): void {
    const anchor = [...checks.keys()][0];
    if (!anchor || !this.facts.cxl) return;
    const declared = new Set<string>();
    for (const [r, c] of checks) {
      if (r.cxl?.adopt) declared.add(r.cxl.adopt.value);
      for (const x of [c.resolved?.existing, c.resolved?.replaces]) if (x) declared.add(x.name);
    }
    const daxIds = new Set(regions.flatMap((r) => (!r.cxl && r.id ? [r.id.value] : [])));
    const sure = [...checks.values()].every((c) => c.resolved && c.problems.length === 0) && !!this.model.cxl;
    for (const x of this.facts.cxl.regions) {
      if (declared.has(x.name) || daxIds.has(x.id)) continue;
      const pruned = this.prune && sure;
      this.out.unlisted.push({ anchor, name: x.name, size: x.size, window: x.decoder, pruned });
      if (pruned) this.pruneRegion(anchor, x);
    }
  }

  /** Tears down a region the layout does not declare: its dax devices first (movable memory offlined). */
  private pruneRegion(anchor: LayoutRegion, x: CxlRegionFacts): void {
    const dax = x.bound ? this.model.state.regions.find((r) => r.id === x.id) : undefined;
    const devices = [...(dax?.devices.values() ?? [])].filter((d) => d.driver);
    const bs = this.model.state.blockSize;
    const blocksOf = (d: (typeof devices)[number]): BlockRun[] =>
      d.ranges.flatMap((r) => {
        const u = hotplugRange(r.start, r.end, bs);
        return u ? this.model.blockRunsIn(u.start, u.end) : [];
      });
    for (const d of devices) {
      const pinned = d.driver === 'kmem' ? blocksOf(d).filter((b) => b.state === 'online' && b.zone !== 'Movable') : [];
      if (pinned.length === 0) continue;
      this.out.refusals.push({
        region: anchor,
        kernelName: x.name,
        reason: `${x.name} is not in the layout, but --prune cannot tear it down: its device ${deviceName(d)} has memory online in the ${pinned[0]?.zone ?? 'kernel'} zone (memory${pinned[0]?.first}), which cannot be reliably offlined, and a region torn down with memory online strands it until reboot`,
      });
      return;
    }
    for (const d of devices) {
      const name = deviceName(d);
      const online = d.driver === 'kmem' ? blocksOf(d).filter((b) => b.state === 'online') : [];
      if (online.length > 0) {
        const s = this.step(anchor, '-', name, `offline the movable memory of ${name} (${x.name}, not in the layout)`);
        for (const b of online)
          for (const seg of this.model.writeBlockRun(b.first, b.last, 'state', 'offline\n')) {
            const w: PlannedWrite = {
              path: memoryPath(seg.first),
              value: 'offline',
              result: seg.result,
              ...(seg.last > seg.first ? { blocks: { first: seg.first, last: seg.last } } : {}),
            };
            s.writes.push(w);
            if (seg.result.kind !== 'ok') {
              this.out.failures.push({ region: anchor, kernelName: name, purpose: 'block', write: w });
              return;
            }
          }
      }
      const s = this.step(anchor, '-', name, `unbind ${name} from ${d.driver} (${x.name}, not in the layout)`);
      if (!this.write(s, `/sys/bus/dax/drivers/${d.driver}/unbind`, name, 'release', name)) return;
    }
    this.teardown(anchor, x, `tear down ${x.name} (${formatBytes(x.size)}): not in the layout (--prune)`);
  }

  /** The writes that tear an existing region down, the reverse of its creation. */
  private teardown(r: LayoutRegion, old: CxlRegionFacts, summary: string): boolean {
    const s = this.step(r, '-', old.name, summary);
    const reg = `${BUS}/${old.name}`;
    if (old.bound && !this.write(s, `${DRIVER}/unbind`, old.name, 'release', old.name)) return false;
    if (old.commit && !this.write(s, `${reg}/commit`, '0', 'release', old.name)) return false;
    for (let i = old.targets.length - 1; i >= 0; i--)
      if (old.targets[i] && !this.write(s, `${reg}/target${i}`, '', 'release', old.name)) return false;
    if (!this.write(s, `${BUS}/${old.decoder}/delete_region`, old.name, 'delete', old.name)) return false;
    const decoders = [...old.targets].filter((t): t is string => t !== undefined).reverse();
    for (const d of decoders) if (!this.write(s, `${BUS}/${d}/dpa_size`, '0', 'delete', d)) return false;
    return true;
  }

  /** The writes that make the region; its id, or undefined when a write is refused. */
  private create(r: LayoutRegion, res: CxlResolved): number | undefined {
    const share = res.size / BigInt(res.ways);
    const root = this.model.cxl?.roots.find((x) => x.name === res.window.name);
    const id = root?.pending;
    const name = `region${id ?? '?'}`;
    const writes = cxlCreateWrites({
      window: res.window.name,
      region: name,
      decoders: res.positions.map((p) => p.decoder),
      granularity: res.granularity,
      size: res.size,
    });
    for (const [i, p] of res.positions.entries()) {
      const s = this.step(
        r,
        '+',
        p.decoder,
        `${p.decoder}: ${formatBytes(share)} of ${p.memdev.name} (serial 0x${p.memdev.serial.toString(16)}) as RAM`,
      );
      for (const w of writes.filter((x) => x.position === i))
        if (!this.write(s, w.path, w.value, w.purpose, w.kernelName)) return undefined;
    }
    if (id === undefined) return undefined;
    const s = this.step(
      r,
      '+',
      name,
      `${name}: ${formatBytes(res.size)} of window ${res.window.name}, ${res.ways} way${res.ways === 1 ? '' : 's'} × ${res.granularity} B over ${res.positions.map((p) => p.memdev.name).join(', ')}; bound, its dax region ${id} appears`,
    );
    // the region's writes but the bind, which bind() makes with its wait
    for (const w of writes.filter((x) => x.position === undefined && x.purpose !== 'bind'))
      if (!this.write(s, w.path, w.value, w.purpose, w.kernelName)) return undefined;
    if (!this.bind(s, name, id)) return undefined;
    return id;
  }
}

/** One write of a CXL region's creation (cxlCreateWrites). */
export interface CxlCreateWrite {
  readonly path: string;
  readonly value: string;
  readonly purpose: Purpose;
  readonly kernelName: string;
  /** The interleave position an endpoint decoder write is for; undefined for the region's writes. */
  readonly position?: number;
}

/** `cxl_region/bind` ← the region: its dax region appears (the last write of a creation; adopt's only one). */
export function cxlBindWrite(region: string): CxlCreateWrite {
  return { path: `${DRIVER}/bind`, value: region, purpose: 'bind', kernelName: region };
}

/**
 * The writes that make a CXL RAM region, in the order the kernel needs (docs/cxl.md, measured by
 * test/vm/scripts/cxl-region-2way.sh): per position its endpoint decoder's `mode` ← ram and
 * `dpa_size` ← size ÷ ways; then the window's `create_ram_region` ← the name it offers,
 * `interleave_granularity`, `interleave_ways`, `size`, `targetN`, `commit` ← 1, and the bind. One
 * sequence for the planner (which runs each write through the model) and the boot-time restorer
 * (persist/restorer.ts, which names at boot the decoders of the memdevs it finds by serial).
 */
export function cxlCreateWrites(o: {
  readonly window: string;
  readonly region: string;
  /** The endpoint decoder at each interleave position. */
  readonly decoders: readonly string[];
  readonly granularity: number;
  readonly size: bigint;
}): CxlCreateWrite[] {
  const ways = o.decoders.length;
  const share = ways > 0 ? o.size / BigInt(ways) : 0n;
  const out: CxlCreateWrite[] = [];
  o.decoders.forEach((d, position) => {
    out.push({ path: `${BUS}/${d}/mode`, value: 'ram', purpose: 'create', kernelName: d, position });
    out.push({ path: `${BUS}/${d}/dpa_size`, value: String(share), purpose: 'size', kernelName: d, position });
  });
  const k = o.region;
  const reg = `${BUS}/${k}`;
  out.push({ path: `${BUS}/${o.window}/create_ram_region`, value: k, purpose: 'create', kernelName: k });
  out.push({ path: `${reg}/interleave_granularity`, value: String(o.granularity), purpose: 'create', kernelName: k });
  out.push({ path: `${reg}/interleave_ways`, value: String(ways), purpose: 'create', kernelName: k });
  out.push({ path: `${reg}/size`, value: String(o.size), purpose: 'size', kernelName: k });
  o.decoders.forEach((d, i) => out.push({ path: `${reg}/target${i}`, value: d, purpose: 'create', kernelName: k }));
  out.push({ path: `${reg}/commit`, value: '1', purpose: 'create', kernelName: k });
  out.push(cxlBindWrite(k));
  return out;
}

/** Plans the host's `cxl region`s through the model; run before the dax planner (planner.ts). */
export function planCxl(
  model: KernelModel,
  facts: HostFacts,
  regions: readonly LayoutRegion[],
  options: { readonly prune: boolean } = { prune: false },
): CxlPlan {
  return new CxlPlanner(model, facts, options.prune).run(regions);
}

/** The dax plan with the CXL plan in front: its writes ran through the model first, so they come first. */
export function withCxl(plan: Plan, cxl: CxlPlan): Plan {
  if (cxl.regions.size === 0) return plan;
  plan.steps.unshift(...cxl.steps);
  plan.failures.unshift(...cxl.failures);
  plan.refusals.unshift(...cxl.refusals);
  plan.cxl = cxl.regions;
  plan.unlistedCxl = cxl.unlisted;
  return plan;
}
