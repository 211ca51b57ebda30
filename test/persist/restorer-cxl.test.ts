// The restorer of a persisted `cxl region` (docs/persist.md, "CXL regions"): the spec records the
// window, the memdevs by serial in interleave order, ways, granularity and size; the program,
// run by dash and busybox sh against the kernel model (CXL region ABI included), makes the region
// at boot with the planner's own writes on the decoders of the memdevs it finds by serial, before
// the dax devices, adopts a region that is there as recorded, and refuses — writing nothing, the
// reason on its output (the journal) — other memdevs, another window, another region over the
// memdevs, another id on offer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  analyze,
  cxlSnapshot,
  KernelModel,
  persistArtifacts,
  persistSpec,
  readFacts,
  restorerProgram,
  toDaxctlJson,
  type Analysis,
  type HostFacts,
} from '../../server/core/index';
import { SAMPLES, sampleReader } from '../rules/harness';
import { runRestorer } from './fake-sysfs';

const BOOT = { '6.12': 'cxl2-6.12.facts.json', '7.3': 'cxl2-7.3.facts.json' } as const;
type Kernel = keyof typeof BOOT;

function facts(file: string, change?: (f: HostFacts) => HostFacts): HostFacts {
  const { facts: f } = readFacts(readFileSync(join(SAMPLES, file), 'utf8'), file);
  if (!f) throw new Error(`unreadable ${file}`);
  return change ? change(f) : f;
}

/** The sample's `cxl region` (memdevs by serial 0x1, 0x2), persisted, analysed on the boot facts of a kernel. */
function layout(kernel: Kernel, granularity = 256): Analysis {
  const text = `host lab { facts "f.json" persist }
cxl region pool on lab {
  window decoder0.0
  memdevs 0x1, 0x2
  granularity ${granularity}
  size 2G
  device tier2 { size 512M mode system-ram movable }
  device app { size 1G }
  device tail { size rest mode system-ram offline }
}
`;
  return analyze(text, { readFacts: sampleReader({ 'f.json': readFileSync(join(SAMPLES, BOOT[kernel]), 'utf8') }) });
}

function program(a: Analysis, wait?: number): string {
  const spec = persistSpec(a, 'lab');
  expect(spec.problems).toEqual([]);
  const p = restorerProgram(spec);
  // the refusals that wait for memdevs to appear: 0.3 s instead of 20 s
  return wait === undefined ? p : p.replace(/^WAIT=200 /m, `WAIT=${wait} `);
}

const model = (a: Analysis): KernelModel => a.hosts[0]?.model as KernelModel;
const cxlWrites = (a: Analysis) =>
  (a.hosts[0]?.plan?.steps ?? [])
    .flatMap((s) => s.writes)
    .filter((w) => w.path.startsWith('/sys/bus/cxl/'))
    .map((w) => `${w.path} ${w.value}`);

/** Memdevs probed the other way round: mem0 has serial 0x2, mem1 serial 0x1 (seen on real boots). */
const swapped = (f: HostFacts): HostFacts => ({
  ...f,
  cxl: f.cxl && {
    ...f.cxl,
    memdevs: f.cxl.memdevs.map((m) => ({ ...m, serial: m.serial === 1n ? 2n : m.serial === 2n ? 1n : m.serial })),
  },
});

/**
 * The region's dax devices read memmap_on_memory 1 on the real 7.3 (test/vm/cxl/captures/
 * linux-7.3-cxl2-region.txt); the sample facts file leaves it out.
 */
const memmapOn = (f: HostFacts): HostFacts => ({
  ...f,
  regions: f.regions.map((r) => ({ ...r, devices: r.devices.map((d) => ({ ...d, memmapOnMemory: true })) })),
});

