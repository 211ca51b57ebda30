// The boot-time restorer: its text (validated names, quoted values, one table per region), its
// syntax under dash and busybox sh, and what it does when run against the kernel model's sysfs
// semantics: from the boot states of Linux 6.1 and 6.12 it reaches the predicted state exactly,
// from the predicted state it writes nothing, and it refuses (writing nothing) a region whose
// geometry changed, one in neither state, and kernel-zone memory online at boot.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyze,
  KernelModel,
  persistArtifacts,
  persistSpec,
  restorerProgram,
  snapshot,
  toDaxctlJson,
  writeFacts,
  type Analysis,
  type HostFacts,
} from '../../server/core/index';
import { SAMPLES, sampleReader } from '../rules/harness';
import { runRestorer } from './fake-sysfs';
import { bootFacts, FACTS, layout, type Kernel } from './helpers';

function program(a: Analysis): string {
  const spec = persistSpec(a, 'lab');
  expect(spec.problems).toEqual([]);
  return restorerProgram(spec);
}

function predicted(a: Analysis) {
  const m = a.hosts[0]?.model;
  if (!m) throw new Error('no model');
  return toDaxctlJson(m.state);
}

const LAB = `
  device weather { size 1G align 1G }
  device spill { size 512M mode system-ram movable }
  device guest-a { range 0x1_7000_0000 + 256M }
  device scratch { size rest }`;
const LAB612 = `
  device tier2 { size 1G mode system-ram movable }
  device app { size 512M }
  device guest-b { range 0x1_6000_0000..0x1_7fff_ffff }`;

describe('restorer text', () => {
  const a = layout('6.1', LAB);
  const text = program(a);

  it('has one table per region with validated names and quoted values only', () => {
    const lines = text.split('\n');
    const t = lines.indexOf("T='");
    const end = lines.indexOf("'", t + 1);
    const rows = lines.slice(t + 1, end);
    expect(rows).toEqual([
      '  dax0.0 1073741824 1073741824 device_dax 0      -              weather 0:100000000-13fffffff',
      '  dax0.1 536870912  2097152    kmem       0      online_movable spill   0:140000000-15fffffff',
      '  dax0.2 268435456  2097152    device_dax 0      -              guest-a 0:170000000-17fffffff',
      '  dax0.3 268435456  2097152    device_dax 0      -              scratch 0:160000000-16fffffff',
    ]);
    for (const r of rows)
      expect(r).toMatch(
        /^ {2}dax\d+\.\d+ +\d+ +\d+ +(device_dax|kmem|-) +[01] +(-|offline|online_movable|online_kernel) +[A-Za-z_][A-Za-z0-9_.-]*( +\d+:[0-9a-f]+-[0-9a-f]+)* *$/,
      );
    const call = lines.find((l) => l.startsWith('region 0 '));
    expect(call).toBe("region 0 '/devices/platform/hmem.0' 0x100000000 2147483648 3 ''");
    expect(lines.find((l) => l.startsWith('DEVICES='))).toBe(
      "DEVICES=' dax0.0(weather) dax0.1(spill) dax0.2(guest-a) dax0.3(scratch)'",
    );
    expect(lines[0]).toBe('#!/bin/sh');
  });

  it('is valid POSIX sh for dash and busybox (sh -n)', () => {
    for (const [cmd, args] of [
      ['dash', ['-n']],
      ['busybox', ['sh', '-n']],
    ] as const) {
      const r = spawnSync(cmd, [...args], { input: text, encoding: 'utf8' });
      expect(r.stderr, cmd).toBe('');
      expect(r.status, cmd).toBe(0);
    }
  });

  it('refuses hosts it cannot name and layouts with problems', () => {
    const spec = persistSpec(a, 'lab');
    expect(() => restorerProgram({ ...spec, host: 'lab; rm -rf /' })).toThrow(/cannot be named/);
    expect(() => restorerProgram({ ...spec, problems: ['x'] })).toThrow(/no restorer/);
  });

  it('names the gaps it deletes when the final state skips kernel ids', () => {
    // dax0.2 deleted before: the layout keeps dax0.1 and dax0.3
    const facts = bootFacts('6.1', (f) => ({
      ...f,
      regions: f.regions.map((r) => ({
        ...r,
        devices: [
          { name: 'dax0.0', size: 0n, align: 2097152n, driver: null, targetNode: 1, mappings: [] },
          {
            name: 'dax0.1',
            size: 1073741824n,
            align: 2097152n,
            driver: 'device_dax',
            targetNode: 1,
            mappings: [{ id: 0, start: 0x100000000n, end: 0x13fffffffn, pageOffset: 0n }],
          },
          {
            name: 'dax0.3',
            size: 1073741824n,
            align: 2097152n,
            driver: 'device_dax',
            targetNode: 1,
            mappings: [{ id: 0, start: 0x140000000n, end: 0x17fffffffn, pageOffset: 0n }],
          },
        ],
      })),
    }));
    const b = layout(
      '6.1',
      '  device a { name dax0.1 size 1G }\n  device b { name dax0.3 size 1G }',
      writeFacts(facts),
    );
    const t = program(b);
    expect(t).toContain("region 0 '/devices/platform/hmem.0' 0x100000000 2147483648 3 '2'");
    expect(t).toContain('then dax0.2 deleted');
  });
});

