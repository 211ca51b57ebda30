// Plan and apply through a fake transport whose host is the kernel model: fresh facts by
// the real capture program, three round trips per apply, refusal when the host changed,
// stop at the first failure with exactly the steps that ran, and verification.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFacts } from '../../server/core/facts/read';
import { snapshot } from '../../server/core/kernel/snapshot';
import type { HostFacts } from '../../server/core/host-facts';
import { applyPlan, makePlan } from '../../server/host/apply';
import { SshTarget } from '../../server/host/target';
import { SAMPLES } from '../rules/harness';
import { ModelHost } from './fake-host';

const facts = (name: string) => readFacts(readFileSync(join(SAMPLES, name), 'utf8'), name).facts as HostFacts;
const layout = (name: string) => readFileSync(join(SAMPLES, name), 'utf8');
const hosts: ModelHost[] = [];
function host(f: HostFacts, o: ConstructorParameters<typeof ModelHost>[1] = {}): ModelHost {
  const h = ModelHost.fromFacts(f, o);
  hosts.push(h);
  return h;
}
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

const lab61 = { text: layout('hbm-lab.dax'), host: 'lab61', prune: false };
const lab612 = { text: layout('cxl-6.12.dax'), host: 'lab612', prune: false };

describe('apply through a transport', () => {
  it('applies hbm-lab on 6.1 in three round trips, verifies, and a second apply has nothing to do', async () => {
    const h = host(facts('linux-6.1.facts.json'));
    const t = new SshTarget(h);
    const p = await makePlan(t, lab61);
    expect(p.errors).toEqual([]);
    expect(p.view?.summary).toEqual({ create: 3, change: 1, destroy: 0 });
    const seen: number[] = [];
    const r = await applyPlan(t, p, { lockTimeoutS: 5, onOutcome: (o) => seen.push(o.index) });
    expect(r.message).toMatch(/^Apply complete and verified/);
    expect(r).toMatchObject({
      result: 'applied',
      exitCode: 0,
      writesRun: 17,
      writesTotal: 17,
      verification: { ok: true, differences: [] },
    });
    expect(seen).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(h.roundTrips).toBe(3);
    expect(h.programs.map((x) => x.split('\n')[0])).toEqual([
      '# daxlayout facts capture (read-only)',
      '# daxlayout apply program',
      '# daxlayout facts capture (read-only)',
    ]);
    const again = await makePlan(t, lab61);
    expect(again.view?.steps).toEqual([]);
    const r2 = await applyPlan(t, again, { lockTimeoutS: 5 });
    expect(r2.result).toBe('no-changes');
    expect(h.roundTrips).toBe(4);
  });

  it('applies cxl-6.12 on 6.12 (kmem at boot) and verifies', async () => {
    const h = host(facts('linux-6.12.facts.json'));
    const t = new SshTarget(h);
    const p = await makePlan(t, lab612);
    const r = await applyPlan(t, p, { lockTimeoutS: 5 });
    expect(r).toMatchObject({ result: 'applied', exitCode: 0 });
    expect((await makePlan(t, lab612)).view?.steps).toEqual([]);
  });

  it('refuses (exit 3) when the host changed between plan and apply, and writes nothing', async () => {
    const h = host(facts('linux-6.1.facts.json'));
    const t = new SshTarget(h);
    const p = await makePlan(t, lab61);
    // someone else resizes dax0.0 meanwhile
    expect(h.model.write('/sys/bus/dax/drivers/device_dax/unbind', 'dax0.0\n').kind).toBe('ok');
    expect(h.model.write('/sys/bus/dax/devices/dax0.0/size', '1073741824\n').kind).toBe('ok');
    const r = await applyPlan(t, p, { lockTimeoutS: 5 });
    expect(r).toMatchObject({ result: 'refused', exitCode: 3, writesRun: 0 });
    expect(r.message).toMatch(/the host changed since the plan was made/);
    expect(r.changes).toContain('/sys/devices/platform/hmem.0/dax0.0/size: 2147483648 → 1073741824');
    expect(
      r.changes?.some((c) => c.startsWith('/sys/bus/dax/devices/dax0.0/driver: → /sys/bus/dax/drivers/device_dax')),
    ).toBe(true);
    expect(r.steps.every((s) => s.status === 'not-run')).toBe(true);
  });

  it('refuses (exit 3) when another apply holds the lock', async () => {
    const h = host(facts('linux-6.1.facts.json'), { lockBusy: true });
    const t = new SshTarget(h);
    const r = await applyPlan(t, await makePlan(t, lab61), { lockTimeoutS: 5 });
    expect(r).toMatchObject({ result: 'refused', exitCode: 3, writesRun: 0 });
    expect(r.message).toMatch(
      /another apply holds the host's lock \(\/run\/daxlayout.lock\); waited 5 s\. Nothing was written/,
    );
  });

  it('stops at the first failure and reports exactly which steps ran, and the host now', async () => {
    const h = host(facts('linux-6.1.facts.json'), {
      failAt: { index: 4, error: 'sh: write error: No space left on device' },
    });
    const t = new SshTarget(h);
    const p = await makePlan(t, lab61);
    const r = await applyPlan(t, p, { lockTimeoutS: 5 });
    expect(r).toMatchObject({ result: 'failed', exitCode: 1, writesRun: 3, writesTotal: 17 });
    expect(r.message).toMatch(
      /^write 4 of 17 failed \(step 4: create dax0\.1 \(spill\)\): sh: write error: No space left on device \[ENOSPC\]\. 3 write\(s\) ran/,
    );
    expect(r.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'failed', ...Array(10).fill('not-run')]);
    expect(r.steps[3]?.writes[0]).toEqual({
      status: 'failed',
      error: 'sh: write error: No space left on device',
      errno: 'ENOSPC',
    });
    // the host as it is now: dax0.0 shrunk to 1 GiB, unbound, 1 GiB align
    const d0 = r.after?.regions[0]?.devices.find((d) => d.name === 'dax0.0');
    expect(d0).toMatchObject({ size: 1n << 30n, align: 1n << 30n, driver: null });
    expect(r.verification?.ok).toBe(false);
    // apply again: a fresh plan from the host as it is converges
    const h2 = host(snapshotOf(h));
    const t2 = new SshTarget(h2);
    const r2 = await applyPlan(t2, await makePlan(t2, lab61), { lockTimeoutS: 5 });
    expect(r2).toMatchObject({ result: 'applied', exitCode: 0 });
  });

  it('a write the kernel refuses on the host is reported with its errno', async () => {
    const h = host(facts('linux-6.1.facts.json'));
    const t = new SshTarget(h);
    const p = await makePlan(t, lab61);
    // the real kernel rejects what the model accepted (here: the host's facts were wrong about dax0.0's driver)
    h.model.state.regions[0]!.devices.get(0)!.driver = 'device_dax';
    const orig = h.model.write.bind(h.model);
    h.model.write = (path, value) => (path.endsWith('/align') ? { kind: 'errno', errno: 'EINVAL' } : orig(path, value));
    const r = await applyPlan(t, p, { lockTimeoutS: 5 });
    expect(r).toMatchObject({ result: 'failed', exitCode: 1, writesRun: 2 });
    expect(r.steps[2]?.writes[0]).toMatchObject({ status: 'failed', errno: 'EINVAL' });
  });

  it('every write ran but the host differs from the prediction: exit 1, naming each difference', async () => {
    const h = host(facts('linux-6.1.facts.json'), {
      afterWrites: (m) => {
        // e.g. a udev rule onlines dax0.1's memory in the kernel zone behind our back
        for (const r of [...m.state.blocks.all()])
          if (r.state === 'online') m.state.blocks.setState(r.first, r.last, 'online', 'Normal');
      },
    });
    const t = new SshTarget(h);
    const r = await applyPlan(t, await makePlan(t, lab61), { lockTimeoutS: 5 });
    expect(r).toMatchObject({ result: 'differs', exitCode: 1, writesRun: 17 });
    expect(r.verification?.differences).toEqual(
      [40, 41, 42, 43].map((i) => `memory${i}: online (Normal) on the host, online (Movable) predicted`),
    );
    expect(r.message).toMatch(
      /all 17 writes ran, but the host differs from the prediction:\n {2}memory40: online \(Normal\)/,
    );
  });

  it('a plan with errors has no apply; facts errors say so', async () => {
    const h = host(facts('linux-6.1.facts.json'));
    const t = new SshTarget(h);
    const bad = { ...lab61, text: lab61.text.replace('size 512M mode system-ram', 'size 3M mode system-ram') };
    const p = await makePlan(t, bad);
    expect(p.errors.map((e) => e.finding?.code)).toContain('DAX010');
  });
});

function snapshotOf(h: ModelHost): HostFacts {
  return snapshot(h.model.state, 'after a failed apply');
}