describe('the persist spec of a cxl region', () => {
  it('records the window, the memdevs by serial in interleave order, ways, granularity and size (version 3)', () => {
    const spec = persistSpec(layout('6.12'), 'lab');
    expect(spec.problems).toEqual([]);
    expect(spec.version).toBe(3);
    const r = spec.regions[0];
    expect(r?.id).toBe(0);
    expect(r?.path).toBe('/sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0');
    expect(r?.cxl).toEqual({
      label: 'pool',
      name: 'region0',
      window: { name: 'decoder0.0', start: 0x390000000n, size: 0x100000000n },
      memdevs: [
        { serial: 1n, decoder: 0 },
        { serial: 2n, decoder: 0 },
      ],
      granularity: 256,
      ways: 2,
      size: 0x80000000n,
    });
  });

  it('the artifacts load the CXL drivers before the restorer', () => {
    const art = persistArtifacts(layout('6.12'), 'lab');
    expect(art.problems).toEqual([]);
    const mods = art.files.find((f) => f.path === '/etc/modules-load.d/daxlayout.conf')?.content ?? '';
    expect(mods.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'device_dax',
      'kmem',
      'cxl_acpi',
      'cxl_pci',
      'cxl_mem',
      'dax_cxl',
    ]);
  });

  it('the restorer holds the planner’s CXL writes, the decoders as positional parameters', () => {
    const a = layout('6.12');
    const text = program(a);
    const body = text.slice(text.indexOf('cxlwrites() {\n') + 14, text.indexOf('\n}\ncxlbind'));
    const planned = cxlWrites(a).map((w) => w.replace(/decoder2\.0/g, '${1}').replace(/decoder3\.0/g, '${2}'));
    expect(body.split('\n').map((l) => l.replace(/^ {2}w "(\/\S+)" "(\S*)" \|\| return 2$/, '/sys$1 $2'))).toEqual(
      planned,
    );
    expect(text).toContain("MS='0x1:0 0x2:0'");
    expect(text).toMatch(
      /^cxlregion && region 0 '\/devices\/platform\/ACPI0017:00\/root0\/decoder0\.0\/region0\/dax_region0' /m,
    );
  });

  it('refuses a spec of another version, and CXL values it cannot name', () => {
    const spec = persistSpec(layout('6.12'), 'lab');
    expect(() => restorerProgram({ ...spec, version: 2 })).toThrow(
      /the persist spec is of version 2, and this daxlayout makes restorers of version 3 only/,
    );
    const r = spec.regions[0];
    if (!r?.cxl) throw new Error('no cxl record');
    const bad = (cxl: object) => ({ ...spec, regions: [{ ...r, cxl: { ...r.cxl, ...cxl } as typeof r.cxl }] });
    expect(() => restorerProgram(bad({ window: { name: 'decoder0.0; reboot', start: 0n, size: 0n } }))).toThrow(
      /not a root decoder name/,
    );
    expect(() => restorerProgram(bad({ name: 'region1' }))).toThrow(/is not region0/);
    expect(() => restorerProgram(bad({ ways: 3 }))).toThrow(/ways are not its 2 memdevs/);
    expect(() => restorerProgram(bad({ label: "a'b" }))).toThrow(/label/);
  });
});

