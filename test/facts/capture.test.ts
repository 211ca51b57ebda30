import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCaptureText, splitSections } from '../../server/core/facts/capture-text';
import { readFacts, writeFacts, type FactsProblem } from '../../server/core/facts/read';
import type { HostFacts } from '../../server/core/host-facts';

// Real captures from Debian 6.1.0-56 and 6.12.117 QEMU guests
// (memmap=2G%4G-1+0xefffffff, HMAT), copied from the shared reference (test/vm/capture.sh's
// format). The samples' facts were recaptured later with `daxlayout facts` itself
// (test/vm/capture-samples.mjs, dumps in *.capture.txt): tested below, "the product's capture".
const capture = (name: string): string =>
  readFileSync(new URL(`../fixtures/facts/${name}.txt`, import.meta.url), 'utf8');
const sample = (name: string): string => readFileSync(new URL(`../../samples/${name}`, import.meta.url), 'utf8');
const errors = (ps: FactsProblem[]): FactsProblem[] => ps.filter((p) => p.severity === 'error');

const CAPTURES = [
  {
    name: 'linux-6.1-boot',
    facts: 'linux-6.1.facts.json',
    daxctl: 'linux-6.1.daxctl.json',
    driver: 'device_dax',
    start: 0x100000000n,
    size: 2n << 30n,
  },
  {
    name: 'linux-6.1-boot-node1-online',
    facts: 'linux-6.1-node1-online.facts.json',
    daxctl: undefined,
    driver: 'device_dax',
    start: 0x140000000n,
    size: 1n << 30n,
  },
  {
    name: 'linux-6.12-boot',
    facts: 'linux-6.12.facts.json',
    daxctl: 'linux-6.12.daxctl.json',
    driver: 'kmem',
    start: 0x100000000n,
    size: 2n << 30n,
  },
] as const;

function daxctlSection(text: string): string {
  const s = splitSections(text).find((x) => x.title === 'daxctl list -RDMi');
  if (!s) throw new Error('no daxctl section');
  return s.body.join('\n') + '\n';
}

