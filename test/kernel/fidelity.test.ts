// Regression tests for what differential testing against the real kernels found (issue #5,
// `npm run fidelity`, docs/fidelity.md). Each case is the shrunk reproducer the harness printed,
// replayed on the model, with what Debian's 6.1.0-56 / 6.12.117 guests did.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFacts } from '../../server/core/facts/read';
import { KernelModel } from '../../server/core/kernel/model';
import { toDaxctlJson } from '../../server/core/kernel/snapshot';
import { R61, R612, RELEASES, bootOf } from './hosts';
import { device, driverOf, expectSession, seed } from './session';

const D = '/sys/bus/dax/devices';
const G = '/sys/devices/platform/hmem.0/dax_region';
const DRV = '/sys/bus/dax/drivers';
const MEM = '/sys/devices/system/memory';

type Json = { devices: Record<string, unknown>[] }[];
const listed = (m: KernelModel, name: string) =>
  (toDaxctlJson(m.state) as Json)[0]?.devices.find((d) => d.chardev === name) ?? {};

describe('device_dax probes of ranges that are not page granular are not predicted', () => {
  // mapping_store takes any byte address. A real 6.1 bound a device at 0x113a00200; another 6.1
  // oopsed (free_pagetable, while memremap_pages unwound) binding a device whose range began at
  // 0x17ac00200 right after a page-sharing range that had been mapped before; 6.12 WARNed
  // "Conflicting mapping in same section" on the same sequence. The model declines.
  it('bind: the model declines, naming the range', () => {
    const m = KernelModel.fromFacts(bootOf(R61));
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/device_dax/unbind                        -> ok
      echo 0 > ${D}/dax0.0/size                                     -> ok
      echo 1 > ${G}/create                                          -> ok
      echo 0x113a00200-0x1142001ff > ${D}/dax0.1/mapping            -> ok
      echo dax0.1 > ${DRV}/device_dax/bind                          -> unmodelled
      echo dax0.1 > ${DRV}/device_dax/new_id                        -> unmodelled
      echo dax0.1 > ${DRV}/kmem/new_id                              -> ok
      `,
    );
    const r = m.write(`${DRV}/device_dax/bind`, 'dax0.1\n');
    expect(r).toMatchObject({ kind: 'unmodelled' });
    expect(r.kind === 'unmodelled' && r.reason).toContain('0x113a00200-0x1142001ff');
  });

  it('6.1 crash reproducer: the oopsing bind is declined', () => {
    const m = KernelModel.fromFacts(bootOf(R61));
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/device_dax/unbind                        -> ok
      echo 1965031424 > ${D}/dax0.0/size                            -> ok
      echo 0x178400200-0x17ac001ff > /sys/devices/platform/hmem.0/dax0.0/mapping -> ok
      echo 1 > ${G}/create                                          -> ok
      echo dax0.2 > ${DRV}/device_dax/new_id                        -> unmodelled
      `,
    );
  });

  it('page granular but not sub-section sized: EINVAL ("Misaligned __add_pages"), both kernels', () => {
    for (const release of RELEASES) {
      const m = KernelModel.fromFacts(bootOf(release));
      const bind =
        release === R61
          ? `echo dax0.2 > ${DRV}/device_dax/bind -> EINVAL`
          : `echo dax0.2 > ${DRV}/device_dax/new_id -> ok`;
      expectSession(
        m,
        `
        echo dax0.0 > ${DRV}/${release === R61 ? 'device_dax' : 'kmem'}/unbind -> ok
        echo 0 > ${D}/dax0.0/size                                   -> ok
        echo 1 > ${G}/create                                        -> ok
        echo 0x100001000-0x100200fff > ${D}/dax0.1/mapping          -> ok
        echo 1 > ${G}/create                                        -> ok
        echo 2097152 > ${D}/dax0.2/size                             -> ok
        ${bind}
        echo dax0.2 > ${DRV}/device_dax/bind                        -> EINVAL
        `,
      );
      // 4 KiB below dax0.1 and 2 MiB - 4 KiB after it: one page is not a sub-section
      expect(m.findDevice('dax0.2')?.ranges.map((r) => r.end - r.start + 1n)).toEqual([
        4096n,
        2n * 1024n * 1024n - 4096n,
      ]);
    }
  });
});

