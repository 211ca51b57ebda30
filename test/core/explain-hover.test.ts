// hoverAt: plain data read from the model, the plan and the facts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  analyze,
  hoverAt,
  type DeviceHover,
  type HostHover,
  type KeywordHover,
  type RegionHover,
  type ValueHover,
} from '../../server/core/index';
import { explainJson } from '../../server/cli/explain';

const SAMPLES = resolve(__dirname, '../../samples');
const read = (name: string) => readFileSync(resolve(SAMPLES, name), 'utf8');
const readFacts = (p: string) => {
  try {
    return { text: read(p) };
  } catch {
    return { error: `no such file: ${p}` };
  }
};
const GiB = 1n << 30n;
const MiB = 1n << 20n;

function at(text: string, needle: string, delta = 0): number {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`no ${needle}`);
  return i + delta;
}

function sample(name: string) {
  const text = read(name);
  return { text, a: analyze(text, { readFacts }) };
}

describe('region hover', () => {
  it('gives the region, its availability before and after the plan, and node 1 HMAT data and cache', () => {
    const { text, a } = sample('hmat-node1.dax');
    const h = hoverAt(a, at(text, 'region 0', 7)) as RegionHover;
    expect(h.kind).toBe('region');
    expect(h.span).toEqual({ start: at(text, 'region 0', 7), end: at(text, 'region 0', 8) });
    expect(h.region).toMatchObject({
      id: 0,
      start: 0x140000000n,
      end: 0x17fffffffn,
      size: GiB,
      align: 2n * MiB,
      dynamic: true,
      targetNode: 1,
      availableBefore: 0n,
      availableAfter: 0n,
      memoryBlockSize: 128n * MiB,
      defaultDriver: 'device_dax',
    });
    expect(h.node?.access).toEqual([
      {
        cls: 'access0',
        meaning: 'best initiator of any kind',
        initiators: [0],
        readLatency: 40,
        writeLatency: 40,
        readBandwidth: 2048,
        writeBandwidth: 2048,
      },
      {
        cls: 'access1',
        meaning: 'best CPU initiator',
        initiators: [0],
        readLatency: 40,
        writeLatency: 40,
        readBandwidth: 2048,
        writeBandwidth: 2048,
      },
    ]);
    expect(h.node?.caches).toEqual([
      { level: 1, size: 256n * MiB, lineSize: 64, indexing: 'direct-mapped', writePolicy: 'write-back' },
    ]);
    expect(h.node?.cpus).toBe('');
    expect(h.facts).toMatchObject({ origin: 'file', path: 'linux-6.1-node1-online.facts.json', kind: 'facts' });
  });

  it('is the same from the host name after `on`', () => {
    const { text, a } = sample('hmat-node1.dax');
    expect((hoverAt(a, at(text, 'on lab61n1', 4)) as RegionHover).region?.id).toBe(0);
  });

  it('says kmem is the default driver of an hmem region on 6.12, and why', () => {
    const { text, a } = sample('cxl-6.12.dax');
    const h = hoverAt(a, at(text, 'region 0', 7)) as RegionHover;
    expect(h.region?.defaultDriver).toBe('kmem');
    expect(h.region?.defaultDriverWhy).toMatch(/6\.3\+/);
    expect(h.region?.availableBefore).toBe(0n);
  });

  it('says why there is no prediction: no such host, or no facts and how to get them', () => {
    const { text, a } = sample('mistakes.dax');
    const h = hoverAt(a, at(text, 'lab16')) as RegionHover;
    expect(h.region).toBeUndefined();
    expect(h.missing).toMatch(/no host `lab16`/);
    expect(h.facts.help).toMatch(/docs\/facts\.md/);

    const t2 = 'host h {\n  facts "missing.facts.json"\n}\n\nregion 0 on h {\n  device a { size 1G }\n}\n';
    const a2 = analyze(t2, { readFacts });
    const r2 = hoverAt(a2, at(t2, 'region 0', 7)) as RegionHover;
    expect(r2.facts.origin).toBe('none');
    expect(r2.facts.problems).toEqual(['no such file: missing.facts.json']);
    expect(r2.facts.help).toMatch(/facts "hbm01\.facts\.json"/);
    const d2 = hoverAt(a2, at(t2, 'device a', 7)) as DeviceHover;
    expect(d2.predicted).toBeUndefined();
    expect(d2.facts.origin).toBe('none');
  });

  it('names the regions the facts have when the layout asks for another', () => {
    const t = 'host lab61 {\n  facts "linux-6.1.facts.json"\n}\n\nregion 3 on lab61 {\n  device a { size 1G }\n}\n';
    const h = hoverAt(analyze(t, { readFacts }), at(t, 'region 3', 7)) as RegionHover;
    expect(h.missing).toBe('region 3 is not in the facts of lab61 (it has region 0)');
  });
});

