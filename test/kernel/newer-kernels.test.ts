// Linux 6.18, 7.2 and 7.3 (Debian 6.18.15, 7.2.12, 7.3.4 under QEMU): the hmem ABI differences
// measured on Debian's kernels under QEMU (docs/kernel-facts.md §16). Every expected value below is a
// measurement from that page (or from test/vm/scripts/kmem-state-7.3.sh on 7.3.4), not the model's.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCaptureText } from '../../server/core/facts/capture-text';
import type { HostFacts } from '../../server/core/host-facts';
import { readFacts } from '../../server/core/facts/read';
import { writeFacts } from '../../server/core/facts/format-write';
import { regionKind } from '../../server/core/facts/infer';
import { KernelModel } from '../../server/core/kernel/model';
import { toDaxctlJson } from '../../server/core/kernel/snapshot';
import { FEATURES, has, hmemRegionPath, parseRelease } from '../../server/core/kernel/version';
import { hmemHost } from './hosts';
import { driverOf, expectSession } from './session';

const R618 = '6.18.15+deb13-amd64';
const R72 = '7.2.12+deb13-amd64';
const R73 = '7.3.4+deb13-amd64';
const OLD = '/sys/devices/platform/hmem.0';
const NEW = '/sys/devices/platform/hmem_platform.0/hmem.0';
const D = '/sys/bus/dax/devices';
const DRV = '/sys/bus/dax/drivers';
const MEM = '/sys/devices/system/memory';

/** The boot state of every one of these kernels: dax0.0 = the 2 GiB region, kmem, 16 blocks offline. */
function boot(release: string, path: string): HostFacts {
  const f = hmemHost({ release, boot: 'kmem' });
  const r = f.regions[0] as HostFacts['regions'][number];
  const d = r.devices[0] as (typeof r.devices)[number];
  return { ...f, regions: [{ ...r, path, devices: [{ ...d, memmapOnMemory: false }] }] };
}
const v = (release: string) =>
  parseRelease(release) ??
  (() => {
    throw new Error(release);
  })();

// daxctl list -RDMi at boot on 7.3.4 (the "path" is the only difference from 6.12's)
const DAXCTL_73 = JSON.stringify([
  {
    path: '/platform/hmem_platform.0/hmem.0',
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
        mappings: [{ page_offset: 0, start: 4294967296, end: 6442450943, size: 2147483648 }],
      },
    ],
  },
]);

describe('the version table', () => {
  it("6.18 has 6.12's ABI; the hmem_platform parent from 7.2; kmem state from 7.3", () => {
    expect(has(v(R618), 'hmemPlatformParent')).toBe(false);
    expect(has(v(R72), 'hmemPlatformParent')).toBe(true);
    expect(has(v(R73), 'hmemPlatformParent')).toBe(true);
    expect(has(v(R618), 'kmemState')).toBe(false);
    expect(has(v(R72), 'kmemState')).toBe(false);
    expect(has(v(R73), 'kmemState')).toBe(true);
    for (const k of ['hmemPlatformParent', 'kmemState'])
      expect(FEATURES.find((f) => f.key === k)?.source).toMatch(/kernel-facts\.md §16/);
  });

  it('the hmem region path per kernel (daxctl path /platform/hmem.0 → /platform/hmem_platform.0/hmem.0)', () => {
    expect(hmemRegionPath(v('6.12.118+deb12-amd64'), 0)).toBe(OLD);
    expect(hmemRegionPath(v(R618), 0)).toBe(OLD);
    expect(hmemRegionPath(v(R72), 0)).toBe(NEW);
    expect(hmemRegionPath(v(R73), 1)).toBe('/sys/devices/platform/hmem_platform.0/hmem.1');
  });
});

