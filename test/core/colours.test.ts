// Memory-side-cache colours: the stripe arithmetic, the region plan, and the
// whole pipeline (layout → planner → kernel model) for several cache sizes,
// colour counts and region placements.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  colourBytes,
  colourBytesByColour,
  colourOf,
  colourStripes,
  coloursIn,
  defaultColourCount,
  planRegionColours,
  rangeBytes,
  subtractRanges,
  takeBytes,
  trimToGranule,
  type AddrRange,
} from '../../server/core/colour/index';
import { analyze } from '../../server/core/index';
import { deviceName } from '../../server/core/kernel/state';
import { sampleReader } from '../rules/harness';
import { variantFacts } from '../rules/colour-facts';

const MiB = 1024n * 1024n;
const GiB = 1024n * MiB;
const r = (start: bigint, end: bigint): AddrRange => ({ start, end });

describe('colour arithmetic', () => {
  it('gives an address its colour, (A / (C / K)) mod K', () => {
    // 256 MiB cache, 4 colours of 64 MiB.
    expect(colourOf(0n, 256n * MiB, 4)).toBe(0);
    expect(colourOf(64n * MiB - 1n, 256n * MiB, 4)).toBe(0);
    expect(colourOf(64n * MiB, 256n * MiB, 4)).toBe(1);
    expect(colourOf(255n * MiB, 256n * MiB, 4)).toBe(3);
    expect(colourOf(256n * MiB, 256n * MiB, 4)).toBe(0); // A and A + C alias
    expect(colourOf(0x1_4000_0000n + 200n * MiB, 256n * MiB, 4)).toBe(3);
  });

  it('lists the stripes of a 1 GiB region at a cache boundary (256 MiB cache, colours 0..1 of 4)', () => {
    expect(colourStripes(0x1_4000_0000n, 0x1_7fff_ffffn, 256n * MiB, 4, [0, 1])).toEqual([
      r(0x1_4000_0000n, 0x1_47ff_ffffn),
      r(0x1_5000_0000n, 0x1_57ff_ffffn),
      r(0x1_6000_0000n, 0x1_67ff_ffffn),
      r(0x1_7000_0000n, 0x1_77ff_ffffn),
    ]);
  });

  it('merges stripes that touch across a period (colours 3 and 0 of 4)', () => {
    expect(colourStripes(0n, 512n * MiB - 1n, 256n * MiB, 4, [0, 3])).toEqual([
      r(0n, 64n * MiB - 1n),
      r(192n * MiB, 320n * MiB - 1n),
      r(448n * MiB, 512n * MiB - 1n),
    ]);
  });

  it('cuts stripes at a region that does not start on a cache boundary', () => {
    // 128 MiB cache, 2 colours of 64 MiB; region [100 MiB, 300 MiB].
    const s = colourStripes(100n * MiB, 300n * MiB - 1n, 128n * MiB, 2, [0]);
    expect(s).toEqual([r(128n * MiB, 192n * MiB - 1n), r(256n * MiB, 300n * MiB - 1n)]);
    const one = colourStripes(100n * MiB, 300n * MiB - 1n, 128n * MiB, 2, [1]);
    expect(one).toEqual([r(100n * MiB, 128n * MiB - 1n), r(192n * MiB, 256n * MiB - 1n)]);
  });

  it('lists the colours a range takes', () => {
    expect(coloursIn(64n * MiB, 192n * MiB - 1n, 256n * MiB, 4)).toEqual([1, 2]);
    expect(coloursIn(0n, GiB - 1n, 256n * MiB, 4)).toEqual([0, 1, 2, 3]);
    expect(coloursIn(200n * MiB, 260n * MiB, 256n * MiB, 4)).toEqual([0, 3]);
  });

  it('subtracts, trims to the granule and takes bytes in address order', () => {
    expect(subtractRanges([r(0n, 99n)], [r(10n, 19n), r(50n, 59n)])).toEqual([r(0n, 9n), r(20n, 49n), r(60n, 99n)]);
    expect(trimToGranule([r(3n * MiB, 11n * MiB - 1n), r(13n * MiB, 14n * MiB)], 2n * MiB)).toEqual([
      r(4n * MiB, 10n * MiB - 1n),
    ]);
    expect(takeBytes([r(0n, 4n * MiB - 1n), r(8n * MiB, 16n * MiB - 1n)], 7n * MiB, 2n * MiB)).toEqual([
      r(0n, 4n * MiB - 1n),
      r(8n * MiB, 10n * MiB - 1n),
    ]);
  });

  it('derives K from the cache and the region granule', () => {
    expect(defaultColourCount(256n * MiB, 2n * MiB)).toBe(128);
    expect(defaultColourCount(GiB, GiB)).toBe(1);
    expect(defaultColourCount(32n * GiB, 2n * MiB)).toBe(16384);
  });
});

