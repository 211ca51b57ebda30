// ndctl test/daxctl-create.sh (kernel-facts.md §11.1, tests 0–7) replayed on
// the kernel model with the raw sysfs writes daxctl performs (§10.3, §10.5):
// create = `1 > create`, take the seed, [align], [mapping…], size, bind
// device_dax; destroy = unbind, size 0, delete (daxR.0 answers EBUSY and is
// only zeroed). Run on the real guests' boot states (6.1: dax0.0 devdax;
// 6.12: dax0.0 system-ram) with a 2 GiB region, and on 512 MiB, 4 GiB and
// 16 GiB regions.

import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../server/core/host-facts';
import { KernelModel } from '../../server/core/kernel/model';
import { toDaxctlJson } from '../../server/core/kernel/snapshot';
import { regionSize } from '../../server/core/kernel/state';
import { Daxctl, type MappingSpec } from './daxctl';
import { GiB, MiB, R61, R612, hmemHost, linux612Boot, linux61Boot } from './hosts';
import { device, devices, driverOf, exists, hex, listedAvailable, mappings, region, sizeOf } from './session';

const PAGE = 4096n;

interface Ctx {
  m: KernelModel;
  d: Daxctl;
  /** Region capacity recorded by setup_dev. */
  A: bigint;
  /** Region start. */
  S: bigint;
  testdev: string;
}

/** daxctl_get_nr_mappings: mapping0..K-1 consecutive, and their sizes must add up to the listed size; else 0. */
function nrMappings(m: KernelModel, name: string): number {
  const dev = device(m, name);
  let i = 0;
  let total = 0n;
  for (;;) {
    const r = dev.ranges.find((x) => x.mappingId === i);
    if (!r) break;
    total += r.end - r.start + 1n;
    i++;
  }
  return total === sizeOf(m, name) ? i : 0;
}

/** fail_if_available: the region JSON has no available_size. */
function expectFull(c: Ctx) {
  const json = toDaxctlJson(c.m.state) as { available_size?: number }[];
  expect(json[0]?.available_size).toBeUndefined();
}

/** test_pass: available_size equals the capacity recorded at setup. */
function expectPass(c: Ctx) {
  expect(BigInt(listedAvailable(c.m))).toBe(c.A);
}

/** Expected `mappingK start-end pgoff P` with bounds in units of u from the region start. */
function span(c: Ctx, k: number, from: bigint, to: bigint, pgoffUnits: bigint, u: bigint): string {
  return `mapping${k} ${hex(c.S + from * u)}-${hex(c.S + to * u - 1n)} pgoff ${hex((pgoffUnits * u) / PAGE)}`;
}

function setup(facts: HostFacts): Ctx {
  const m = KernelModel.fromFacts(facts);
  const d = new Daxctl(m);
  // find_testdev: the first device of region 0.
  const testdev = d.names()[0] as string;
  expect(testdev).toBe('dax0.0');
  // setup_dev: the device must have mappings whose sizes add up to its size.
  expect(nrMappings(m, testdev)).toBe(1);
  // v80+: the test device comes up as system-ram on 6.3+; switch it to devdax with force.
  if (d.mode(testdev) === 'system-ram') d.reconfigureDevdax(testdev, true);
  expect(driverOf(m, testdev)).toBe('device_dax');
  d.disableDevice(testdev);
  d.reconfigureSize(testdev, 0n);
  const A = BigInt(listedAvailable(m));
  const r = region(m);
  expect(A).toBe(regionSize(r));
  return { m, d, A, S: r.start, testdev };
}

function clearDev(c: Ctx) {
  c.d.disableDevice(c.testdev);
  c.d.reconfigureSize(c.testdev, 0n);
}

function test0(c: Ctx) {
  clearDev(c);
  expectPass(c);
  expect(devices(c.m)).toEqual(['dax0.0']);
}

function test1(c: Ctx) {
  const dev = c.d.createDevice();
  expect(dev).toBe('dax0.1');
  expect(nrMappings(c.m, dev)).toBe(1);
  expect(mappings(c.m, dev)).toEqual([span(c, 0, 0n, 1n, 0n, c.A)]);
  expect(driverOf(c.m, dev)).toBe('device_dax');
  expectFull(c);
  c.d.disableDevice(dev);
  c.d.destroyDevice(dev);
  expect(exists(c.m, dev)).toBe(false);
  clearDev(c);
  expectPass(c);
}

