// Unit tests of the fidelity harness on the CXL machines (no VM): the CXL prelude (gen-cxl.ts)
// makes a region the model binds, from real boot captures of cxl2, cxl1 and hmem-cxl on 6.12 and
// 7.3; the guest-state parser reads the dax devices of a CXL region out of /proc/iomem and the
// `cxlstate` lines into the model's shape; the state dump reads CXL dax regions by glob.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelModel } from '../../server/core/kernel/model';
import { parseScript } from '../../server/core/kernel/script';
import { guestState, modelState } from './canon';
import { factsFrom } from './compare';
import { generateCxlPrelude } from './gen-cxl';
import { batchProgram, layoutOf } from './guest';

const CAPTURES = join(__dirname, '..', 'vm', 'cxl', 'captures');
const capture = (name: string) => {
  const text = readFileSync(join(CAPTURES, `${name}.txt`), 'utf8');
  const release = /### uname -r\n(\S+)/.exec(text)?.[1] as string;
  const f = factsFrom(text, release);
  if (!f.facts) throw new Error(f.error);
  return { facts: f.facts, release, text };
};
const MiB = 1024n * 1024n;

describe.each(['linux-6.12-cxl2', 'linux-7.3-hmem-cxl', 'linux-6.12-cxl1', 'linux-7.3-cxl1'])(
  'CXL prelude on %s',
  (name) => {
    const { facts, release } = capture(name);

    it('is reproducible from its seed', () => {
      const a = generateCxlPrelude(facts, release, 'p/1');
      expect(generateCxlPrelude(facts, release, 'p/1')).toEqual(a);
    });

    it('makes a region the model binds, its dax device on kmem, every line answered', () => {
      let recreated = 0;
      let refused = 0;
      const sizes = new Set<bigint>();
      for (let i = 0; i < 24; i++) {
        const p = generateCxlPrelude(facts, release, `p/${i}`);
        const m = KernelModel.fromFacts(facts, release);
        for (const line of p.lines) {
          const parsed = parseScript(line);
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          const w = parsed.writes[0] as (typeof parsed.writes)[number];
          const r = m.write(w.path, w.value);
          expect(r.kind, line).not.toBe('unmodelled');
          if (r.kind === 'errno') refused++;
        }
        const id = Number(p.region.slice('region'.length));
        const r = m.state.regions.find((x) => x.id === id);
        expect(r?.devices.get(0)?.driver).toBe('kmem');
        expect(m.cxl?.regions.find((x) => x.name === p.region)?.bound).toBe(true);
        expect(p.size % (256n * MiB * BigInt(p.ways))).toBe(0n);
        expect(p.size).toBeLessThanOrEqual(2048n * MiB);
        sizes.add(p.size);
        if (p.recreated) recreated++;
      }
      // seeds vary the region and sometimes tear a first one down; refused writes are mixed in
      expect(recreated).toBeGreaterThan(2);
      expect(refused).toBeGreaterThan(10);
      expect(sizes.size).toBeGreaterThan(1);
    });
  },
);

describe('the state of a CXL dax region', () => {
  const { facts, release } = capture('linux-6.12-cxl2');
  const p = generateCxlPrelude(facts, release, 'p/3');
  const m = KernelModel.fromFacts(facts, release);
  for (const line of p.lines) {
    const parsed = parseScript(line);
    if (parsed.ok) for (const w of parsed.writes) m.write(w.path, w.value);
  }
  const model = modelState(m);

  it("reads the dax devices under the region in /proc/iomem, and the guest's cxlstate lines", () => {
    const lines = [
      '/proc/iomem:390000000-48fffffff : CXL Window 0',
      '/proc/iomem:  390000000-40fffffff : region0',
      '/proc/iomem:    390000000-40fffffff : dax0.0',
      '/proc/iomem:      390000000-40fffffff : System RAM (kmem)',
      '/proc/iomem:4c0000000-cbfffffff : PCI Bus 0000:00',
      '@@CXL',
      'root decoder0.0 region1',
      'ep decoder2.0 ram 0x40000000 0x0 -region0',
      'ep decoder2.1 none 0x0 0xffffffffffffffff -',
      'region region0 1 2 256 0x80000000 0x390000000 1 - -decoder3.0 -decoder2.0',
    ];
    const g = guestState(lines, []);
    expect(g.iomem).toEqual(['390000000-40fffffff dax0.0', '  390000000-40fffffff System RAM (kmem)']);
    expect(g.cxl).toEqual({
      roots: [{ name: 'decoder0.0', create_ram_region: 'region1' }],
      endpoints: [
        { name: 'decoder2.0', mode: 'ram', dpa_size: '1073741824', dpa_resource: '0', region: 'region0' },
        { name: 'decoder2.1', mode: 'none', dpa_size: '0', dpa_resource: null, region: null },
      ],
      regions: [
        {
          name: 'region0',
          commit: true,
          interleave_ways: 2,
          interleave_granularity: 256,
          size: '2147483648',
          resource: '15300820992',
          targets: ['decoder3.0', 'decoder2.0'],
          bound: true,
        },
      ],
    });
  });

  it("the model's state has the CXL part, the region's kmem reservation and an empty `create`", () => {
    expect(model.cxl).toBeDefined();
    const dax = Object.entries(model.regions).find(([path]) => path.endsWith(`/${p.region}/dax_region0`));
    expect(dax?.[1].create).toBe('');
    expect(model.iomem[0]).toMatch(/^390000000-[0-9a-f]+ dax0\.0$/);
    expect(model.devices['dax0.0']?.memmap_on_memory).toBe('1');
  });

  it('the state dump globs the dax regions under the window and settles after a bind', () => {
    const layout = layoutOf(facts);
    expect(layout.cxlRoots).toEqual(['/sys/devices/platform/ACPI0017:00/root0/decoder0.0']);
    const prog = batchProgram(layout, [{ id: 'x', lines: p.lines }], '', false);
    expect(prog).toContain('/sys/devices/platform/ACPI0017:00/root0/decoder0.0/region*/dax_region*/dax_region/size');
    expect(prog).toContain('  cxlstate');
    expect(prog).toContain(`[ $rc = 0 ] && settle ${p.region}`);
  });
});
