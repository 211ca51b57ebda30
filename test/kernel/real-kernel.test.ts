// What the real kernels did: every observation of the real-kernel sessions on the
// guests of test/vm and docs/kernel-facts.md §15, replayed on the model for both
// Debian 6.1.0-56 and 6.12.117 where it applies. Region 0 = [0x100000000,
// 0x180000000), align 2 MiB, target node 1, 128 MiB memory blocks.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelModel } from '../../server/core/kernel/model';
import { toDaxctlJson } from '../../server/core/kernel/snapshot';
import { Daxctl, DaxctlError } from './daxctl';
import { GiB, MiB, R61, R612, RELEASES, bootOf, hmemHost, idleRegion, linux612Boot, linux61Boot } from './hosts';
import { device, devices, driverOf, exists, expectSession, listedAvailable, mappings, seed, sizeOf } from './session';

const D = '/sys/bus/dax/devices';
const G = '/sys/devices/platform/hmem.0/dax_region';
const DRV = '/sys/bus/dax/drivers';
const MEM = '/sys/devices/system/memory';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures/kernel', name), 'utf8'));

/** The driver that binds devices of the boot region by default: kmem on 6.12 (IORESOURCE_DAX_KMEM), device_dax on 6.1. */
const bootDriver = (release: string) => (release === R612 ? 'kmem' : 'device_dax');

/**
 * The real guest after boot, with dax0.0 unbound from its boot driver and
 * shrunk to 0 (6.12: unbinding kmem with every block offline removes the
 * memory), i.e. the whole region available.
 */
function emptied(release: string): KernelModel {
  const m = KernelModel.fromFacts(bootOf(release));
  expectSession(
    m,
    `
    echo dax0.0 > ${DRV}/${bootDriver(release)}/unbind -> ok
    echo 0 > ${D}/dax0.0/size                           -> ok
    `,
  );
  expect(listedAvailable(m)).toBe(Number(2n * GiB));
  return m;
}

/**
 * Binds a device to device_dax as a shell would: on 6.1 `bind` is enough
 * (device_dax matches every device); on 6.12 the hmem region is of kmem type
 * and device_dax matches only what new_id names — new_id attaches at once.
 */
function bindDevdax(m: KernelModel, release: string, name: string) {
  if (release === R61) expectSession(m, `echo ${name} > ${DRV}/device_dax/bind -> ok`);
  else expectSession(m, `echo ${name} > ${DRV}/device_dax/new_id -> ok`);
  expect(driverOf(m, name)).toBe('device_dax');
}

describe('boot state (captures/*.txt, daxctl list -RDMi)', () => {
  it('6.1: dax0.0 holds the whole region, devdax, target node 1', () => {
    const m = KernelModel.fromFacts(linux61Boot());
    expect(toDaxctlJson(m.state)).toEqual(fixture('linux-6.1-boot.daxctl.json'));
    expect(mappings(m, 'dax0.0')).toEqual(['mapping0 0x100000000-0x17fffffff pgoff 0x0']);
    expect(seed(m)).toBe('');
  });

  it('6.1 with node 1 partly online: region [5G, 6G)', () => {
    const m = KernelModel.fromFacts(hmemHost({ release: R61, boot: 'devdax', size: GiB, start: 0x140000000n }));
    expect(toDaxctlJson(m.state)).toEqual(fixture('linux-6.1-boot-node1-online.daxctl.json'));
  });

  it('6.12: dax0.0 bound to kmem, 0 of 16 blocks online', () => {
    const m = KernelModel.fromFacts(linux612Boot());
    expect(toDaxctlJson(m.state)).toEqual(fixture('linux-6.12-boot.daxctl.json'));
    expect([...m.state.blocks.keys()]).toEqual([...Array(16).keys()].map((i) => 32 + i));
  });
});