describe('device hover', () => {
  it('gives the kernel name, ranges, mode and System RAM use of a kmem device', () => {
    const { text, a } = sample('hmat-node1.dax');
    const h = hoverAt(a, at(text, 'far-ram', 3)) as DeviceHover;
    expect(h.kind).toBe('device');
    expect(h.predicted).toMatchObject({
      kernelName: 'dax0.1',
      size: 256n * MiB,
      align: 2n * MiB,
      driver: 'kmem',
      mode: 'system-ram',
      modeText: 'system-ram online movable',
      ranges: [{ start: 0x160000000n, end: 0x16fffffffn, size: 256n * MiB, pageOffset: 0n, offset: 0n }],
      kmem: {
        usable: 256n * MiB,
        lost: 0n,
        blocks: 2n,
        blockSize: 128n * MiB,
        modelBlocks: 2,
        onlineBlocks: 2,
        zones: ['Movable'],
      },
    });
  });

  it('works anywhere in the device block, and gives the page size a devdax device maps with', () => {
    const { text, a } = sample('hbm-lab.dax');
    const h = hoverAt(a, at(text, 'device weather {', 16)) as DeviceHover;
    expect(h.label).toBe('weather');
    expect(h.predicted?.mapsWith).toEqual({ size: GiB, level: 'PUD' });
    expect(h.predicted?.mode).toBe('devdax');
    const s = hoverAt(a, at(text, 'scratch')) as DeviceHover;
    expect(s.requested).toMatchObject({ rest: true, restSize: 256n * MiB });
    expect(s.predicted?.mapsWith).toEqual({ size: 2n * MiB, level: 'PMD' });
  });

  it('gives page offsets of a device with several ranges', () => {
    const t =
      'host d {\n  kernel "6.12.0"\n}\n\nregion 0 on d {\n  start 0x1_0000_0000\n  size 8G\n  device split { range 0x1_0000_0000 + 2G, 0x2_0000_0000 + 1G }\n}\n';
    const h = hoverAt(analyze(t), at(t, 'split')) as DeviceHover;
    expect(h.predicted?.ranges).toEqual([
      { start: 0x100000000n, end: 0x17fffffffn, size: 2n * GiB, pageOffset: 0n, offset: 0n },
      { start: 0x200000000n, end: 0x23fffffffn, size: GiB, pageOffset: 0x80000n, offset: 2n * GiB },
    ]);
    expect(h.facts.origin).toBe('declared');
  });

  it('says which write the kernel refuses when the device cannot be placed', () => {
    const { text, a } = sample('mistakes.dax');
    const h = hoverAt(a, at(text, 'device e', 7)) as DeviceHover;
    expect(h.problems.some((p) => p.includes('ENOMEM') && p.includes('/mapping'))).toBe(true);
    expect(h.codes).toContain('DAX021');
  });

  it('agrees with `daxlayout explain --json` on every device of every sample', () => {
    let checked = 0;
    for (const name of ['hbm-lab.dax', 'hmat-node1.dax', 'cxl-6.12.dax', 'design.dax', 'mistakes.dax']) {
      const { text, a } = sample(name);
      const json = explainJson(a) as Record<
        string,
        {
          devices: {
            chardev: string;
            label?: string;
            size: number;
            align: number;
            mode: string;
            mappings?: { page_offset: number; start: number; end: number }[];
          }[];
        }[]
      >;
      for (const region of Object.values(json).flat()) {
        if (!Array.isArray(region.devices)) continue;
        for (const d of region.devices) {
          if (!d.label) continue;
          const h = hoverAt(a, at(text, `device ${d.label} `, 7)) as DeviceHover;
          expect(h.predicted?.kernelName, `${name} ${d.label}`).toBe(d.chardev);
          expect(Number(h.predicted?.size)).toBe(d.size);
          expect(Number(h.predicted?.align)).toBe(d.align);
          expect(h.predicted?.mode === 'unbound' ? 'devdax' : h.predicted?.mode).toBe(d.mode);
          expect(h.predicted?.ranges.map((r) => [Number(r.pageOffset), Number(r.start), Number(r.end)])).toEqual(
            (d.mappings ?? []).map((m) => [m.page_offset, m.start, m.end]),
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });
});

describe('value, keyword and host hover', () => {
  it('gives sizes in bytes, ranges with their inclusive end, and explains a bad unit', () => {
    const { text, a } = sample('hbm-lab.dax');
    expect(hoverAt(a, at(text, '512M'))).toMatchObject({ kind: 'value', what: 'device size', bytes: 512n * MiB });
    const r = hoverAt(a, at(text, '256M }', 1)) as ValueHover;
    expect(r.range).toEqual({ start: 0x170000000n, end: 0x17fffffffn, size: 256n * MiB });
    const t =
      'host h {\n  kernel "6.12.0"\n}\n\nregion 0 on h {\n  start 0x1_0000_0000\n  size 4 GiB\n  device a { size 2GB }\n}\n';
    const a2 = analyze(t);
    expect(hoverAt(a2, at(t, '4 GiB'))).toMatchObject({ what: 'region size', bytes: 4n * GiB });
    expect((hoverAt(a2, at(t, '2GB')) as ValueHover).error).toMatch(/ambiguous/);
    expect(hoverAt(a2, at(t, '0x1_0000_0000'))).toMatchObject({ what: 'region start address', bytes: 0x100000000n });
  });

  it('describes a kernel release by the version-dependent behaviours it has', () => {
    const t = 'host h {\n  kernel "6.1.0-56-amd64"\n}\n';
    const h = hoverAt(analyze(t), at(t, '6.1.0')) as ValueHover;
    expect(h.features?.find((f) => f.since === '6.3')?.has).toBe(false);
    expect(h.features?.find((f) => f.since === '5.10')?.has).toBe(true);
  });

  it('explains keywords from the language tables, by the block they are in', () => {
    const { text, a } = sample('hbm-lab.dax');
    expect((hoverAt(a, at(text, 'mode system-ram')) as KeywordHover).syntax).toBe(
      'mode devdax | mode system-ram OPTION…',
    );
    expect((hoverAt(a, at(text, 'movable')) as KeywordHover).description).toMatch(/ZONE_MOVABLE/);
    expect((hoverAt(a, at(text, 'size rest', 5)) as KeywordHover).keyword).toBe('rest');
    expect((hoverAt(a, at(text, 'region 0')) as KeywordHover).keyword).toBe('region');
    expect((hoverAt(a, at(text, 'on lab61')) as KeywordHover).keyword).toBe('on');
    expect(hoverAt(a, at(text, '\n\nregion') + 1)).toBeUndefined();
  });

  it('gives a host its kernel, arch, facts source and regions', () => {
    const { text, a } = sample('hbm-lab.dax');
    const h = hoverAt(a, at(text, 'lab61')) as HostHover;
    expect(h.host).toMatchObject({
      name: 'lab61',
      kernel: '6.1.0-57-amd64',
      arch: 'x86_64',
      ssh: 'root@127.0.0.1',
      port: 2222,
      pageSize: 4096n,
      memoryBlockSize: 128n * MiB,
      aligns: [4096n, 2n * MiB, GiB],
      regions: [{ id: 0, start: 0x100000000n, size: 2n * GiB, dynamic: true, targetNode: 1, devices: 1 }],
    });
    expect(h.host.facts.source).toMatch(/linux-6\.1\.facts\.json/);
  });
});
