// The kernel model's ground floor: what every kind of write shares — the state, the work
// budget, device lookup by name, the iomem reservations, the unbound devices and the
// drivers' new_id lists — and the answers a write gets (WriteResult). The layers above it:
// memory blocks (model-blocks.ts), drivers (model-drivers.ts), device ranges (model-ranges.ts)
// and the sysfs paths (model.ts, KernelModel). See docs/kernel-model.md.

import type { DriverName } from '../host-facts';
import type { Reservation, SimDevice, SimState } from './state';
import type { Errno } from './tables';

export type WriteResult =
  | { kind: 'ok' }
  | { kind: 'errno'; errno: Errno }
  /** The model does not know what the kernel would do: never a guess. */
  | { kind: 'unmodelled'; reason: string };

export const OK: WriteResult = { kind: 'ok' };
export const err = (errno: Errno): WriteResult => ({ kind: 'errno', errno });
export const unmodelled = (reason: string): WriteResult => ({ kind: 'unmodelled', reason });

export const BLOCK_STATES = ['offline', 'online', 'online_kernel', 'online_movable'] as const;
export type OnlineType = (typeof BLOCK_STATES)[number];
/**
 * A shell's `>` opens with O_CREAT: a missing attribute in an existing sysfs directory cannot be
 * created, and the open fails with EACCES (seen on 6.1 and 6.12). ENOENT only when a directory
 * on the way is missing.
 */
export const NO_FILE: Errno = 'EACCES';
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * Units of work a model may do before a plan stops short (about a second of simulation on a busy
 * machine). A unit is one write, one allocation visited while growing, one run of memory blocks
 * visited. Real layouts use a few thousand per host; only layouts with tens of thousands of
 * devices in one region come near it.
 */
export const DEFAULT_WORK_BUDGET = 20_000_000;

export class ModelBase {
  readonly state: SimState;

  /** Units of work done so far (see DEFAULT_WORK_BUDGET). Deterministic: no clock. */
  work = 0;

  readonly budget: number;

  constructor(state: SimState, budget = DEFAULT_WORK_BUDGET) {
    this.state = state;
    this.budget = budget;
  }

  /** The model has done more work than its budget allows: a planner stops here. */
  get exhausted(): boolean {
    return this.work > this.budget;
  }

  get version() {
    return this.state.version;
  }

  /** The granule every size and mapping length must be a multiple of. */
  granule(dev: SimDevice): bigint {
    const compat = this.state.arch.compatAlign.value;
    return dev.align > compat ? dev.align : compat;
  }

  findDevice(name: string): SimDevice | undefined {
    // `daxR.N` with plain decimal R and N (what the kernel names devices).
    if (!name.startsWith('dax')) return undefined;
    const dot = name.indexOf('.', 3);
    if (dot < 4 || dot === name.length - 1) return undefined;
    const r = name.slice(3, dot);
    const n = name.slice(dot + 1);
    if (!DECIMAL.test(r) || !DECIMAL.test(n)) return undefined;
    const rid = Number(r);
    for (const region of this.state.regions) if (region.id === rid) return region.devices.get(Number(n));
    return undefined;
  }

  /** A device looked up the way bus_find_device_by_name does (trailing newline ok). */
  protected busDevice(buf: string): SimDevice | undefined {
    const name = buf.endsWith('\n') ? buf.slice(0, -1) : buf;
    return this.findDevice(name);
  }

  /** Every device without a driver (kept as devices are created, deleted, bound and unbound). */
  protected unboundDevices(): Set<SimDevice> {
    if (!this.unbound) {
      this.unbound = new Set();
      for (const region of this.state.regions)
        for (const dev of region.devices.values()) if (!dev.driver) this.unbound.add(dev);
    }
    return this.unbound;
  }

  protected unbound: Set<SimDevice> | undefined;

  /** The driver's new_id list as a set (kept beside the state's ordered list). */
  protected idSet(drv: DriverName): Set<string> {
    let set = this.idSets.get(drv);
    if (!set) this.idSets.set(drv, (set = new Set(this.state.driverIds[drv])));
    return set;
  }

  protected readonly idSets = new Map<DriverName, Set<string>>();

  /**
   * Whether [start, end] overlaps an iomem reservation. Reservations never overlap each other
   * (each is taken only where nothing is reserved), so the index sorted by start answers with
   * the one neighbour on each side.
   */
  protected reserved(start: bigint, end: bigint): boolean {
    const idx = this.reservationIndex();
    const at = reservationAt(idx, start);
    const before = idx[at - 1];
    const after = idx[at];
    return (before !== undefined && before.end >= start) || (after !== undefined && after.start <= end);
  }

  /** The reservations sorted by start (built from the state once, then kept). */
  protected reservationIndex(): Reservation[] {
    if (!this.resIndex)
      this.resIndex = [...this.state.reservations].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    return this.resIndex;
  }

  protected resIndex: Reservation[] | undefined;

  protected reserve(r: Reservation): void {
    this.state.reservations.push(r);
    const idx = this.reservationIndex();
    idx.splice(reservationAt(idx, r.start), 0, r);
  }

  protected unreserve(r: Reservation): void {
    const res = this.state.reservations;
    const i = res.indexOf(r);
    if (i >= 0) res.splice(i, 1);
    const idx = this.reservationIndex();
    const j = idx.indexOf(r, Math.max(0, reservationAt(idx, r.start) - 1));
    if (j >= 0) idx.splice(j, 1);
  }
}

/** Position of the first reservation starting at or after `start`. */
function reservationAt(idx: readonly Reservation[], start: bigint): number {
  let lo = 0;
  let hi = idx.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((idx[mid] as Reservation).start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
