import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFacts, writeFacts, type FactsProblem } from '../../server/core/facts/read';
import type {
  DeviceFacts,
  HostFacts,
  MappingFacts,
  MemoryBlockFacts,
  NodeFacts,
  RegionFacts,
} from '../../server/core/host-facts';

const sample = (name: string): string => readFileSync(new URL(`../../samples/${name}`, import.meta.url), 'utf8');
const errors = (ps: FactsProblem[]): FactsProblem[] => ps.filter((p) => p.severity === 'error');
const notInfo = (ps: FactsProblem[]): FactsProblem[] => ps.filter((p) => p.severity !== 'info');

const SAMPLES: [string, string][] = [
  ['linux-6.1.facts.json', 'test/fixtures/facts/linux-6.1-boot.capture.txt'],
  ['linux-6.1-node1-online.facts.json', 'test/fixtures/facts/linux-6.1-boot-node1-online.capture.txt'],
  ['linux-6.12.facts.json', 'test/fixtures/facts/linux-6.12-boot.capture.txt'],
];

/** Resolves an RFC 6901 pointer in a plain JSON value; undefined if it does not exist. */
function resolve(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const tok = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, tok)) return undefined;
    cur = (cur as Record<string, unknown>)[tok];
  }
  return cur;
}

describe('daxlayout-facts/1 samples', () => {
  for (const [file, source] of SAMPLES) {
    it(`${file} reads cleanly and writes back byte for byte`, () => {
      const text = sample(file);
      const r = readFacts(text, source);
      expect(notInfo(r.problems)).toEqual([]);
      expect(r.facts).toBeDefined();
      expect(r.facts!.source).toBe(source);
      expect(writeFacts(r.facts!)).toBe(text);
    });
  }

  it('names the file and the original source when they differ', () => {
    const r = readFacts(sample('linux-6.12.facts.json'), 'samples/linux-6.12.facts.json');
    expect(r.facts!.source).toBe(
      'samples/linux-6.12.facts.json (from test/fixtures/facts/linux-6.12-boot.capture.txt)',
    );
  });

  it('round-trips the 6.12 facts in memory', () => {
    const f = readFacts(sample('linux-6.12.facts.json'), 's').facts!;
    const again = readFacts(writeFacts(f), f.source);
    expect(again.problems).toEqual([]);
    expect(again.facts).toStrictEqual(f);
  });
});

// ---------------------------------------------------------------------------
// Property: any consistent HostFacts survives writeFacts → readFacts.

const PAGE = 4096n;
const big = (max: bigint): fc.Arbitrary<bigint> => fc.bigInt({ min: 0n, max });

const arbNode: fc.Arbitrary<NodeFacts> = fc
  .record({
    id: fc.nat(64),
    cpus: fc.constantFrom('', '0', '0-1', '0-3,8-9'),
    online: fc.boolean(),
    memTotal: fc.option(big(1n << 62n), { nil: undefined }),
    access0: fc.option(
      fc
        .record(
          {
            initiators: fc.uniqueArray(fc.nat(8), { maxLength: 3 }).map((a) => [...a].sort((x, y) => x - y)),
            readLatency: fc.nat(100000),
            writeLatency: fc.nat(100000),
            readBandwidth: fc.nat(1000000),
            writeBandwidth: fc.nat(1000000),
          },
          { requiredKeys: ['initiators'] },
        )
        .map((a) => ({ ...a })),
      { nil: undefined },
    ),
    caches: fc
      .uniqueArray(
        fc
          .record(
            {
              level: fc.integer({ min: 1, max: 4 }),
              size: big(1n << 60n),
              lineSize: fc.constantFrom(64, 128),
              indexing: fc.integer({ min: 0, max: 2 }),
              writePolicy: fc.integer({ min: 0, max: 2 }),
              addressMode: fc.integer({ min: 0, max: 1 }),
            },
            { requiredKeys: ['level', 'size', 'lineSize', 'indexing', 'writePolicy'] },
          )
          .map((c) => ({ ...c })),
        { selector: (c) => c.level, maxLength: 2 },
      )
      .map((cs) => [...cs].sort((a, b) => a.level - b.level)),
  })
  .map((n) => {
    // Optional keys are absent rather than undefined, as the reader builds them.
    const o: Record<string, unknown> = { ...n };
    for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
    return o as unknown as NodeFacts;
  });