describe('7.2+: the region under hmem_platform.0', () => {
  it('daxctl JSON with the 7.2+ path reads as an hmem region of kmem type', () => {
    const r = readFacts(DAXCTL_73, 'daxctl-7.3.json', { kernelRelease: R73 });
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const region = r.facts!.regions[0]!;
    expect(region.path).toBe(NEW);
    expect(regionKind(region.path)).toBe('hmem');
    expect(region.start).toBe(0x100000000n);
    expect(region.dynamic).toBe(true);
    expect(region.kmemDefault).toBe(true);
    expect(r.facts!.regions[0]!.devices[0]!.driver).toBe('kmem');
  });

  it('a real 7.3.4 capture dump (test/vm/capture.sh at boot; /proc/iomem without Soft Reserved) reads without errors', () => {
    const text = readFileSync(new URL('./fixtures/linux-7.3-boot.txt', import.meta.url), 'utf8');
    expect(text).not.toMatch(/Soft Reserved/);
    expect(text).toMatch(/^100000000-17fffffff : dax0\.0$/m);
    const r = readCaptureText(text, 'linux-7.3-boot.txt');
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const f = r.facts as HostFacts;
    expect(f.kernelRelease).toBe(R73);
    expect(
      f.regions.map((x) => [x.path, x.id, x.start, x.size, x.align, x.dynamic, x.kmemDefault, x.targetNode]),
    ).toEqual([[NEW, 0, 0x100000000n, 2n << 30n, 2n << 20n, true, true, 1]]);
    const dev = f.regions[0]!.devices[0]!;
    expect([dev.name, dev.driver, dev.size, dev.memmapOnMemory, dev.kmemState]).toEqual([
      'dax0.0',
      'kmem',
      2n << 30n,
      false,
      'offline',
    ]);
    // the facts file keeps what `state` read
    const again = readFacts(writeFacts(f), 'linux-7.3.facts.json');
    expect(again.facts?.regions[0]?.devices[0]?.kmemState).toBe('offline');
    const node1 = f.memoryBlocks.filter((b) => b.node === 1);
    expect(node1.map((b) => b.index)).toEqual(Array.from({ length: 16 }, (_, i) => 32 + i));
    expect(node1.every((b) => b.state === 'offline')).toBe(true);
    // and the model runs from it at the region's real path
    expectSession(
      KernelModel.fromFacts(f),
      `echo dax0.0 > ${DRV}/kmem/unbind -> ok\necho 0 > ${D}/dax0.0/size -> ok\necho 1 > ${NEW}/dax_region/create -> ok`,
    );
  });

  it('the real-6.12 session, at the 7.2 path, answers as 7.2.12 and 7.3.4 did', () => {
    for (const release of [R72, R73]) {
      const m = KernelModel.fromFacts(boot(release, NEW));
      expectSession(
        m,
        `
        echo 0 > ${D}/dax0.0/size                                -> EBUSY
        echo dax0.0 > ${DRV}/kmem/unbind                         -> ok
        echo 0 > ${D}/dax0.0/size                                -> ok
        echo 1 > ${OLD}/dax_region/create                        -> ENOENT   no such directory on 7.2+
        echo 1 > ${NEW}/dax_region/create                        -> ok
        echo 268435456 > ${D}/dax0.1/size                        -> ok
        echo dax0.1 > ${DRV}/device_dax/bind                     -> ENODEV
        echo dax0.1 > ${DRV}/device_dax/new_id                   -> ok
        echo 0x170000000-0x1700fffff > ${D}/dax0.0/mapping       -> ok
        echo 0x160000000-0x167ffffff > ${D}/dax0.0/mapping       -> ok
        echo dax0.0 > ${DRV}/kmem/bind                           -> ok
        echo online_movable > ${MEM}/memory44/state              -> ok
        echo 1 > ${D}/dax0.0/memmap_on_memory                    -> EOPNOTSUPP
        `,
      );
    }
  });

  it('the daxctl view keeps the 7.2+ path', () => {
    const m = KernelModel.fromFacts(boot(R72, NEW));
    const j = toDaxctlJson(m.state) as { path: string }[];
    expect(j[0]?.path).toBe('/platform/hmem_platform.0/hmem.0');
  });
});