describe.each(RELEASES)('on %s', (release) => {
  it('create / grow / shrink / grow: first fit in address order, the later hole appended as a new range', () => {
    const m = emptied(release);
    // daxctl create-device -r 0 -s 256M
    expectSession(
      m,
      `
      echo 1 > ${G}/create                 -> ok
      echo 268435456 > ${D}/dax0.1/size    -> ok
      `,
    );
    bindDevdax(m, release, 'dax0.1');
    expect(mappings(m, 'dax0.1')).toEqual(['mapping0 0x100000000-0x10fffffff pgoff 0x0']);
    expectSession(
      m,
      `
      echo 402653184 > ${D}/dax0.1/size    -> EBUSY   bound
      echo dax0.1 > ${DRV}/device_dax/unbind -> ok
      echo 402653184 > ${D}/dax0.1/size    -> ok      384M: extended in place
      echo 1073741824 > ${D}/dax0.1/align  -> EINVAL  1 GiB on a 384 MiB device
      echo 1 > ${G}/create                 -> ok
      echo 536870912 > ${D}/dax0.2/size    -> ok
      echo 134217728 > ${D}/dax0.1/size    -> ok      shrink to 128M
      echo 805306368 > ${D}/dax0.2/size    -> ok      grow to 768M
      `,
    );
    expect(device(m, 'dax0.1').align).toBe(2n * MiB);
    expect(mappings(m, 'dax0.1')).toEqual(['mapping0 0x100000000-0x107ffffff pgoff 0x0']);
    expect(mappings(m, 'dax0.2')).toEqual([
      'mapping0 0x118000000-0x137ffffff pgoff 0x0',
      'mapping1 0x108000000-0x117ffffff pgoff 0x20000',
    ]);
    // The JSON daxctl prints for it.
    const dev2 = (toDaxctlJson(m.state) as { devices: { chardev: string }[] }[])[0]?.devices.find(
      (d) => d.chardev === 'dax0.2',
    );
    expect(dev2).toMatchObject({
      size: 805306368,
      mappings: [
        { page_offset: 0, start: 0x118000000, end: 0x137ffffff, size: 536870912 },
        { page_offset: 0x20000, start: 0x108000000, end: 0x117ffffff, size: 268435456 },
      ],
    });
    expect(listedAvailable(m)).toBe(Number(2n * GiB - 128n * MiB - 768n * MiB));
  });

  it('shrink cuts the logical tail (highest page offset first), possibly whole ranges', () => {
    const m = emptied(release);
    expectSession(
      m,
      `
      echo 1 > ${G}/create                   -> ok
      echo 268435456 > ${D}/dax0.1/size      -> ok
      echo 1 > ${G}/create                   -> ok
      echo 268435456 > ${D}/dax0.2/size      -> ok
      echo 0 > ${D}/dax0.1/size              -> ok
      echo dax0.1 > ${G}/delete              -> ok
      echo 805306368 > ${D}/dax0.2/size      -> ok   +512M: the hole at region start, then the tail
      `,
    );
    // dax0.2 = [0x110000000, 0x120000000) at pgoff 0. Growth takes the hole at region start as a new
    // range; the tail follows dax0.2's first range, but that is no longer its last range (highest
    // page offset), so the tail is a third range rather than an extension.
    expect(mappings(m, 'dax0.2')).toEqual([
      'mapping0 0x110000000-0x11fffffff pgoff 0x0',
      'mapping1 0x100000000-0x10fffffff pgoff 0x10000',
      'mapping2 0x120000000-0x12fffffff pgoff 0x20000',
    ]);
    expectSession(m, `echo 402653184 > ${D}/dax0.2/size -> ok   cut 384M: mapping2 goes, mapping1 halves`);
    expect(mappings(m, 'dax0.2')).toEqual([
      'mapping0 0x110000000-0x11fffffff pgoff 0x0',
      'mapping1 0x100000000-0x107ffffff pgoff 0x10000',
    ]);
  });

  it('mapping writes claim exact ranges, appended at the next page offset', () => {
    const m = emptied(release);
    expectSession(
      m,
      `
      echo 1 > ${G}/create                                 -> ok   dax0.1
      echo 1 > ${G}/create                                 -> ok   dax0.2
      echo 1 > ${G}/create                                 -> ok   dax0.3
      echo 1 > ${G}/create                                 -> ok   dax0.4
      echo 1 > ${G}/create                                 -> ok   dax0.5
      echo 0x160000000-0x16fffffff > ${D}/dax0.5/mapping   -> ok
      echo 0x140000000-0x141ffffff > ${D}/dax0.5/mapping   -> ok
      echo 100000000-10fffffff > ${D}/dax0.4/mapping       -> ok   hex without 0x
      `,
    );
    expect(mappings(m, 'dax0.5')).toEqual([
      'mapping0 0x160000000-0x16fffffff pgoff 0x0',
      'mapping1 0x140000000-0x141ffffff pgoff 0x10000',
    ]);
    expect(sizeOf(m, 'dax0.5')).toBe(288n * MiB);
    expect(mappings(m, 'dax0.4')).toEqual(['mapping0 0x100000000-0x10fffffff pgoff 0x0']);
    // Growth after a claim continues first fit from the region start.
    expectSession(m, `echo 304087040 > ${D}/dax0.5/size -> ok   +2 MiB`);
    expect(mappings(m, 'dax0.5')[2]).toBe('mapping2 0x110000000-0x1101fffff pgoff 0x12000');
    bindDevdax(m, release, 'dax0.5');
  });

  it('mapping outside the region or overlapping an allocation → ENOMEM', () => {
    const m = emptied(release);
    expectSession(
      m,
      `
      echo 1 > ${G}/create                                  -> ok
      echo 0x160000000-0x16fffffff > ${D}/dax0.1/mapping    -> ok
      echo 1 > ${G}/create                                  -> ok
      echo 0x180000000-0x181ffffff > ${D}/dax0.2/mapping    -> ENOMEM  after the region
      echo 0xfe000000-0xffffffff > ${D}/dax0.2/mapping      -> ENOMEM  before the region
      echo 0x17fe00000-0x1801fffff > ${D}/dax0.2/mapping    -> ENOMEM  straddles the region end
      echo 0x160000000-0x161ffffff > ${D}/dax0.2/mapping    -> ENOMEM  inside dax0.1
      echo 0x15fe00000-0x1601fffff > ${D}/dax0.2/mapping    -> ENOMEM  overlaps dax0.1's start
      echo 0x16fe00000-0x1701fffff > ${D}/dax0.2/mapping    -> ENOMEM  overlaps dax0.1's end
      echo 0x160000000-0x16fffffff > ${D}/dax0.1/mapping    -> ENOMEM  its own range again
      `,
    );
    expect(sizeOf(m, 'dax0.2')).toBe(0n);
    expect(mappings(m, 'dax0.1')).toEqual(['mapping0 0x160000000-0x16fffffff pgoff 0x0']);
  });

  it('mapping with a length not a multiple of 2 MiB: 6.1 ENXIO, 6.12 success with nothing allocated', () => {
    const m = emptied(release);
    const want = release === R61 ? 'ENXIO' : 'ok';
    expectSession(
      m,
      `
      echo 1 > ${G}/create                                -> ok
      echo 0x160000000-0x1600fffff > ${D}/dax0.1/mapping  -> ${want}   1 MiB
      echo 0x160000000-0x160000fff > ${D}/dax0.1/mapping  -> ${want}   4 KiB
      echo 0x160000000-0x1602fffff > ${D}/dax0.1/mapping  -> ${want}   3 MiB
      `,
    );
    expect(sizeOf(m, 'dax0.1')).toBe(0n);
    expect(mappings(m, 'dax0.1')).toEqual([]);
    expect(listedAvailable(m)).toBe(Number(2n * GiB));
  });

  it('align: 4096 and 2097152 accepted, abc ENXIO, 12345 EINVAL, 1 GiB on a 384 MiB device EINVAL', () => {
    const m = emptied(release);
    expectSession(
      m,
      `
      echo 1 > ${G}/create                   -> ok
      echo 402653184 > ${D}/dax0.1/size      -> ok
      echo abc > ${D}/dax0.1/align           -> ENXIO
      echo 12345 > ${D}/dax0.1/align         -> EINVAL
      echo 1073741824 > ${D}/dax0.1/align    -> EINVAL
      echo 4096 > ${D}/dax0.1/align          -> ok
      echo 2097152 > ${D}/dax0.1/align       -> ok
      echo 0x200000 > ${D}/dax0.1/align      -> ok
      `,
    );
    expect(device(m, 'dax0.1').align).toBe(2n * MiB);
    // A failed align write leaves the previous one.
    expectSession(m, `echo 4096 > ${D}/dax0.1/align -> ok`);
    expectSession(m, `echo 1073741824 > ${D}/dax0.1/align -> EINVAL`);
    expect(device(m, 'dax0.1').align).toBe(4096n);
  });

  it('create: 2 or 0 → EINVAL; nothing available → ENOSPC', () => {
    const m = KernelModel.fromFacts(bootOf(release));
    expectSession(
      m,
      `
      echo 2 > ${G}/create     -> EINVAL
      echo 0 > ${G}/create     -> EINVAL
      echo 1 > ${G}/create     -> ENOSPC   dax0.0 holds the whole region
      `,
    );
    expect(devices(m)).toEqual(['dax0.0']);
    const e = emptied(release);
    expectSession(
      e,
      `
      echo 2 > ${G}/create     -> EINVAL
      echo 0 > ${G}/create     -> EINVAL
      echo 1 > ${G}/create     -> ok
      echo 2147483648 > ${D}/dax0.1/size -> ok
      echo 1 > ${G}/create     -> ENOSPC
      `,
    );
    expect(devices(e)).toEqual(['dax0.0', 'dax0.1']);
  });

  it('delete: dax0.0 → EBUSY always, a device with size > 0 → EBUSY, an unknown name → ENXIO', () => {
    const m = KernelModel.fromFacts(bootOf(release));
    expectSession(m, `echo dax0.0 > ${G}/delete -> EBUSY`);
    const e = emptied(release);
    expectSession(
      e,
      `
      echo dax0.0 > ${G}/delete            -> EBUSY   unbound and size 0, but id 0
      echo 1 > ${G}/create                 -> ok
      echo 268435456 > ${D}/dax0.1/size    -> ok
      echo dax0.1 > ${G}/delete            -> EBUSY   size > 0
      echo dax0.9 > ${G}/delete            -> ENXIO
      echo 0 > ${D}/dax0.1/size            -> ok
      echo dax0.1 > ${G}/delete            -> ok
      echo dax0.1 > ${G}/delete            -> ENXIO   gone
      echo 0 > ${D}/dax0.1/size            -> ENOENT  its attributes are gone too
      `,
    );
    expect(devices(e)).toEqual(['dax0.0']);
  });

  it('a write to an attribute of a device that does not exist → ENOENT', () => {
    const m = KernelModel.fromFacts(bootOf(release));
    expectSession(
      m,
      `
      echo 0 > ${D}/dax0.7/size                            -> ENOENT
      echo 2097152 > ${D}/dax0.7/align                     -> ENOENT
      echo 0x100000000-0x101ffffff > ${D}/dax0.7/mapping   -> ENOENT
      echo 0 > /sys/devices/platform/hmem.0/dax0.7/size    -> ENOENT
      echo 0 > ${D}/dax1.0/size                            -> ENOENT
      `,
    );
  });

  it('size: bound → EBUSY, not a multiple of 2 MiB → EINVAL, growth beyond available_size → ENOSPC', () => {
    const m = KernelModel.fromFacts(bootOf(release));
    expectSession(
      m,
      `
      echo 0 > ${D}/dax0.0/size           -> EBUSY   bound (${bootDriver(release)})
      echo 2147483648 > ${D}/dax0.0/size  -> EBUSY   even the same size
      `,
    );
    const e = emptied(release);
    expectSession(
      e,
      `
      echo 1 > ${G}/create                 -> ok
      echo 1048576 > ${D}/dax0.1/size      -> EINVAL  1 MiB
      echo 3145728 > ${D}/dax0.1/size      -> EINVAL  3 MiB
      echo 0x100001 > ${D}/dax0.1/size     -> EINVAL
      echo 4194304 > ${D}/dax0.1/size      -> ok      4 MiB
      echo 2147483648 > ${D}/dax0.0/size   -> ENOSPC  2 GiB wanted, 2 GiB - 4 MiB available
      echo 2143289344 > ${D}/dax0.0/size   -> ok      exactly what is left
      echo 6291456 > ${D}/dax0.1/size      -> ENOSPC  nothing left
      echo 2097152 > ${D}/dax0.0/size      -> ok      shrink
      echo 6291456 > ${D}/dax0.1/size      -> ok
      `,
    );
    expect(sizeOf(e, 'dax0.1')).toBe(6n * MiB);
  });

  it('driver unbind of a device not bound to that driver → ENODEV', () => {
    const m = KernelModel.fromFacts(bootOf(release));
    const other = release === R612 ? 'device_dax' : 'kmem';
    expectSession(
      m,
      `
      echo dax0.0 > ${DRV}/${other}/unbind                -> ENODEV
      echo dax0.9 > ${DRV}/${bootDriver(release)}/unbind   -> ENODEV  no such device
      echo dax0.0 > ${DRV}/${bootDriver(release)}/unbind   -> ok
      echo dax0.0 > ${DRV}/${bootDriver(release)}/unbind   -> ENODEV  not bound any more
      `,
    );
  });

  it('bind of a zero-size device → ENXIO', () => {
    const m = emptied(release);
    expectSession(m, `echo 1 > ${G}/create -> ok`);
    if (release === R61) {
      expectSession(
        m,
        `
        echo dax0.0 > ${DRV}/device_dax/bind  -> ENXIO
        echo dax0.1 > ${DRV}/device_dax/bind  -> ENXIO
        `,
      );
    } else {
      expectSession(
        m,
        `
        echo dax0.1 > ${DRV}/kmem/bind        -> ENXIO   kmem matches the region's type
        echo dax0.1 > ${DRV}/device_dax/new_id -> ok     its attach fails quietly
        echo dax0.1 > ${DRV}/device_dax/bind  -> ENXIO
        `,
      );
    }
    expect(driverOf(m, 'dax0.1')).toBe(null);
    expect(seed(m)).toBe('dax0.1');
  });

  it('remove_id of a name never added → success', () => {
    const m = KernelModel.fromFacts(bootOf(release));
    expectSession(
      m,
      `
      echo dax0.5 > ${DRV}/device_dax/remove_id   -> ok
      echo dax0.5 > ${DRV}/kmem/remove_id         -> ok
      echo dax0.0 > ${DRV}/kmem/remove_id         -> ok
      `,
    );
    expect(driverOf(m, 'dax0.0')).toBe(bootDriver(release));
  });

  it('a failed create-device -s 512M -a 1G leaves its seed with align 1G: later creates fail until 2097152 is written back', () => {
    const m = emptied(release);
    expectSession(
      m,
      `
      # daxctl create-device -r 0 -s 512M -a 1G
      echo 1 > ${G}/create                   -> ok
      echo 1073741824 > ${D}/dax0.1/align    -> ok
      echo 536870912 > ${D}/dax0.1/size      -> EINVAL   512M is not a multiple of 1G
      `,
    );
    expect(seed(m)).toBe('dax0.1');
    expectSession(
      m,
      `
      # daxctl create-device -r 0 -s 256M: a new device, but the seed stays dax0.1
      echo 1 > ${G}/create                   -> ok
      echo 268435456 > ${D}/dax0.1/size      -> EINVAL
      # and again
      echo 1 > ${G}/create                   -> ok
      echo 268435456 > ${D}/dax0.1/size      -> EINVAL
      `,
    );
    expect(seed(m)).toBe('dax0.1');
    // Failed creates leave zero-size devices behind.
    expect(devices(m)).toEqual(['dax0.0', 'dax0.1', 'dax0.2', 'dax0.3']);
    for (const n of ['dax0.1', 'dax0.2', 'dax0.3']) expect(sizeOf(m, n)).toBe(0n);
    expectSession(
      m,
      `
      echo 2097152 > ${D}/dax0.1/align       -> ok
      echo 268435456 > ${D}/dax0.1/size      -> ok
      `,
    );
    bindDevdax(m, release, 'dax0.1');
    // A successful probe of the seed clears it; it is not re-pointed to an older leftover.
    expect(seed(m)).toBe('');
    expectSession(m, `echo 1 > ${G}/create -> ok`);
    expect(seed(m)).toBe('dax0.4');
  });

  it('daxctl create-device -s 512M -a 1G through the daxctl emulation fails, then plain creates fail too', () => {
    const m = emptied(release);
    const d = new Daxctl(m);
    expect(() => d.createDevice({ size: 512n * MiB, align: GiB })).toThrow(DaxctlError);
    expect(() => d.createDevice({ size: 256n * MiB })).toThrow(DaxctlError);
    expect(d.write(`${D}/dax0.1/align`, '2097152')).toBe('ok');
    expect(d.createDevice({ size: 256n * MiB })).toBe('dax0.1');
    expect(mappings(m, 'dax0.1')).toEqual(['mapping0 0x100000000-0x10fffffff pgoff 0x0']);
    expect(driverOf(m, 'dax0.1')).toBe('device_dax');
  });
});