/** A region laid out from a base address: devices of whole 2 MiB chunks, each split into 1–2 ranges. */
const arbRegion = (id: number): fc.Arbitrary<RegionFacts> =>
  fc
    .record({
      baseChunk: fc.bigInt({ min: 1n, max: 1n << 30n }), // start = baseChunk × 2 MiB (may exceed 2^53)
      devs: fc.array(
        fc.record({
          chunks: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
          driver: fc.constantFrom('device_dax', 'kmem', null),
          mom: fc.option(fc.boolean(), { nil: undefined }),
        }),
        { maxLength: 3 },
      ),
      freeChunks: fc.integer({ min: 0, max: 3 }),
      known: fc.boolean(),
      kmemDefault: fc.boolean(),
      targetNode: fc.integer({ min: -1, max: 3 }),
    })
    .map(({ baseChunk, devs, freeChunks, known, kmemDefault, targetNode }) => {
      const C = 2n << 20n;
      const start = baseChunk * C;
      let cursor = start;
      const devices: DeviceFacts[] = devs.map((d, n) => {
        const mappings: MappingFacts[] = [];
        let pages = 0n;
        d.chunks.forEach((k, i) => {
          const len = BigInt(k) * C;
          mappings.push({ id: i, start: cursor, end: cursor + len - 1n, pageOffset: pages });
          pages += len / PAGE;
          cursor += len;
        });
        const size = mappings.reduce((s, m) => s + (m.end - m.start + 1n), 0n);
        const node = d.driver === 'kmem' ? Math.max(targetNode, 0) : targetNode;
        return {
          name: `dax${id}.${n}`,
          size,
          align: C,
          driver: d.driver as DeviceFacts['driver'],
          targetNode: node,
          ...(d.mom !== undefined ? { memmapOnMemory: d.mom } : {}),
          mappings,
        };
      });
      const size = cursor - start + BigInt(freeChunks + 1) * C;
      return {
        id,
        path: `/sys/devices/platform/hmem.${id}`,
        start: known ? start : undefined,
        size,
        align: C,
        dynamic: true,
        targetNode,
        kmemDefault,
        devices,
      };
    });

