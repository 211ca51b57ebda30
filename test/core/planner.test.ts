// The planner on real captured hosts: the writes an apply performs, the kernel names and
// placements they produce (expected values derived by hand from the kernel's rules), and
// convergence: planning again from the predicted state gives an empty plan.
import { describe, expect, it } from 'vitest';
import { analyze, snapshot, writeFacts, type Analysis } from '../../server/core/index';
import { deviceName } from '../../server/core/kernel/state';
import { expandWrite } from '../../server/core/plan/planner';
import { sampleReader } from '../rules/harness';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES } from '../rules/harness';

/** The writes an apply performs (block runs listed block by block, as the host gets them). */
function writes(a: Analysis, host = 0): string[] {
  return (a.hosts[host]?.plan?.steps ?? []).flatMap((s) =>
    s.writes.flatMap(expandWrite).map((w) => `echo ${w.value} > ${w.path}`),
  );
}

function placement(a: Analysis, host = 0) {
  const h = a.hosts[host];
  const out: Record<string, { name: string; ranges: string[]; align: bigint; driver: string | null }> = {};
  for (const [ld, sd] of h?.plan?.assigned ?? []) {
    out[ld.label] = {
      name: deviceName(sd),
      ranges: sd.ranges.map((r) => `${r.start.toString(16)}-${r.end.toString(16)}@${r.pgoff.toString(16)}`),
      align: sd.align,
      driver: sd.driver,
    };
  }
  return out;
}

/** Re-plans the same layout against the host as the model predicts it after the first plan. */
function replan(text: string, a: Analysis, factsName: string): Analysis {
  const h = a.hosts[0];
  if (!h?.model) throw new Error('no model');
  const after = writeFacts(snapshot(h.model.state, 'predicted'));
  return analyze(text.replace(`facts "${factsName}"`, 'facts "after.json"'), {
    readFacts: sampleReader({ 'after.json': after }),
  });
}

describe('planner on Linux 6.1 (hbm-lab sample)', () => {
  const text = readFileSync(join(SAMPLES, 'hbm-lab.dax'), 'utf8');
  const a = analyze(text, { readFacts: sampleReader() });

  it('has no findings', () => {
    expect(a.findings.map((f) => `${f.code} ${f.message}`)).toEqual([]);
  });

  it('plans exactly the writes daxctl-style provisioning needs, in a safe order', () => {
    expect(writes(a)).toEqual([
      'echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind',
      'echo 1073741824 > /sys/bus/dax/devices/dax0.0/size',
      'echo 1073741824 > /sys/bus/dax/devices/dax0.0/align',
      'echo 1 > /sys/devices/platform/hmem.0/dax_region/create',
      'echo 1 > /sys/devices/platform/hmem.0/dax_region/create',
      'echo 1 > /sys/devices/platform/hmem.0/dax_region/create',
      'echo 170000000-17fffffff > /sys/bus/dax/devices/dax0.2/mapping',
      'echo 536870912 > /sys/bus/dax/devices/dax0.1/size',
      'echo 268435456 > /sys/bus/dax/devices/dax0.3/size',
      'echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind',
      'echo dax0.2 > /sys/bus/dax/drivers/device_dax/bind',
      'echo dax0.3 > /sys/bus/dax/drivers/device_dax/bind',
      // before 6.3 kmem matches only devices named through new_id
      'echo dax0.1 > /sys/bus/dax/drivers/kmem/new_id',
      'echo online_movable > /sys/devices/system/memory/memory40/state',
      'echo online_movable > /sys/devices/system/memory/memory41/state',
      'echo online_movable > /sys/devices/system/memory/memory42/state',
      'echo online_movable > /sys/devices/system/memory/memory43/state',
    ]);
  });

  it('predicts names and placement: pinned ranges first, then first fit in layout order', () => {
    expect(placement(a)).toEqual({
      weather: { name: 'dax0.0', ranges: ['100000000-13fffffff@0'], align: 1n << 30n, driver: 'device_dax' },
      spill: { name: 'dax0.1', ranges: ['140000000-15fffffff@0'], align: 2n << 20n, driver: 'kmem' },
      'guest-a': { name: 'dax0.2', ranges: ['170000000-17fffffff@0'], align: 2n << 20n, driver: 'device_dax' },
      scratch: { name: 'dax0.3', ranges: ['160000000-16fffffff@0'], align: 2n << 20n, driver: 'device_dax' },
    });
  });

  it('converges: planning again from the predicted state is empty', () => {
    const again = replan(text, a, 'linux-6.1.facts.json');
    expect(writes(again)).toEqual([]);
    expect(placement(again)).toEqual(placement(a));
  });
});