describe('daxctl list counts memory blocks the way libdaxctl does (6.1 reproducer)', () => {
  const script = `
    echo -n dax0.0 > ${DRV}/device_dax/unbind                       -> ok
    echo 0 > ${D}/dax0.0/size                                       -> ok
    echo 0x128000000-0x137ffffff > ${D}/dax0.0/mapping              -> ok
    echo 1 > ${G}/create                                            -> ok
    echo 1 > ${G}/create                                            -> ok
    echo 014740000000 > ${D}/dax0.2/size                            -> ok
    echo dax0.2 > ${DRV}/kmem/new_id                                -> ok
  `;
  it('blocks whose start lies in [resource, resource + size): 11, not the 12 kmem added', () => {
    const m = KernelModel.fromFacts(bootOf(R61));
    expectSession(m, script);
    // dax0.2 = [4G, 4.625G) + [4.875G, 5.867G): kmem added blocks 32-36 and 39-45 (12);
    // daxctl looks at [resource 4G, 4G + 1656 MiB): 32-36 and 39-44 (11)
    expect(listed(m, 'dax0.2')).toMatchObject({ mode: 'system-ram', online_memblocks: 0, total_memblocks: 11 });
    expect([...m.state.blocks.keys()].length).toBe(12);
  });

  it("not the block that starts right after the device (another device's): 6.12 reproducer, daxctl 76.1", () => {
    const m = KernelModel.fromFacts(bootOf(R612));
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/kmem/unbind                              -> ok
      echo 0 > ${D}/dax0.0/size                                     -> ok
      echo 134217728 > ${D}/dax0.0/size                             -> ok
      echo 1 > ${G}/create                                          -> ok
      echo 134217728 > ${D}/dax0.1/size                             -> ok
      echo dax0.0 > ${DRV}/kmem/bind                                -> ok
      echo dax0.1 > ${DRV}/kmem/bind                                -> ok
      echo online_movable > ${MEM}/memory33/state                   -> ok
      `,
    );
    expect(listed(m, 'dax0.0')).toMatchObject({ online_memblocks: 0, total_memblocks: 1 });
    expect(listed(m, 'dax0.1')).toMatchObject({ online_memblocks: 1, total_memblocks: 1, movable: true });
  });
});

describe.each(RELEASES)('memory blocks of a dax region that kmem has not added (%s)', (release) => {
  it('do not exist: ENOENT (the model no longer declines them)', () => {
    const m = KernelModel.fromFacts(bootOf(release));
    const unbind = release === R61 ? 'device_dax' : 'kmem';
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/${unbind}/unbind                          -> ok
      echo online_movable > ${MEM}/memory40/state                    -> ENOENT
      echo offline > /sys/devices/system/node/node1/memory40/state   -> ENOENT
      `,
    );
  });
});