describe('bytes of every colour at once', () => {
  it('gives for each colour what colourBytes gives, summed over the ranges (any ranges, cache sizes, colour counts)', () => {
    const range = fc
      .tuple(fc.bigInt({ min: 0n, max: 1n << 40n }), fc.bigInt({ min: 0n, max: 1n << 36n }))
      .map(([start, len]) => ({ start, end: start + len }));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.bigInt({ min: 1n, max: 1n << 30n }),
        fc.array(range, { maxLength: 6 }),
        (k, width, ranges) => {
          const C = width * BigInt(k);
          const each = Array.from({ length: k }, (_, c) =>
            ranges.reduce((n, x) => n + colourBytes(x, C, width, c), 0n),
          );
          expect(colourBytesByColour(ranges, C, width, k)).toEqual(each);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('planRegionColours', () => {
  const region = r(0x1_4000_0000n, 0x1_7fff_ffffn);
  const ask = (
    key: string,
    colours: number[] | undefined,
    extra: Partial<Parameters<typeof planRegionColours>[3][number]> = {},
  ) => ({
    key,
    ...(colours ? { colours } : {}),
    exclusive: false,
    granule: 2n * MiB,
    ...extra,
  });

  it('gives the weather job colours 0..1 and the VMs colours 2..3', () => {
    const [w, v] = planRegionColours(
      region,
      256n * MiB,
      128,
      [ask('weather', [0, 1], { of: 4, exclusive: true }), ask('vms', [2, 3], { of: 4 })],
      [],
    );
    expect(w?.stripes.map((s) => s.start)).toEqual([0x1_4000_0000n, 0x1_5000_0000n, 0x1_6000_0000n, 0x1_7000_0000n]);
    expect(v?.stripes.map((s) => s.start)).toEqual([0x1_4800_0000n, 0x1_5800_0000n, 0x1_6800_0000n, 0x1_7800_0000n]);
    expect(w?.gives).toBe(512n * MiB);
    expect(v?.gives).toBe(512n * MiB);
  });

  it('shares a colour between two devices with sizes, lowest stripes first', () => {
    const [a, b] = planRegionColours(
      region,
      256n * MiB,
      128,
      [ask('a', [0], { of: 4, size: 128n * MiB }), ask('b', [0], { of: 4 })],
      [],
    );
    expect(a?.stripes).toEqual([r(0x1_4000_0000n, 0x1_43ff_ffffn), r(0x1_5000_0000n, 0x1_53ff_ffffn)]);
    expect(b?.stripes).toEqual([r(0x1_6000_0000n, 0x1_63ff_ffffn), r(0x1_7000_0000n, 0x1_73ff_ffffn)]);
  });

  it('picks `any N` colours that no other request holds', () => {
    const [, x, y] = planRegionColours(
      region,
      256n * MiB,
      128,
      [
        ask('w', [0], { of: 4, exclusive: true }),
        ask('x', undefined, { any: 2, of: 4, exclusive: true }),
        ask('y', undefined, { any: 1, of: 8 }),
      ],
      [],
    );
    expect(x?.colours).toEqual([1, 2]);
    // colours of 8 that overlap no exclusive colour of 4: 6 and 7 lie in colour 3 of 4.
    expect(y?.colours).toEqual([6]);
  });

  it('leaves out what is occupied and pieces below the granule', () => {
    const [a] = planRegionColours(
      region,
      256n * MiB,
      128,
      [ask('a', [0], { of: 4, granule: 32n * MiB })],
      [r(0x1_4000_0000n, 0x1_40ff_ffffn)],
    );
    // The first stripe loses its first 16 MiB; what is left is cut to 32 MiB granules.
    expect(a?.stripes[0]).toEqual(r(0x1_4200_0000n, 0x1_43ff_ffffn));
    expect(a?.gives).toBe(32n * MiB + 3n * 64n * MiB);
  });
});

// ---------------------------------------------------------------------------
// Properties

const cacheArb = fc.integer({ min: 2, max: 10 }).map((e) => (1n << BigInt(e)) * MiB); // 4 MiB .. 1 GiB
const caseArb = cacheArb.chain((cache) => {
  const maxK = Number(cache / (2n * MiB));
  return fc.record({
    cache: fc.constant(cache),
    k: fc.integer({ min: 1, max: Math.min(6, Math.log2(maxK)) }).map((e) => 2 ** e),
    // Region start: any 2 MiB multiple, so rarely at a cache boundary.
    startUnits: fc.integer({ min: 1, max: 4096 }),
    sizeUnits: fc.integer({ min: 1, max: 1024 }),
    devices: fc.array(
      fc.record({
        pick: fc.array(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 4 }),
        exclusive: fc.boolean(),
        sizeUnits: fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  });
});

describe('colour placement properties', () => {
  it('every stripe has the asked colours, stripes are disjoint and granule-aligned, exclusive colours are not shared, and the stripes cover exactly the size', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const g = 2n * MiB;
        const region = r(BigInt(c.startUnits) * g, BigInt(c.startUnits + c.sizeUnits) * g - 1n);
        const asks = c.devices.map((d, i) => ({
          key: i,
          colours: [...new Set(d.pick.map((x) => x % c.k))].sort((a, b) => a - b),
          of: c.k,
          exclusive: d.exclusive,
          granule: g,
          ...(d.sizeUnits ? { size: BigInt(d.sizeUnits) * g } : {}),
        }));
        const placed = planRegionColours(region, c.cache, 128, asks, []);
        const all: AddrRange[] = [];
        const width = c.cache / BigInt(c.k);
        for (const p of placed) {
          const a = asks[p.key]!;
          for (const s of p.stripes) {
            expect(s.start >= region.start && s.end <= region.end).toBe(true);
            expect(s.start % g).toBe(0n);
            expect((s.end + 1n) % g).toBe(0n);
            for (const col of coloursIn(s.start, s.end, c.cache, c.k)) expect(a.colours).toContain(col);
          }
          // Exactly the size: the stated size when the colours give enough, else all they give.
          const bytes = rangeBytes(p.stripes);
          if (a.size !== undefined && a.size <= p.gives) expect(bytes).toBe(a.size);
          else expect(bytes).toBe(p.gives);
          all.push(...p.stripes);
        }
        // Disjoint.
        const sorted = [...all].sort((x, y) => (x.start < y.start ? -1 : 1));
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start > sorted[i - 1]!.end).toBe(true);
        // The first device gets every byte of its colours in the region (nothing placed before it),
        // counted by an independent formula.
        const first = placed[0]!;
        const expected = asks[0]!.colours.reduce((s, col) => s + colourBytes(region, c.cache, width, col), 0n);
        expect(first.gives).toBe(expected);
        // Exclusive: a device asking exclusively shares no colour with another device's stripes,
        // unless the two requests overlap (which DAX071 reports).
        for (const x of placed) {
          if (!asks[x.key]!.exclusive) continue;
          for (const y of placed) {
            if (y === x) continue;
            const asked = asks[y.key]!.colours.filter((col) => asks[x.key]!.colours.includes(col));
            if (asked.length > 0) continue;
            const theirs = new Set(y.stripes.flatMap((s) => coloursIn(s.start, s.end, c.cache, c.k)));
            for (const col of asks[x.key]!.colours) expect(theirs.has(col)).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('through the whole pipeline: the kernel model ends with each colour device on exactly its stripes, of its colours', () => {
    const arb = fc.record({
      cacheExp: fc.integer({ min: 3, max: 9 }), // 8 MiB .. 512 MiB
      kExp: fc.integer({ min: 1, max: 3 }),
      startUnits: fc.integer({ min: 2048, max: 4096 }), // 4 GiB .. 8 GiB, 2 MiB steps
      sizeUnits: fc.integer({ min: 64, max: 512 }),
      exclusiveFirst: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, (c) => {
        const cache = (1n << BigInt(c.cacheExp)) * MiB;
        const k = 2 ** Math.min(c.kExp, c.cacheExp - 1); // stripes of at least 2 MiB
        const start = BigInt(c.startUnits) * 2n * MiB;
        const size = BigInt(c.sizeUnits) * 2n * MiB;
        const facts = variantFacts({ cacheSize: Number(cache), start, size });
        const half = k / 2;
        const text = [
          'host lab { facts "v.json" }',
          'region 0 on lab {',
          `  device a { colours 0..${half - 1} of ${k}${c.exclusiveFirst ? ' exclusive' : ''} }`,
          `  device b { colours ${half}..${k - 1} of ${k} }`,
          '}',
          '',
        ].join('\n');
        const a = analyze(text, { readFacts: sampleReader({ 'v.json': facts }) });
        const h = a.hosts[0]!;
        // A small region may hold no stripe of one half of the colours: that device is not
        // created, and DAX073 says its colours give nothing. No other error.
        const empty = a.layout.regions[0]!.devices.filter((l) => h.plan!.colours.get(l)!.stripes.length === 0);
        const errors = a.findings.filter((f) => f.severity === 'error');
        expect(errors.map((f) => f.code)).toEqual(empty.map(() => 'DAX073'));
        for (const l of a.layout.regions[0]!.devices) {
          const p = h.plan!.colours.get(l)!;
          const dev = h.plan!.assigned.get(l)!;
          if (empty.includes(l)) {
            expect(dev).toBeUndefined();
            continue;
          }
          expect(dev, l.label).toBeDefined();
          expect(dev.ranges.map((x) => ({ start: x.start, end: x.end }))).toEqual(p.stripes);
          const want =
            l.label === 'a'
              ? Array.from({ length: half }, (_, i) => i)
              : Array.from({ length: half }, (_, i) => half + i);
          for (const x of dev.ranges)
            for (const col of coloursIn(x.start, x.end, cache, k)) expect(want).toContain(col);
          // The two halves of the colours cover the region: together the devices hold all of it.
          expect(deviceName(dev)).toMatch(/^dax0\.\d+$/);
        }
        const held = [...h.plan!.assigned.values()].reduce((s, d) => s + rangeBytes(d.ranges), 0n);
        expect(held).toBe(size);
      }),
      { numRuns: 40 },
    );
  });
});

describe('colours in the plan, the hover and a second apply', () => {
  const text = [
    'host lab { facts "linux-6.1-node1-online.facts.json" }',
    'region 0 on lab {',
    '  device weather { colours 0..1 of 4 exclusive }',
    '  device vms { colours 2..3 of 4 size 256M }',
    '}',
    '',
  ].join('\n');

  it('pins the stripes with mapping writes, in address order', () => {
    const a = analyze(text, { readFacts: sampleReader() });
    const writes = a.hosts[0]!.plan!.steps.flatMap((s) => s.writes).filter((w) => w.path.endsWith('/mapping'));
    expect(writes.map((w) => `${w.path.split('/')[5]} ${w.value}`)).toEqual([
      'dax0.0 140000000-147ffffff',
      'dax0.0 150000000-157ffffff',
      'dax0.0 160000000-167ffffff',
      'dax0.0 170000000-177ffffff',
      'dax0.1 148000000-14fffffff',
      'dax0.1 158000000-15fffffff',
    ]);
    expect(writes.every((w) => w.result.kind === 'ok')).toBe(true);
  });

  it('plans nothing once the host holds the stripes', async () => {
    const { snapshot, writeFacts } = await import('../../server/core/index');
    const a = analyze(text, { readFacts: sampleReader() });
    const after = writeFacts(snapshot(a.hosts[0]!.model!.state, 'predicted'));
    // Keep node 1's HMAT data and cache as captured.
    const withNodes = JSON.parse(after);
    withNodes.nodes = JSON.parse(variantFacts({})).nodes;
    const b = analyze(text.replace('linux-6.1-node1-online.facts.json', 'after.json'), {
      readFacts: sampleReader({ 'after.json': JSON.stringify(withNodes) }),
    });
    expect(b.hosts[0]!.plan!.steps.map((s) => s.summary)).toEqual([]);
    expect(b.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('shows the colour map on the region and the colours on the device', async () => {
    const { hoverAt } = await import('../../server/core/index');
    const a = analyze(text, { readFacts: sampleReader() });
    const region = hoverAt(a, text.indexOf('region 0') + 7) as import('../../server/core/index').RegionHover;
    expect(region.colours?.k).toBe(4);
    expect(region.colours?.width).toBe(64n * MiB);
    expect(
      region.colours?.runs.map((x) => [
        x.first,
        x.last,
        x.holders.map((h) => `${h.name}${h.exclusive ? '!' : ''}`),
        x.free,
      ]),
    ).toEqual([
      [0, 1, ['weather!'], 0n],
      [2, 3, ['vms'], 256n * MiB],
    ]);
    const dev = hoverAt(a, text.indexOf('vms') + 1) as import('../../server/core/index').DeviceHover;
    expect(dev.colours).toMatchObject({
      k: 4,
      colours: [2, 3],
      exclusive: false,
      stripes: 2,
      bytes: 256n * MiB,
      gives: 512n * MiB,
    });
  });
});

describe('colour requests never crash the analysis', () => {
  it('random requests, caches and regions give findings, never DAX099', () => {
    const req = fc.record({
      set: fc.oneof(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(', ')),
        fc
          .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }))
          .map(([a, b]) => `${Math.min(a, b)}..${Math.max(a, b)}`),
        fc.integer({ min: 1, max: 9 }).map((n) => `any ${n}`),
      ),
      of: fc.option(fc.constantFrom(2, 3, 4, 8, 16, 64, 128, 256, 1024), { nil: undefined }),
      exclusive: fc.boolean(),
      size: fc.option(fc.constantFrom('64M', '128M', '256M', '3M', '1G'), { nil: undefined }),
      align: fc.option(fc.constantFrom('4K', '2M', '1G'), { nil: undefined }),
      other: fc.option(fc.constantFrom('size 128M', 'range 0x140000000 + 64M', 'size 64M mode system-ram'), {
        nil: undefined,
      }),
    });
    const arb = fc.record({
      cache: fc.constantFrom(0, 3 * 1024 * 1024, 64 * 1024 * 1024, 256 * 1024 * 1024, 2 * 1024 * 1024 * 1024),
      indexing: fc.constantFrom(0, 1),
      startMiB: fc.integer({ min: 4096, max: 8192 }).map((x) => x - (x % 2)),
      reqs: fc.array(req, { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(arb, (c) => {
        const facts = variantFacts({
          ...(c.cache === 0 ? { noCache: true } : { cacheSize: c.cache }),
          indexing: c.indexing,
          start: BigInt(c.startMiB) * MiB,
          size: GiB,
        });
        const devs = c.reqs.map((r, i) => {
          const parts = [
            `colours ${r.set}`,
            r.of !== undefined ? `of ${r.of}` : '',
            r.exclusive ? 'exclusive' : '',
            r.size ? `size ${r.size}` : '',
            r.align ? `align ${r.align}` : '',
          ];
          return `  device d${i} { ${parts.filter(Boolean).join(' ')} }${r.other ? `\n  device o${i} { ${r.other.replace('0x140000000', `0x${(BigInt(c.startMiB) * MiB).toString(16)}`)} }` : ''}`;
        });
        const text = `host lab { facts "v.json" }\nregion 0 on lab {\n${devs.join('\n')}\n}\n`;
        const a = analyze(text, { readFacts: sampleReader({ 'v.json': facts }) });
        expect(a.findings.filter((f) => f.code === 'DAX099').map((f) => f.message)).toEqual([]);
        // Whatever the plan made of a colour device lies on its stripes.
        const h = a.hosts[0]!;
        for (const l of a.layout.regions[0]!.devices) {
          const p = h.plan?.colours.get(l);
          const d = h.plan?.assigned.get(l);
          if (
            !p ||
            !d ||
            d.ranges.length === 0 ||
            a.findings.some((f) => f.severity === 'error' && f.code === 'DAX051')
          )
            continue;
          expect(d.ranges.map((x) => ({ start: x.start, end: x.end }))).toEqual(p.stripes);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('free space', () => {
  it('leaves out memory of a device the layout does not list and keeps', () => {
    const f = JSON.parse(variantFacts({}));
    const r = f.regions[0];
    // dax0.0 holds the first 128 MiB, dax0.1 the next 128 MiB (colours 2..3 of 4 of the first period).
    r.devices = [
      {
        name: 'dax0.0',
        size: 134217728,
        align: 2097152,
        driver: 'device_dax',
        targetNode: 1,
        mappings: [{ id: 0, start: '0x140000000', end: '0x147ffffff', pageOffset: 0 }],
      },
      {
        name: 'dax0.1',
        size: 134217728,
        align: 2097152,
        driver: 'device_dax',
        targetNode: 1,
        mappings: [{ id: 0, start: '0x148000000', end: '0x14fffffff', pageOffset: 0 }],
      },
    ];
    r.availableSize = 805306368;
    const text = 'host lab { facts "v.json" }\nregion 0 on lab { device a { colours 2 of 4 } }\n';
    const a = analyze(text, { readFacts: sampleReader({ 'v.json': JSON.stringify(f) }) });
    const h = a.hosts[0]!;
    expect(h.plan!.unlisted.map((u) => [u.kernelName, u.pruned])).toEqual([['dax0.1', false]]);
    const p = h.plan!.colours.get(a.layout.regions[0]!.devices[0]!)!;
    expect(p.stripes.map((s) => s.start)).toEqual([0x1_5800_0000n, 0x1_6800_0000n, 0x1_7800_0000n]);
    expect(p.gives).toBe(3n * 64n * MiB);
    expect(a.findings.filter((x) => x.severity === 'error')).toEqual([]);
  });
});

describe('a colour device of tens of thousands of stripes', () => {
  // Found by the fuzzer: each stripe is one `mapping` write, and the kernel model's append of a
  // range once walked every range before it (16 384 stripes: seconds). The answer is checked
  // against the stripes computed here from the colour arithmetic, not from the planner.
  it('pins all 16 384 stripes of a 2 TiB region (256 MiB cache, colours 0, 2..3 of 8 exclusive)', () => {
    const base = 0x100_0000_0000n;
    const period = 256n * MiB;
    const stripe = period / 8n;
    const text = [
      'region 0 {',
      '  start 0x100_0000_0000',
      '  size 2T',
      '  node 1',
      '  cache 256M',
      '  device g { colours 0, 2..3 of 8 exclusive }',
      '}',
      '',
    ].join('\n');
    const a = analyze(text);
    expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const h = a.hosts[0]!;
    const dev = h.plan!.assigned.get(a.layout.regions[0]!.devices[0]!)!;
    const periods = (2n * 1024n * GiB) / period;
    const want: { start: bigint; end: bigint }[] = [];
    for (let p = 0n; p < periods; p++) {
      const at = base + p * period;
      want.push({ start: at, end: at + stripe - 1n }, { start: at + 2n * stripe, end: at + 4n * stripe - 1n });
    }
    expect(dev.ranges.length).toBe(16_384);
    expect(dev.ranges.map((x) => ({ start: x.start, end: x.end }))).toEqual(want);
    // alloc_dev_dax_range: ids 0…n-1 in order, each page offset the pages of the ranges before it
    let pages = 0n;
    dev.ranges.forEach((x, i) => {
      expect(x.mappingId).toBe(i);
      expect(x.pgoff).toBe(pages);
      pages += (x.end - x.start + 1n) / 4096n;
    });
    const mappings = h.plan!.steps.flatMap((s) => s.writes).filter((w) => w.path.endsWith('/mapping'));
    expect(mappings.length).toBe(16_384);
    expect(mappings.every((w) => w.result.kind === 'ok')).toBe(true);
  });
});
