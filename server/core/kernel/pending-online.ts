// The online type a memory block keeps after a refused `state` write (drivers/base/memory.c):
// `state_store` records the requested type in the block's `online_type` before `device_online`,
// and when the block is already online `device_online` does nothing and the write answers
// EINVAL — the type stays recorded. `memory_subsys_online` uses a recorded type for the next
// online that does not set one itself (`online` ← 1) and clears it after every online. Measured
// on 6.12.118, 6.18.15, 7.2.12 and 7.3.4 (docs/fidelity.md, finding 15): `echo online_movable >
// state` on an online block (EINVAL), offline it, `echo 1 > online` → ZONE_MOVABLE, where the
// zone spans alone would give the kernel zone. Hidden state: nothing in sysfs shows it.
//
// Kept as sorted, disjoint ranges of block indices, so a refused write over a 16 384-block run
// costs one entry, not one per block.

export type PendingType = 'online' | 'online_kernel' | 'online_movable';

interface PendingRange {
  first: number;
  last: number;
  type: PendingType;
}

export class PendingOnline {
  private ranges: PendingRange[] = [];

  /** Blocks first..last keep `type` (a later record overwrites). */
  set(first: number, last: number, type: PendingType): void {
    this.clear(first, last);
    const at = this.ranges.findIndex((r) => r.first > last);
    this.ranges.splice(at < 0 ? this.ranges.length : at, 0, { first, last, type });
  }

  /** Blocks first..last keep nothing (onlined, or added anew). */
  clear(first: number, last: number): void {
    const out: PendingRange[] = [];
    for (const r of this.ranges) {
      if (r.last < first || r.first > last) out.push(r);
      else {
        if (r.first < first) out.push({ first: r.first, last: first - 1, type: r.type });
        if (r.last > last) out.push({ first: last + 1, last: r.last, type: r.type });
      }
    }
    this.ranges = out;
  }

  /** The type block `i` keeps, and the last block from `i` on that keeps the same (at most `last`). */
  at(i: number, last: number): { type: PendingType | undefined; end: number } {
    for (const r of this.ranges) {
      if (r.last < i) continue;
      if (r.first > i) return { type: undefined, end: Math.min(last, r.first - 1) };
      return { type: r.type, end: Math.min(last, r.last) };
    }
    return { type: undefined, end: last };
  }
}
