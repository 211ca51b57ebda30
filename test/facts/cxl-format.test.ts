// The `cxl` member of daxlayout-facts/1 (server/core/facts/format-cxl.ts): what a capture of a
// CXL host reads survives writeFacts → readFacts, the samples are what their captures give, and a
// malformed member is reported where it is.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFacts, writeFacts } from '../../server/core/facts/read';

const file = (p: string): string => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const CAPTURES = [
  ['test/vm/cxl/captures/linux-6.12-cxl2.txt', 'samples/cxl2-6.12.facts.json'],
  ['test/vm/cxl/captures/linux-7.3-cxl2-region.txt', 'samples/cxl2-7.3-region.facts.json'],
  ['test/vm/cxl/captures/linux-7.3-cxl2-plan-run.txt', 'samples/cxl2-7.3.facts.json'],
  // the single-device machine and the one with an hmem region next to the CXL window
  ['test/vm/cxl/captures/linux-6.12-cxl1.txt', 'samples/cxl1-6.12.facts.json'],
  ['test/vm/cxl/captures/linux-7.3-cxl1-region.txt', 'samples/cxl1-7.3-region.facts.json'],
  ['test/vm/cxl/captures/linux-6.12-hmem-cxl.txt', 'samples/hmem-cxl-6.12.facts.json'],
  ['test/vm/cxl/captures/linux-7.3-hmem-cxl-region.txt', 'samples/hmem-cxl-7.3-region.facts.json'],
] as const;

describe('CXL facts in the facts file', () => {
  for (const [capture, sample] of CAPTURES) {
    it(`${capture}: the CXL topology round-trips through the facts file`, () => {
      const r = readFacts(file(capture), capture);
      expect(r.facts?.cxl).toBeDefined();
      const again = readFacts(writeFacts(r.facts!), capture);
      expect(again.problems.filter((p) => p.severity !== 'info')).toEqual([]);
      expect(again.facts?.cxl).toEqual(r.facts?.cxl);
    });
    it(`${sample} holds what ${capture} gives`, () => {
      const fromSample = readFacts(file(sample), sample);
      const fromCapture = readFacts(file(capture), capture);
      expect(fromSample.facts?.cxl).toEqual(fromCapture.facts?.cxl);
      expect(fromSample.facts?.regions).toEqual(fromCapture.facts?.regions);
    });
  }

  it('the 7.3 sample has the measured region: 2 ways over decoder2.0 and decoder3.0, bound, 2 GiB at 0x390000000', () => {
    const cxl = readFacts(file('samples/cxl2-7.3-region.facts.json'), 's').facts?.cxl;
    expect(cxl?.memdevs.map((m) => [m.name, m.serial, m.ramSize])).toEqual([
      ['mem0', 1n, 1n << 30n],
      ['mem1', 2n, 1n << 30n],
    ]);
    expect(cxl?.regions).toEqual([
      expect.objectContaining({
        name: 'region0',
        ways: 2,
        granularity: 256,
        size: 2n << 30n,
        start: 0x390000000n,
        targets: ['decoder2.0', 'decoder3.0'],
        bound: true,
        locked: false,
      }),
    ]);
    expect(cxl?.windowNodes).toEqual([{ decoder: 'decoder0.0', node: 1, inferred: true }]);
  });

  it('the cxl1 and hmem-cxl samples: one memdev, 1-way; the region ids hmem and CXL share (docs/cxl.md)', () => {
    const facts = (f: string) => readFacts(file(`samples/${f}.facts.json`), f).facts;
    const cxl1 = facts('cxl1-7.3-region');
    expect(cxl1?.cxl?.memdevs.map((m) => m.serial)).toEqual([1n]);
    expect(cxl1?.cxl?.regions.map((r) => [r.name, r.ways, r.size])).toEqual([['region0', 1, 1n << 30n]]);
    // 6.12: hmem registers first (hmem.0, dax0.0), the window offers region1
    const h612 = facts('hmem-cxl-6.12');
    expect(h612?.regions.map((r) => r.path)).toEqual(['/sys/devices/platform/hmem.0']);
    expect(h612?.cxl?.decoders.find((d) => d.kind === 'root')?.nextRegion).toBe(1);
    expect(h612?.cxl?.windowNodes).toEqual([{ decoder: 'decoder0.0', node: 2, inferred: true }]);
    // 7.3: the window takes id 0 first; hmem is hmem.1 / dax1.0
    const h73 = facts('hmem-cxl-7.3-region');
    expect(h73?.regions.map((r) => [r.id, r.devices.map((d) => d.name)])).toEqual(
      expect.arrayContaining([
        [1, ['dax1.0']],
        [0, ['dax0.0']],
      ]),
    );
  });

  it("reads QoS classes: the window's qos_class, a memdev's ram/qos_class list, -1 as none; they round-trip", () => {
    const capture = 'test/vm/cxl/captures/linux-6.12-cxl2.txt';
    const text =
      file(capture) +
      '### /sys/bus/cxl/devices/mem0/ram/qos_class\n1,3\n' +
      '### /sys/bus/cxl/devices/mem1/ram/qos_class\n-1\n';
    const r = readFacts(text, capture);
    const cxl = r.facts?.cxl;
    expect(cxl?.decoders.find((d) => d.name === 'decoder0.0')?.qosClass).toBe(0);
    expect(cxl?.memdevs.map((m) => m.ramQosClass)).toEqual([[1, 3], undefined]);
    expect(readFacts(writeFacts(r.facts!), capture).facts?.cxl).toEqual(cxl);
  });

  it('reports a malformed member with its JSON pointer and keeps no partial topology', () => {
    const doc = JSON.parse(file('samples/cxl2-6.12.facts.json')) as { cxl: { memdevs: { serial: unknown }[] } };
    (doc.cxl.memdevs[0] as { serial: unknown }).serial = '1 GiB';
    const r = readFacts(JSON.stringify(doc), 'bad.json');
    const e = r.problems.find((p) => p.severity === 'error');
    expect(e?.path).toBe('/cxl/memdevs/0/serial');
    expect(r.facts).toBeUndefined();
  });

  it('warns when a window has no NUMA node (a region there cannot be modelled)', () => {
    const doc = JSON.parse(file('samples/cxl2-6.12.facts.json')) as { cxl: { windowNodes: unknown[] } };
    doc.cxl.windowNodes = [];
    const r = readFacts(JSON.stringify(doc), 'w.json');
    expect(r.facts?.cxl).toBeDefined();
    expect(r.problems.some((p) => p.severity === 'warning' && /decoder0\.0's window/.test(p.message))).toBe(true);
  });
});

describe('dax devices of a CXL region in a capture', () => {
  it('are read under their parent `dax_regionN` (the CXL dax region device), not skipped as a dax_region group', () => {
    // the 6.12 boot capture with its region moved to where a CXL region's dax region lives
    const cxlPath = '/sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0';
    const text = file('test/fixtures/facts/linux-6.12-boot.capture.txt').replaceAll(
      '/sys/devices/platform/hmem.0',
      cxlPath,
    );
    const r = readFacts(text, 'moved');
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.facts?.regions.map((x) => [x.id, x.path, x.devices.map((d) => [d.name, d.size])])).toEqual([
      [0, cxlPath, [['dax0.0', 2n << 30n]]],
    ]);
  });
});