describe('planner on Linux 6.12 (kmem by default)', () => {
  const text = readFileSync(join(SAMPLES, 'cxl-6.12.dax'), 'utf8');
  const a = analyze(text, { readFacts: sampleReader() });

  it('unbinds the boot-time kmem device, binds devdax devices through new_id and kmem by type', () => {
    expect(writes(a)).toEqual([
      'echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind',
      'echo 1073741824 > /sys/bus/dax/devices/dax0.0/size',
      'echo 1 > /sys/devices/platform/hmem.0/dax_region/create',
      'echo 1 > /sys/devices/platform/hmem.0/dax_region/create',
      'echo 160000000-17fffffff > /sys/bus/dax/devices/dax0.2/mapping',
      'echo 536870912 > /sys/bus/dax/devices/dax0.1/size',
      'echo dax0.1 > /sys/bus/dax/drivers/device_dax/new_id',
      'echo dax0.2 > /sys/bus/dax/drivers/device_dax/new_id',
      'echo dax0.0 > /sys/bus/dax/drivers/kmem/bind',
      ...[32, 33, 34, 35, 36, 37, 38, 39].map(
        (i) => `echo online_movable > /sys/devices/system/memory/memory${i}/state`,
      ),
    ]);
    expect(a.findings.map((f) => f.code)).toEqual(['DAX043']);
  });

  it('converges', () => {
    expect(writes(replan(text, a, 'linux-6.12.facts.json'))).toEqual([]);
  });
});

describe('planner refuses what would strand memory', () => {
  it('a kmem device with kernel-zone memory online is left alone, and DAX052 says why', () => {
    const facts = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.12.facts.json'), 'utf8')) as {
      memoryBlocks: { state: string; zone?: string }[];
    };
    for (const b of facts.memoryBlocks) {
      b.state = 'online';
      b.zone = 'Normal';
    }
    const text = 'host h { facts "f.json" }\nregion 0 on h {\n  device a { size 1G }\n}\n';
    const a = analyze(text, { readFacts: sampleReader({ 'f.json': JSON.stringify(facts) }) });
    expect(writes(a)).toEqual([]);
    const f = a.findings.find((x) => x.code === 'DAX052');
    expect(f?.message).toMatch(/dax0\.0 has 16 memory block\(s\) online in the Normal zone/);
  });

  it('movable memory is offlined before kmem is unbound', () => {
    const facts = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.12.facts.json'), 'utf8')) as {
      memoryBlocks: { state: string; zone?: string }[];
    };
    for (const b of facts.memoryBlocks) {
      b.state = 'online';
      b.zone = 'Movable';
    }
    const text = 'host h { facts "f.json" }\nregion 0 on h {\n  device a { size 1G }\n}\n';
    const a = analyze(text, { readFacts: sampleReader({ 'f.json': JSON.stringify(facts) }) });
    const w = writes(a);
    expect(w.slice(0, 17)).toEqual([
      ...Array.from({ length: 16 }, (_, i) => `echo offline > /sys/devices/system/memory/memory${32 + i}/state`),
      'echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind',
    ]);
    expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('--prune of an unbound device (an apply interrupted after its unbind) destroys it without unbinding it again', () => {
    const text = readFileSync(join(SAMPLES, 'hbm-lab.dax'), 'utf8');
    const a = analyze(text, { readFacts: sampleReader() });
    const model = a.hosts[0]?.model;
    if (!model) throw new Error('no model');
    expect(model.write('/sys/bus/dax/drivers/device_dax/unbind', 'dax0.3')).toEqual({ kind: 'ok' });
    const after = writeFacts(snapshot(model.state, 'predicted'));
    const only =
      'host h { facts "after.json" }\nregion 0 on h {\n  device weather { size 1G align 1G }\n  device spill { size 512M mode system-ram movable }\n  device guest-a { range 0x1_7000_0000 + 256M }\n}\n';
    const b = analyze(only, { readFacts: sampleReader({ 'after.json': after }), prune: true });
    expect(b.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(writes(b)).toEqual([
      'echo 0 > /sys/bus/dax/devices/dax0.3/size',
      'echo dax0.3 > /sys/devices/platform/hmem.0/dax_region/delete',
    ]);
  });
});
