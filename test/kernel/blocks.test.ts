// Memory blocks as runs (server/core/kernel/blocks.ts): the run store keeps its invariants, and
// a write to a run of blocks (KernelModel.writeBlockRun, what the planner uses) answers and
// changes the state exactly as the same write sent block by block (KernelModel.write, what the
// real kernel gets and what the real-kernel suites check). The per-block side is the oracle.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HostFacts, MemoryBlockFacts, Zone } from '../../server/core/host-facts';
import { BlockRuns, expandRuns, type BlockRun } from '../../server/core/kernel/blocks';
import { KernelModel, type WriteResult } from '../../server/core/kernel/model';
import { BLOCK_SIZE, R61, R612, hmemHost } from './hosts';

function checkInvariants(b: BlockRuns): void {
  const runs = b.all();
  let n = 0;
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i] as BlockRun;
    expect(r.first).toBeLessThanOrEqual(r.last);
    if (r.state === 'offline') expect(r.zone).toBeUndefined();
    n += r.last - r.first + 1;
    const prev = runs[i - 1];
    if (!prev) continue;
    expect(prev.last).toBeLessThan(r.first);
    if (prev.last + 1 === r.first) {
      const same =
        prev.node === r.node && prev.state === r.state && prev.zone === r.zone && prev.removable === r.removable;
      expect(same, `runs ${prev.first}-${prev.last} and ${r.first}-${r.last} touch and are alike`).toBe(false);
    }
  }
  expect(b.size).toBe(n);
}

type Op =
  | { kind: 'add'; first: number; len: number; node: number; state: 'online' | 'offline'; zone: Zone }
  | { kind: 'remove'; first: number; len: number }
  | { kind: 'set'; first: number; len: number; state: 'online' | 'offline'; zone: Zone };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    first: fc.integer({ min: 0, max: 60 }),
    len: fc.integer({ min: 1, max: 12 }),
    node: fc.integer({ min: 0, max: 1 }),
    state: fc.constantFrom('online' as const, 'offline' as const),
    zone: fc.constantFrom<Zone>('Normal', 'Movable'),
  }),
  fc.record({
    kind: fc.constant('remove' as const),
    first: fc.integer({ min: 0, max: 60 }),
    len: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    first: fc.integer({ min: 0, max: 60 }),
    len: fc.integer({ min: 1, max: 12 }),
    state: fc.constantFrom('online' as const, 'offline' as const),
    zone: fc.constantFrom<Zone>('Normal', 'Movable'),
  }),
);

