import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFacts, type FactsProblem } from '../../server/core/facts/read';

const sample = (name: string): string => readFileSync(new URL(`../../samples/${name}`, import.meta.url), 'utf8');
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/facts/${name}`, import.meta.url), 'utf8');
const errors = (ps: FactsProblem[]): FactsProblem[] => ps.filter((p) => p.severity === 'error');

const GiB = 1n << 30n;
const MiB = 1n << 20n;

describe('daxctl list -RDMi import: linux 6.1 (real capture)', () => {
  const r = readFacts(sample('linux-6.1.daxctl.json'), 'linux-6.1.daxctl.json', { kernelRelease: '6.1.0-56-amd64' });

  it('imports without errors', () => {
    expect(errors(r.problems)).toEqual([]);
    expect(r.facts).toBeDefined();
  });

  it('derives the region from /platform/hmem.0 and its start from the mappings', () => {
    const region = r.facts!.regions[0]!;
    expect(region.path).toBe('/sys/devices/platform/hmem.0');
    expect(region.id).toBe(0);
    expect(region.size).toBe(2n * GiB);
    expect(region.align).toBe(2n * MiB);
    expect(region.start).toBe(0x100000000n);
    expect(region.dynamic).toBe(true);
    expect(region.targetNode).toBe(1);
    expect(region.kmemDefault).toBe(false); // 6.1 < 6.3
  });

  it('binds dax0.0 to device_dax with one mapping', () => {
    const dev = r.facts!.regions[0]!.devices[0]!;
    expect(dev.name).toBe('dax0.0');
    expect(dev.driver).toBe('device_dax');
    expect(dev.targetNode).toBe(1);
    expect(dev.memmapOnMemory).toBeUndefined();
    expect(dev.mappings).toEqual([{ id: 0, start: 0x100000000n, end: 0x17fffffffn, pageOffset: 0n }]);
    expect(r.facts!.memoryBlocks).toEqual([]);
  });

  it('records what it assumed', () => {
    const a = r.facts!.assumptions.join('\n');
    expect(a).toMatch(/architecture assumed x86_64/);
    expect(a).toMatch(/memory block size assumed 128 MiB/);
    expect(a).toMatch(/auto_online_blocks assumed "offline"/);
    expect(r.facts!.memoryBlockSize).toBe(128n * MiB);
    expect(r.facts!.kernelRelease).toBe('6.1.0-56-amd64');
  });
});

describe('daxctl list -RDMi import: linux 6.12 (real capture)', () => {
  const r = readFacts(sample('linux-6.12.daxctl.json'), 'linux-6.12.daxctl.json', {
    kernelRelease: '6.12.117+deb12-amd64',
  });

  it('binds dax0.0 to kmem and lists its 16 offline memory blocks', () => {
    expect(errors(r.problems)).toEqual([]);
    const f = r.facts!;
    const dev = f.regions[0]!.devices[0]!;
    expect(dev.driver).toBe('kmem');
    expect(f.regions[0]!.kmemDefault).toBe(true);
    expect(f.memoryBlocks.map((b) => b.index)).toEqual(Array.from({ length: 16 }, (_, i) => 32 + i));
    for (const b of f.memoryBlocks) {
      expect(b.state).toBe('offline');
      expect(b.zone).toBeUndefined();
      expect(b.node).toBe(1);
    }
  });

  it('infers auto_online_blocks offline and the 128 MiB block size from the block counts', () => {
    const f = r.facts!;
    expect(f.autoOnlineBlocks).toBe('offline');
    expect(f.memoryBlockSize).toBe(128n * MiB);
    const a = f.assumptions.join('\n');
    expect(a).toMatch(/auto_online_blocks inferred "offline": dax0.0 \(system-ram\) has 0 of 16/);
    expect(a).toMatch(/memory block size 128 MiB inferred from dax0.0 total_memblocks 16/);
    expect(a).toMatch(/region_idle/);
  });

  it('takes --auto-online and --block-size when given', () => {
    const g = readFacts(sample('linux-6.12.daxctl.json'), 'x', {
      kernelRelease: '6.12.117+deb12-amd64',
      autoOnline: 'online_movable',
      memoryBlockSize: 256n * MiB,
    });
    expect(g.facts!.autoOnlineBlocks).toBe('online_movable');
    expect(g.facts!.memoryBlockSize).toBe(256n * MiB);
    expect(g.facts!.memoryBlocks.map((b) => b.index)).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
    // daxctl counted 16 blocks: a 256 MiB block size contradicts it.
    expect(g.problems.some((p) => p.severity === 'warning' && /total_memblocks|counts 16/.test(p.message))).toBe(true);
  });
});

describe('daxctl import: what the JSON does not say', () => {
  it('reports a missing kernel release as an error but still returns facts', () => {
    const r = readFacts(sample('linux-6.12.daxctl.json'), 'x');
    const e = errors(r.problems);
    expect(e).toHaveLength(1);
    expect(e[0]!.message).toBe(
      'the daxctl JSON does not carry the kernel release; pass --kernel RELEASE (a `uname -r` string)',
    );
    expect(e[0]!.path).toBe('');
    expect(r.facts).toBeDefined();
    expect(r.facts!.kernelRelease).toBeUndefined();
  });

  it('rejects daxctl -u (human) output, asking for plain daxctl list -RDMi', () => {
    const r = readFacts(fixture('linux-6.1.daxctl-human.json'), 'human.json', { kernelRelease: '6.1.0' });
    expect(r.facts).toBeUndefined();
    const e = errors(r.problems);
    expect(e).toHaveLength(1);
    expect(e[0]!.message).toMatch(/daxctl list -u.*human/);
    expect(e[0]!.message).toMatch(/2\.00 GiB \(2\.15 GB\)/);
    expect(e[0]!.message).toMatch(/rounded/);
    expect(e[0]!.message).toMatch(/daxctl list -RDMi/);
    expect(e[0]!.path).toBe('/size');
    expect(e[0]!.line).toBe(4);
  });

  it('rejects -u hex strings even when sizes are small numbers', () => {
    const text = JSON.stringify([
      {
        path: '/platform/hmem.0',
        id: 0,
        size: 4194304,
        align: 2097152,
        devices: [
          {
            chardev: 'dax0.0',
            size: 4194304,
            target_node: 1,
            align: 2097152,
            mode: 'devdax',
            mappings: [{ page_offset: '0', start: '0x100000000', end: '0x1003fffff', size: 4194304 }],
          },
        ],
      },
    ]);
    const r = readFacts(text, 'x', { kernelRelease: '6.1.0' });
    expect(r.facts).toBeUndefined();
    expect(errors(r.problems)[0]!.path).toBe('/0/devices/0/mappings/0/page_offset');
    expect(errors(r.problems)[0]!.message).toMatch(/daxctl list -RDMi/);
  });

  it('leaves the region start unknown, with a warning, when the mappings do not span the region', () => {
    const text = JSON.stringify([
      {
        path: '/platform/hmem.0',
        id: 0,
        size: 2147483648,
        available_size: 1073741824,
        align: 2097152,
        devices: [
          {
            chardev: 'dax0.0',
            size: 1073741824,
            target_node: 1,
            align: 2097152,
            mode: 'devdax',
            mappings: [{ page_offset: 0, start: 4294967296, end: 5368709119, size: 1073741824 }],
          },
        ],
      },
    ]);
    const r = readFacts(text, 'x', { kernelRelease: '6.12.0' });
    expect(errors(r.problems)).toEqual([]);
    expect(r.facts!.regions[0]!.start).toBeUndefined();
    expect(r.problems.some((p) => p.severity === 'warning' && /--region-start 0=ADDR/.test(p.message))).toBe(true);

    const g = readFacts(text, 'x', { kernelRelease: '6.12.0', regionStart: new Map([[0, 0x100000000n]]) });
    expect(g.facts!.regions[0]!.start).toBe(0x100000000n);
    expect(g.problems.filter((p) => p.severity !== 'info')).toEqual([]);

    const bad = readFacts(text, 'x', { kernelRelease: '6.12.0', regionStart: new Map([[0, 0x140000000n]]) });
    expect(bad.facts).toBeUndefined();
    expect(errors(bad.problems)[0]!.message).toMatch(/outside region 0/);
  });

  it('sorts mappings by page_offset (daxctl prints the highest first) and numbers them in that order', () => {
    // A 16 GiB region with 4 GiB free, as `daxctl list -RDM` prints it (docs/kernel-facts.md §10.2).
    const text = JSON.stringify([
      {
        path: '/platform/hmem.0',
        id: 0,
        size: 17179869184,
        available_size: 4294967296,
        align: 2097152,
        devices: [
          {
            chardev: 'dax0.1',
            size: 12884901888,
            target_node: 2,
            align: 2097152,
            mode: 'devdax',
            mappings: [
              { page_offset: 2097152, start: 83751862272, end: 88046829567, size: 4294967296 },
              { page_offset: 0, start: 70866960384, end: 79456894975, size: 8589934592 },
            ],
          },
        ],
      },
    ]);
    const r = readFacts(text, 'x', { kernelRelease: '6.12.0' });
    expect(errors(r.problems)).toEqual([]);
    expect(r.facts!.regions[0]!.devices[0]!.mappings).toEqual([
      { id: 0, start: 70866960384n, end: 79456894975n, pageOffset: 0n },
      { id: 1, start: 83751862272n, end: 88046829567n, pageOffset: 2097152n },
    ]);
    // The lowest start and the highest end are 16 GiB apart: that is the region.
    expect(r.facts!.regions[0]!.start).toBe(70866960384n);
  });

  it('maps state disabled to an unbound device and marks partly online kmem memory', () => {
    const text = JSON.stringify([
      {
        path: '/platform/hmem.0',
        id: 0,
        size: 2147483648,
        available_size: 1073741824,
        align: 2097152,
        devices: [
          {
            chardev: 'dax0.0',
            size: 536870912,
            target_node: 1,
            align: 2097152,
            mode: 'system-ram',
            online_memblocks: 1,
            total_memblocks: 4,
            mappings: [{ page_offset: 0, start: 4294967296, end: 4831838207, size: 536870912 }],
          },
          {
            chardev: 'dax0.1',
            size: 536870912,
            target_node: 1,
            align: 2097152,
            mode: 'devdax',
            state: 'disabled',
            mappings: [{ page_offset: 0, start: 4831838208, end: 5368709119, size: 536870912 }],
          },
        ],
      },
    ]);
    const r = readFacts(text, 'x', { kernelRelease: '6.12.0' });
    expect(errors(r.problems)).toEqual([]);
    const f = r.facts!;
    expect(f.regions[0]!.devices.map((d) => d.driver)).toEqual(['kmem', null]);
    expect(f.memoryBlocks.map((b) => [b.index, b.state])).toEqual([
      [32, 'online'],
      [33, 'offline'],
      [34, 'offline'],
      [35, 'offline'],
    ]);
    expect(f.assumptions.join('\n')).toMatch(/1 of 4 memory blocks are online and daxctl does not say which/);
    expect(f.assumptions.join('\n')).toMatch(/auto_online_blocks assumed "offline"/);
  });

  it('takes zone Movable / Normal from "movable" when all blocks are online', () => {
    const make = (movable: boolean): string =>
      JSON.stringify([
        {
          path: '/platform/hmem.0',
          id: 0,
          size: 268435456,
          align: 2097152,
          devices: [
            {
              chardev: 'dax0.0',
              size: 268435456,
              target_node: 1,
              align: 2097152,
              mode: 'system-ram',
              online_memblocks: 2,
              total_memblocks: 2,
              movable,
              mappings: [{ page_offset: 0, start: 4294967296, end: 4563402751, size: 268435456 }],
            },
          ],
        },
      ]);
    const m = readFacts(make(true), 'x', { kernelRelease: '6.12.0' }).facts!;
    expect(m.memoryBlocks.map((b) => [b.state, b.zone])).toEqual([
      ['online', 'Movable'],
      ['online', 'Movable'],
    ]);
    const n = readFacts(make(false), 'x', { kernelRelease: '6.12.0' }).facts!;
    expect(n.memoryBlocks.map((b) => b.zone)).toEqual(['Normal', 'Normal']);
  });

  it('asks for -R when given a bare device list', () => {
    const text = JSON.stringify([
      { chardev: 'dax0.0', size: 2147483648, target_node: 1, align: 2097152, mode: 'devdax' },
    ]);
    const r = readFacts(text, 'x', { kernelRelease: '6.12.0' });
    expect(r.facts).toBeUndefined();
    expect(errors(r.problems)[0]!.message).toMatch(/without their regions.*daxctl list -RDMi/);
  });

  it('asks for root and -M when a device has no mappings', () => {
    const text = JSON.stringify([
      {
        path: '/platform/hmem.0',
        id: 0,
        size: 2147483648,
        align: 2097152,
        devices: [{ chardev: 'dax0.0', size: 2147483648, target_node: 1, align: 2097152, mode: 'devdax' }],
      },
    ]);
    const r = readFacts(text, 'x', { kernelRelease: '6.12.0' });
    expect(r.facts).toBeUndefined();
    const e = errors(r.problems)[0]!;
    expect(e.message).toMatch(/no "mappings".*root/);
    expect(e.path).toBe('/0/devices/0');
  });

  it('asks for root when the region align is missing', () => {
    const text = JSON.stringify([{ path: '/platform/hmem.0', id: 0, size: 2147483648, devices: [] }]);
    const r = readFacts(text, 'x', { kernelRelease: '6.12.0' });
    expect(r.facts).toBeUndefined();
    expect(errors(r.problems)[0]!.message).toMatch(/"align" is missing.*root-only/);
  });

  it('reports devices missing from the listing through available_size', () => {
    const text = JSON.stringify([{ path: '/platform/hmem.0', id: 0, size: 2147483648, align: 2097152 }]);
    const r = readFacts(text, 'x', { kernelRelease: '6.12.0' });
    expect(r.facts).toBeUndefined();
    expect(errors(r.problems)[0]!.message).toMatch(/available_size is 0.*devices missing/);
  });

  it('treats pmem (nvdimm) regions as static', () => {
    const text = JSON.stringify([
      {
        path: '/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0/dax0.1',
        id: 0,
        size: 4225761280,
        align: 2097152,
        devices: [
          {
            chardev: 'dax0.1',
            size: 4225761280,
            target_node: 0,
            align: 2097152,
            mode: 'devdax',
            mappings: [{ page_offset: 0, start: 4364173312, end: 8589934591, size: 4225761280 }],
          },
        ],
      },
    ]);
    const r = readFacts(text, 'x', { kernelRelease: '6.12.0' });
    expect(errors(r.problems)).toEqual([]);
    expect(r.facts!.regions[0]!.dynamic).toBe(false);
    expect(r.facts!.regions[0]!.kmemDefault).toBe(false);
  });

  it('keeps 64-bit integers exact', () => {
    const start = 1n << 60n;
    const end = start + 2n * MiB - 1n; // 1152921504608944127: not representable as a double
    const text = `[{"path":"/platform/hmem.0","id":0,"size":2097152,"align":2097152,"devices":[{"chardev":"dax0.0","size":2097152,"align":2097152,"target_node":1,"mode":"devdax","mappings":[{"page_offset":0,"start":${start},"end":${end},"size":2097152}]}]}]`;
    const r = readFacts(text, 'x', { kernelRelease: '6.12.0' });
    expect(errors(r.problems)).toEqual([]);
    expect(r.facts!.regions[0]!.start).toBe(start);
    expect(r.facts!.regions[0]!.devices[0]!.mappings[0]!.end).toBe(end);
  });
});