describe('real captures → facts', () => {
  for (const c of CAPTURES) {
    describe(c.name, () => {
      const text = capture(c.name);
      const r = readCaptureText(text, `captures/${c.name}.txt`);
      const f = r.facts as HostFacts;

      it('reads without problems', () => {
        expect(r.problems).toEqual([]);
        expect(f).toBeDefined();
      });

      it('agrees with its own daxctl list -RDMi section', () => {
        const d = readFacts(daxctlSection(text), 'daxctl', {
          kernelRelease: f.kernelRelease!,
          memoryBlockSize: f.memoryBlockSize,
          autoOnline: f.autoOnlineBlocks,
        });
        expect(errors(d.problems)).toEqual([]);
        const x = d.facts!;
        expect(f.regions).toHaveLength(x.regions.length);
        f.regions.forEach((reg, i) => {
          const xr = x.regions[i]!;
          expect(reg.id).toBe(xr.id);
          expect(reg.path).toBe(xr.path);
          expect(reg.size).toBe(xr.size);
          expect(reg.align).toBe(xr.align);
          expect(reg.start).toBe(xr.start);
          expect(reg.targetNode).toBe(xr.targetNode);
          expect(reg.dynamic).toBe(xr.dynamic);
          expect(reg.kmemDefault).toBe(xr.kmemDefault);
          expect(reg.devices.map((dv) => [dv.name, dv.size, dv.align, dv.driver, dv.targetNode, dv.mappings])).toEqual(
            xr.devices.map((dv) => [dv.name, dv.size, dv.align, dv.driver, dv.targetNode, dv.mappings]),
          );
        });
        // The block list daxctl implies (from total/online_memblocks) is the one sysfs shows.
        expect(f.memoryBlocks).toEqual(x.memoryBlocks);
      });

      it('has the expected region, device and host values', () => {
        expect(f.arch).toBe('x86_64');
        expect(f.pageSize).toBe(4096n);
        expect(f.memoryBlockSize).toBe(0x8000000n);
        expect(f.autoOnlineBlocks).toBe('offline');
        const reg = f.regions[0]!;
        expect(reg.path).toBe('/sys/devices/platform/hmem.0');
        expect(reg.start).toBe(c.start);
        expect(reg.size).toBe(c.size);
        const dev = reg.devices[0]!;
        expect(dev.driver).toBe(c.driver);
        expect(dev.targetNode).toBe(1);
        expect(dev.mappings).toEqual([{ id: 0, start: c.start, end: c.start + c.size - 1n, pageOffset: 0n }]);
      });

      it(`has the geometry of samples/${c.facts} (recaptured on a later boot of the same guest: the kernel package moved on)`, () => {
        const later = readFacts(sample(c.facts), c.facts).facts as HostFacts;
        expect(later.regions).toEqual(f.regions);
        expect(later.memoryBlocks).toEqual(f.memoryBlocks);
        expect(later.memoryBlockSize).toBe(f.memoryBlockSize);
        expect(later.kernelRelease).not.toBe(f.kernelRelease);
      });

      if (c.daxctl) {
        it(`has its daxctl section in samples/${c.daxctl}`, () => {
          expect(daxctlSection(text)).toBe(sample(c.daxctl!));
        });
      }
    });
  }

  it('6.1: device_dax at boot, kernel 6.1, no kmem default, no dax memory blocks', () => {
    const f = readCaptureText(capture('linux-6.1-boot'), 'c').facts!;
    expect(f.kernelRelease).toBe('6.1.0-56-amd64');
    expect(f.regions[0]!.kmemDefault).toBe(false);
    expect(f.memoryBlocks).toEqual([]);
    expect(f.nodes.map((n) => [n.id, n.online, n.cpus])).toEqual([
      [0, true, '0-1'],
      [1, false, ''],
    ]);
    expect(f.nodes[1]!.access0).toBeUndefined();
  });

  it('6.12: kmem at boot with memory32..47 offline (zones "Normal Movable" → no zone)', () => {
    const f = readCaptureText(capture('linux-6.12-boot'), 'c').facts!;
    expect(f.regions[0]!.kmemDefault).toBe(true);
    expect(f.regions[0]!.devices[0]!.memmapOnMemory).toBe(false);
    expect(f.memoryBlocks).toHaveLength(16);
    expect(f.memoryBlocks[0]).toEqual({ index: 32, state: 'offline', node: 1, removable: true });
    expect(f.memoryBlocks[15]!.index).toBe(47);
    expect(f.nodes.find((n) => n.id === 1)).toMatchObject({ online: true, memTotal: 0n });
  });

  it('6.1 with node 1 online: HMAT access classes and the memory-side cache of node 1', () => {
    const f = readCaptureText(capture('linux-6.1-boot-node1-online'), 'c').facts!;
    const n1 = f.nodes.find((n) => n.id === 1)!;
    expect(n1.online).toBe(true);
    expect(n1.cpus).toBe('');
    expect(n1.memTotal).toBe(1n << 30n); // memory32..39 online
    for (const a of [n1.access0, n1.access1]) {
      expect(a).toEqual({
        initiators: [0],
        readLatency: 40,
        writeLatency: 40,
        readBandwidth: 2048,
        writeBandwidth: 2048,
      });
    }
    expect(n1.caches).toEqual([{ level: 1, size: 268435456n, lineSize: 64, indexing: 0, writePolicy: 0 }]);
    const n0 = f.nodes.find((n) => n.id === 0)!;
    expect(n0.access0).toEqual({
      initiators: [0],
      readLatency: 10,
      writeLatency: 10,
      readBandwidth: 10240,
      writeBandwidth: 10240,
    });
    // Node 1's boot memory blocks (32..39) are not dax memory.
    expect(f.memoryBlocks).toEqual([]);
  });

  it('readFacts recognises a capture dump', () => {
    const r = readFacts(capture('linux-6.12-boot'), 'c');
    expect(r.problems).toEqual([]);
    expect(r.facts!.regions[0]!.devices[0]!.driver).toBe('kmem');
  });
});

