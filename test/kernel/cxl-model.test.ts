// The CXL region model (server/core/kernel/cxl-model.ts) against what Linux 6.12.118 and 7.3.4
// answered, write by write, on the QEMU machines of test/vm (docs/cxl.md, "The region ABI write by
// write"). Facts are the captures of those machines right after boot (test/vm/cxl/captures); the
// expected answers were typed in from the guest runs, not produced by the model.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cxlSnapshot, KernelModel, readFacts, toDaxctlJson, type CxlModel } from '../../server/core/index';

const CAPTURES = join(__dirname, '..', 'vm', 'cxl', 'captures');

/** A model seeded from a capture; `release` reads it as another kernel's. */
function model(file: string, release?: string): KernelModel {
  const { facts, problems } = readFacts(
    readFileSync(join(CAPTURES, file), 'utf8'),
    file,
    release ? { kernelRelease: release } : {},
  );
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  if (!facts) throw new Error(`no facts from ${file}`);
  return KernelModel.fromFacts(facts, release);
}
const C = '/sys/bus/cxl/devices';
/** Runs `[path, value, expected]` writes; returns the answers that differ. */
function run(m: KernelModel, writes: readonly (readonly [string, string, string])[]): string[] {
  const bad: string[] = [];
  for (const [path, value, want] of writes) {
    const r = m.write(path, `${value}\n`);
    const got = r.kind === 'ok' ? 'ok' : r.kind === 'errno' ? r.errno : `unmodelled: ${r.reason}`;
    if (got !== want) bad.push(`${path} <- ${value}: got ${got}, want ${want}`);
  }
  return bad;
}
const cxl = (m: KernelModel): CxlModel => m.cxl as CxlModel;

describe('CXL facts from a capture', () => {
  it('reads the cxl2 machine: two memdevs on two root ports of one host bridge, one 4 GiB window', () => {
    const m = model('linux-6.12-cxl2.txt');
    const s = cxlSnapshot(cxl(m));
    expect(s.roots).toEqual([{ name: 'decoder0.0', create_ram_region: 'region0' }]);
    expect(s.endpoints.map((e) => e.name)).toEqual([
      'decoder2.0',
      'decoder2.1',
      'decoder2.2',
      'decoder2.3',
      'decoder3.0',
      'decoder3.1',
      'decoder3.2',
      'decoder3.3',
    ]);
    expect(s.endpoints.every((e) => e.mode === 'none' && e.dpa_size === '0' && e.region === null)).toBe(true);
    expect(cxl(m).memdevs.map((d) => [d.name, d.serial, d.ramSize, d.endpoint, d.hostPort, d.hostBridge])).toEqual([
      ['mem0', 1n, 1n << 30n, 'endpoint2', 'port1', 12],
      ['mem1', 2n, 1n << 30n, 'endpoint3', 'port1', 12],
    ]);
    expect(cxl(m).roots[0]).toMatchObject({
      start: 0x390000000n,
      size: 0x100000000n,
      ways: 1,
      granularity: 256,
      targets: [12],
      capRam: true,
      node: 1,
    });
  });

  it('reads a committed, bound region and its dax region', () => {
    const m = model('linux-6.12-cxl2-region.txt');
    expect(cxlSnapshot(cxl(m)).regions).toEqual([
      {
        name: 'region0',
        commit: true,
        interleave_ways: 2,
        interleave_granularity: 256,
        size: String(2n << 30n),
        resource: String(0x390000000n),
        targets: ['decoder2.0', 'decoder3.0'],
        bound: true,
      },
    ]);
    expect(JSON.parse(JSON.stringify(toDaxctlJson(m.state)))).toMatchObject([
      { id: 0, path: '/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0' },
    ]);
  });

  it('with hmem.0 present (6.12), create_ram_region offers region1; on 7.3 the window took id 0 first and hmem is hmem.1', () => {
    expect(cxlSnapshot(cxl(model('linux-6.12-hmem-cxl.txt'))).roots[0]?.create_ram_region).toBe('region1');
    expect(cxlSnapshot(cxl(model('linux-7.3-hmem-cxl.txt'))).roots[0]?.create_ram_region).toBe('region0');
    expect(cxl(model('linux-7.3-hmem-cxl.txt')).roots[0]?.node).toBe(2);
  });
});