describe('BlockRuns', () => {
  it('agrees with a map of single blocks under random adds, removes and state changes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const runs = new BlockRuns();
        const map = new Map<number, { state: string; zone: Zone | undefined; node: number }>();
        for (const o of ops) {
          const last = o.first + o.len - 1;
          if (o.kind === 'add') {
            runs.add(o.first, last, { state: o.state, zone: o.zone, node: o.node, removable: true });
            for (let i = o.first; i <= last; i++)
              map.set(i, { state: o.state, zone: o.state === 'online' ? o.zone : undefined, node: o.node });
          } else if (o.kind === 'remove') {
            runs.remove(o.first, last);
            for (let i = o.first; i <= last; i++) map.delete(i);
          } else {
            runs.setState(o.first, last, o.state, o.zone);
            for (let i = o.first; i <= last; i++) {
              const b = map.get(i);
              if (b) map.set(i, { ...b, state: o.state, zone: o.state === 'online' ? o.zone : undefined });
            }
          }
          checkInvariants(runs);
        }
        const want = [...map.entries()].sort((a, b) => a[0] - b[0]).map(([i, b]) => [i, b.state, b.zone, b.node]);
        expect([...runs.values()].map((b) => [b.index, b.state, b.zone, b.node])).toEqual(want);
        for (let i = 0; i < 75; i++) expect(runs.has(i)).toBe(map.has(i));
        expect(expandRuns(runs.slice(10, 30)).map((b) => b.index)).toEqual(
          want.map((w) => w[0]).filter((i) => (i as number) >= 10 && (i as number) <= 30),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('holds a 2 TiB device of 128 MiB blocks as one run', () => {
    const runs = new BlockRuns();
    runs.add(1 << 20, (1 << 20) + 16383, { state: 'offline', zone: undefined, node: 1, removable: true });
    runs.setState(1 << 20, (1 << 20) + 16383, 'online', 'Movable');
    expect(runs.all()).toHaveLength(1);
    expect(runs.size).toBe(16384);
  });
});

// ------------------------------------------------------------- writeBlockRun ≡ per-block writes

/** A host whose region 0 has blocks 32..63 in kmem memory of mixed states, plus boot blocks on node 1. */
function hostWith(blocks: MemoryBlockFacts[], release: string): HostFacts {
  const f = hmemHost({ release, boot: 'kmem', size: 4n * 1024n * 1024n * 1024n });
  return { ...f, memoryBlocks: blocks };
}

const blockState = fc.record({
  state: fc.constantFrom('online' as const, 'offline' as const),
  zone: fc.constantFrom<Zone>('Normal', 'Movable'),
  node: fc.constantFrom(1, 1, 1, 0),
  present: fc.constantFrom(true, true, true, true, false),
});

const value = fc.constantFrom(
  'offline',
  'online',
  'online_movable',
  'online_kernel',
  'online\n',
  'offline\n',
  '1',
  '0',
  'y',
  'bogus',
  '',
);
const attr = fc.constantFrom('state', 'state', 'state', 'online', 'valid_zones', 'nope');

function outcome(r: WriteResult): string {
  return r.kind === 'ok' ? 'ok' : r.kind === 'errno' ? r.errno : `unmodelled: ${r.reason}`;
}

describe('KernelModel.writeBlockRun', () => {
  it('answers and changes the state exactly as the same write sent block by block', () => {
    const first = Number(0x100000000n / BLOCK_SIZE); // block 32, the region's first
    fc.assert(
      fc.property(
        fc.array(blockState, { minLength: 48, maxLength: 48 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 47 }), fc.integer({ min: 0, max: 47 }), attr, value), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 47 }),
            fc.integer({ min: 0, max: 3 }),
            fc.integer({ min: 0, max: 47 }),
            fc.integer({ min: 0, max: 3 }),
          ),
          { maxLength: 3 },
        ),
        fc.constantFrom(R61, R612),
        (states, writes, pins, release) => {
          const blocks: MemoryBlockFacts[] = [];
          states.forEach((s, i) => {
            if (!s.present) return;
            blocks.push({
              index: first - 8 + i,
              state: s.state,
              ...(s.state === 'online' ? { zone: s.zone } : {}),
              node: s.node,
              removable: true,
            });
          });
          const facts = hostWith(blocks, release);
          const bulk = KernelModel.fromFacts(facts);
          const single = KernelModel.fromFacts(facts);
          // memmap placements (hidden state made by earlier hot-adds): the same in both models
          for (const [h, hl, b, bl] of pins) {
            const p = {
              hosts: [{ first: first - 8 + h, last: first - 8 + h + hl }],
              blocks: [{ first: first - 8 + b, last: first - 8 + b + bl }],
            };
            bulk.state.memmapPlacements?.push({ ...p });
            single.state.memmapPlacements?.push({ ...p });
          }
          for (const [a, b, at, v] of writes) {
            const lo = first - 8 + Math.min(a, b);
            const hi = first - 8 + Math.max(a, b);
            const got: string[] = [];
            for (const seg of bulk.writeBlockRun(lo, hi, at, v))
              for (let i = seg.first; i <= seg.last; i++) got.push(`${i} ${outcome(seg.result)}`);
            const want: string[] = [];
            for (let i = lo; i <= hi; i++)
              want.push(`${i} ${outcome(single.write(`/sys/devices/system/memory/memory${i}/${at}`, v))}`);
            expect(got).toEqual(want);
            expect([...bulk.state.blocks.values()]).toEqual([...single.state.blocks.values()]);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('onlines a 2 TiB device of 128 MiB blocks with auto_online_blocks=online in a handful of runs', () => {
    // 16 Ki blocks hot-added and onlined one after the other; the zone spans decide each.
    const facts: HostFacts = {
      ...hmemHost({ release: R612, boot: 'devdax', size: 2n << 40n }),
      autoOnlineBlocks: 'online',
      memoryBlocks: [
        { index: 5, state: 'online', zone: 'Movable', node: 1, removable: true },
        { index: 8, state: 'online', zone: 'Normal', node: 1, removable: false },
        { index: 20000, state: 'online', zone: 'Movable', node: 1, removable: true },
      ],
    };
    const m = KernelModel.fromFacts(facts);
    expect(outcome(m.write('/sys/bus/dax/drivers/device_dax/unbind', 'dax0.0\n'))).toBe('ok');
    expect(outcome(m.write('/sys/bus/dax/drivers/kmem/new_id', 'dax0.0\n'))).toBe('ok');
    expect(m.state.blocks.size).toBe(3 + 16384);
    // Blocks 32…16415 lie inside the Movable span (5…20000) and outside the Normal one (8):
    // every one goes to Movable, and the store keeps them as one run.
    expect(m.state.blocks.all().map((r) => [r.first, r.last, r.state, r.zone])).toEqual([
      [5, 5, 'online', 'Movable'],
      [8, 8, 'online', 'Normal'],
      [32, 16415, 'online', 'Movable'],
      [20000, 20000, 'online', 'Movable'],
    ]);
    // The memmap of the hot-added blocks went to node 1's one kernel-zone block: it cannot go offline.
    expect(outcome(m.write('/sys/devices/system/memory/memory8/state', 'offline\n'))).toBe('EBUSY');
  });
});