describe('capture parser robustness', () => {
  const minimal = (extra: string): string =>
    [
      '### uname -r',
      '6.12.117+deb12-amd64',
      '### uname -m',
      'x86_64',
      '### getconf PAGESIZE',
      '4096',
      '### /sys/devices/system/memory/block_size_bytes',
      '8000000',
      '### /sys/devices/system/memory/auto_online_blocks',
      'online_movable',
      extra,
    ].join('\n');

  it('splits sections, links and absent/unreadable files', () => {
    const s = splitSections(
      [
        'banner before the first section',
        '### /a/b',
        'value',
        '',
        '### /a/link -> ../../x/kmem',
        '### /a/gone',
        "cat: can't open '/a/gone': No such file or directory",
        '### /a/gnu',
        'cat: /a/gnu: No such file or directory',
        '### /a/secret',
        "cat: can't open '/a/secret': Permission denied",
        '### /a/empty',
        '',
      ].join('\n'),
    );
    expect(s.map((x) => [x.title, x.status, x.link ?? null, x.body])).toEqual([
      ['/a/b', 'value', null, ['value']],
      ['/a/link', 'value', '../../x/kmem', []],
      ['/a/gone', 'absent', null, []],
      ['/a/gnu', 'absent', null, []],
      ['/a/secret', 'unreadable', null, []],
      ['/a/empty', 'value', null, []],
    ]);
  });

  it('ignores unknown sections and accepts CRLF line ends', () => {
    const text = capture('linux-6.12-boot')
      .replace('### uname -m', '### something else entirely\nwhatever: 1\n### uname -m')
      .replace(/\n/g, '\r\n');
    const r = readCaptureText(text, 'c');
    expect(r.problems).toEqual([]);
    expect(r.facts!.regions[0]!.devices[0]!.driver).toBe('kmem');
  });

  it('reads devices captured under /sys/bus/dax/devices, per-file memory blocks and a zero-size device', () => {
    const R = '/sys/devices/platform/hmem.0';
    const text = minimal(
      [
        `### ${R}/dax_region/id`,
        '0',
        `### ${R}/dax_region/size`,
        '1073741824',
        `### ${R}/dax_region/align`,
        '2097152',
        `### ${R}/dax_region/available_size`,
        '805306368',
        '### /sys/bus/dax/devices/dax0.0/size',
        '268435456',
        '### /sys/bus/dax/devices/dax0.0/align',
        '2097152',
        '### /sys/bus/dax/devices/dax0.0/target_node',
        '1',
        '### /sys/bus/dax/devices/dax0.0/mapping0/start',
        '0x140000000',
        '### /sys/bus/dax/devices/dax0.0/mapping0/end',
        '0x14fffffff',
        '### /sys/bus/dax/devices/dax0.0/mapping0/page_offset',
        '0x0',
        '### /sys/bus/dax/devices/dax0.0/driver -> ../../../../bus/dax/drivers/kmem',
        '### /sys/bus/dax/devices/dax0.1/size',
        '0',
        '### /sys/bus/dax/devices/dax0.1/target_node',
        '1',
        '### /sys/bus/dax/devices/dax0.1/resource',
        '0x140000000',
        '### /sys/bus/dax/devices/dax0.1/driver',
        'ls: /sys/bus/dax/devices/dax0.1/driver: No such file or directory',
        '### /sys/devices/system/memory/memory40/state',
        'online',
        '### /sys/devices/system/memory/memory40/valid_zones',
        'Movable',
        '### /sys/devices/system/memory/memory40/removable',
        '1',
        '### /sys/devices/system/memory/memory40/node1 -> ../../node/node1',
        '### /sys/devices/system/memory/memory41/state',
        'offline',
        '### /sys/devices/system/node/online',
        '0-1',
        '### /sys/devices/system/node/node1/meminfo',
        'Node 1 MemTotal:          131072 kB',
      ].join('\n'),
    );
    const r = readCaptureText(text, 'c');
    expect(errors(r.problems)).toEqual([]);
    const f = r.facts!;
    expect(f.autoOnlineBlocks).toBe('online_movable');
    const reg = f.regions[0]!;
    expect(reg.start).toBe(0x140000000n); // from the zero-size dax0.1's resource
    expect(reg.devices.map((d) => [d.name, d.driver, d.size])).toEqual([
      ['dax0.0', 'kmem', 268435456n],
      ['dax0.1', null, 0n],
    ]);
    expect(f.memoryBlocks).toEqual([
      { index: 40, state: 'online', zone: 'Movable', node: 1, removable: true },
      { index: 41, state: 'offline', node: 1, removable: true },
    ]);
    expect(f.nodes.find((n) => n.id === 1)!.memTotal).toBe(128n << 20n);
  });

  it('falls back to the daxctl section for unreadable mappings and warns when they disagree', () => {
    // As a non-root capture prints it: mappingN files unreadable.
    const text = capture('linux-6.1-boot')
      .replace(
        '### /sys/devices/platform/hmem.0/dax0.0/mapping0/end\n0x17fffffff',
        "### /sys/devices/platform/hmem.0/dax0.0/mapping0/end\ncat: can't open '/sys/devices/platform/hmem.0/dax0.0/mapping0/end': Permission denied",
      )
      .replace(
        '### /sys/devices/platform/hmem.0/dax0.0/target_node\n1',
        '### /sys/devices/platform/hmem.0/dax0.0/target_node\n0',
      );
    const r = readCaptureText(text, 'c');
    expect(errors(r.problems)).toEqual([]);
    expect(r.facts!.regions[0]!.devices[0]!.mappings).toEqual([
      { id: 0, start: 0x100000000n, end: 0x17fffffffn, pageOffset: 0n },
    ]);
    const w = r.problems.filter((p) => p.severity === 'warning');
    expect(w.map((p) => p.message)).toEqual([
      'the sysfs sections and the daxctl section disagree: dax0.0 target node 0 vs 1',
    ]);
    expect(w[0]!.line).toBeGreaterThan(0);
  });

  it('uses the daxctl section when no dax_region section was captured', () => {
    const text = capture('linux-6.12-boot')
      .split('\n### ')
      .filter((s) => !s.startsWith('/sys/devices/platform/hmem.0/') && !s.startsWith('/sys/bus/dax/'))
      .join('\n### ');
    const r = readCaptureText(text, 'c');
    expect(errors(r.problems)).toEqual([]);
    expect(r.problems.some((p) => /taken from the `daxctl list -RDMi` section/.test(p.message))).toBe(true);
    const f = r.facts!;
    expect(f.regions[0]!.devices[0]!.driver).toBe('kmem');
    expect(f.regions[0]!.start).toBe(0x100000000n);
    expect(f.memoryBlocks).toHaveLength(16);
  });

  it('reports a capture without sections, and one without uname -r', () => {
    const r = readCaptureText('hello\nworld\n', 'c');
    expect(r.facts).toBeUndefined();
    expect(errors(r.problems)[0]!.message).toMatch(/not a capture dump/);
    const k = readCaptureText(capture('linux-6.1-boot').replace('### uname -r\n6.1.0-56-amd64\n', ''), 'c');
    expect(k.facts).toBeDefined();
    expect(k.facts!.kernelRelease).toBeUndefined();
    expect(errors(k.problems).map((p) => p.message)).toEqual([
      'the capture has no `uname -r` section; pass --kernel RELEASE (a `uname -r` string)',
    ]);
    const g = readCaptureText(capture('linux-6.1-boot').replace('### uname -r\n6.1.0-56-amd64\n', ''), 'c', {
      kernelRelease: '6.1.0-56-amd64',
    });
    expect(g.problems).toEqual([]);
  });
});

describe("the product's capture (`daxlayout facts --raw`, test/vm/capture-samples.mjs) → the samples", () => {
  for (const c of CAPTURES) {
    it(`${c.name}.capture.txt is what samples/${c.facts} holds, HMAT included`, () => {
      const r = readCaptureText(capture(`${c.name}.capture`), `test/fixtures/facts/${c.name}.capture.txt`);
      expect(errors(r.problems)).toEqual([]);
      const f = r.facts as HostFacts;
      expect(writeFacts(f)).toBe(sample(c.facts));
      // QEMU's -numa hmat-lb for node 1: 40 ns and 2 GiB/s from node 0, a 256 MiB direct-mapped cache
      const n1 = f.nodes.find((n) => n.id === 1);
      expect(n1?.access1).toMatchObject({ initiators: [0], readLatency: 40, readBandwidth: 2048 });
      expect(n1?.caches.map((x) => x.size)).toEqual([256n << 20n]);
      // node 1 has no memory online but in the node1-online boot: there the kernel lists HMAT itself
      const fromAcpi = r.problems.some((p) => p.severity === 'info' && /read from the ACPI HMAT table/.test(p.message));
      expect(fromAcpi).toBe(c.name !== 'linux-6.1-boot-node1-online');
    });
  }
});