describe('drivers: device_dax matching (§15, §2.4)', () => {
  it('6.12: bind to device_dax → ENODEV for a device of the kmem-type region until new_id names it', () => {
    const m = emptied(R612);
    expectSession(
      m,
      `
      echo 1 > ${G}/create                      -> ok
      echo 268435456 > ${D}/dax0.1/size         -> ok
      echo dax0.1 > ${DRV}/device_dax/bind      -> ENODEV
      echo dax0.0 > ${DRV}/device_dax/bind      -> ENODEV
      echo dax0.1 > ${DRV}/device_dax/new_id    -> ok      new_id attaches at once
      `,
    );
    expect(driverOf(m, 'dax0.1')).toBe('device_dax');
    expectSession(
      m,
      `
      echo dax0.1 > ${DRV}/device_dax/unbind    -> ok
      echo dax0.1 > ${DRV}/device_dax/bind      -> ok      named by new_id: matches now
      echo dax0.1 > ${DRV}/device_dax/unbind    -> ok
      echo dax0.1 > ${DRV}/device_dax/remove_id -> ok
      echo dax0.1 > ${DRV}/device_dax/bind      -> ENODEV  no longer named
      `,
    );
    // new_id of a zero-size device: attach fails, but bind works once it has a size.
    expectSession(
      m,
      `
      echo 1 > ${G}/create                      -> ok
      echo dax0.2 > ${DRV}/device_dax/new_id    -> ok
      echo 268435456 > ${D}/dax0.2/size         -> ok
      echo dax0.2 > ${DRV}/device_dax/bind      -> ok
      `,
    );
    expect(driverOf(m, 'dax0.2')).toBe('device_dax');
  });

  it('6.1: the same bind succeeds (device_dax matches every device)', () => {
    const m = emptied(R61);
    expectSession(
      m,
      `
      echo 1 > ${G}/create                      -> ok
      echo 268435456 > ${D}/dax0.1/size         -> ok
      echo dax0.1 > ${DRV}/device_dax/bind      -> ok
      `,
    );
    expect(driverOf(m, 'dax0.1')).toBe('device_dax');
  });

  it('6.12 with dax_hmem.region_idle=1: the region has no kmem default, device_dax binds without new_id', () => {
    const m = KernelModel.fromFacts(idleRegion(R612));
    expect(listedAvailable(m)).toBe(Number(2n * GiB));
    expectSession(
      m,
      `
      echo 268435456 > ${D}/dax0.0/size         -> ok
      echo dax0.0 > ${DRV}/kmem/bind            -> ENODEV
      echo dax0.0 > ${DRV}/device_dax/bind      -> ok
      `,
    );
  });

  it('6.1: kmem matches only what new_id names', () => {
    const m = emptied(R61);
    expectSession(
      m,
      `
      echo 1 > ${G}/create                 -> ok
      echo 268435456 > ${D}/dax0.1/size    -> ok
      echo dax0.1 > ${DRV}/kmem/bind       -> ENODEV
      echo dax0.1 > ${DRV}/kmem/new_id     -> ok
      `,
    );
    expect(driverOf(m, 'dax0.1')).toBe('kmem');
  });
});

