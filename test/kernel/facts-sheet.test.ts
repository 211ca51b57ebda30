// Rules of kernel-facts.md §2.4, §4, §5, §8 that the real-kernel runs did not
// exercise, checked on the model for 6.1 and 6.12.

import { describe, expect, it } from 'vitest';
import { KernelModel } from '../../server/core/kernel/model';
import { toDaxctlJson } from '../../server/core/kernel/snapshot';
import { GiB, MiB, R61, R612, RELEASES, hmemHost, idleRegion } from './hosts';
import { device, driverOf, expectSession, mappings, seed, sizeOf } from './session';

const D = '/sys/bus/dax/devices';
const G = '/sys/devices/platform/hmem.0/dax_region';
const DRV = '/sys/bus/dax/drivers';
const MEM = '/sys/devices/system/memory';

describe.each(RELEASES)('on %s (region_idle: dax0.0 empty)', (release) => {
  const idle = () => KernelModel.fromFacts(idleRegion(release));

  it('§4.1 create: the seed is the first unprobed device, youngest the last; more seeds may coexist', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo 1 > ${G}/create     -> ok
      echo 1 > ${G}/create     -> ok
      echo 0x1 > ${G}/create   -> ok   base auto-detect
      echo +1 > ${G}/create    -> ok
      echo 01 > ${G}/create    -> ok   octal 1
      echo 1.0 > ${G}/create   -> EINVAL
      echo "" > ${G}/create    -> EINVAL
      `,
    );
    expect(seed(m)).toBe('dax0.1');
    expect(m.state.regions[0]?.youngest?.id).toBe(5);
  });

  it('§4.2 delete clears seed and youngest without re-pointing them; the id is reused', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo 1 > ${G}/create         -> ok
      echo 1 > ${G}/create         -> ok
      echo dax0.1 > ${G}/delete    -> ok
      `,
    );
    expect(seed(m)).toBe('');
    expect(m.state.regions[0]?.youngest?.id).toBe(2);
    expectSession(
      m,
      `
      echo -n dax0.2 > ${G}/delete -> ok   no newline
      echo 1 > ${G}/create         -> ok
      `,
    );
    expect(seed(m)).toBe('dax0.1');
    expect(m.state.regions[0]?.youngest?.id).toBe(1);
  });

  it('§4.3 size: base auto-detect, ERANGE on overflow, EBUSY on a bound device even for the same size', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo 0x10000000 > ${D}/dax0.0/size             -> ok
      echo 018446744073709551615 > ${D}/dax0.0/size  -> EINVAL  leading 0 = octal, 8 and 9 invalid
      echo 18446744073709551616 > ${D}/dax0.0/size   -> ERANGE
      echo -2097152 > ${D}/dax0.0/size               -> EINVAL
      echo dax0.0 > ${DRV}/device_dax/new_id         -> ok
      echo 268435456 > ${D}/dax0.0/size              -> EBUSY
      echo 1048576 > ${D}/dax0.0/size                -> EINVAL  granule is checked first
      `,
    );
    expect(sizeOf(m, 'dax0.0')).toBe(256n * MiB);
  });

  it('§4.3 the granule is max(align, 2 MiB): a 4 KiB-aligned device still sizes in 2 MiB steps; a 1 GiB one in 1 GiB steps', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo 4096 > ${D}/dax0.0/align         -> ok
      echo 4096 > ${D}/dax0.0/size          -> EINVAL
      echo 2097152 > ${D}/dax0.0/size       -> ok
      echo 0 > ${D}/dax0.0/size             -> ok
      echo 1073741824 > ${D}/dax0.0/align   -> ok
      echo 2097152 > ${D}/dax0.0/size       -> EINVAL
      echo 1073741824 > ${D}/dax0.0/size    -> ok
      echo 0x100000000-0x1001fffff > ${D}/dax0.0/mapping -> ${release === R61 ? 'ENXIO' : 'ok'}
      `,
    );
    expect(mappings(m, 'dax0.0')).toEqual(['mapping0 0x100000000-0x13fffffff pgoff 0x0']);
  });

  it('§4.4 align: EBUSY while bound; existing ranges must be multiples of the new align', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo 1073741824 > ${D}/dax0.0/size    -> ok
      echo 1073741824 > ${D}/dax0.0/align   -> ok      one 1 GiB range
      echo 2097152 > ${D}/dax0.0/align      -> ok
      echo 1075838976 > ${D}/dax0.0/size    -> ok      1 GiB + 2 MiB: extends in place
      echo 1073741824 > ${D}/dax0.0/align   -> EINVAL
      echo 536870912 > ${D}/dax0.0/align    -> EINVAL  not a huge-page size
      echo 0 > ${D}/dax0.0/align            -> EINVAL
      echo dax0.0 > ${DRV}/device_dax/new_id -> ok
      echo 4096 > ${D}/dax0.0/align         -> EBUSY
      echo 12345 > ${D}/dax0.0/align        -> EINVAL  validity before the bound check
      `,
    );
    expect(device(m, 'dax0.0').align).toBe(2n * MiB);
  });

  it('§4.5 mapping: parse errors, zero length (no-op without ranges, EBUSY with), not checked against a bound device', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo 0x100000000 > ${D}/dax0.0/mapping                     -> EINVAL  no dash
      echo 0x10000000g-0x101ffffff > ${D}/dax0.0/mapping         -> EINVAL
      echo 0x100000000-0x10000000000000000 > ${D}/dax0.0/mapping -> ERANGE
      echo 0x100200000-0x1001fffff > ${D}/dax0.0/mapping         -> ok      zero length, no ranges yet
      echo 0x100000000-0x1001fffff > ${D}/dax0.0/mapping         -> ok
      echo 0x100400000-0x1003fffff > ${D}/dax0.0/mapping         -> EBUSY   zero length after a range
      echo dax0.0 > ${DRV}/device_dax/new_id                     -> ok
      echo 0x100200000-0x1003fffff > ${D}/dax0.0/mapping         -> ok      the kernel does not check binding
      `,
    );
    expect(mappings(m, 'dax0.0')).toEqual([
      'mapping0 0x100000000-0x1001fffff pgoff 0x0',
      'mapping1 0x100200000-0x1003fffff pgoff 0x200',
    ]);
  });

  it('§4.5 mapping does not check the start alignment; device_dax probe then refuses the sub-section misalignment', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo 0x100001000-0x100200fff > ${D}/dax0.0/mapping  -> ok     2 MiB at a page-aligned start
      echo dax0.0 > ${DRV}/device_dax/bind                -> EINVAL
      `,
    );
    expect(driverOf(m, 'dax0.0')).toBe(null);
  });

  it('§5.1 growth is not rounded to the device align: a 1 GiB-aligned device takes a 2 MiB hole', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo 2097152 > ${D}/dax0.0/size       -> ok
      echo 1 > ${G}/create                  -> ok
      echo 2097152 > ${D}/dax0.1/size       -> ok
      echo 0 > ${D}/dax0.0/size             -> ok      2 MiB hole at the region start
      echo 1 > ${G}/create                  -> ok
      echo 1073741824 > ${D}/dax0.2/align   -> ok
      echo 1073741824 > ${D}/dax0.2/size    -> ok
      echo 1073741824 > ${D}/dax0.2/align   -> EINVAL  a later align write fails: the ranges are not 1 GiB multiples
      `,
    );
    expect(mappings(m, 'dax0.2')).toEqual([
      'mapping0 0x100000000-0x1001fffff pgoff 0x0',
      'mapping1 0x100400000-0x1401fffff pgoff 0x200',
    ]);
  });

  it('§2.4 new_id/remove_id take exactly a canonical daxR.N', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo dax0.01 > ${DRV}/device_dax/new_id    -> EINVAL
      echo dax0.1x > ${DRV}/device_dax/new_id    -> EINVAL
      echo 0.1 > ${DRV}/device_dax/new_id        -> EINVAL
      echo " dax0.1" > ${DRV}/device_dax/new_id  -> EINVAL
      echo dax0.1 > ${DRV}/device_dax/new_id     -> ok      need not exist
      echo -n dax0.1 > ${DRV}/kmem/new_id        -> ok
      echo dax0.1 > ${DRV}/kmem/remove_id        -> ok
      echo dax0.1. > ${DRV}/kmem/remove_id       -> EINVAL
      `,
    );
    expect(m.state.driverIds.device_dax).toEqual(['dax0.1']);
    expect(m.state.driverIds.kmem).toEqual([]);
  });

  it('§8.1 kmem refuses a device without one whole memory block (EINVAL) and drops unaligned head and tail', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo 67108864 > ${D}/dax0.0/size            -> ok      64 MiB < one 128 MiB block
      echo dax0.0 > ${DRV}/kmem/new_id            -> ok      attach fails quietly
      echo dax0.0 > ${DRV}/kmem/bind              -> EINVAL
      echo 0 > ${D}/dax0.0/size                   -> ok
      echo 0x104000000-0x117ffffff > ${D}/dax0.0/mapping -> ok   320 MiB from 64 MiB into block 32
      echo dax0.0 > ${DRV}/kmem/bind              -> ok
      `,
    );
    expect([...m.state.blocks.keys()]).toEqual([33, 34]);
    const json = (toDaxctlJson(m.state) as { devices: object[] }[])[0]?.devices[0];
    expect(json).toMatchObject({ mode: 'system-ram', online_memblocks: 0, total_memblocks: 2 });
  });

  it('§8.3 blocks added by kmem come up per auto_online_blocks', () => {
    const m = idle();
    expectSession(
      m,
      `
      echo online_movable > ${MEM}/auto_online_blocks -> ok
      echo 268435456 > ${D}/dax0.0/size               -> ok
      echo dax0.0 > ${DRV}/kmem/new_id                -> ok
      echo offline > ${MEM}/memory32/state            -> ok
      echo offline > ${MEM}/memory32/state            -> EINVAL  already offline
      echo bogus > ${MEM}/memory33/state              -> EINVAL
      `,
    );
    expect([...m.state.blocks.values()].map((b) => [b.index, b.state, b.zone])).toEqual([
      [32, 'offline', undefined],
      [33, 'online', 'Movable'],
    ]);
  });
});

