// Memory blocks as runs. A host's memory blocks (`/sys/devices/system/memory/memoryN`) are kept
// as maximal runs of consecutive indices that share node, state, zone and removability, so the
// model's cost follows the number of runs (what the layout and the writes make), never the
// number of blocks (what the memory size and the block size make): a 2 TiB kmem device in
// 128 MiB blocks is one run of 16 384 blocks, not 16 384 entries.
//
// Invariants (checked by test/kernel/blocks.test.ts):
//   1. runs are sorted by `first`, do not overlap, and have first <= last;
//   2. two runs that touch (a.last + 1 === b.first) differ in node, state, zone or removable
//      (so the representation of a set of blocks is unique);
//   3. an offline block has no zone.
// Reads that hand out one block (`get`, `values`) return fresh objects: changing one changes
// nothing in the model. Changes go through `add`, `remove` and `setState`.

import type { Zone } from '../host-facts';

export type BlockState = 'online' | 'offline';

/** One memory block as the model sees it (a read-only view). */
export interface SimBlock {
  readonly index: number;
  readonly state: BlockState;
  readonly zone: Zone | undefined;
  readonly node: number;
  readonly removable: boolean;
}

/** A run of consecutive memory blocks that are alike. */
export interface BlockRun {
  readonly first: number;
  /** Inclusive. */
  readonly last: number;
  readonly state: BlockState;
  readonly zone: Zone | undefined;
  readonly node: number;
  readonly removable: boolean;
}

type Attrs = Omit<BlockRun, 'first' | 'last'>;

const alike = (a: Attrs, b: Attrs): boolean =>
  a.node === b.node && a.state === b.state && a.zone === b.zone && a.removable === b.removable;

/** The number of blocks in a run. */
export const runLength = (r: { first: number; last: number }): number => r.last - r.first + 1;

/** Inclusive index intervals, sorted and disjoint: a set of block indices. */
export type IndexRanges = readonly { readonly first: number; readonly last: number }[];

export function rangesCount(rs: IndexRanges): number {
  let n = 0;
  for (const r of rs) n += runLength(r);
  return n;
}

export function rangesHas(rs: IndexRanges, index: number): boolean {
  let lo = 0;
  let hi = rs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = rs[mid] as IndexRanges[number];
    if (index < r.first) hi = mid - 1;
    else if (index > r.last) lo = mid + 1;
    else return true;
  }
  return false;
}

/** `rs` without the indices in [first, last]. */
export function rangesMinus(rs: IndexRanges, first: number, last: number): { first: number; last: number }[] {
  const out: { first: number; last: number }[] = [];
  for (const r of rs) {
    if (r.last < first || r.first > last) {
      out.push({ first: r.first, last: r.last });
      continue;
    }
    if (r.first < first) out.push({ first: r.first, last: first - 1 });
    if (r.last > last) out.push({ first: last + 1, last: r.last });
  }
  return out;
}

export class BlockRuns {
  private runs: BlockRun[] = [];
  private count = 0;

  /** Builds runs from single blocks in any order (a later block with the same index wins). */
  static of(blocks: Iterable<SimBlock>): BlockRuns {
    const sorted = [...blocks].sort((a, b) => a.index - b.index);
    const out = new BlockRuns();
    for (const b of sorted)
      out.add(b.index, b.index, {
        state: b.state,
        zone: b.state === 'online' ? b.zone : undefined,
        node: b.node,
        removable: b.removable,
      });
    return out;
  }

  /** How many blocks there are. */
  get size(): number {
    return this.count;
  }

  /** The runs, ascending. */
  all(): readonly BlockRun[] {
    return this.runs;
  }