describe.each(RELEASES)('kmem on %s', (release) => {
  /** A 256 MiB device dax0.1 at the region start, unbound. */
  function device256(): KernelModel {
    const m = emptied(release);
    expectSession(
      m,
      `
      echo 1 > ${G}/create                 -> ok
      echo 268435456 > ${D}/dax0.1/size    -> ok
      `,
    );
    return m;
  }

  it('reconfigure-device -m system-ram: 2 blocks, onlined movable; node 1 gets 262144 kB', () => {
    const m = device256();
    bindDevdax(m, release, 'dax0.1');
    const d = new Daxctl(m);
    d.reconfigureSystemRam('dax0.1');
    expect(driverOf(m, 'dax0.1')).toBe('kmem');
    const blocks = d.blocks('dax0.1');
    expect(blocks.map((b) => [b.index, b.state, b.zone])).toEqual([
      [32, 'online', 'Movable'],
      [33, 'online', 'Movable'],
    ]);
    expect((BigInt(blocks.length) * m.state.blockSize) / 1024n).toBe(262144n);
    const json = (toDaxctlJson(m.state) as { devices: { chardev: string }[] }[])[0]?.devices.find(
      (x) => x.chardev === 'dax0.1',
    );
    expect(json).toMatchObject({ mode: 'system-ram', online_memblocks: 2, total_memblocks: 2, movable: true });
    // Back to devdax fails with EBUSY until the memory is offlined.
    expect(() => d.reconfigureDevdax('dax0.1')).toThrow(/EBUSY/);
    expect(driverOf(m, 'dax0.1')).toBe('kmem');
    d.offlineMemory('dax0.1');
    d.reconfigureDevdax('dax0.1');
    expect(driverOf(m, 'dax0.1')).toBe('device_dax');
    expect(d.blocks('dax0.1')).toEqual([]);
  });

  it('raw writes: bind kmem, online_movable each block, offline, unbind frees the range', () => {
    const m = device256();
    expectSession(
      m,
      `
      echo dax0.1 > ${DRV}/kmem/new_id           -> ok   binds (2 blocks added, offline by policy)
      echo online_movable > ${MEM}/memory32/state -> ok
      echo online_movable > ${MEM}/memory33/state -> ok
      echo online_movable > ${MEM}/memory33/state -> EINVAL  already online
      echo offline > ${MEM}/memory32/state       -> ok
      echo offline > ${MEM}/memory33/state       -> ok
      echo dax0.1 > ${DRV}/kmem/unbind           -> ok
      echo dax0.1 > ${DRV}/kmem/remove_id        -> ok
      `,
    );
    expect(m.state.blocks.has(32)).toBe(false);
    expect(m.state.blocks.has(33)).toBe(false);
    bindDevdax(m, release, 'dax0.1');
  });

  it('unbinding kmem with blocks online "succeeds" but strands the range: later binds of it → EBUSY', () => {
    const m = device256();
    expectSession(
      m,
      `
      echo dax0.1 > ${DRV}/kmem/new_id            -> ok
      echo online_movable > ${MEM}/memory32/state -> ok
      echo online_movable > ${MEM}/memory33/state -> ok
      echo dax0.1 > ${DRV}/kmem/remove_id         -> ok
      echo dax0.1 > ${DRV}/kmem/unbind            -> ok    remove_memory fails; logged only
      `,
    );
    expect(driverOf(m, 'dax0.1')).toBe(null);
    expect(m.state.blocks.get(32)?.state).toBe('online');
    // The first device_dax probe fails with EBUSY ("could not reserve range") and leaves
    // dev_dax->pgmap behind: every later device_dax probe of dax0.1 is EINVAL (fidelity runs).
    if (release === R612)
      expectSession(m, `echo dax0.1 > ${DRV}/device_dax/new_id -> ok   attach fails quietly (EBUSY)`);
    expectSession(
      m,
      `
      echo dax0.1 > ${DRV}/device_dax/bind   -> ${release === R612 ? 'EINVAL' : 'EBUSY'}
      echo dax0.1 > ${DRV}/kmem/bind         -> ${release === R612 ? 'EBUSY' : 'ENODEV'}
      `,
    );
    // The region's accounting frees it all the same: a new device gets the same range and cannot be bound either.
    expectSession(
      m,
      `
      echo 0 > ${D}/dax0.1/size              -> ok
      echo dax0.1 > ${G}/delete              -> ok
      echo 1 > ${G}/create                   -> ok
      echo 536870912 > ${D}/dax0.1/size      -> ok
      `,
    );
    expect(mappings(m, 'dax0.1')).toEqual(['mapping0 0x100000000-0x11fffffff pgoff 0x0']);
    expect(listedAvailable(m)).toBe(Number(2n * GiB - 512n * MiB));
    if (release === R612) expectSession(m, `echo dax0.1 > ${DRV}/device_dax/new_id -> ok`); // its probe: EBUSY
    expectSession(m, `echo dax0.1 > ${DRV}/device_dax/bind -> ${release === R612 ? 'EINVAL' : 'EBUSY'}`);
    expect(driverOf(m, 'dax0.1')).toBe(null);
    // Offlining the stranded blocks afterwards does not give the range back (held until reboot).
    expectSession(
      m,
      `
      echo offline > ${MEM}/memory32/state   -> ok
      echo offline > ${MEM}/memory33/state   -> ok
      echo dax0.1 > ${DRV}/device_dax/bind   -> EINVAL   (the stale pgmap of the failed probe above)
      `,
    );
    // Space elsewhere in the region still binds.
    expectSession(
      m,
      `
      echo 1 > ${G}/create                   -> ok
      echo 268435456 > ${D}/dax0.2/size      -> ok
      `,
    );
    expect(mappings(m, 'dax0.2')).toEqual(['mapping0 0x120000000-0x12fffffff pgoff 0x0']);
    bindDevdax(m, release, 'dax0.2');
  });
});