// each run re-renders the sysfs tree after every write: on the loaded 2-core machine one test of
// two runs has taken 30 s
describe('the restorer of a cxl region against the kernel model', { timeout: 180_000 }, () => {
  for (const kernel of ['6.12', '7.3'] as const) {
    for (const shell of ['dash', 'busybox'] as const) {
      it(`${kernel}, ${shell}: makes the region with the planner's writes, then the devices; again: nothing`, async () => {
        const a = layout(kernel);
        expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
        const m = KernelModel.fromFacts(facts(BOOT[kernel]));
        const run = await runRestorer(program(a), m, shell);
        expect(run.stderr).toBe('');
        expect(run.code, run.stdout).toBe(0);
        // the CXL writes are the plan's, in its order, and come first
        const cxl = run.writes.filter((w) => w.path.startsWith('/sys/bus/cxl/'));
        expect(cxl.map((w) => `${w.path} ${w.value}`)).toEqual(cxlWrites(a));
        expect(run.writes.slice(0, cxl.length)).toEqual(cxl);
        expect(cxl.every((w) => w.result === 'ok')).toBe(true);
        expect(toDaxctlJson(m.state)).toEqual(toDaxctlJson(model(a).state));
        expect(cxlSnapshot(m.cxl as NonNullable<KernelModel['cxl']>)).toEqual(
          cxlSnapshot(model(a).cxl as NonNullable<KernelModel['cxl']>),
        );
        expect(run.stdout).toMatch(
          /^daxlayout-restore: region 0: made region0: 2147483648 bytes at 0x390000000 in decoder0\.0, 2 way\(s\) × 256 B over decoder[23]\.0 decoder[23]\.0 \(12 writes\)$/m,
        );
        expect(run.stdout).toMatch(
          /^daxlayout-restore: region 0: restored dax0\.0\(tier2\) dax0\.1\(app\) dax0\.2\(tail\)/m,
        );
        expect(run.labels).toEqual({ tier2: '1', tail: '1' });
        // the wait for kmem and the region's memory ended on what it waited for, not on its bound
        expect(run.stdout).not.toContain('going on with what is there');
        const again = await runRestorer(program(a), m, shell);
        expect(again.writes).toEqual([]);
        expect(again.code, again.stdout).toBe(0);
        expect(again.stdout).toContain('region 0: region0 is in place as recorded: adopted, nothing written');
        expect(again.stdout).toContain('region 0: already as the layout wants it');
      });
    }
  }

  it('finds the memdevs by serial when they were probed in the other order', async () => {
    const a = layout('6.12');
    const m = KernelModel.fromFacts(facts(BOOT['6.12'], swapped));
    const run = await runRestorer(program(a), m);
    expect(run.code, run.stdout).toBe(0);
    // serial 0x1 is mem1 now (endpoint3): its decoder takes position 0
    const targets = cxlSnapshot(m.cxl as NonNullable<KernelModel['cxl']>).regions[0]?.targets;
    expect(targets).toEqual(['decoder3.0', 'decoder2.0']);
    expect(toDaxctlJson(m.state)).toEqual(toDaxctlJson(model(a).state));
  });

  it('refuses, writing nothing, when a memdev of the layout is not there (another serial)', async () => {
    const a = layout('6.12');
    const m = KernelModel.fromFacts(
      facts(BOOT['6.12'], (f) => ({
        ...f,
        cxl: f.cxl && { ...f.cxl, memdevs: f.cxl.memdevs.map((x) => (x.serial === 2n ? { ...x, serial: 3n } : x)) },
      })),
    );
    const run = await runRestorer(program(a, 10), m, 'busybox');
    expect(run.writes).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^daxlayout-restore: region 0: no CXL memdev with serial 0x2 within 1 s \(the layout's memdevs by serial, in interleave order: 0x1 0x2; this host's: mem0:0x1 mem1:0x3\): the memdevs differ; refusing to touch it$/m,
    );
  });

  it('refuses, writing nothing, when the window is elsewhere', async () => {
    const a = layout('6.12');
    const m = KernelModel.fromFacts(
      facts(BOOT['6.12'], (f) => ({
        ...f,
        cxl: f.cxl && {
          ...f.cxl,
          decoders: f.cxl.decoders.map((d) => (d.kind === 'root' ? { ...d, start: 0x490000000n } : d)),
        },
      })),
    );
    const run = await runRestorer(program(a), m);
    expect(run.writes).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'region 0: CXL window decoder0.0 is 0x490000000 + 0x100000000 now, the layout was made for 0x390000000 + 0x100000000: the window differs; refusing to touch it',
    );
  });

  it('refuses, writing nothing, when the window offers another region id', async () => {
    const a = layout('6.12');
    const m = KernelModel.fromFacts(
      facts(BOOT['6.12'], (f) => ({
        ...f,
        cxl: f.cxl && {
          ...f.cxl,
          decoders: f.cxl.decoders.map((d) => (d.kind === 'root' ? { ...d, nextRegion: 1 } : d)),
        },
      })),
    );
    const run = await runRestorer(program(a), m);
    expect(run.writes).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'region 0: CXL window decoder0.0 offers region1 now, the layout was made with region0 (its devices are dax0.N): refusing to touch it',
    );
  });

  it('adopts the region when it is there as recorded (made by firmware or by hand): no CXL write', async () => {
    const a = layout('7.3');
    const m = KernelModel.fromFacts(facts('cxl2-7.3-region.facts.json', memmapOn));
    const run = await runRestorer(program(a), m, 'busybox');
    expect(run.code, run.stdout).toBe(0);
    expect(run.writes.filter((w) => w.path.startsWith('/sys/bus/cxl/'))).toEqual([]);
    expect(run.stdout).toContain('region 0: region0 is in place as recorded: adopted, nothing written');
    expect(toDaxctlJson(m.state)).toEqual(toDaxctlJson(model(a).state));
  });

  it('refuses, writing nothing, a region over the memdevs that is not the recorded one', async () => {
    // recorded with granularity 512; the host has region0 over the same memdevs at 256
    const a = layout('7.3', 512);
    const m = KernelModel.fromFacts(facts('cxl2-7.3-region.facts.json'));
    const run = await runRestorer(program(a), m);
    expect(run.writes).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'region 0: region0 is not the region the layout recorded (ways, granularity, size, start, commit, targets: 2 256 0x80000000 0x390000000 1 decoder2.0 decoder3.0; recorded: 2 512 0x80000000 0x390000000 1 decoder2.0 decoder3.0 in decoder0.0); refusing to touch it',
    );
  });

  it('refuses, writing nothing, when another region holds the memdevs', async () => {
    const a = layout('7.3');
    // the same region under another id: not the one the devices were named after
    const m = KernelModel.fromFacts(
      facts('cxl2-7.3-region.facts.json', (f) => ({
        ...f,
        regions: f.regions.map((r) => ({
          ...r,
          id: 3,
          path: r.path.replace(/region0\/dax_region0$/, 'region3/dax_region3'),
          devices: r.devices.map((d) => ({ ...d, name: d.name.replace(/^dax0\./, 'dax3.') })),
        })),
        cxl: f.cxl && {
          ...f.cxl,
          regions: f.cxl.regions.map((r) => ({ ...r, name: 'region3', id: 3 })),
          decoders: f.cxl.decoders.map((d) => (d.region === 'region0' ? { ...d, region: 'region3' } : d)),
        },
      })),
    );
    const run = await runRestorer(program(a), m);
    expect(run.writes).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^daxlayout-restore: region 0: the memdev with serial 0x1 is in region3 \(decoder2\.0\), which the layout does not have: another region holds the memdevs; refusing to touch it$/m,
    );
  });
});
