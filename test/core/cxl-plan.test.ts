// The CXL planner (server/core/plan/cxl.ts): a `cxl region` becomes the /sys/bus/cxl writes of
// test/vm/scripts/cxl-region-2way.sh, in its order, before the dax writes on the region they make;
// a host already made so is left alone; a region over the same memdevs configured otherwise is torn
// down first, in the reverse order; memory that is online stops that.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  analyze,
  persistSpec,
  planView,
  renderPlan,
  snapshotHost,
  writeFacts,
  type Analysis,
  type Settle,
} from '../../server/core/index';
import { expandWrite } from '../../server/core/plan/planner';

const SAMPLES = resolve(__dirname, '../../samples');
const sample = (f: string): string => readFileSync(join(SAMPLES, f), 'utf8');
const reader =
  (extra: Record<string, string> = {}) =>
  (p: string) =>
    p in extra ? { text: extra[p] as string } : { text: sample(p) };

const writes = (a: Analysis): string[] =>
  (a.hosts[0]?.plan?.steps ?? []).flatMap((s) => s.writes.map((w) => `${w.value} > ${w.path}`));
const B = '/sys/bus/cxl/devices';

describe('planning a cxl region', () => {
  const text = sample('cxl2-6.12.dax');
  const a = analyze(text, { readFacts: reader() });

  it('writes mode, dpa_size, create_ram_region, granularity, ways, size, targets, commit, bind, then the dax writes', () => {
    expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const w = writes(a);
    expect(w.slice(0, 12)).toEqual([
      `ram > ${B}/decoder2.0/mode`,
      `1073741824 > ${B}/decoder2.0/dpa_size`,
      `ram > ${B}/decoder3.0/mode`,
      `1073741824 > ${B}/decoder3.0/dpa_size`,
      `region0 > ${B}/decoder0.0/create_ram_region`,
      `256 > ${B}/region0/interleave_granularity`,
      `2 > ${B}/region0/interleave_ways`,
      `2147483648 > ${B}/region0/size`,
      `decoder2.0 > ${B}/region0/target0`,
      `decoder3.0 > ${B}/region0/target1`,
      `1 > ${B}/region0/commit`,
      'region0 > /sys/bus/cxl/drivers/cxl_region/bind',
    ]);
    // then the dax region 0 the bind made is split as the layout says
    expect(w[12]).toBe('dax0.0 > /sys/bus/dax/drivers/kmem/unbind');
    const r = a.hosts[0]?.regions[0];
    expect(r?.after?.id).toBe(0);
    expect(r?.after?.path).toBe('/sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0');
    expect([...(r?.after?.devices.values() ?? [])].map((d) => d.driver)).toEqual(['kmem', 'device_dax', 'kmem']);
    expect(a.hosts[0]?.plan?.failures).toEqual([]);
  });

  it("waits after the bind for the region's dax device as the model has it, and says so in the plan", () => {
    const host = a.hosts[0]!;
    const bind = host.plan?.steps.flatMap((s) => s.writes).find((w) => w.path.endsWith('/cxl_region/bind'));
    // the model binds dax0.0 to kmem over the whole 2 GiB at 0x390000000: blocks 114…129 of 128 MiB
    expect(bind?.settle).toEqual({
      device: 'dax0.0',
      driver: 'kmem',
      blocks: { first: 114, last: 129 },
      timeoutS: 120,
    });
    expect(host.plan?.steps.flatMap((s) => s.writes).filter((w) => w.settle)).toHaveLength(1);
    const text = renderPlan(planView(host, host.plan!, 'sha256:0'));
    expect(text).toContain(
      '      echo region0 > /sys/bus/cxl/drivers/cxl_region/bind\n      # then wait until dax0.0 bound to kmem, memory114-memory129 added (up to 120 s)\n',
    );
  });

  it('is test/vm/scripts/cxl-plan-sample.sh, the script the real kernels ran', () => {
    const script = readFileSync(resolve(__dirname, '../vm/scripts/cxl-plan-sample.sh'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('echo '));
    const settle = (s: Settle | undefined) =>
      s ? `  # settle: ${s.device} ${s.driver ?? '-'} ${s.blocks ? `${s.blocks.first} ${s.blocks.last}` : '- -'}` : '';
    const planned = (a.hosts[0]?.plan?.steps ?? []).flatMap((s) =>
      s.writes.flatMap(expandWrite).map((w) => `echo ${w.value} > ${w.path}${settle(w.settle)}`),
    );
    expect(script).toEqual(planned);
  });

  it('writes nothing again on the host it predicts (re-apply)', () => {
    const model = a.hosts[0]?.model;
    expect(model).toBeDefined();
    const after = writeFacts(snapshotHost(model!, 'predicted'));
    const again = analyze(text, { readFacts: reader({ 'cxl2-6.12.facts.json': after }) });
    expect(again.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(writes(again)).toEqual([]);
    expect(again.hosts[0]?.plan?.cxl?.get(again.layout.regions[0]!)?.action).toBe('keep');
  });

  it('keeps the positions by serial on a boot where the memdevs were probed the other way round (7.3 capture)', () => {
    const b = analyze(text.replace('cxl2-6.12.facts.json', 'cxl2-7.3.facts.json'), { readFacts: reader() });
    expect(b.hosts[0]?.version?.release).toBe('7.3.4+deb13-amd64');
    // in that capture mem1 has serial 1: its decoder (decoder3.0) takes position 0
    expect(b.hosts[0]?.before?.cxl?.memdevs.map((m) => [m.name, m.serial])).toEqual([
      ['mem0', 2n],
      ['mem1', 1n],
    ]);
    expect(writes(b).filter((w) => /target\d$/.test(w))).toEqual([
      `decoder3.0 > ${B}/region0/target0`,
      `decoder2.0 > ${B}/region0/target1`,
    ]);
  });

  it('finds memdevs by serial number, in the positions written', () => {
    const b = analyze('host h { facts "cxl2-6.12.facts.json" }\ncxl region p on h { memdevs 0x2, 0x1 size 1G }\n', {
      readFacts: reader(),
    });
    expect(writes(b)).toContain(`decoder3.0 > ${B}/region0/target0`);
    expect(writes(b)).toContain(`decoder2.0 > ${B}/region0/target1`);
    expect(writes(b)).toContain(`536870912 > ${B}/decoder3.0/dpa_size`);
  });

  it('tears a region over the same memdevs down in the reverse order before making it with another size', () => {
    const b = analyze(
      'host h { facts "cxl2-7.3-region.facts.json" }\ncxl region p on h { memdevs mem0, mem1 size 1G }\n',
      {
        readFacts: reader(),
      },
    );
    expect(b.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(writes(b).slice(0, 9)).toEqual([
      'region0 > /sys/bus/cxl/drivers/cxl_region/unbind',
      `0 > ${B}/region0/commit`,
      ` > ${B}/region0/target1`,
      ` > ${B}/region0/target0`,
      `region0 > ${B}/decoder0.0/delete_region`,
      `0 > ${B}/decoder3.0/dpa_size`,
      `0 > ${B}/decoder2.0/dpa_size`,
      `ram > ${B}/decoder2.0/mode`,
      `536870912 > ${B}/decoder2.0/dpa_size`,
    ]);
    expect(b.hosts[0]?.regions[0]?.after?.devices.size).toBe(1);
  });

  it('refuses to tear down a region whose memory is online', () => {
    const f = JSON.parse(sample('cxl2-7.3-region.facts.json'));
    // dax0.0's blocks (0x390000000 … 0x40fffffff, 128 MiB each) online
    f.memoryBlocks = Array.from({ length: 16 }, (_, i) => ({
      index: 0x72 + i,
      state: 'online',
      zone: 'Movable',
      node: 1,
      removable: true,
    }));
    const b = analyze('host h { facts "on.json" }\ncxl region p on h { memdevs mem0, mem1 size 1G }\n', {
      readFacts: reader({ 'on.json': JSON.stringify(f) }),
    });
    expect(writes(b)).toEqual([]);
    expect(b.hosts[0]?.plan?.refusals.map((r) => r.reason)).toEqual([
      "region0 holds memory that is online; offline its dax devices' memory (or reboot) before it is made again with another size or granularity",
    ]);
  });

  it('adopts an existing region and plans its dax devices', () => {
    const b = analyze(
      'host h { facts "cxl2-7.3-region.facts.json" }\ncxl region p on h { adopt region0 device a { size 1G } }\n',
      {
        readFacts: reader(),
      },
    );
    expect(writes(b).filter((w) => w.includes('/sys/bus/cxl/'))).toEqual([]);
    expect(writes(b)).toContain('1073741824 > /sys/bus/dax/devices/dax0.0/size');
  });

  it('a persisted cxl region gets a restorer that makes the region again (test/persist/restorer-cxl.test.ts)', () => {
    const b = analyze('host h { facts "cxl2-6.12.facts.json" persist }\ncxl region p on h { memdevs mem0, mem1 }\n', {
      readFacts: reader(),
    });
    const spec = persistSpec(b, 'h');
    expect(spec.problems).toEqual([]);
    expect(spec.regions.map((r) => [r.cxl?.name, r.cxl?.memdevs.map((m) => m.serial)])).toEqual([
      ['region0', [1n, 2n]],
    ]);
  });
});