describe('6.12 boot: dax0.0 bound to kmem with 16 offline blocks', () => {
  it('unbind kmem, shrink to 0, then partition', () => {
    const m = KernelModel.fromFacts(linux612Boot());
    expectSession(
      m,
      `
      echo 0 > ${D}/dax0.0/size                 -> EBUSY   bound to kmem
      echo dax0.0 > ${DRV}/device_dax/unbind    -> ENODEV
      echo dax0.0 > ${DRV}/kmem/remove_id       -> ok
      echo dax0.0 > ${DRV}/kmem/unbind          -> ok      every block offline: the memory is removed
      echo 0 > ${D}/dax0.0/size                 -> ok
      echo 1 > ${G}/create                      -> ok
      echo 536870912 > ${D}/dax0.1/size         -> ok
      echo dax0.1 > ${DRV}/device_dax/bind      -> ENODEV  kmem-type region
      echo dax0.1 > ${DRV}/device_dax/new_id    -> ok
      echo 1 > ${G}/create                      -> ok
      echo 1073741824 > ${D}/dax0.2/align       -> ok
      echo 1073741824 > ${D}/dax0.2/size        -> ok
      echo dax0.2 > ${DRV}/device_dax/new_id    -> ok
      echo 1 > ${G}/create                      -> ok
      echo 0x160000000-0x17fffffff > ${D}/dax0.3/mapping -> ok
      echo dax0.3 > ${DRV}/kmem/bind            -> ok      system-ram by default
      `,
    );
    expect(m.state.blocks.size).toBe(4);
    expect([...m.state.blocks.values()].every((b) => b.state === 'offline')).toBe(true);
    expect(mappings(m, 'dax0.1')).toEqual(['mapping0 0x100000000-0x11fffffff pgoff 0x0']);
    expect(mappings(m, 'dax0.2')).toEqual(['mapping0 0x120000000-0x15fffffff pgoff 0x0']);
    expect(mappings(m, 'dax0.3')).toEqual(['mapping0 0x160000000-0x17fffffff pgoff 0x0']);
    expect(driverOf(m, 'dax0.1')).toBe('device_dax');
    expect(driverOf(m, 'dax0.2')).toBe('device_dax');
    expect(driverOf(m, 'dax0.3')).toBe('kmem');
    expect(listedAvailable(m)).toBe(0);
    expect(exists(m, 'dax0.0')).toBe(true);
  });

  it("unbinding kmem with blocks online strands dax0.0's memory", () => {
    const m = KernelModel.fromFacts(linux612Boot());
    expectSession(
      m,
      `
      echo online_movable > ${MEM}/memory40/state -> ok
      echo dax0.0 > ${DRV}/kmem/unbind            -> ok
      echo 0 > ${D}/dax0.0/size                   -> ok
      echo 1 > ${G}/create                        -> ok
      echo 2147483648 > ${D}/dax0.1/size          -> ok
      echo dax0.1 > ${DRV}/device_dax/new_id      -> ok       its probe fails: EBUSY, reserved
      echo dax0.1 > ${DRV}/device_dax/bind        -> EINVAL   the failed probe's pgmap is left behind
      `,
    );
    expect(driverOf(m, 'dax0.1')).toBe(null);
  });
});