/** daxctl_test_multi: with testdev at A/4 (`withTestdev`) or empty; destroy `hole`; create A/2 → 2 mappings. */
function testMulti(c: Ctx, hole: string, withTestdev: boolean) {
  const size = c.A / 4n;
  if (withTestdev) {
    c.d.disableDevice(c.testdev);
    c.d.reconfigureSize(c.testdev, size);
    expect(mappings(c.m, c.testdev)).toEqual([span(c, 0, 0n, 1n, 0n, size)]);
  }
  const created = [c.d.createDevice({ size }), c.d.createDevice({ size })];
  if (!withTestdev) created.push(c.d.createDevice({ size }));
  expect(created).toEqual(withTestdev ? ['dax0.1', 'dax0.2'] : ['dax0.1', 'dax0.2', 'dax0.3']);
  const first = withTestdev ? 1n : 0n;
  created.forEach((name, i) =>
    expect(mappings(c.m, name)).toEqual([span(c, 0, first + BigInt(i), first + BigInt(i) + 1n, 0n, size)]),
  );

  // Hole
  c.d.disableDevice(hole);
  c.d.destroyDevice(hole);
  expect(exists(c.m, hole)).toBe(false);

  // Pick space in the created hole and at the end.
  const dev4 = c.d.createDevice({ size: size * 2n });
  expect(dev4).toBe('dax0.1'); // the lowest free id is reused
  expect(nrMappings(c.m, dev4)).toBe(2);
  expect(mappings(c.m, dev4)).toEqual(
    withTestdev
      ? [span(c, 0, 1n, 2n, 0n, size), span(c, 1, 3n, 4n, 1n, size)] // middle hole, then tail
      : [span(c, 0, 0n, 1n, 0n, size), span(c, 1, 3n, 4n, 1n, size)], // start hole, then tail
  );
  expectFull(c);

  c.d.disableAll();
  c.d.destroyAll();
  expect(devices(c.m)).toEqual(['dax0.0']); // daxR.0 cannot be deleted, only zeroed
  expect(sizeOf(c.m, 'dax0.0')).toBe(0n);
}

function test2(c: Ctx) {
  testMulti(c, 'dax0.1', true);
  clearDev(c);
  expectPass(c);
}

function test3(c: Ctx) {
  testMulti(c, 'dax0.1', false);
  clearDev(c);
  expectPass(c);
}

/** daxctl_test_multi_reconfig 8: testdev and one device grown alternately; returns the device's `list -M` JSON. */
function testMultiReconfig(c: Ctx, ncfgs: bigint) {
  const size = c.A / ncfgs;
  c.d.disableDevice(c.testdev);
  c.d.reconfigureSize(c.testdev, size);
  c.d.disableDevice(c.testdev);
  const dev1 = c.d.createDevice({ size });
  expect(dev1).toBe('dax0.1');
  c.d.disableDevice(dev1);
  for (let i = size * 2n; i <= (size * ncfgs) / 2n; i += size) {
    c.d.disableDevice(c.testdev);
    c.d.reconfigureSize(c.testdev, i);
    c.d.disableDevice(dev1);
    c.d.reconfigureSize(dev1, i);
  }
  const half = Number(ncfgs / 2n);
  expect(nrMappings(c.m, c.testdev)).toBe(half);
  expect(nrMappings(c.m, dev1)).toBe(half);
  // Every growth appends at the region end, alternating between the two devices.
  const even: string[] = [];
  const odd: string[] = [];
  for (let k = 0; k < half; k++) {
    const K = BigInt(k);
    even.push(span(c, k, 2n * K, 2n * K + 1n, K, size));
    odd.push(span(c, k, 2n * K + 1n, 2n * K + 2n, K, size));
  }
  expect(mappings(c.m, c.testdev)).toEqual(even);
  expect(mappings(c.m, dev1)).toEqual(odd);
  // `daxctl list -M -d dax0.1 | jq '.[]'`
  const json = (toDaxctlJson(c.m.state) as { devices: Record<string, unknown>[] }[])[0]?.devices.find(
    (x) => x.chardev === dev1,
  );
  expectFull(c);
  c.d.disableDevice(dev1);
  c.d.destroyDevice(dev1);
  expect(exists(c.m, dev1)).toBe(false);
  return json as {
    chardev: string;
    size: number;
    align: number;
    mappings: { page_offset: number; start: number; end: number }[];
  };
}

function test4(c: Ctx) {
  testMultiReconfig(c, 8n);
  clearDev(c);
  expectPass(c);
}

function test5(c: Ctx) {
  const size = c.A / 4n;
  for (let i = 1; i <= 4; i++) {
    const dev = c.d.createDevice({ size });
    expect(dev).toBe(`dax0.${i}`);
    expect(nrMappings(c.m, dev)).toBe(1);
  }
  for (const name of ['dax0.1', 'dax0.4']) {
    c.d.disableDevice(name);
    c.d.destroyDevice(name);
  }
  c.d.disableDevice('dax0.2');
  c.d.reconfigureSize('dax0.2', size * 2n);
  // Allocates space at the beginning: two mappings, the page offsets of the existing range preserved.
  expect(nrMappings(c.m, 'dax0.2')).toBe(2);
  expect(mappings(c.m, 'dax0.2')).toEqual([span(c, 0, 1n, 2n, 0n, size), span(c, 1, 0n, 1n, 1n, size)]);
  c.d.disableDevice('dax0.3');
  c.d.reconfigureSize('dax0.3', size * 2n);
  // Adjusts space at the end: the existing range is extended.
  expect(nrMappings(c.m, 'dax0.3')).toBe(1);
  expect(mappings(c.m, 'dax0.3')).toEqual([span(c, 0, 2n, 4n, 0n, size)]);
  expectFull(c);
  for (const name of ['dax0.3', 'dax0.2']) {
    c.d.disableDevice(name);
    c.d.destroyDevice(name);
  }
  clearDev(c);
  expectPass(c);
}

