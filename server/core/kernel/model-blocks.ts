// The kernel model's memory blocks: hot-add (add_memory_driver_managed), onlining and
// offlining through memoryN/state and /online, zones, memmap pins, auto_online_blocks —
// kept as runs (blocks.ts), so a write to a stretch of blocks costs the runs it meets, not
// the blocks (docs/kernel-model.md, "Cost").

import { rangesCount, rangesHas, rangesMinus, type BlockRun, type IndexRanges } from './blocks';
import { kstrtobool, sysfsStreq } from './kstrto';
import { BLOCK_STATES, ModelBase, NO_FILE, OK, err, unmodelled, type OnlineType, type WriteResult } from './model-base';
import type { MemmapPlacement } from './state';
import { has } from './version';

export class BlockModel extends ModelBase {
  /** add_memory_driver_managed: new blocks, onlined per auto_online_blocks (or as `online` says). */
  protected addMemory(start: bigint, end: bigint, node: number, online: OnlineType = this.state.autoOnline): void {
    const bs = this.state.blockSize;
    const first = Number(start / bs);
    const last = Number(end / bs);
    // sparse_add_section allocates the new blocks' memmap on their node: in its online
    // kernel-zone memory if there is any (ZONE_MOVABLE cannot take it), else elsewhere.
    const hosts = this.state.blocks
      .all()
      .filter((r) => r.node === node && r.state === 'online' && r.zone === 'Normal')
      .map((r) => ({ first: r.first, last: r.last }));
    if (hosts.length) this.state.memmapPlacements?.push({ hosts, blocks: [{ first, last }] });
    this.state.blocks.add(first, last, { state: 'offline', zone: undefined, node, removable: true });
    this.state.pendingOnline?.clear(first, last); // new memory_block devices record no type
    // Each block is onlined as it is added, in ascending order (online_memory_block per block).
    if (online !== 'offline') this.onlineRun(first, last, node, online);
  }

  /** The memory blocks in the byte range [start, end], as runs (blocks that do not exist left out). */
  blockRunsIn(start: bigint, end: bigint): BlockRun[] {
    const bs = this.state.blockSize;
    return this.state.blocks.slice(Number(start / bs), Number(end / bs));
  }

  /**
   * The same write to `memoryN/ATTR` for every N in [first, last], in ascending order, as that
   * many `echo`s would do it — at the cost of the runs involved, not of the blocks. Returns the
   * result of each stretch of blocks whose writes got the same answer, ascending.
   */
  writeBlockRun(first: number, last: number, attr: string, value: string): BlockRunResult[] {
    const out: BlockRunResult[] = [];
    let i = first;
    this.work++;
    while (i <= last) {
      this.work++;
      const chunk = this.blockChunk(i, last, attr, value);
      const result = chunk.result;
      // An unmodelled answer names its block: one block at a time (those writes change nothing).
      const end = result.kind === 'unmodelled' ? i : chunk.end;
      const prev = out[out.length - 1];
      if (prev && prev.last + 1 === i && sameResult(prev.result, result)) out[out.length - 1] = { ...prev, last: end };
      else out.push({ first: i, last: end, result });
      i = end + 1;
    }
    return out;
  }

