// What a plan is: the ordered sysfs writes an apply performs, grouped in steps, with what the
// kernel would refuse (failures), what the planner will not do (refusals) and where each layout
// device ends up. Built by the planner (planner.ts); read by the rules, the views and apply.

import type { ColourPlacement } from '../colour/stripes';
import type { DriverName, MemorySideCacheFacts } from '../host-facts';
import type { WriteResult } from '../kernel/model';
import type { SimDevice, SimRegion } from '../kernel/state';
import type { Errno } from '../kernel/tables';
import type { LayoutDevice, LayoutRegion } from '../layout/types';
import type { CxlRegionPlan, UnlistedCxlRegion } from './cxl';
import type { Settle } from './settle';

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
  /**
   * What the kernel may finish after this write returns, which apply waits for before the next
   * write (settle.ts): the dax device a CXL region's bind makes.
   */
  readonly settle?: Settle;
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
  /** CXL regions of the host the layout does not declare: kept, or torn down with `--prune` (plan/cxl.ts). */
  unlistedCxl?: UnlistedCxlRegion[];
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
