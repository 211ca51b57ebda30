// Property tests: random sequences of sysfs writes (create, delete, size,
// align, mapping, bind/unbind/new_id/remove_id on both drivers, memory block
// state) on 6.1 and 6.12 models. After every write the model's state must
// keep the invariants the kernel keeps (kernel-facts.md §2.2, §4, §5).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../server/core/host-facts';
import { KernelModel } from '../../server/core/kernel/model';
import { snapshot, toDaxctlJson } from '../../server/core/kernel/snapshot';
import { regionSize, type SimState } from '../../server/core/kernel/state';
import { ERRNO } from '../../server/core/kernel/tables';
import { GiB, MiB, R61, R612, hmemHost, idleRegion, linux612Boot, linux61Boot } from './hosts';
import { hex, outcome } from './session';

const D = '/sys/bus/dax/devices';
const G = '/sys/devices/platform/hmem.0/dax_region';
const DRV = '/sys/bus/dax/drivers';
const MEM = '/sys/devices/system/memory';
const M2 = 2n * MiB;

interface Write {
  path: string;
  value: string;
}

/** A model's region geometry, so that generated sizes and addresses fit it. */
interface Geometry {
  start: bigint;
  size: bigint;
  firstBlock: number;
  lastBlock: number;
}

function geometry(f: HostFacts): Geometry {
  const r = f.regions[0];
  if (!r || r.start === undefined) throw new Error('host without a region');
  const bs = f.memoryBlockSize;
  return {
    start: r.start,
    size: r.size,
    firstBlock: Number(r.start / bs),
    lastBlock: Number((r.start + r.size) / bs) - 1,
  };
}

const name = fc.oneof(
  { weight: 16, arbitrary: fc.integer({ min: 0, max: 4 }).map((i) => `dax0.${i}`) },
  { weight: 2, arbitrary: fc.integer({ min: 5, max: 7 }).map((i) => `dax0.${i}`) },
  { weight: 1, arbitrary: fc.constantFrom('dax0.9', 'dax1.0', 'dax0.01', 'dax0.1x', 'foo', '') },
);