  /**
   * Writes to blocks i.. as long as every one of them gets the same answer; returns the last
   * block written and that answer. Single-block writes are the case `end === i`.
   */
  protected blockChunk(i: number, last: number, attr: string, value: string): { end: number; result: WriteResult } {
    const blocks = this.state.blocks;
    const block = blocks.get(i);
    if (!block) {
      // Missing blocks answer alike up to the next existing block or the next region edge.
      const next = blocks.slice(i, last)[0]?.first ?? last + 1;
      return { end: Math.min(next - 1, this.regionEdgeAfter(i) - 1, last), result: this.blockAttr(i, attr, value) };
    }
    const run = blocks.slice(i, last)[0] as BlockRun;
    const end = run.last;
    if (attr !== 'state' && attr !== 'online') return { end, result: otherBlockAttr(attr) };
    if (value === '') return { end, result: OK }; // no bytes: sysfs_kf_write never calls the store
    let target: OnlineType;
    if (attr === 'state') {
      const type = BLOCK_STATES.find((s) => sysfsStreq(value, s));
      if (!type) return { end, result: err('EINVAL') };
      if (type !== 'offline' && block.state === 'online') {
        // state_store recorded the type before device_online found the block online
        this.state.pendingOnline?.set(i, end, type);
        return { end, result: err('EINVAL') };
      }
      if (type === 'offline' && block.state === 'offline') return { end, result: err('EINVAL') };
      target = type;
    } else {
      const v = kstrtobool(value);
      if (!v.ok) return { end, result: err(v.errno) };
      if (v.value !== (block.state === 'offline')) return { end, result: OK }; // already so: nothing to do
      if (!v.value) target = 'offline';
      else {
        // online_store leaves the type to memory_subsys_online: one a refused `state` write
        // left recorded, else MMOP_ONLINE
        const p = this.state.pendingOnline?.at(i, end) ?? { type: undefined, end };
        this.onlineRun(i, p.end, block.node, p.type ?? 'online');
        return { end: p.end, result: OK };
      }
    }
    if (target === 'offline') {
      // 6.18+: a kernel-zone block may hold unmovable pages (measured EBUSY; 6.12: ok)
      if (block.state === 'online' && block.zone !== 'Movable' && has(this.version, 'kernelZoneOfflineUnpredictable')) {
        return {
          end,
          result: unmodelled(
            `memory${i} is online in the ${block.zone ?? 'kernel'} zone: on Linux 6.18 and later offlining it may be refused (EBUSY, unmovable pages); where the page allocator put them is not modelled`,
          ),
        };
      }
      // The memmap pins answer alike between the edges of the kernel-zone runs that hold one.
      const stop = Math.min(end, this.pinEdgeAfter(i) - 1);
      const pinned = this.memmapPinned(i);
      if (pinned) return { end: stop, result: pinned };
      blocks.setState(i, stop, 'offline', undefined);
      return { end: stop, result: OK };
    }
    this.onlineRun(i, end, block.node, target);
    return { end, result: OK };
  }

  /** The first block index after `i` where "wholly inside a dax region" can change. */
  protected regionEdgeAfter(i: number): number {
    const bs = this.state.blockSize;
    let edge = Infinity;
    for (const r of this.state.regions) {
      const lo = Number((r.start + bs - 1n) / bs);
      const hi = Number((r.end + 1n) / bs); // first block past the region's whole blocks
      for (const e of [lo, hi]) if (e > i && e < edge) edge = e;
    }
    return edge;
  }

  protected blockAttr(index: number, attr: string, value: string): WriteResult {
    const block = this.state.blocks.get(index);
    if (!block) {
      // A block wholly inside a dax region is never boot memory: without a kmem hot-add its
      // memoryN directory does not exist.
      const bs = this.state.blockSize;
      const first = BigInt(index) * bs;
      if (this.state.regions.some((r) => first >= r.start && first + bs - 1n <= r.end)) return err('ENOENT');
      return unmodelled(
        `memory${index} is not memory of a dax device in the facts; the model does not predict boot memory`,
      );
    }
    return attr === 'state' || attr === 'online'
      ? this.blockChunk(index, index, attr, value).result
      : otherBlockAttr(attr);
  }

  /** Placements whose memmap is still in use (some of their hot-added blocks are present). */
  protected livePlacements(): MemmapPlacement[] {
    return (this.state.memmapPlacements ?? []).filter((p) => p.blocks.length > 0);
  }

  /**
   * offline_pages of a kernel-zone block holding the memmap of blocks hot-added later: the
   * struct pages are unmovable, so EBUSY (both 6.1 and 6.12). When the node had several
   * kernel-zone blocks online at the hot-add, which one the page allocator used is not modelled.
   */
  protected memmapPinned(index: number): WriteResult | undefined {
    const live = this.livePlacements().filter((p) => rangesHas(p.hosts, index));
    if (live.some((p) => rangesCount(p.hosts) === 1)) return err('EBUSY');
    const p = live[0];
    if (p) {
      const node = this.state.blocks.get(index)?.node;
      return unmodelled(
        `memory${index}: the memmap of memory${p.blocks[0]?.first}… (hot-added while several kernel-zone blocks of node ${node} were online) lies in one of ${describeRanges(p.hosts)}; which one is not modelled`,
      );
    }
    return undefined;
  }

  /** The first block index after `i` where memmapPinned can answer differently. */
  protected pinEdgeAfter(i: number): number {
    let edge = Infinity;
    for (const p of this.livePlacements()) {
      for (const h of p.hosts) for (const e of [h.first, h.last + 1]) if (e > i && e < edge) edge = e;
    }
    return edge;
  }