function test6(c: Ctx) {
  const big = c.A >= GiB;
  const align = big ? GiB : 2n * MiB;
  const size = big ? GiB : c.A;
  const dev = c.d.createDevice({ size, align });
  expect(dev).toBe('dax0.1');
  expect(device(c.m, dev).align).toBe(align);
  expect(mappings(c.m, dev)).toEqual([span(c, 0, 0n, 1n, 0n, size)]);
  expect(driverOf(c.m, dev)).toBe('device_dax');
  c.d.disableDevice(dev);
  c.d.destroyDevice(dev);
  clearDev(c);
  expectPass(c);
}

function test7(c: Ctx) {
  const saved = testMultiReconfig(c, 8n);
  // create-device --input: region id from chardev, size, align, mappings in page_offset order.
  expect(saved.chardev).toBe('dax0.1');
  const input: MappingSpec[] = saved.mappings.map((x) => ({
    start: BigInt(x.start),
    end: BigInt(x.end),
    pageOffset: BigInt(x.page_offset),
  }));
  const before = input.map((x, k) => `mapping${k} ${hex(x.start)}-${hex(x.end)} pgoff ${hex(x.pageOffset)}`);
  // Feed them shuffled: daxctl sorts by page_offset.
  const dev = c.d.createDevice({
    size: BigInt(saved.size),
    align: BigInt(saved.align),
    mappings: [...input].reverse(),
  });
  expect(nrMappings(c.m, dev)).toBe(4);
  expect(mappings(c.m, dev)).toEqual(before);
  expect(sizeOf(c.m, dev)).toBe(BigInt(saved.size));
  expect(driverOf(c.m, dev)).toBe('device_dax');
  expectFull(c);
  c.d.disableDevice(dev);
  c.d.destroyDevice(dev);
  clearDev(c);
  expectPass(c);
}

/** reset_dev: dax0.0 back to the whole capacity, enabled. */
function resetDev(c: Ctx) {
  c.d.disableDevice(c.testdev);
  c.d.reconfigureSize(c.testdev, c.A);
  c.d.enableDevice(c.testdev);
  expect(mappings(c.m, c.testdev)).toEqual([span(c, 0, 0n, 1n, 0n, c.A)]);
  expect(driverOf(c.m, c.testdev)).toBe('device_dax');
  expect(listedAvailable(c.m)).toBe(0);
}

const TESTS: [string, (c: Ctx) => void][] = [
  ['test 0: zero the region device, the whole capacity is available', test0],
  ['test 1: create with the whole available space, 1 mapping, destroy', test1],
  ['test 2: space in the middle and at the end → 2 mappings', test2],
  ['test 3: space at the beginning and at the end → 2 mappings', test3],
  ['test 4: two devices grown alternately → 4 mappings each', test4],
  ['test 5: growth into the hole at region start (new range) and after the own range (merged)', test5],
  ['test 6: create with an align', test6],
  ['test 7: recreate from saved mappings → identical ranges', test7],
];

const HOSTS: [string, () => HostFacts][] = [
  ['6.1 boot (dax0.0 devdax), 2 GiB', linux61Boot],
  ['6.12 boot (dax0.0 system-ram), 2 GiB', linux612Boot],
  ['6.1, 4 GiB', () => hmemHost({ release: R61, boot: 'devdax', size: 4n * GiB })],
  ['6.12, 4 GiB', () => hmemHost({ release: R612, boot: 'kmem', size: 4n * GiB })],
  ['6.1, 16 GiB', () => hmemHost({ release: R61, boot: 'devdax', size: 16n * GiB })],
  ['6.12, 16 GiB', () => hmemHost({ release: R612, boot: 'kmem', size: 16n * GiB })],
  ['6.1, 512 MiB (test 6 takes -a 2M -s A)', () => hmemHost({ release: R61, boot: 'devdax', size: 512n * MiB })],
  ['6.12, 512 MiB', () => hmemHost({ release: R612, boot: 'kmem', size: 512n * MiB })],
];

describe.each(HOSTS)('ndctl test/daxctl-create.sh on %s', (_name, facts) => {
  it.each(TESTS)('%s', (_t, fn) => {
    const c = setup(facts());
    try {
      fn(c);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- session ---\n${c.d.transcript()}`);
    }
  });

  it('the whole script in order (setup, tests 0–7, reset_dev)', () => {
    const c = setup(facts());
    try {
      for (const [, fn] of TESTS) fn(c);
      resetDev(c);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- session ---\n${c.d.transcript()}`);
    }
    // Nothing but the expected writes failed: only delete of dax0.0 (EBUSY, treated as success by daxctl)
    // and binds after new_id already bound the device (the driver link decides).
    const failures = c.d.log.filter((s) => s.result !== 'ok');
    for (const f of failures) {
      expect(f.text).toMatch(/(dax_region\/delete$|\/bind$)/);
      if (f.text.endsWith('delete')) expect(f.text).toMatch(/^echo dax0\.0 /);
    }
  });
});