function writes(g: Geometry): fc.Arbitrary<Write> {
  const granules = Number(g.size / M2);
  const sizeValue = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: granules }).map((k) => (BigInt(k) * M2).toString()) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 8 }).map((k) => (BigInt(k) * 128n * MiB).toString()) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: granules }).map((k) => hex(BigInt(k) * M2)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('1048576', '3145728', '4096', '12345', '-1', 'abc', '', '18446744073709551616'),
    },
  );
  const alignValue = fc.constantFrom('4096', '2097152', '1073741824', '0x200000', '12345', 'abc', '0', '536870912');
  // Starts: mostly on 2 MiB, sometimes on a page only or off by a byte, sometimes outside the region.
  const start = fc
    .tuple(fc.integer({ min: -8, max: granules + 8 }), fc.constantFrom(0n, 0n, 0n, 0n, 0n, 0n, 4096n, 1n))
    .map(([k, off]) => g.start + BigInt(k) * M2 + off);
  const length = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 96 }).map((j) => BigInt(j) * M2) },
    { weight: 1, arbitrary: fc.constantFrom(MiB, 4096n, 3n * MiB, 0n) },
  );
  const mapping = fc
    .tuple(name, start, length)
    .map(([n, s, len]): Write => ({ path: `${D}/${n}/mapping`, value: `${hex(s)}-${hex(s + len - 1n)}` }));
  const driver = fc.constantFrom('device_dax', 'kmem');
  const block = fc.integer({ min: g.firstBlock - 1, max: g.lastBlock + 1 });
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant<Write>({ path: `${G}/create`, value: '1' }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('0', '2', 'abc', '0x1', '01').map((v): Write => ({ path: `${G}/create`, value: v })),
    },
    { weight: 3, arbitrary: name.map((n): Write => ({ path: `${G}/delete`, value: n })) },
    { weight: 10, arbitrary: fc.tuple(name, sizeValue).map(([n, v]): Write => ({ path: `${D}/${n}/size`, value: v })) },
    {
      weight: 3,
      arbitrary: fc.tuple(name, alignValue).map(([n, v]): Write => ({ path: `${D}/${n}/align`, value: v })),
    },
    { weight: 5, arbitrary: mapping },
    {
      weight: 8,
      arbitrary: fc
        .tuple(driver, fc.constantFrom('bind', 'unbind', 'new_id', 'remove_id'), name)
        .map(([drv, attr, n]): Write => ({ path: `${DRV}/${drv}/${attr}`, value: n })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(name, fc.constantFrom('unbind', 'remove_id'))
        .map(([n, attr]): Write => ({ path: `${D}/${n}/driver/${attr}`, value: n })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(block, fc.constantFrom('online', 'online_movable', 'online_kernel', 'offline', 'bogus'))
        .map(([b, v]): Write => ({ path: `${MEM}/memory${b}/state`, value: v })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(name, fc.constantFrom('target_node', 'resource', 'numa_node', 'mapping0/start', 'nope'))
        .map(([n, a]): Write => ({ path: `${D}/${n}/${a}`, value: '1' })),
    },
  );
}

/** Every invariant the kernel keeps; returns the first violation or undefined. */
function violation(state: SimState): string | undefined {
  const page = state.pageSize;
  for (const r of state.regions) {
    if (!r.devices.has(0)) return `dax${r.id}.0 disappeared`;
    const all: { owner: string; start: bigint; end: bigint }[] = [];
    let used = 0n;
    for (const dev of r.devices.values()) {
      const dn = `dax${r.id}.${dev.id}`;
      if (dev.deleted) return `${dn} is deleted but still listed`;
      if (dev.id !== [...r.devices.entries()].find(([, d]) => d === dev)?.[0])
        return `${dn} is listed under another id`;
      let pgoff = 0n;
      let size = 0n;
      const ids = new Set<number>();
      for (const [i, x] of dev.ranges.entries()) {
        if (x.start > x.end) return `${dn} mapping${x.mappingId} is empty or reversed`;
        if (x.start < r.start || x.end > r.end)
          return `${dn} mapping${x.mappingId} ${hex(x.start)}-${hex(x.end)} lies outside the region`;
        // alloc_dev_dax_range: pgoff = Σ PHYS_PFN(len) of the ranges before it.
        if (x.pgoff !== pgoff) return `${dn} range ${i} has pgoff ${hex(x.pgoff)}, expected ${hex(pgoff)}`;
        if (ids.has(x.mappingId)) return `${dn} has two mapping${x.mappingId}`;
        ids.add(x.mappingId);
        const len = x.end - x.start + 1n;
        pgoff += len / page;
        size += len;
        all.push({ owner: `${dn}/mapping${x.mappingId}`, start: x.start, end: x.end });
      }
      // Every size and mapping write is a multiple of the 2 MiB compat granule, so the total is too.
      if (size % M2 !== 0n) return `${dn} size ${size} is not a multiple of 2 MiB`;
      if (dev.driver && size === 0n) return `${dn} is bound to ${dev.driver} with size 0`;
      used += size;
    }
    all.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1] as (typeof all)[number];
      const b = all[i] as (typeof all)[number];
      if (b.start <= a.end) return `${a.owner} and ${b.owner} overlap`;
    }
    const json = (toDaxctlJson(state) as { id: number; available_size?: number; devices: { size: number }[] }[]).find(
      (x) => x.id === r.id,
    );
    const listed = BigInt(json?.available_size ?? 0);
    if (listed !== regionSize(r) - used)
      return `available_size ${listed} != region size − Σ ranges = ${regionSize(r) - used}`;
    if (r.seed) {
      if (r.devices.get(r.seed.id) !== r.seed) return `seed dax${r.id}.${r.seed.id} is not a device of the region`;
      if (r.seed.driver) return `seed dax${r.id}.${r.seed.id} is bound`;
    }
    if (r.youngest && r.devices.get(r.youngest.id) !== r.youngest)
      return `youngest dax${r.id}.${r.youngest.id} is not a device of the region`;
  }
  for (const b of state.blocks.values()) {
    if ((b.state === 'online') !== (b.zone !== undefined)) return `memory${b.index} is ${b.state} with zone ${b.zone}`;
  }
  return undefined;
}