const arbFacts: fc.Arbitrary<HostFacts> = fc
  .record({
    hostname: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
    kernelRelease: fc.option(fc.constantFrom('6.1.0-56-amd64', '6.12.117+deb12-amd64', '5.10.0'), { nil: undefined }),
    daxAligns: fc.option(fc.constant([4096n, 2097152n, 1073741824n]), { nil: undefined }),
    memoryBlockSize: fc.constantFrom(128n << 20n, 1n << 31n),
    autoOnlineBlocks: fc.constantFrom('offline', 'online', 'online_kernel', 'online_movable'),
    memmapOnMemorySupported: fc.option(fc.boolean(), { nil: undefined }),
    nregions: fc.integer({ min: 0, max: 2 }),
    regions0: arbRegion(0),
    regions1: arbRegion(1),
    blocks: fc.uniqueArray(
      fc.record({
        index: fc.nat(100000),
        state: fc.constantFrom('online', 'offline'),
        zone: fc.constantFrom('Normal', 'Movable', undefined),
        node: fc.nat(4),
        removable: fc.boolean(),
      }),
      { selector: (b) => b.index, maxLength: 4 },
    ),
    nodes: fc.uniqueArray(arbNode, { selector: (n) => n.id, maxLength: 3 }),
    assumptions: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }).map((a) => [...new Set(a)]),
  })
  .map((r) => {
    const blocks: MemoryBlockFacts[] = r.blocks
      .map((b) => ({
        index: b.index,
        state: b.state as MemoryBlockFacts['state'],
        ...(b.state === 'online' && b.zone !== undefined ? { zone: b.zone as MemoryBlockFacts['zone'] } : {}),
        node: b.node,
        removable: b.removable,
      }))
      .sort((a, b) => a.index - b.index);
    const f: HostFacts = {
      source: 'prop',
      ...(r.hostname !== undefined ? { hostname: r.hostname } : {}),
      kernelRelease: r.kernelRelease,
      arch: 'x86_64',
      pageSize: PAGE,
      ...(r.daxAligns !== undefined ? { daxAligns: r.daxAligns } : {}),
      memoryBlockSize: r.memoryBlockSize,
      autoOnlineBlocks: r.autoOnlineBlocks as HostFacts['autoOnlineBlocks'],
      ...(r.memmapOnMemorySupported !== undefined ? { memmapOnMemorySupported: r.memmapOnMemorySupported } : {}),
      regions: [r.regions0, r.regions1].slice(0, r.nregions),
      memoryBlocks: blocks,
      nodes: [...r.nodes].sort((a, b) => a.id - b.id),
      assumptions: r.assumptions,
    };
    return f;
  });