// explore1/explore2 of docs/cxl.md on the cxl2 machine, the same on both kernels unless noted
const create = (abi: '6.12' | '7.3') =>
  [
    [`${C}/decoder0.0/create_ram_region`, 'region1', 'EBUSY'],
    [`${C}/decoder0.0/create_ram_region`, 'region0', 'ok'],
    [`${C}/decoder0.0/create_ram_region`, 'region0', 'EBUSY'],
    [`${C}/region0/size`, '0x40000000', 'ENXIO'],
    [`${C}/region0/commit`, '1', 'ENXIO'],
    [`${C}/region0/target0`, 'decoder2.0', 'EACCES'],
    [`${C}/region0/interleave_granularity`, '300', 'EINVAL'],
    [`${C}/region0/interleave_granularity`, '128', 'EINVAL'],
    [`${C}/region0/interleave_granularity`, '32768', 'EINVAL'],
    [`${C}/region0/interleave_granularity`, '4096', 'ok'],
    [`${C}/region0/interleave_granularity`, '256', 'ok'],
    [`${C}/region0/interleave_ways`, '3', 'EINVAL'],
    [`${C}/region0/interleave_ways`, '0', 'EINVAL'],
    [`${C}/region0/interleave_ways`, '32', 'EINVAL'],
    [`${C}/region0/interleave_ways`, 'abc', 'EINVAL'],
    [`${C}/region0/interleave_ways`, '16', 'ok'],
    [`${C}/region0/interleave_ways`, '2', 'ok'],
    [`${C}/region0/target2`, 'decoder2.0', 'EACCES'],
    [`${C}/region0/size`, '0x10000000', 'EINVAL'],
    [`${C}/region0/size`, '0x300000000', 'ERANGE'],
    [`${C}/region0/size`, '0x200000000', 'ERANGE'],
    [`${C}/region0/size`, '0', 'ok'],
    [`${C}/region0/size`, '0x80000000', 'ok'],
    [`${C}/region0/interleave_ways`, '1', 'EBUSY'],
    [`${C}/region0/interleave_granularity`, '512', 'EBUSY'],
    [`${C}/region0/size`, '0x40000000', 'EBUSY'],
    [`${C}/region0/target0`, 'decoder2.0', abi === '6.12' ? 'EINVAL' : 'ENODEV'],
    [`${C}/decoder2.0/mode`, 'bogus', 'EINVAL'],
    [`${C}/decoder2.0/mode`, 'none', 'EINVAL'],
    [`${C}/decoder2.0/mode`, 'pmem', abi === '6.12' ? 'ENXIO' : 'EINVAL'],
    [`${C}/decoder2.0/dpa_size`, '0x40000000', abi === '6.12' ? 'EINVAL' : 'EBUSY'],
    [`${C}/decoder2.0/mode`, 'ram', 'ok'],
    [`${C}/decoder2.0/dpa_size`, '0x50000000', 'ENOSPC'],
    [`${C}/decoder2.0/dpa_size`, '0x10000001', 'EINVAL'],
    [`${C}/decoder2.0/dpa_size`, '0x1000000', 'EINVAL'],
    [`${C}/decoder2.0/dpa_size`, 'abc', 'EINVAL'],
    [`${C}/decoder2.0/dpa_size`, '-1', 'EINVAL'],
    [`${C}/decoder2.0/dpa_size`, '0', 'ok'],
    [`${C}/decoder2.1/mode`, 'ram', 'ok'],
    [`${C}/decoder2.1/dpa_size`, '0x20000000', 'EBUSY'],
    [`${C}/decoder2.0/dpa_size`, '0x40000000', 'ok'],
    [`${C}/decoder2.0/dpa_size`, '0x40000000', 'ok'],
    [`${C}/region0/target0`, 'decoder2.1', 'ENXIO'],
    [`${C}/region0/target1`, 'decoder2.0', 'ok'],
    [`${C}/region0/target0`, 'decoder2.0', 'EBUSY'],
    [`${C}/region0/commit`, '1', 'ENXIO'],
    [`${C}/decoder3.0/mode`, 'ram', 'ok'],
    [`${C}/decoder3.0/dpa_size`, '0x40000000', 'ok'],
    [`${C}/region0/target0`, 'decoder3.0', 'ok'],
    [`${C}/region0/target1`, 'decoder3.0', 'EBUSY'],
    [`${C}/decoder2.0/dpa_size`, '0', 'EBUSY'],
    [`${C}/region0/size`, '0', 'EBUSY'],
    ['/sys/bus/cxl/drivers/cxl_region/bind', 'region0', 'ENXIO'],
    [`${C}/region0/commit`, '1', 'ok'],
    [`${C}/region0/commit`, '1', 'ok'],
    [`${C}/decoder2.0/dpa_size`, '0', 'EBUSY'],
    ['/sys/bus/cxl/drivers/cxl_region/bind', 'region0', 'ok'],
    ['/sys/bus/cxl/drivers/cxl_region/bind', 'region0', 'EBUSY'],
  ] as const;