describe('7.3: the fsdev_dax driver', () => {
  it('writes to it are declined on 7.3 (a module there, not modelled); before 7.3 the directory does not exist', () => {
    const r = KernelModel.fromFacts(boot(R73, NEW)).write(`${DRV}/fsdev_dax/bind`, 'dax0.0\n');
    expect(r.kind === 'unmodelled' && r.reason).toMatch(/fsdev_dax driver \(7\.3\+/);
    expectSession(KernelModel.fromFacts(boot(R72, NEW)), `echo dax0.0 > ${DRV}/fsdev_dax/bind -> ENOENT`);
  });
});

describe('6.18+: offlining kernel-zone memory', () => {
  it('is declined (6.18.15 and 7.3.4 answered EBUSY where 6.12.118 said ok: unmovable pages, not modelled)', () => {
    const seq = (m: KernelModel) => {
      for (const w of [`${DRV}/kmem/unbind`, `${D}/dax0.0/size`])
        expect(m.write(w, w.endsWith('unbind') ? 'dax0.0\n' : '0\n').kind).toBe('ok');
      expect(m.write(`${D}/dax0.0/size`, '1073741824\n').kind).toBe('ok');
      expect(m.write(`${DRV}/kmem/bind`, 'dax0.0\n').kind).toBe('ok');
      expect(m.write(`${MEM}/memory32/state`, 'online_kernel\n').kind).toBe('ok');
      return m.write(`${MEM}/memory32/state`, 'offline\n');
    };
    expect(seq(KernelModel.fromFacts(boot('6.12.118+deb12-amd64', OLD))).kind).toBe('ok');
    for (const [release, path] of [
      [R618, OLD],
      [R72, NEW],
      [R73, NEW],
    ] as const) {
      const r = seq(KernelModel.fromFacts(boot(release, path)));
      expect(r.kind, release).toBe('unmodelled');
      expect(r.kind === 'unmodelled' && r.reason).toMatch(
        /memory32 is online in the Normal zone: on Linux 6\.18 and later offlining it may be refused \(EBUSY, unmovable pages\)/,
      );
    }
  });
});

describe('7.3: the kmem device attribute state', () => {
  it('the model starts from what the capture read, not from the blocks: `state` offline with every block onlined by hand', () => {
    const f = boot(R73, NEW);
    const r = f.regions[0] as HostFacts['regions'][number];
    const onlined: HostFacts = {
      ...f,
      regions: [{ ...r, devices: r.devices.map((d) => ({ ...d, kmemState: 'offline' as const })) }],
      memoryBlocks: f.memoryBlocks.map((b) =>
        b.node === 1 ? { ...b, state: 'online' as const, zone: 'Movable' as const } : b,
      ),
    };
    // measured (docs/kernel-facts.md §16.1): after daxctl online-memory, `state` reads offline and online values are EBUSY
    expectSession(
      KernelModel.fromFacts(onlined),
      `echo online_movable > ${D}/dax0.0/state -> EBUSY\necho unplugged > ${D}/dax0.0/state -> ok`,
    );
    // without the captured value the blocks cannot tell it: the write is not predicted
    const blind: HostFacts = { ...onlined, regions: [r] };
    expect(KernelModel.fromFacts(blind).write(`${D}/dax0.0/state`, 'online_movable\n').kind).toBe('unmodelled');
  });

  const m73 = () => KernelModel.fromFacts(boot(R73, NEW));
  const S = `${D}/dax0.0/state`;

  it('is absent before 7.3 (a file sysfs will not create: EACCES)', () => {
    for (const release of [R618, R72]) {
      expectSession(
        KernelModel.fromFacts(boot(release, release === R618 ? OLD : NEW)),
        `echo unplugged > ${S} -> EACCES`,
      );
    }
  });

  it('exists only while the device is bound to kmem', () => {
    const m = m73();
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/kmem/unbind     -> ok
      echo unplugged > ${S}                -> EACCES
      echo offline > ${S}                  -> EACCES
      `,
    );
  });

  it('from offline (after the probe): online values EBUSY, offline and unknown values EINVAL, unplugged ok', () => {
    const m = m73();
    expectSession(
      m,
      `
      echo online_movable > ${S}   -> EBUSY
      echo online > ${S}           -> EBUSY
      echo online_kernel > ${S}    -> EBUSY
      echo offline > ${S}          -> EINVAL
      echo bogus > ${S}            -> EINVAL
      echo unplugged > ${S}        -> ok
      `,
    );
    // the memory blocks disappear
    expectSession(m, `echo online_movable > ${MEM}/memory44/state -> ENOENT`);
    expect(m.state.blocks.all().filter((r) => r.node === 1)).toEqual([]);
    expect(driverOf(m, 'dax0.0')).toBe('kmem');
  });

  it('unplugged gives back the memory resource (/proc/iomem loses the kmem lines, as 7.3.4 did); online takes it again', () => {
    const m = m73();
    const kmem = () =>
      m.state.reservations.filter((r) => r.owner === 'dax0.0' && r.kind === 'kmem').map((r) => [r.start, r.end]);
    expect(kmem()).toEqual([[0x1_0000_0000n, 0x1_7fff_ffffn]]);
    expectSession(m, `echo unplugged > ${S} -> ok`);
    expect(kmem()).toEqual([]);
    expectSession(m, `echo online_movable > ${S} -> ok`);
    expect(kmem()).toEqual([[0x1_0000_0000n, 0x1_7fff_ffffn]]);
  });

  it('records only changes made through itself: per-block onlining leaves it offline, and unplugged removes those blocks too', () => {
    const m = m73();
    expectSession(
      m,
      `
      echo online_movable > ${MEM}/memory44/state   -> ok
      echo online_movable > ${S}                    -> EBUSY   still offline
      echo unplugged > ${S}                         -> ok
      echo online_movable > ${MEM}/memory44/state   -> ENOENT
      `,
    );
  });

  it('unplugged → online_movable → unplugged → online_kernel, as measured on dax0.2 and dax0.0', () => {
    const m = m73();
    expectSession(
      m,
      `
      echo unplugged > ${S}        -> ok
      echo unplugged > ${S}        -> ok      no-op
      echo online_movable > ${S}   -> ok
      echo online_movable > ${S}   -> ok      no-op
      echo online > ${S}           -> EBUSY
      echo online_kernel > ${S}    -> EBUSY
      `,
    );
    let blocks = m.state.blocks.all().filter((r) => r.node === 1);
    expect(blocks.map((r) => [r.first, r.last, r.state, r.zone])).toEqual([[32, 47, 'online', 'Movable']]);
    expectSession(
      m,
      `
      echo unplugged > ${S}        -> ok
      echo online_kernel > ${S}    -> ok
      echo online > ${S}           -> EBUSY
      echo online_movable > ${S}   -> EBUSY
      echo offline > ${S}          -> EINVAL
      echo unplugged > ${S}        -> EBUSY   hotremove failed, device left online
      `,
    );
    blocks = m.state.blocks.all().filter((r) => r.node === 1);
    expect(blocks.map((r) => [r.first, r.last, r.state, r.zone])).toEqual([[32, 47, 'online', 'Normal']]);
  });

  it('unbinding kmem with the memory online succeeds; the device can then be sized to 0', () => {
    const m = m73();
    expectSession(
      m,
      `
      echo unplugged > ${S}               -> ok
      echo online_kernel > ${S}           -> ok
      echo dax0.0 > ${DRV}/kmem/unbind    -> ok
      echo unplugged > ${S}               -> EACCES
      echo 0 > ${D}/dax0.0/size           -> ok
      `,
    );
  });

  it('daxctl 76.1 lists an unplugged device with -2 (-ENOENT) memory-block counts and no movable', () => {
    const m = m73();
    expectSession(m, `echo unplugged > ${S} -> ok`);
    const dev = (toDaxctlJson(m.state) as { devices: Record<string, unknown>[] }[])[0]?.devices[0];
    expect(dev).toMatchObject({ chardev: 'dax0.0', mode: 'system-ram', online_memblocks: -2, total_memblocks: -2 });
    expect(dev).not.toHaveProperty('movable');
  });

  it('facts taken after unplugged (daxctl 76.1 printed -2 counts, no movable) seed state unplugged', () => {
    const j = JSON.parse(DAXCTL_73);
    Object.assign(j[0].devices[0], { online_memblocks: -2, total_memblocks: -2 });
    const r = readFacts(JSON.stringify(j), 'daxctl-7.3-unplugged.json', {
      kernelRelease: R73,
      memoryBlockSize: 128n << 20n,
    });
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.facts!.memoryBlocks.filter((b) => b.node === 1)).toEqual([]);
    const m = KernelModel.fromFacts(r.facts!);
    expectSession(
      m,
      `
      echo online_movable > ${MEM}/memory44/state   -> ENOENT
      echo unplugged > ${S}                         -> ok      no-op
      echo online_movable > ${S}                    -> ok
      echo offline > ${MEM}/memory44/state          -> ok
      `,
    );
  });

  it('a state it cannot know (memory online at capture time) is not guessed', () => {
    const f = boot(R73, NEW);
    const online = {
      ...f,
      memoryBlocks: f.memoryBlocks.map((b) => ({ ...b, state: 'online' as const, zone: 'Movable' as const })),
    };
    const m = KernelModel.fromFacts(online);
    expect(m.write(S, 'unplugged\n').kind).toBe('unmodelled');
  });
});