describe('§2.4 new_id runs driver_attach: every unbound device the driver matches is probed', () => {
  const twoSized = (release: string) => {
    const m = KernelModel.fromFacts(hmemHost({ release, boot: 'idle', kmemDefault: release === R612 }));
    expectSession(
      m,
      `
      echo 1 > ${G}/create                 -> ok
      echo 268435456 > ${D}/dax0.1/size    -> ok
      echo 1 > ${G}/create                 -> ok
      echo 268435456 > ${D}/dax0.2/size    -> ok
      `,
    );
    return m;
  };

  it('6.1: device_dax matches every device, so new_id of one binds all sized unbound devices', () => {
    const m = twoSized(R61);
    expectSession(m, `echo dax0.1 > ${DRV}/device_dax/new_id -> ok`);
    expect([driverOf(m, 'dax0.0'), driverOf(m, 'dax0.1'), driverOf(m, 'dax0.2')]).toEqual([
      null,
      'device_dax',
      'device_dax',
    ]);
  });

  it('6.12, kmem-type region: only the named device matches device_dax', () => {
    const m = twoSized(R612);
    expectSession(m, `echo dax0.1 > ${DRV}/device_dax/new_id -> ok`);
    expect([driverOf(m, 'dax0.1'), driverOf(m, 'dax0.2')]).toEqual(['device_dax', null]);
  });
});