describe('a failed device_dax probe leaves a stale pgmap behind (6.1 and 6.12 reproducers)', () => {
  it('6.1: a range that does not start on a 2 MiB page frame: EINVAL, and EINVAL for good', () => {
    const m = KernelModel.fromFacts(bootOf(R61));
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/device_dax/unbind                        -> ok
      echo 0 > ${D}/dax0.0/size                                     -> ok
      echo 1 > ${G}/create                                          -> ok
      echo 0x100001000-0x100200fff > ${D}/dax0.1/mapping            -> ok
      echo dax0.1 > ${DRV}/device_dax/bind                          -> EINVAL
      echo 0 > ${D}/dax0.1/size                                     -> ok
      echo 2097152 > ${D}/dax0.1/size                               -> ok
      # an aligned range now, but dev_dax->pgmap still points at the freed page map
      echo dax0.1 > ${DRV}/device_dax/bind                          -> EINVAL
      # kmem does not look at it
      echo dax0.1 > ${DRV}/kmem/new_id                              -> ok
      `,
    );
    expect(driverOf(m, 'dax0.1')).toBeNull(); // 2 MiB: no whole memory block, kmem refuses it
  });

  it('6.12: EBUSY on memory a failed hot-remove left reserved, then EINVAL even once the range is free', () => {
    const m = KernelModel.fromFacts(bootOf(R612));
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/kmem/unbind                              -> ok
      echo 0 > ${D}/dax0.0/size                                     -> ok
      echo 134217728 > ${D}/dax0.0/size                             -> ok
      echo dax0.0 > ${DRV}/kmem/bind                                -> ok
      echo online_movable > ${MEM}/memory32/state                   -> ok
      # the online block cannot be removed: [4G, 4G + 128M) stays reserved until reboot
      echo dax0.0 > ${DRV}/kmem/unbind                              -> ok
      echo 0 > ${D}/dax0.0/size                                     -> ok
      echo 1 > ${G}/create                                          -> ok
      echo 134217728 > ${D}/dax0.1/size                             -> ok
      echo dax0.1 > ${DRV}/device_dax/new_id                        -> ok
      echo dax0.1 > ${DRV}/device_dax/bind                          -> EINVAL
      echo dax0.1 > ${DRV}/kmem/bind                                -> EBUSY
      echo 0 > ${D}/dax0.1/size                                     -> ok
      echo 134217728 > ${D}/dax0.0/size                             -> ok
      echo 134217728 > ${D}/dax0.1/size                             -> ok
      echo dax0.1 > ${DRV}/device_dax/bind                          -> EINVAL
      `,
    );
    expect(device(m, 'dax0.1').pgmapStale).toBe(true);
  });

  it('deleting the device ends it: a new device with the same name binds', () => {
    const m = KernelModel.fromFacts(bootOf(R61));
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/device_dax/unbind                        -> ok
      echo 0 > ${D}/dax0.0/size                                     -> ok
      echo 1 > ${G}/create                                          -> ok
      echo 0x100001000-0x100200fff > ${D}/dax0.1/mapping            -> ok
      echo dax0.1 > ${DRV}/device_dax/bind                          -> EINVAL
      echo 0 > ${D}/dax0.1/size                                     -> ok
      echo dax0.1 > ${G}/delete                                     -> ok
      echo 1 > ${G}/create                                          -> ok
      echo 2097152 > ${D}/dax0.1/size                               -> ok
      echo dax0.1 > ${DRV}/device_dax/bind                          -> ok
      `,
    );
  });
});

describe.each(RELEASES)('a write of no bytes (%s)', (release) => {
  it('opens the attribute and never reaches the store: ok, nothing changes', () => {
    const m = KernelModel.fromFacts(bootOf(release));
    const before = JSON.stringify(toDaxctlJson(m.state));
    expectSession(
      m,
      `
      echo -n '' > ${D}/dax0.0/size                                 -> ok
      echo -n '' > ${D}/dax0.0/align                                -> ok
      echo -n '' > ${DRV}/kmem/bind                                 -> ok
      echo -n '' > ${DRV}/device_dax/new_id                         -> ok
      echo -n '' > ${G}/create                                      -> ok
      echo -n '' > ${MEM}/auto_online_blocks                        -> ok
      echo -n '' > ${D}/dax0.0/resource                             -> EACCES
      echo -n '' > ${D}/dax0.7/size                                 -> ENOENT
      `,
    );
    expect(JSON.stringify(toDaxctlJson(m.state))).toBe(before);
  });
});

describe('daxctl "movable" of a system-ram device whose resource window holds no block', () => {
  it.each(RELEASES)('%s: false (the zone scan finds nothing), not left out', (release) => {
    const m = KernelModel.fromFacts(bootOf(release));
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/${release === R61 ? 'device_dax' : 'kmem'}/unbind -> ok
      echo 1073741824 > ${D}/dax0.0/size                            -> ok
      echo 1 > ${G}/create                                          -> ok
      echo 0 > ${D}/dax0.0/size                                     -> ok
      echo 0x103801000-0x103c00fff > ${D}/dax0.1/mapping            -> ok
      echo 0x150000000-0x15fffffff > ${D}/dax0.1/mapping            -> ok
      echo dax0.1 > ${DRV}/kmem/${release === R61 ? 'new_id' : 'bind'}  -> ok
      `,
    );
    // kmem added memory42-43; daxctl looks at [0x103801000, +260 MiB): no block there
    expect([...m.state.blocks.keys()]).toEqual([42, 43]);
    expect(listed(m, 'dax0.1')).toMatchObject({
      mode: 'system-ram',
      online_memblocks: 0,
      total_memblocks: 0,
      movable: false,
    });
  });
});