/** Everything a write can change, as one string. */
function fingerprint(state: SimState): string {
  const regions = state.regions.map((r) => ({
    seed: r.seed?.id ?? null,
    youngest: r.youngest?.id ?? null,
    devices: [...r.devices.values()].map((d) => [
      d.id,
      d.align,
      d.driver,
      d.memmapOnMemory,
      d.ranges.map((x) => [x.mappingId, x.start, x.end, x.pgoff]),
    ]),
  }));
  const blocks = [...state.blocks.values()].map((b) => [b.index, b.state, b.zone]);
  return JSON.stringify(
    { regions, blocks, ids: state.driverIds, res: state.reservations, auto: state.autoOnline },
    (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
  );
}

const HOSTS: [string, () => HostFacts][] = [
  ['6.1 boot', linux61Boot],
  ['6.12 boot', linux612Boot],
  ['6.1 idle region', () => idleRegion(R61)],
  ['6.12 idle region', () => idleRegion(R612)],
  [
    '6.12 idle region of kmem type, 512 MiB',
    () => hmemHost({ release: R612, boot: 'idle', size: 512n * MiB, kmemDefault: true }),
  ],
  ['6.1 4 GiB', () => hmemHost({ release: R61, boot: 'devdax', size: 4n * GiB })],
];

const ERRNOS = new Set(Object.keys(ERRNO));

describe.each(HOSTS)('random write sequences on %s', (_n, facts) => {
  const g = geometry(facts());

  it('keep the region and device invariants after every write, and never throw', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(writes(g), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 120, size: 'large' }),
        (steps) => {
          const m = KernelModel.fromFacts(facts());
          const log: string[] = [];
          for (const [w, nl] of steps) {
            // Mostly what `echo` writes; sometimes `echo -n` (no newline).
            const value = nl === 0 ? w.value : w.value + '\n';
            let res: string;
            const before = fingerprint(m.state);
            try {
              const r = m.write(w.path, value);
              res = outcome(r);
              if (r.kind === 'errno' && !ERRNOS.has(r.errno)) throw new Error(`unknown errno ${r.errno}`);
            } catch (e) {
              throw new Error(
                `write threw: ${(e as Error).message}\n${log.join('\n')}\necho ${nl === 0 ? '-n ' : ''}${w.value} > ${w.path}`,
              );
            }
            log.push(`echo ${nl === 0 ? '-n ' : ''}${w.value} > ${w.path} -> ${res}`);
            // A write the kernel refuses leaves everything as it was.
            if (res !== 'ok' && fingerprint(m.state) !== before)
              throw new Error(`a failed write changed the state\n${log.join('\n')}`);
            const v = violation(m.state);
            if (v) throw new Error(`${v}\n${log.join('\n')}`);
          }
          // The state read back as facts seeds a model that lists the same thing.
          const again = KernelModel.fromFacts(snapshot(m.state));
          expect(toDaxctlJson(again.state)).toEqual(toDaxctlJson(m.state));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same writes give the same outcomes and state', () => {
    fc.assert(
      fc.property(fc.array(writes(g), { minLength: 1, maxLength: 40 }), (ws) => {
        const a = KernelModel.fromFacts(facts());
        const b = KernelModel.fromFacts(facts());
        const ra = ws.map((w) => outcome(a.write(w.path, w.value + '\n')));
        const rb = ws.map((w) => outcome(b.write(w.path, w.value + '\n')));
        expect(ra).toEqual(rb);
        expect(toDaxctlJson(a.state)).toEqual(toDaxctlJson(b.state));
      }),
      { numRuns: 50 },
    );
  });
});