  /** Position of the first run whose `last` is >= index. */
  private lowerBound(index: number): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.runs[mid] as BlockRun).last < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(index: number): SimBlock | undefined {
    const r = this.runs[this.lowerBound(index)];
    if (!r || r.first > index) return undefined;
    return { index, state: r.state, zone: r.zone, node: r.node, removable: r.removable };
  }

  has(index: number): boolean {
    const r = this.runs[this.lowerBound(index)];
    return r !== undefined && r.first <= index;
  }

  /** The runs clipped to [first, last], ascending (gaps left out). */
  slice(first: number, last: number): BlockRun[] {
    const out: BlockRun[] = [];
    if (last < first) return out;
    for (let i = this.lowerBound(first); i < this.runs.length; i++) {
      const r = this.runs[i] as BlockRun;
      if (r.first > last) break;
      out.push({ ...r, first: Math.max(r.first, first), last: Math.min(r.last, last) });
    }
    return out;
  }

  /** Every block, ascending (for facts and small tests: this is per block). */
  *values(): IterableIterator<SimBlock> {
    for (const r of this.runs) {
      for (let i = r.first; i <= r.last; i++)
        yield { index: i, state: r.state, zone: r.zone, node: r.node, removable: r.removable };
    }
  }

  *keys(): IterableIterator<number> {
    for (const r of this.runs) for (let i = r.first; i <= r.last; i++) yield i;
  }

  /** Sets [first, last] to `attrs`, adding the blocks that are missing. */
  add(first: number, last: number, attrs: Attrs): void {
    if (last < first) return;
    this.replace(first, last, { ...attrs, zone: attrs.state === 'online' ? attrs.zone : undefined });
  }

  /** Removes the blocks in [first, last]. */
  remove(first: number, last: number): void {
    if (last < first) return;
    this.replace(first, last, undefined);
  }

  /** Changes the state (and zone) of the existing blocks in [first, last]; missing ones stay missing. */
  setState(first: number, last: number, state: BlockState, zone: Zone | undefined): void {
    for (const r of this.slice(first, last))
      this.replace(r.first, r.last, {
        node: r.node,
        removable: r.removable,
        state,
        zone: state === 'online' ? zone : undefined,
      });
  }

  /** Replaces whatever lies in [first, last] with one run of `attrs` (or nothing), keeping the invariants. */
  private replace(first: number, last: number, attrs: Attrs | undefined): void {
    const at = this.lowerBound(first);
    let end = at;
    const keep: BlockRun[] = [];
    while (end < this.runs.length && (this.runs[end] as BlockRun).first <= last) {
      const r = this.runs[end] as BlockRun;
      this.count -= runLength({ first: Math.max(r.first, first), last: Math.min(r.last, last) });
      if (r.first < first) keep.push({ ...r, last: first - 1 });
      if (r.last > last) keep.push({ ...r, first: last + 1 });
      end++;
    }
    const head = keep.filter((r) => r.last < first);
    const tail = keep.filter((r) => r.first > last);
    const middle: BlockRun[] = attrs ? [{ first, last, ...attrs }] : [];
    if (attrs) this.count += last - first + 1;
    this.runs.splice(at, end - at, ...head, ...middle, ...tail);
    // Merge with the neighbours where they touch and are alike (invariant 2).
    const lo = Math.max(0, at - 1);
    const hi = Math.min(this.runs.length - 1, at + head.length + middle.length + tail.length);
    for (let i = hi; i > lo; i--) {
      const a = this.runs[i - 1] as BlockRun;
      const b = this.runs[i] as BlockRun;
      if (a.last + 1 === b.first && alike(a, b)) this.runs.splice(i - 1, 2, { ...a, last: b.last });
    }
  }

  clone(): BlockRuns {
    const c = new BlockRuns();
    c.runs = this.runs.slice();
    c.count = this.count;
    return c;
  }
}

/** The single blocks of some runs, ascending within each run (per block: for tests and facts). */
export function expandRuns(runs: readonly BlockRun[]): SimBlock[] {
  const out: SimBlock[] = [];
  for (const r of runs)
    for (let i = r.first; i <= r.last; i++)
      out.push({ index: i, state: r.state, zone: r.zone, node: r.node, removable: r.removable });
  return out;
}