async function restoreFrom(
  kernel: Kernel | '7.3',
  a: Analysis,
  boot: HostFacts,
  shell: 'dash' | 'busybox' = 'dash',
  decorate?: (sysRoot: string) => void,
) {
  const model = KernelModel.fromFacts(boot);
  const run = await runRestorer(program(a), model, shell, decorate);
  return { run, state: toDaxctlJson(model.state), model };
}

/** The 6.12 sample as Linux 7.3 shows it: the region under hmem_platform.0 (7.2+). */
function facts73(change?: (f: HostFacts) => HostFacts): HostFacts {
  return bootFacts('6.12', (f) => {
    const g: HostFacts = {
      ...f,
      kernelRelease: '7.3.4+deb13-amd64',
      regions: f.regions.map((r) => ({ ...r, path: '/sys/devices/platform/hmem_platform.0/hmem.0' })),
    };
    return change ? change(g) : g;
  });
}

/** Files under the sysfs stand-in `root` (a memory block the model does not hold, another block size). */
function sysFile(root: string, rel: string, content: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), `${content}\n`);
}

describe('restorer against the kernel model', () => {
  for (const [kernel, body] of [
    ['6.1', LAB],
    ['6.12', LAB612],
  ] as const) {
    for (const shell of ['dash', 'busybox'] as const) {
      it(`${kernel}, ${shell}: reaches the predicted state from the boot state, then writes nothing`, async () => {
        const a = layout(kernel, body);
        expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
        const { run, state, model } = await restoreFrom(kernel, a, bootFacts(kernel), shell);
        expect(run.stderr).toBe('');
        // the only refusals: `bind` where the driver must first be named with new_id
        const refused = run.writes.filter((w) => w.result !== 'ok');
        expect(
          refused.every((w) => w.path.endsWith('/bind') && w.result === 'ENODEV'),
          run.stdout,
        ).toBe(true);
        expect(run.code, run.stdout).toBe(0);
        expect(state).toEqual(predicted(a));
        expect(run.stdout).toMatch(/^daxlayout-restore: region 0: restored dax0\.0\(\S+\) .*\(\d+ writes\)$/m);
        // system-ram devices: their NUMA node by label
        const ram = a.layout.regions[0]?.devices.filter((d) => d.mode === 'system-ram').map((d) => d.label) ?? [];
        expect(Object.keys(run.labels).sort()).toEqual(ram.sort());
        for (const l of ram) expect(run.labels[l]).toBe('1');
        // again, on the state it made: nothing to do
        const again = await runRestorer(program(a), model, shell);
        expect(again.writes).toEqual([]);
        expect(again.code).toBe(0);
        expect(again.stdout).toContain('already as the layout wants it');
      });
    }
  }

  it('writes nothing from the predicted state (a fresh model of it)', async () => {
    for (const [kernel, body] of [
      ['6.1', LAB],
      ['6.12', LAB612],
    ] as const) {
      const a = layout(kernel, body);
      const after = KernelModel.fromFacts(snapshot((a.hosts[0]?.model as KernelModel).state));
      const run = await runRestorer(program(a), after);
      expect(run.writes, kernel).toEqual([]);
      expect(run.code, run.stdout).toBe(0);
    }
  });

  it('on 6.1 claims every range with mapping writes and binds kmem through new_id', async () => {
    const a = layout('6.1', LAB);
    const { run } = await restoreFrom('6.1', a, bootFacts('6.1'));
    const w = run.writes.map((x) => `${x.path.replace('/sys/bus/dax/devices/', '')} ${x.value}`);
    expect(w).toEqual([
      '/sys/bus/dax/drivers/device_dax/unbind dax0.0',
      'dax0.0/size 0',
      '/sys/devices/platform/hmem.0/dax_region/create 1',
      '/sys/devices/platform/hmem.0/dax_region/create 1',
      '/sys/devices/platform/hmem.0/dax_region/create 1',
      'dax0.0/align 1073741824',
      'dax0.0/mapping 100000000-13fffffff',
      'dax0.1/mapping 140000000-15fffffff',
      'dax0.2/mapping 170000000-17fffffff',
      'dax0.3/mapping 160000000-16fffffff',
      '/sys/bus/dax/drivers/device_dax/bind dax0.0',
      '/sys/bus/dax/drivers/device_dax/bind dax0.2',
      '/sys/bus/dax/drivers/device_dax/bind dax0.3',
      '/sys/bus/dax/drivers/kmem/bind dax0.1',
      '/sys/bus/dax/drivers/kmem/new_id dax0.1',
      '/sys/devices/system/memory/memory40/state online_movable',
      '/sys/devices/system/memory/memory41/state online_movable',
      '/sys/devices/system/memory/memory42/state online_movable',
      '/sys/devices/system/memory/memory43/state online_movable',
    ]);
    expect(run.writes.find((x) => x.path.endsWith('kmem/bind'))?.result).toBe('ENODEV');
  });

  it('on 6.12 unbinds the boot-time kmem binding, and names device_dax devices with new_id', async () => {
    const a = layout('6.12', LAB612);
    const { run } = await restoreFrom('6.12', a, bootFacts('6.12'));
    const w = run.writes.map((x) => `${x.path} ${x.value} ${x.result}`);
    expect(w[0]).toBe('/sys/bus/dax/drivers/kmem/unbind dax0.0 ok');
    expect(w).toContain('/sys/bus/dax/drivers/device_dax/bind dax0.1 ENODEV');
    expect(w).toContain('/sys/bus/dax/drivers/device_dax/new_id dax0.1 ok');
  });

  it('on 6.12 offlines movable memory auto-onlined at boot before unbinding kmem', async () => {
    const a = layout('6.12', LAB612);
    const boot = bootFacts('6.12', (f) => ({
      ...f,
      memoryBlocks: f.memoryBlocks.map((b) => ({ ...b, state: 'online', zone: 'Movable' })),
    }));
    const { run, state } = await restoreFrom('6.12', a, boot);
    expect(run.code, run.stdout).toBe(0);
    expect(run.writes.slice(0, 16).every((w) => w.value === 'offline' && w.result === 'ok')).toBe(true);
    expect(run.writes[16]?.path).toBe('/sys/bus/dax/drivers/kmem/unbind');
    expect(state).toEqual(predicted(a));
  });

  it('refuses, writing nothing, when the boot memory is online in a kernel zone', async () => {
    const a = layout('6.12', LAB612);
    const boot = bootFacts('6.12', (f) => ({
      ...f,
      memoryBlocks: f.memoryBlocks.map((b) => ({ ...b, state: 'online', zone: 'Normal' })),
    }));
    const { run } = await restoreFrom('6.12', a, boot);
    expect(run.code).toBe(1);
    expect(run.writes).toEqual([]);
    expect(run.stdout).toMatch(
      /dax0\.0 has memory32 online in zone Normal; kernel-zone memory cannot be reliably offlined/,
    );
  });

  it('refuses, writing nothing, a region whose size or start changed', async () => {
    const a = layout('6.1', LAB);
    const smaller = bootFacts('6.1', (f) => ({
      ...f,
      regions: f.regions.map((r) => ({
        ...r,
        size: 1n << 30n,
        devices: r.devices.map((d) => ({
          ...d,
          size: 1n << 30n,
          mappings: [{ id: 0, start: 0x100000000n, end: 0x13fffffffn, pageOffset: 0n }],
        })),
      })),
    }));
    let { run } = await restoreFrom('6.1', a, smaller);
    expect(run.code).toBe(1);
    expect(run.writes).toEqual([]);
    expect(run.stdout).toContain(
      'region 0: the region is 1073741824 bytes now, the layout was made for 2147483648 bytes: its geometry changed; refusing to touch it',
    );
    const moved = bootFacts('6.1', (f) => ({
      ...f,
      regions: f.regions.map((r) => ({
        ...r,
        start: 0x140000000n,
        devices: r.devices.map((d) => ({
          ...d,
          mappings: [{ id: 0, start: 0x140000000n, end: 0x1bfffffffn, pageOffset: 0n }],
        })),
      })),
    }));
    ({ run } = await restoreFrom('6.1', a, moved));
    expect(run.code).toBe(1);
    expect(run.writes).toEqual([]);
    expect(run.stdout).toContain('the region starts at 0x140000000 now, the layout was made for 0x100000000');
  });

  it('7.3: reaches the predicted state from the boot state (region under hmem_platform.0), then writes nothing', async () => {
    const boot = facts73();
    const a = layout('6.12', LAB612, writeFacts(boot));
    expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const { run, state, model } = await restoreFrom('7.3', a, boot);
    expect(run.code, run.stdout).toBe(0);
    expect(run.writes[0]?.path).toBe('/sys/bus/dax/drivers/kmem/unbind');
    expect(run.writes.some((w) => w.path.startsWith('/sys/devices/platform/hmem_platform.0/hmem.0/'))).toBe(true);
    expect(state).toEqual(predicted(a));
    expect((await runRestorer(program(a), model)).writes).toEqual([]);
  });

  for (const shell of ['dash', 'busybox'] as const) {
    it(`7.3, ${shell}: refuses, writing nothing, a region whose range is partly System RAM now (memmap= changed)`, async () => {
      // measured on 7.3.4 with memmap=1G%5G-1+0xefffffff: the region still reads 2 GiB at 4 GiB,
      // [4 GiB, 5 GiB) is boot System RAM (memory32..39 online, Normal), kmem's probe of dax0.0
      // failed (EBUSY), so dax0.0 is unbound and holds the whole region
      const a = layout('6.12', LAB612, writeFacts(facts73()));
      const boot = facts73((f) => ({
        ...f,
        memoryBlocks: [],
        regions: f.regions.map((r) => ({
          ...r,
          devices: r.devices.map((d) => ({ ...d, driver: null })),
        })),
      }));
      const bootRam = (root: string) => {
        for (let i = 32; i < 40; i++) {
          sysFile(root, `devices/system/memory/memory${i}/state`, 'online');
          sysFile(root, `devices/system/memory/memory${i}/valid_zones`, 'Normal');
        }
      };
      const { run } = await restoreFrom('7.3', a, boot, shell, bootRam);
      expect(run.writes).toEqual([]);
      expect(run.code, run.stdout).toBe(1);
      expect(run.stdout).toContain(
        'region 0: memory32 lies inside the region but is System RAM the kernel took at boot, not dax memory: its geometry changed; refusing to touch it',
      );
    });

    it(`${shell}: refuses, writing nothing, when the memory-block size changed`, async () => {
      for (const [kernel, body] of [
        ['6.1', LAB],
        ['6.12', LAB612],
      ] as const) {
        const a = layout(kernel, body);
        const gib = (root: string) => sysFile(root, 'devices/system/memory/block_size_bytes', '40000000');
        const { run } = await restoreFrom(kernel, a, bootFacts(kernel), shell, gib);
        expect(run.writes, kernel).toEqual([]);
        expect(run.code, run.stdout).toBe(1);
        expect(run.stdout).toContain(
          'region 0: memory blocks are 1073741824 bytes now, the layout was made for 134217728 bytes: its geometry changed; refusing to touch it',
        );
        // and from the state it made: the layout in place is refused too, as nothing says its blocks are right
        const after = KernelModel.fromFacts(snapshot((a.hosts[0]?.model as KernelModel).state));
        const again = await runRestorer(program(a), after, shell, gib);
        expect(again.writes, kernel).toEqual([]);
        expect(again.code).toBe(1);
      }
    });
  }

  it('refuses, writing nothing, a region that is neither the layout nor the boot state', async () => {
    const a = layout('6.1', LAB);
    const other = layout('6.1', '  device x { size 1G }\n  device y { size 1G }');
    const model = KernelModel.fromFacts(snapshot((other.hosts[0]?.model as KernelModel).state));
    const run = await runRestorer(program(a), model);
    expect(run.code).toBe(1);
    expect(run.writes).toEqual([]);
    expect(run.stdout).toMatch(
      /neither as the layout wants it nor as the kernel makes it at boot \(devices: dax0\.0:1073741824:device_dax dax0\.1:1073741824:device_dax\)/,
    );
  });

  it('refuses, writing nothing, a region with empty devices besides dax0.0', async () => {
    const a = layout('6.1', LAB);
    const boot = bootFacts('6.1', (f) => ({
      ...f,
      regions: f.regions.map((r) => ({
        ...r,
        devices: [
          { ...(r.devices[0] as (typeof r.devices)[number]), size: 0n, driver: null, mappings: [] },
          { name: 'dax0.1', size: 0n, align: 2097152n, driver: null, targetNode: 1, mappings: [] },
        ],
      })),
    }));
    const { run } = await restoreFrom('6.1', a, boot);
    expect(run.code).toBe(1);
    expect(run.writes).toEqual([]);
    expect(run.stdout).toContain('(devices: dax0.0:0:- dax0.1:0:-)');
  });

  it('restores from a region booted with dax_hmem.region_idle=1 (an empty dax0.0)', async () => {
    const idle = (f: HostFacts): HostFacts => ({
      ...f,
      memoryBlocks: [],
      regions: f.regions.map((r) => ({
        ...r,
        kmemDefault: false,
        devices: [{ name: 'dax0.0', size: 0n, align: 2097152n, driver: null, targetNode: 1, mappings: [] }],
      })),
    });
    for (const [kernel, body] of [
      ['6.1', LAB],
      ['6.12', LAB612],
    ] as const) {
      const facts = bootFacts(kernel, idle);
      const a = layout(kernel, body, writeFacts(facts));
      const { run, state } = await restoreFrom(kernel, a, facts);
      expect(run.code, run.stdout).toBe(0);
      expect(state, kernel).toEqual(predicted(a));
    }
  });

  it('puts memory blocks back when only they differ', async () => {
    const a = layout('6.1', LAB);
    const model = KernelModel.fromFacts(snapshot((a.hosts[0]?.model as KernelModel).state));
    model.write('/sys/devices/system/memory/memory41/state', 'offline\n');
    const run = await runRestorer(program(a), model);
    expect(run.code, run.stdout).toBe(0);
    expect(run.writes.map((w) => `${w.path} ${w.value}`)).toEqual([
      '/sys/devices/system/memory/memory41/state online_movable',
    ]);
    expect(run.stdout).toContain('devices in place; memory blocks set (1 writes)');
  });

  it('property: random layouts on 6.1 and 6.12 reach the prediction and are then a no-op', async () => {
    const M = 1n << 20n;
    const dev = fc.record({
      size: fc.constantFrom(128n, 256n, 384n, 512n, 1024n),
      ram: fc.constantFrom('', ' mode system-ram movable', ' mode system-ram offline', ' mode system-ram normal'),
      align1g: fc.boolean(),
      pin: fc.boolean(),
    });
    const arb = fc.record({
      kernel: fc.constantFrom<Kernel>('6.1', '6.12'),
      devices: fc.array(dev, { minLength: 1, maxLength: 5 }),
      rest: fc.boolean(),
    });
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(arb, async ({ kernel, devices, rest }) => {
        let used = 0n;
        let pinAt = 0x180000000n; // pinned devices fill from the top of the region down
        const lines = devices.map((d, i) => {
          const size = d.size * M;
          used += size;
          const align = d.align1g && size % (1024n * M) === 0n && !d.ram ? ' align 1G' : '';
          if (d.pin && !d.ram) {
            pinAt -= size;
            return `  device d${i} { range 0x${pinAt.toString(16)} + ${d.size}M${align} }`;
          }
          return `  device d${i} { size ${d.size}M${align}${d.ram} }`;
        });
        if (rest) lines.push('  device tail { size rest }');
        fc.pre(used <= 2048n * M);
        const a = layout(kernel, lines.join('\n'));
        const spec = persistSpec(a, 'lab');
        fc.pre(a.findings.every((f) => f.severity !== 'error') && spec.problems.length === 0);
        const { run, state, model } = await restoreFrom(kernel, a, bootFacts(kernel));
        expect(run.code, `${lines.join('\n')}\n${run.stdout}\n${run.stderr}`).toBe(0);
        expect(state).toEqual(predicted(a));
        const again = await runRestorer(restorerProgram(spec), model);
        expect(again.writes).toEqual([]);
        checked++;
      }),
      { numRuns: 40, seed: 20261125 },
    );
    expect(checked).toBeGreaterThan(10);
  }, 1_200_000);
});