describe('§4.6 memmap_on_memory (6.8+)', () => {
  it('6.1 has no such attribute: the shell cannot create it (EACCES, as the real 6.1 guest answered)', () => {
    const m = KernelModel.fromFacts(idleRegion(R61));
    expectSession(m, `echo 0 > ${D}/dax0.0/memmap_on_memory -> EACCES`);
  });

  it('6.12: true needs hotplug support (EOPNOTSUPP); a change while bound to kmem → EBUSY, the same value is fine', () => {
    const m = KernelModel.fromFacts(hmemHost({ release: R612, boot: 'kmem' }));
    expectSession(
      m,
      `
      echo 1 > ${D}/dax0.0/memmap_on_memory     -> EOPNOTSUPP
      echo abc > ${D}/dax0.0/memmap_on_memory   -> EINVAL
      echo 0 > ${D}/dax0.0/memmap_on_memory     -> ok       same value while bound to kmem
      echo off > ${D}/dax0.0/memmap_on_memory   -> ok
      `,
    );
    const supported = KernelModel.fromFacts({
      ...hmemHost({ release: R612, boot: 'kmem' }),
      memmapOnMemorySupported: true,
    });
    expectSession(
      supported,
      `
      echo y > ${D}/dax0.0/memmap_on_memory     -> EBUSY    a change while bound to kmem
      echo dax0.0 > ${DRV}/kmem/unbind          -> ok
      echo y > ${D}/dax0.0/memmap_on_memory     -> ok
      `,
    );
    expect(device(supported, 'dax0.0').memmapOnMemory).toBe(true);
  });
});

describe('§5.4 / §10.2 large regions', () => {
  it('a 16 GiB region splits into many devices and the JSON stays in safe integers', () => {
    const m = KernelModel.fromFacts(hmemHost({ release: R61, boot: 'idle', size: 16n * GiB }));
    for (let i = 1; i <= 16; i++) {
      expect(m.write(`${G}/create`, '1\n')).toEqual({ kind: 'ok' });
      expect(m.write(`${D}/dax0.${i}/size`, `${GiB}\n`)).toEqual({ kind: 'ok' });
    }
    expectSession(m, `echo 1 > ${G}/create -> ENOSPC`);
    expect(mappings(m, 'dax0.16')).toEqual(['mapping0 0x4c0000000-0x4ffffffff pgoff 0x0']);
  });
});