describe('the region ABI, write by write, as measured', () => {
  for (const abi of ['6.12', '7.3'] as const) {
    it(`creates an interleave-2 RAM region on ${abi} and answers every refused write with the kernel's errno`, () => {
      // there is no pristine 7.3 cxl2 capture: the 6.12 one read as 7.3 (same topology and attributes at boot, docs/cxl.md)
      const m = abi === '6.12' ? model('linux-6.12-cxl2.txt') : model('linux-6.12-cxl2.txt', '7.3.4+deb13-amd64');
      expect(run(m, create(abi))).toEqual([]);
      expect(cxlSnapshot(cxl(m)).roots[0]?.create_ram_region).toBe('region1');
    });
  }

  it('the bound region has a dax region like the real one: dax0.0 over 2 GiB on kmem, 16 blocks offline, target node 1', () => {
    const m = model('linux-6.12-cxl2.txt');
    expect(run(m, create('6.12'))).toEqual([]);
    // the model's dax state equals what daxctl printed on the real kernel after the same writes
    // (linux-6.12-cxl2-region.txt, `daxctl list -RDMi`)
    const strip = (j: ReturnType<typeof toDaxctlJson>) => JSON.parse(JSON.stringify(j));
    const want = [
      {
        path: '/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0',
        id: 0,
        size: 2147483648,
        align: 2097152,
        devices: [
          {
            chardev: 'dax0.0',
            size: 2147483648,
            target_node: 1,
            align: 2097152,
            mode: 'system-ram',
            online_memblocks: 0,
            total_memblocks: 16,
            mappings: [{ page_offset: 0, start: 15300820992, end: 17448304639, size: 2147483648 }],
          },
        ],
      },
    ];
    expect(strip(toDaxctlJson(m.state))).toMatchObject(want);
    expect(m.state.regions[0]?.devices.get(0)?.memmapOnMemory).toBe(true);
  });

  it('same memdev twice, a DPA size that does not match, a memdev already used, delete and ids', () => {
    const m = model('linux-6.12-cxl2.txt');
    expect(
      run(m, [
        [`${C}/decoder2.0/mode`, 'ram', 'ok'],
        [`${C}/decoder2.1/mode`, 'ram', 'ok'],
        [`${C}/decoder3.0/mode`, 'ram', 'ok'],
        [`${C}/decoder2.0/dpa_size`, '0x20000000', 'ok'],
        [`${C}/decoder2.1/dpa_size`, '0x20000000', 'ok'],
        [`${C}/decoder2.0/dpa_size`, '0', 'EBUSY'],
        [`${C}/decoder0.0/create_ram_region`, 'region0', 'ok'],
        [`${C}/region0/interleave_granularity`, '256', 'ok'],
        [`${C}/region0/interleave_ways`, '2', 'ok'],
        [`${C}/region0/target0`, 'decoder2.0', 'ENXIO'],
        [`${C}/region0/size`, '0x40000000', 'ok'],
        [`${C}/region0/target0`, 'decoder2.0', 'ok'],
        [`${C}/region0/target1`, 'decoder2.1', 'EBUSY'],
        [`${C}/region0/commit`, '1', 'ENXIO'],
        [`${C}/decoder0.0/delete_region`, 'region0', 'ok'],
        [`${C}/decoder0.0/delete_region`, 'region0', 'ENODEV'],
        [`${C}/decoder0.0/delete_region`, 'region5', 'ENODEV'],
        [`${C}/decoder0.0/delete_region`, 'abc', 'EINVAL'],
        [`${C}/decoder0.0/create_ram_region`, 'region0', 'ok'],
        [`${C}/region0/interleave_granularity`, '256', 'ok'],
        [`${C}/region0/interleave_ways`, '2', 'ok'],
        [`${C}/region0/size`, '0x80000000', 'ok'],
        [`${C}/decoder3.0/dpa_size`, '0x40000000', 'ok'],
        [`${C}/region0/target0`, 'decoder2.0', 'EINVAL'],
        [`${C}/region0/target1`, 'decoder3.0', 'ok'],
        [`${C}/region0/target1`, '', 'ok'],
        [`${C}/decoder0.0/create_ram_region`, 'region1', 'ok'],
        [`${C}/region1/interleave_granularity`, '256', 'ok'],
        [`${C}/region1/interleave_ways`, '1', 'ok'],
        [`${C}/region1/size`, '0x40000000', 'ok'],
        [`${C}/decoder3.1/mode`, 'ram', 'ok'],
        [`${C}/decoder3.1/dpa_size`, '0x10000000', 'ENOSPC'],
        [`${C}/decoder0.0/delete_region`, 'region1', 'ok'],
        [`${C}/decoder0.0/delete_region`, 'region0', 'ok'],
      ]),
    ).toEqual([]);
    expect(cxlSnapshot(cxl(m)).roots[0]?.create_ram_region).toBe('region0');
    // the endpoint decoders keep their mode and DPA after the region goes (measured)
    expect(cxlSnapshot(cxl(m)).endpoints.find((e) => e.name === 'decoder2.0')).toMatchObject({
      mode: 'ram',
      dpa_size: String(0x20000000),
      region: null,
    });
  });

  it('ids: the freed id is offered again when it is lower than the one on offer (cxl_region_release); region01 is region1', () => {
    const m = model('linux-6.12-hmem-cxl.txt');
    expect(
      run(m, [
        [`${C}/decoder0.0/create_ram_region`, 'foo', 'EINVAL'],
        [`${C}/decoder0.0/create_ram_region`, 'region', 'EINVAL'],
        [`${C}/decoder0.0/create_ram_region`, 'region01', 'ok'],
        [`${C}/decoder0.0/create_ram_region`, 'region2', 'ok'],
        [`${C}/decoder0.0/create_ram_region`, 'region3', 'ok'],
        [`${C}/decoder0.0/delete_region`, 'region2', 'ok'],
        [`${C}/decoder0.0/delete_region`, 'region3', 'ok'],
      ]),
    ).toEqual([]);
    expect(cxlSnapshot(cxl(m)).roots[0]?.create_ram_region).toBe('region2');
    // 7.3.4 on the hmem-cxl machine (region0 offered, hmem.1 holds id 1): region00 is region0, and
    // region2 is offered next (session 2; an earlier EBUSY for region00 did not reproduce)
    const m73 = model('linux-7.3-hmem-cxl.txt');
    expect(
      run(m73, [
        [`${C}/decoder0.0/create_ram_region`, 'region00', 'ok'],
        [`${C}/decoder0.0/create_ram_region`, 'region01', 'EBUSY'],
      ]),
    ).toEqual([]);
    expect(cxlSnapshot(cxl(m73)).roots[0]?.create_ram_region).toBe('region2');
  });

  it("granularity other than the window's; detaching a target of a bound region whose memory is online (explore5, both kernels)", () => {
    for (const release of [undefined, '7.3.4+deb13-amd64']) {
      const m = model('linux-6.12-cxl2.txt', release);
      const region = (g: string, ways: string, size: string, targets: string[]) =>
        [
          [`${C}/decoder0.0/create_ram_region`, 'region0', 'ok'],
          [`${C}/region0/interleave_granularity`, g, 'ok'],
          [`${C}/region0/interleave_ways`, ways, 'ok'],
          [`${C}/region0/size`, size, 'ok'],
          ...targets.map((t, i) => [`${C}/region0/target${i}`, t, 'ok'] as const),
          [`${C}/region0/commit`, '1', 'ok'],
        ] as const;
      expect(
        run(m, [
          [`${C}/decoder2.0/mode`, 'ram', 'ok'],
          [`${C}/decoder3.0/mode`, 'ram', 'ok'],
          [`${C}/decoder2.0/dpa_size`, '0x40000000', 'ok'],
          [`${C}/decoder3.0/dpa_size`, '0x40000000', 'ok'],
          ...region('512', '2', '0x80000000', ['decoder2.0', 'decoder3.0']),
          ['/sys/bus/cxl/drivers/cxl_region/bind', 'region0', 'ok'],
          [`${C}/decoder0.0/delete_region`, 'region0', 'ok'],
          ...region('4096', '1', '0x40000000', ['decoder2.0']),
          [`${C}/decoder0.0/delete_region`, 'region0', 'ok'],
          ...region('4096', '2', '0x80000000', ['decoder2.0', 'decoder3.0']),
          [`${C}/decoder0.0/delete_region`, 'region0', 'ok'],
          ...region('256', '2', '0x80000000', ['decoder2.0', 'decoder3.0']),
          ['/sys/bus/cxl/drivers/cxl_region/bind', 'region0', 'ok'],
        ]),
      ).toEqual([]);
      // daxctl online-memory dax0.0: its 16 blocks (0x390000000 / 128 MiB = block 114) online
      for (let b = 114; b < 130; b++)
        expect(m.write(`/sys/devices/system/memory/memory${b}/state`, 'online_movable\n')).toEqual({ kind: 'ok' });
      expect(
        run(m, [
          [`${C}/region0/target0`, '', 'ok'],
          ['/sys/bus/cxl/drivers/cxl_region/unbind', 'region0', 'ENODEV'],
          ['/sys/bus/cxl/drivers/cxl_region/bind', 'region0', 'ENXIO'],
          [`${C}/region0/commit`, '0', 'ok'],
          [`${C}/decoder0.0/delete_region`, 'region0', 'ok'],
        ]),
      ).toEqual([]);
      // the dax device is gone, its memory stays online and reserved (System RAM (kmem) in /proc/iomem)
      expect(m.state.regions).toEqual([]);
      expect(m.state.reservations.filter((x) => x.stranded).map((x) => [x.owner, x.start, x.end])).toEqual([
        ['dax0.0', 0x390000000n, 0x40fffffffn],
      ]);
    }
  });

  it('6.18 and 7.2 answer as 7.3 where 6.12 differs; region01 is region1; `locked` from 7.2 on (cxl-region-2way.sh)', () => {
    // answers typed in from the runs of cxl-region-2way.sh on 6.18.15 and 7.2.12 (docs/cxl.md)
    for (const release of ['6.18.15+deb13-amd64', '7.2.12+deb13-amd64']) {
      const m = model('linux-6.12-cxl2.txt', release);
      expect(
        run(m, [
          [`${C}/decoder0.0/create_ram_region`, 'region0', 'ok'],
          [`${C}/region0/interleave_granularity`, '256', 'ok'],
          [`${C}/region0/interleave_ways`, '2', 'ok'],
          [`${C}/region0/size`, '0x80000000', 'ok'],
          [`${C}/region0/target0`, 'decoder2.0', 'ENODEV'],
          [`${C}/decoder2.0/dpa_size`, '0x40000000', 'EBUSY'],
          [`${C}/decoder2.0/mode`, 'pmem', 'EINVAL'],
          [`${C}/decoder0.0/create_ram_region`, 'region01', 'ok'],
        ]),
        release,
      ).toEqual([]);
      expect(cxlSnapshot(cxl(m)).regions[0]?.locked, release).toBe(release.startsWith('7.2') ? false : undefined);
    }
  });

  it('declines what was not measured instead of guessing', () => {
    const m = model('linux-6.12-cxl2.txt', '6.15.11-amd64');
    expect(m.write(`${C}/decoder0.0/create_ram_region`, 'region0\n').kind).toBe('unmodelled');
  });
});