describe('persist artifacts', () => {
  it('are none when nothing persists, and an error-free layout gives five files', () => {
    const plain = analyze(readFileSync(join(SAMPLES, 'hbm-lab.dax'), 'utf8'), { readFacts: sampleReader() });
    const none = persistArtifacts(plain, 'lab61');
    expect(none.persist).toBe(false);
    expect(none.files).toEqual([]);
    const a = layout('6.1', LAB);
    const art = persistArtifacts(a, 'lab');
    expect(art.persist).toBe(true);
    expect(art.problems).toEqual([]);
    expect(art.files.map((f) => `${f.mode.toString(8)} ${f.path}`)).toEqual([
      '755 /usr/local/libexec/daxlayout-restore',
      '644 /etc/systemd/system/daxlayout-restore.service',
      '644 /etc/systemd/system/daxlayout.target',
      '644 /etc/udev/rules.d/70-daxlayout.rules',
      '644 /etc/modules-load.d/daxlayout.conf',
    ]);
    expect(art.enable).toEqual(['daxlayout-restore.service', 'daxlayout.target']);
    expect(art.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(art.names.map((n) => `${n.path} ${n.expect}`)).toEqual([
      '/dev/dax/by-label/weather /dev/dax0.0',
      '/run/daxlayout/by-label/spill 1',
      '/dev/dax/by-label/guest-a /dev/dax0.2',
      '/dev/dax/by-label/scratch /dev/dax0.3',
    ]);
    const rules = art.files.find((f) => f.path.endsWith('.rules'))?.content ?? '';
    expect(rules).toContain('ATTR{resource}=="0x100000000", ATTR{size}=="1073741824", SYMLINK+="dax/by-label/weather"');
    expect(rules).not.toContain('spill');
  });

  it('load dax_hmem for an hmem region at its 6.12 path and at its 7.2+ path (hmem_platform.0/hmem.0)', () => {
    const f = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.12.facts.json'), 'utf8'));
    const mods = (facts: unknown) =>
      persistArtifacts(layout('6.12', LAB, JSON.stringify(facts)), 'lab')
        .files.find((x) => x.path.endsWith('modules-load.d/daxlayout.conf'))
        ?.content.split('\n')
        .filter((l) => l && !l.startsWith('#'));
    expect(mods(f)).toEqual(['device_dax', 'kmem', 'dax_hmem']);
    const f73 = {
      ...f,
      kernelRelease: '7.3.4+deb13-amd64',
      regions: f.regions.map((r: { path: string }) => ({ ...r, path: '/sys/devices/platform/hmem_platform.0/hmem.0' })),
    };
    expect(mods(f73)).toEqual(['device_dax', 'kmem', 'dax_hmem']);
  });

  it('the same layout gives the same checksum; a change gives another', () => {
    const one = persistArtifacts(layout('6.1', LAB), 'lab').checksum;
    expect(persistArtifacts(layout('6.1', LAB), 'lab').checksum).toBe(one);
    expect(persistArtifacts(layout('6.1', LAB.replace('512M', '256M')), 'lab').checksum).not.toBe(one);
  });

  it('has problems, and no files, when the layout does not reach its state', () => {
    const a = layout('6.1', '  device big { size 4G }');
    const art = persistArtifacts(a, 'lab');
    expect(art.files).toEqual([]);
    expect(art.problems.join('\n')).toMatch(/region 0 has \d+ error\(s\)/);
  });

  it('host-level persist covers every region; labels must be unique per host', () => {
    const text = `host lab { facts "f.json" persist }\nregion 0 on lab { device a { size 1G } }\n`;
    const a = analyze(text, {
      readFacts: sampleReader({ 'f.json': readFileSync(join(SAMPLES, FACTS['6.1']), 'utf8') }),
    });
    expect(persistArtifacts(a, 'lab').regions).toEqual([0]);
  });
});
