// Waiting for what a write starts in the background. The model applies a write and everything it
// causes at once; a real kernel may finish part of it after the write has returned. Measured
// (docs/cxl.md, "The region's dax device settles after the bind"): on 7.3.4 binding a CXL region to
// `cxl_region` returns before its dax region is probed — `drivers/dax/cxl.c` registers
// `cxl_dax_region_driver` with `probe_type = PROBE_PREFER_ASYNCHRONOUS` ("dax: add
// PROBE_PREFER_ASYNCHRONOUS to the cxl driver", 2025) — so `daxN.0`, its kmem binding and its
// memory blocks appear up to seconds later; on 6.12.118 they are there when the write returns.
// A plan attaches a `Settle` to such a write: apply waits, bounded, until the host is in the state
// the model predicts for the device, and fails the write with the reason when it is not.

import type { DriverName } from '../host-facts';
import type { KernelModel } from '../kernel/model';
import { deviceName, hotplugRange } from '../kernel/state';

/** What must be true on the host before the next write: the device, its driver, its memory blocks. */
export interface Settle {
  /** The dax device the write makes (`dax0.0`). */
  readonly device: string;
  /** The driver the model binds it to at once. */
  readonly driver: DriverName | null;
  /** The memory blocks kmem adds for it (memoryFIRST … memoryLAST must exist). */
  readonly blocks?: { readonly first: number; readonly last: number };
  /** Seconds to wait before the write counts as failed. */
  readonly timeoutS: number;
}

/**
 * How long apply waits for a CXL region's dax device. Measured under TCG on a busy host: 7.3.4
 * took 0.1 s to create and bind `dax0.0` and 1.5 s to add its 16 memory blocks (2 GiB); a large
 * expander adds far more blocks, so the bound is generous.
 */
export const SETTLE_TIMEOUT_S = 120;

/** The settle for the dax region `id` the model made on a bind: its device 0 as the model has it. */
export function settleAfterBind(model: KernelModel, id: number): Settle | undefined {
  const region = model.state.regions.find((r) => r.id === id);
  const dev = region?.devices.get(0);
  if (!dev) return undefined;
  let blocks: Settle['blocks'];
  if (dev.driver === 'kmem') {
    const bs = model.state.blockSize;
    const spans = dev.ranges.map((r) => hotplugRange(r.start, r.end, bs)).filter((u) => u !== undefined);
    const first = spans[0];
    const last = spans[spans.length - 1];
    if (first && last) blocks = { first: Number(first.start / bs), last: Number(last.end / bs) };
  }
  return { device: deviceName(dev), driver: dev.driver, ...(blocks ? { blocks } : {}), timeoutS: SETTLE_TIMEOUT_S };
}

/** What the wait checks, as people read it (plan text, the failure of a timed-out wait). */
export function settleText(s: Settle): string {
  const what = [
    s.driver ? `bound to ${s.driver}` : 'present',
    ...(s.blocks ? [`memory${s.blocks.first}-memory${s.blocks.last} added`] : []),
  ].join(', ');
  return `${s.device} ${what} (up to ${s.timeoutS} s)`;
}

/**
 * The POSIX sh function that waits (shell builtins and `sleep` only; `$R` is the sysfs root):
 * `settle TIMEOUT DEVICE DRIVER FIRST LAST` (DRIVER `-` for none, FIRST and LAST `-` for no
 * blocks) returns 0 as soon as the device exists, is bound to DRIVER and every block's `state`
 * exists, checking once a second; 1 after TIMEOUT seconds.
 */
export const SETTLE_SH = String.raw`settle() {
  n=0
  while :; do
    if [ -e "$R/sys/bus/dax/devices/$2" ] && { [ "$3" = - ] || [ -e "$R/sys/bus/dax/drivers/$3/$2" ]; }; then
      [ "$4" = - ] && return 0
      b=$4
      while [ "$b" -le "$5" ] && [ -e "$R/sys/devices/system/memory/memory$b/state" ]; do b=$((b + 1)); done
      [ "$b" -gt "$5" ] && return 0
    fi
    [ "$n" -ge "$1" ] && return 1
    n=$((n + 1))
    sleep 1
  done
}`;

/** The arguments of `settle` for `s` (numbers and names only; apply checks them again). */
export function settleArgs(s: Settle): string {
  return `${s.timeoutS} ${s.device} ${s.driver ?? '-'} ${s.blocks ? `${s.blocks.first} ${s.blocks.last}` : '- -'}`;
}