describe.each(RELEASES)('kernel-zone memory holds the memmap of blocks hot-added after it (%s)', (release) => {
  const newId = release === R61 ? 'new_id' : 'bind';
  const setup = `
    echo dax0.0 > ${DRV}/${release === R61 ? 'device_dax' : 'kmem'}/unbind -> ok
    echo 0x70000000 > ${D}/dax0.0/size                              -> ok
    echo dax0.0 > ${DRV}/kmem/${newId}                              -> ok
    echo 1 > ${G}/create                                            -> ok
    echo 268435456 > /sys/devices/platform/hmem.0/dax0.1/size       -> ok
  `;
  it('offlining it is EBUSY until those blocks are removed; Movable memory never takes it (bench reproducer)', () => {
    const m = KernelModel.fromFacts(bootOf(release));
    expectSession(
      m,
      `${setup}
      echo y > ${MEM}/memory34/online                                 -> ok   plain online: Normal (no zone on node 1 yet)
      echo dax0.1 > ${DRV}/kmem/${newId}                              -> ok   memory46-47, their memmap in memory34
      echo offline > ${MEM}/memory34/state                            -> EBUSY
      echo dax0.1 > ${DRV}/kmem/unbind                                -> ok   memory46-47 removed, memmap freed
      echo offline > ${MEM}/memory34/state                            -> ok
      echo online_kernel > ${MEM}/memory35/state                      -> ok
      echo online_movable > ${MEM}/memory36/state                     -> ok
      echo dax0.1 > ${DRV}/kmem/bind                                  -> ok
      echo offline > ${MEM}/memory36/state                            -> ok
      echo offline > ${MEM}/memory35/state                            -> EBUSY
      `,
    );
  });

  it('with several kernel-zone blocks online, which one took it is not predicted', () => {
    const m = KernelModel.fromFacts(bootOf(release));
    expectSession(
      m,
      `${setup}
      echo online_kernel > ${MEM}/memory34/state                      -> ok
      echo online_kernel > ${MEM}/memory40/state                      -> ok
      echo dax0.1 > ${DRV}/kmem/${newId}                              -> ok
      echo offline > ${MEM}/memory34/state                            -> unmodelled   (6.12 guest: ok)
      echo offline > ${MEM}/memory40/state                            -> unmodelled   (6.12 guest: EBUSY)
      `,
    );
  });
});

describe("a CXL region's dax region: `create` reads empty after cxl_region/bind", () => {
  // Fidelity on the cxl2 machine (6.12.118 and 7.3.4): the region's own daxN.0 is not the
  // `youngest` (only create_store sets it, drivers/dax/bus.c), so `dax_region/create` reads "".
  it.each(['linux-6.12-cxl2', 'linux-7.3-cxl1'])('%s', (name) => {
    const text = readFileSync(join(__dirname, '..', 'vm', 'cxl', 'captures', `${name}.txt`), 'utf8');
    const release = /### uname -r\n(\S+)/.exec(text)?.[1] as string;
    const facts = readFacts(text, name, { kernelRelease: release }).facts;
    if (!facts) throw new Error(`no facts from ${name}`);
    const m = KernelModel.fromFacts(facts, release);
    const eps = name.includes('cxl2') ? ['decoder2.0', 'decoder3.0'] : ['decoder2.0'];
    const per = 0x20000000n;
    const C = '/sys/bus/cxl/devices';
    const lines = [
      ...eps.flatMap((e) => [`echo ram > ${C}/${e}/mode`, `echo ${per} > ${C}/${e}/dpa_size`]),
      `echo region0 > ${C}/decoder0.0/create_ram_region`,
      `echo 256 > ${C}/region0/interleave_granularity`,
      `echo ${eps.length} > ${C}/region0/interleave_ways`,
      `echo ${per * BigInt(eps.length)} > ${C}/region0/size`,
      ...eps.map((e, i) => `echo ${e} > ${C}/region0/target${i}`),
      `echo 1 > ${C}/region0/commit`,
      'echo region0 > /sys/bus/cxl/drivers/cxl_region/bind',
    ];
    expectSession(m, lines.map((l) => `${l} -> ok`).join('\n'));
    const r = m.state.regions.find((x) => x.id === 0);
    expect(r?.devices.get(0)?.driver).toBe('kmem');
    expect(r?.youngest).toBeNull();
    // a device made through `create` is the youngest, as on hmem
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/kmem/unbind                                 -> ok
      echo 0 > ${D}/dax0.0/size                                        -> ok
      echo 1 > ${r?.path}/dax_region/create                            -> ok
      `,
    );
    expect(r?.youngest?.id).toBe(1);
  });
});