describe('writeFacts / readFacts round trip (property)', () => {
  it('gives back any consistent HostFacts', () => {
    fc.assert(
      fc.property(arbFacts, (f) => {
        const text = writeFacts(f);
        const r = readFacts(text, f.source);
        // Only the known-unknowns may be reported: kernel release, region start.
        for (const p of r.problems) {
          expect(p.severity === 'info' || /kernelRelease|--region-start/.test(p.message), p.message).toBe(true);
        }
        expect(r.facts).toBeDefined();
        expect(r.facts).toStrictEqual(f);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// Validation

const base = (): Record<string, unknown> => JSON.parse(sample('linux-6.12.facts.json')) as Record<string, unknown>;

/** Applies `edit` to a fresh copy of the 6.12 sample and reads it. */
function readEdited(edit: (doc: any) => void): { doc: unknown; problems: FactsProblem[]; facts?: HostFacts } {
  const doc = base();
  edit(doc);
  const r = readFacts(JSON.stringify(doc, null, 2), 'edited.json');
  return { doc, problems: r.problems, ...(r.facts ? { facts: r.facts } : {}) };
}

const CASES: [string, (d: any) => void, string, RegExp][] = [
  [
    'wrong format',
    (d) => (d.format = 'daxlayout-facts/2'),
    '/format',
    /understands daxlayout-facts\/1, not daxlayout-facts\/2/,
  ],
  ['format not a string', (d) => (d.format = 1), '/format', /"format" must be a string, not a number/],
  ['pageSize float', (d) => (d.pageSize = 4096.5), '/pageSize', /must be an integer, not 4096.5/],
  ['pageSize not power of two', (d) => (d.pageSize = 4000), '/pageSize', /not a power of two/],
  ['block size human', (d) => (d.memoryBlockSize = '128 MiB'), '/memoryBlockSize', /rounded human size/],
  [
    'block size unsafe number',
    (d) => (d.memoryBlockSize = 2 ** 60),
    '/memoryBlockSize',
    /above 2\^53.*write it as a string/,
  ],
  ['auto-online unknown', (d) => (d.autoOnlineBlocks = 'sometimes'), '/autoOnlineBlocks', /must be one of "offline"/],
  ['arch missing', (d) => delete d.arch, '', /"arch" is missing/],
  ['regions not an array', (d) => (d.regions = {}), '/regions', /"regions" must be an array, not an object/],
  ['region not an object', (d) => (d.regions[0] = 3), '/regions/0', /must be an object, not a number/],
  ['region id negative', (d) => (d.regions[0].id = -1), '/regions/0/id', /at least 0/],
  ['region size missing', (d) => delete d.regions[0].size, '/regions/0', /region 0: "size" is missing/],
  ['region start not hex', (d) => (d.regions[0].start = '0xZZ'), '/regions/0/start', /not an integer/],
  ['region end inconsistent', (d) => (d.regions[0].end = '0x17ffffffe'), '/regions/0/end', /not start \+ size - 1/],
  [
    'region align not power of two',
    (d) => (d.regions[0].align = 3000000),
    '/regions/0',
    /align 3000000 is not a power of two/,
  ],
  [
    'region start misaligned',
    (d) => ((d.regions[0].start = '0x100001000'), delete d.regions[0].end),
    '/regions/0',
    /not a multiple of the region align|outside region/,
  ],
  [
    'region available wrong',
    (d) => (d.regions[0].availableSize = 4096),
    '/regions/0',
    /available_size is 4096.*devices missing/,
  ],
  [
    'duplicate region id',
    (d) => d.regions.push(JSON.parse(JSON.stringify(d.regions[0]))),
    '/regions/1',
    /region id 0 appears more than once/,
  ],
  [
    'dynamic not boolean',
    (d) => (d.regions[0].dynamic = 'yes'),
    '/regions/0/dynamic',
    /must be true or false, not a string/,
  ],
  [
    'device driver unknown',
    (d) => (d.regions[0].devices[0].driver = 'dax_kmem'),
    '/regions/0/devices/0/driver',
    /"driver" must be "device_dax", "kmem" or null/,
  ],
  [
    'device driver missing',
    (d) => delete d.regions[0].devices[0].driver,
    '/regions/0/devices/0',
    /"driver" is missing \(null when unbound\)/,
  ],
  [
    'device name wrong region',
    (d) => (d.regions[0].devices[0].name = 'dax1.0'),
    '/regions/0/devices/0',
    /dax1.0 is listed under region 0/,
  ],
  [
    'device name malformed',
    (d) => (d.regions[0].devices[0].name = 'pmem0'),
    '/regions/0/devices/0',
    /not of the form daxR.N/,
  ],
  [
    'device size mismatch',
    (d) => (d.regions[0].devices[0].size = 1073741824),
    '/regions/0/devices/0',
    /mappings add up to 2147483648/,
  ],
  [
    'kmem without node',
    (d) => (d.regions[0].devices[0].targetNode = -1),
    '/regions/0/devices/0',
    /bound to kmem but has no target node/,
  ],
  [
    'target node below -1',
    (d) => (d.regions[0].devices[0].targetNode = -2),
    '/regions/0/devices/0/targetNode',
    /at least -1/,
  ],
  [
    'mapping end before start',
    (d) => (d.regions[0].devices[0].mappings[0].end = '0xfffff000'),
    '/regions/0/devices/0/mappings/0',
    /ends .* before it starts/,
  ],
  [
    'mapping page offset wrong',
    (d) => (d.regions[0].devices[0].mappings[0].pageOffset = 1),
    '/regions/0/devices/0/mappings/0',
    /page_offset 0x1.*0x0 pages/,
  ],
  [
    'mapping outside region',
    (d) => (
      (d.regions[0].devices[0].mappings[0].start = '0x100200000'),
      (d.regions[0].devices[0].mappings[0].end = '0x1801fffff')
    ),
    '/regions/0/devices/0/mappings/0',
    /outside region 0/,
  ],
  [
    'mapping start missing',
    (d) => delete d.regions[0].devices[0].mappings[0].start,
    '/regions/0/devices/0/mappings/0',
    /"start" is missing/,
  ],
  [
    'overlapping devices',
    (d) => d.regions[0].devices.push({ ...JSON.parse(JSON.stringify(d.regions[0].devices[0])), name: 'dax0.1' }),
    '/regions/0',
    /more than the region|overlaps/,
  ],
  [
    'block zone unknown',
    (d) => ((d.memoryBlocks[0].state = 'online'), (d.memoryBlocks[0].zone = 'HighMem')),
    '/memoryBlocks/0/zone',
    /must be one of "Normal"/,
  ],
  [
    'block state unknown',
    (d) => (d.memoryBlocks[0].state = 'going-offline'),
    '/memoryBlocks/0/state',
    /must be one of "online", "offline"/,
  ],
  [
    'block duplicate',
    (d) => d.memoryBlocks.push({ ...d.memoryBlocks[0] }),
    '/memoryBlocks/16',
    /memory32 appears more than once/,
  ],
  ['block removable missing', (d) => delete d.memoryBlocks[3].removable, '/memoryBlocks/3', /"removable" is missing/],
  ['node cpus bad', (d) => (d.nodes[0].cpus = 'all'), '/nodes/0/cpus', /CPU list/],
  ['node duplicate', (d) => d.nodes.push({ ...d.nodes[0] }), '/nodes/2', /node 0 appears more than once/],
  [
    'node access initiators wrong',
    (d) => (d.nodes[0].access0.initiators = ['0']),
    '/nodes/0/access0/initiators/0',
    /must be an integer number, not a string/,
  ],
  ['node latency negative', (d) => (d.nodes[0].access0.readLatency = -5), '/nodes/0/access0/readLatency', /at least 0/],
  [
    'cache indexing out of range',
    (d) => (d.nodes[1].caches = [{ level: 1, size: 1024, lineSize: 64, indexing: 3, writePolicy: 0 }]),
    '/nodes/1/caches/0/indexing',
    /between 0 and 2/,
  ],
  [
    'cache duplicate level',
    (d) =>
      (d.nodes[1].caches = [
        { level: 1, size: 1024, lineSize: 64, indexing: 0, writePolicy: 0 },
        { level: 1, size: 1024, lineSize: 64, indexing: 0, writePolicy: 0 },
      ]),
    '/nodes/1/caches/1/level',
    /level 1 appears more than once/,
  ],
  ['assumption not a string', (d) => (d.assumptions = [1]), '/assumptions/0', /must be a string/],
  ['daxAligns not power of two', (d) => (d.daxAligns = [4096, 3000]), '/daxAligns/1', /not a power of two/],
];

describe('validation of daxlayout-facts/1', () => {
  for (const [name, edit, pointer, message] of CASES) {
    it(`${name}: error at ${pointer || '(root)'}`, () => {
      const r = readEdited(edit);
      const errs = errors(r.problems);
      expect(errs.length, JSON.stringify(r.problems)).toBeGreaterThan(0);
      expect(r.facts).toBeUndefined();
      const hit = errs.find((e) => e.path === pointer && message.test(e.message));
      expect(hit, `want ${pointer} ${message}, got ${JSON.stringify(errs)}`).toBeDefined();
    });
  }

  it('every error has a message, a pointer that exists in the document, and a line', () => {
    for (const [, edit] of CASES) {
      const r = readEdited(edit);
      for (const e of errors(r.problems)) {
        expect(e.message.length).toBeGreaterThan(10);
        expect(typeof e.path).toBe('string');
        const path = e.path!;
        // A missing key is reported at its parent object; anything else at the value.
        expect(resolve(r.doc, path), `${path} in ${e.message}`).not.toBeUndefined();
        expect(e.line).toBeGreaterThan(0);
      }
    }
  });

  it('reports bad JSON with its line and column', () => {
    const r = readFacts('{\n  "format": "daxlayout-facts/1",\n  "regions": [,]\n}', 'bad.json');
    expect(r.facts).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ severity: 'error', line: 3, column: 15 });
    expect(r.problems[0]!.message).toMatch(/not valid JSON: unexpected character ",".*line 3, column 15/);
  });

  it('reports empty input and unrecognised JSON', () => {
    expect(readFacts('', 'e').problems[0]!.message).toMatch(/empty input/);
    expect(readFacts('"hello"', 'e').problems[0]!.message).toMatch(/neither a daxlayout-facts\/1 object/);
  });

  it('accepts sizes as decimal or hex strings, and warns about unknown keys', () => {
    const r = readEdited((d) => {
      d.pageSize = '0x1000';
      d.memoryBlockSize = '134217728';
      d.regions[0].$comment = 'the hmem region';
      d.regions[0].sise = 1;
    });
    expect(errors(r.problems)).toEqual([]);
    expect(r.facts!.pageSize).toBe(4096n);
    expect(r.facts!.memoryBlockSize).toBe(128n << 20n);
    const w = r.problems.filter((p) => p.severity === 'warning');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ path: '/regions/0/sise' });
    expect(w[0]!.message).toMatch(/unknown field "sise"/);
  });

  it('accepts a start above 2^53 written as a string', () => {
    const r = readEdited((d) => {
      const reg = d.regions[0];
      reg.start = '0x1000000000000000';
      reg.end = '0x100000007fffffff';
      reg.devices[0].mappings[0].start = '0x1000000000000000';
      reg.devices[0].mappings[0].end = '0x100000007fffffff';
      d.memoryBlocks = [];
    });
    expect(errors(r.problems)).toEqual([]);
    expect(r.facts!.regions[0]!.start).toBe(1n << 60n);
    expect(writeFacts(r.facts!)).toContain('"start": "0x1000000000000000"');
  });

  it('lets options replace file values, with a warning', () => {
    const r = readFacts(sample('linux-6.12.facts.json'), 's', {
      kernelRelease: '6.13.0',
      autoOnline: 'online',
      arch: 'x86_64',
    });
    expect(r.facts!.kernelRelease).toBe('6.13.0');
    expect(r.facts!.autoOnlineBlocks).toBe('online');
    const w = r.problems.filter((p) => p.severity === 'warning').map((p) => p.message);
    expect(w).toEqual([
      '--kernel 6.13.0 replaces kernelRelease "6.12.118+deb12-amd64" from the file',
      '--auto-online online replaces autoOnlineBlocks "offline" from the file',
    ]);
  });

  it('reports a missing kernel release but still returns the facts', () => {
    const r = readEdited((d) => delete d.kernelRelease);
    const e = errors(r.problems);
    expect(e).toHaveLength(1);
    expect(e[0]!.message).toMatch(/does not give "kernelRelease".*--kernel/);
    expect(e[0]!.path).toBe('');
    expect(r.facts).toBeDefined();
    expect(r.facts!.kernelRelease).toBeUndefined();
  });

  it('infers dynamic and kmemDefault when a hand-written file leaves them out', () => {
    const r = readEdited((d) => {
      delete d.regions[0].dynamic;
      delete d.regions[0].kmemDefault;
      delete d.regions[0].targetNode;
    });
    expect(errors(r.problems)).toEqual([]);
    const reg = r.facts!.regions[0]!;
    expect(reg.dynamic).toBe(true);
    expect(reg.kmemDefault).toBe(true);
    expect(reg.targetNode).toBe(1);
    expect(r.facts!.assumptions.some((a) => /region_idle=1/.test(a))).toBe(true);
  });

  it('rejects unusable options', () => {
    const r = readFacts(sample('linux-6.12.facts.json'), 's', { memoryBlockSize: 0n });
    expect(r.facts).toBeUndefined();
    expect(errors(r.problems)[0]!.message).toMatch(/--block-size 0 is not a power of two/);
    const k = readFacts(sample('linux-6.12.facts.json'), 's', { kernelRelease: 'latest' });
    expect(errors(k.problems)[0]!.message).toMatch(/--kernel "latest"/);
  });
});