  /** Hot-removed blocks free their memmap. */
  protected freeMemmap(first: number, last: number): void {
    const list = this.state.memmapPlacements;
    if (!list) return;
    for (const p of list) p.blocks = rangesMinus(p.blocks, first, last);
    for (let i = list.length - 1; i >= 0; i--) if ((list[i] as MemmapPlacement).blocks.length === 0) list.splice(i, 1);
  }

  /**
   * online_pages of the offline blocks [first, last] of one node, one block after the other
   * (mm/memory_hotplug.c zone_for_pfn_range, contig-zones policy). `online` picks the zone whose
   * span holds the block when exactly one does, else the kernel zone; each onlined block widens
   * its zone's span for the next. Done in stretches between the span edges, so the cost follows
   * the number of edges, not of blocks.
   */
  protected onlineRun(first: number, last: number, node: number, type: Exclude<OnlineType, 'offline'>): void {
    this.state.pendingOnline?.clear(first, last); // memory_subsys_online: online_type = MMOP_OFFLINE after
    if (type !== 'online') {
      this.state.blocks.setState(first, last, 'online', type === 'online_movable' ? 'Movable' : 'Normal');
      return;
    }
    const spans = { Normal: this.zoneSpan(node, 'Normal'), Movable: this.zoneSpan(node, 'Movable') };
    const within = (s: Span | undefined, x: number) => s !== undefined && s.lo <= x && x <= s.hi;
    let prev: 'Normal' | 'Movable' | undefined;
    let i = first;
    while (i <= last) {
      const inKernel = within(spans.Normal, i);
      const inMovable = within(spans.Movable, i);
      const zone = inKernel !== inMovable ? (inKernel ? 'Normal' : 'Movable') : 'Normal';
      let j = i;
      if (zone === prev) {
        // Block i-1 went to this zone: up to the next span edge every block decides alike
        // (this zone's span reaches block x iff it reached it before the run; the other
        // zone's span does not move).
        let edge = last + 1;
        for (const s of [spans.Normal, spans.Movable]) {
          if (!s) continue;
          for (const e of [s.lo, s.hi + 1]) if (e > i && e < edge) edge = e;
        }
        j = edge - 1;
      }
      this.state.blocks.setState(i, j, 'online', zone);
      const s = spans[zone];
      spans[zone] = s ? { lo: Math.min(s.lo, i), hi: Math.max(s.hi, j) } : { lo: i, hi: j };
      prev = zone;
      i = j + 1;
    }
  }

  /** The lowest and highest online block of a node's zone. */
  protected zoneSpan(node: number, zone: 'Normal' | 'Movable'): Span | undefined {
    let span: Span | undefined;
    this.work += this.state.blocks.all().length;
    for (const r of this.state.blocks.all()) {
      if (r.node !== node || r.state !== 'online' || r.zone !== zone) continue;
      span = span ? { lo: Math.min(span.lo, r.first), hi: Math.max(span.hi, r.last) } : { lo: r.first, hi: r.last };
    }
    return span;
  }

  /** auto_online_blocks_store (drivers/base/memory.c). */
  protected autoOnlineStore(value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const type = BLOCK_STATES.find((s) => sysfsStreq(value, s));
    if (!type) return err('EINVAL');
    this.state.autoOnline = type;
    return OK;
  }
}

/** A memory block's attributes other than `state` and `online`: read-only, or not there. */
function otherBlockAttr(attr: string): WriteResult {
  switch (attr) {
    case 'valid_zones':
    case 'phys_index':
    case 'phys_device':
    case 'removable':
      return err('EACCES');
    default:
      return err(NO_FILE);
  }
}

interface Span {
  readonly lo: number;
  readonly hi: number;
}

/** The answer to a write to a stretch of memory blocks [first, last]. */
export interface BlockRunResult {
  readonly first: number;
  readonly last: number;
  readonly result: WriteResult;
}

function sameResult(a: WriteResult, b: WriteResult): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'errno') return b.kind === 'errno' && a.errno === b.errno;
  if (a.kind === 'unmodelled') return b.kind === 'unmodelled' && a.reason === b.reason;
  return true;
}

/** `memory4, memory7…memory9` */
function describeRanges(rs: IndexRanges): string {
  return rs.map((r) => (r.first === r.last ? `memory${r.first}` : `memory${r.first}…memory${r.last}`)).join(', ');
}