describe('targeted properties', () => {
  const facts = () => idleRegion(R61);
  const g = geometry(facts());
  const sizes = fc.array(
    fc.integer({ min: 0, max: 32 }).map((k) => BigInt(k) * 32n * MiB),
    { minLength: 1, maxLength: 30 },
  );

  it('a size write either succeeds and sets exactly that size, or fails and changes nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 32 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (ops) => {
          const m = KernelModel.fromFacts(facts());
          for (let i = 1; i <= 3; i++) m.write(`${G}/create`, '1\n');
          for (const [i, k] of ops) {
            const n = `dax0.${i}`;
            const before = JSON.stringify(toDaxctlJson(m.state));
            const want = BigInt(k) * 64n * MiB;
            const r = m.write(`${D}/${n}/size`, `${want}\n`);
            const dev = m.findDevice(n);
            if (!dev) throw new Error(`${n} missing`);
            const size = dev.ranges.reduce((s, x) => s + x.end - x.start + 1n, 0n);
            if (r.kind === 'ok') expect(size).toBe(want);
            else {
              expect(r).toEqual({ kind: 'errno', errno: 'ENOSPC' });
              expect(JSON.stringify(toDaxctlJson(m.state))).toBe(before);
            }
          }
        },
      ),
    );
  });

  it('grow then shrink back to the same size restores the previous ranges (shrink cuts the logical tail)', () => {
    fc.assert(
      fc.property(sizes, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 16 }), (pre, who, extra) => {
        const m = KernelModel.fromFacts(facts());
        for (let i = 1; i <= 3; i++) m.write(`${G}/create`, '1\n');
        pre.forEach((s, i) => m.write(`${D}/dax0.${i % 4}/size`, `${s}\n`));
        const n = `dax0.${who}`;
        const dev = m.findDevice(n);
        if (!dev) throw new Error(`${n} missing`);
        const before = dev.ranges.map((x) => `${x.mappingId}:${hex(x.start)}-${hex(x.end)}@${hex(x.pgoff)}`);
        const size = dev.ranges.reduce((s, x) => s + x.end - x.start + 1n, 0n);
        const r = m.write(`${D}/${n}/size`, `${size + BigInt(extra) * 32n * MiB}\n`);
        if (r.kind !== 'ok') return;
        expect(m.write(`${D}/${n}/size`, `${size}\n`)).toEqual({ kind: 'ok' });
        expect(dev.ranges.map((x) => `${x.mappingId}:${hex(x.start)}-${hex(x.end)}@${hex(x.pgoff)}`)).toEqual(before);
      }),
    );
  });

  it('growth is address-ordered first fit: the new bytes are the lowest free ones', () => {
    fc.assert(
      fc.property(sizes, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 16 }), (pre, who, extra) => {
        const m = KernelModel.fromFacts(facts());
        for (let i = 1; i <= 3; i++) m.write(`${G}/create`, '1\n');
        pre.forEach((s, i) => m.write(`${D}/dax0.${i % 4}/size`, `${s}\n`));
        const free = freeSpans(m.state, g);
        const n = `dax0.${who}`;
        const dev = m.findDevice(n);
        if (!dev) throw new Error(`${n} missing`);
        const size = dev.ranges.reduce((s, x) => s + x.end - x.start + 1n, 0n);
        const add = BigInt(extra) * 32n * MiB;
        const owned = (st: SimState) =>
          new Set(st.regions[0]?.devices.get(who)?.ranges.flatMap((x) => chunks(x.start, x.end)) ?? []);
        const had = owned(m.state);
        if (m.write(`${D}/${n}/size`, `${size + add}\n`).kind !== 'ok') return;
        const gained = [...owned(m.state)].filter((c) => !had.has(c)).sort((a, b) => (a < b ? -1 : 1));
        // The lowest `add` bytes of free space, in 32 MiB chunks.
        const expected = free.flatMap(([s, e]) => chunks(s, e)).slice(0, Number(add / (32n * MiB)));
        expect(gained).toEqual(expected);
      }),
    );
  });
});

/** Free spans of region 0 as [start, end] pairs, ascending. */
function freeSpans(state: SimState, g: Geometry): [bigint, bigint][] {
  const r = state.regions[0];
  if (!r) return [];
  const used = [...r.devices.values()].flatMap((d) => d.ranges).sort((a, b) => (a.start < b.start ? -1 : 1));
  const out: [bigint, bigint][] = [];
  let at = g.start;
  for (const u of used) {
    if (u.start > at) out.push([at, u.start - 1n]);
    at = u.end + 1n;
  }
  if (at <= r.end) out.push([at, r.end]);
  return out;
}

/** The 32 MiB chunks of [s, e] (all boundaries here are 32 MiB multiples). */
function chunks(s: bigint, e: bigint): bigint[] {
  const out: bigint[] = [];
  for (let c = s; c <= e; c += 32n * MiB) out.push(c);
  return out;
}
