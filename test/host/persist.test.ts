// The persist step of apply (docs/persist.md, "Apply contract") through a fake transport whose
// host is the kernel model and keeps the installed artifacts: the capture says which artifact
// files are there; install runs after the writes, verify-only when they match, remove when the
// layout no longer persists, and a host that never persisted pays no extra round trip.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFacts } from '../../server/core/facts/read';
import type { HostFacts } from '../../server/core/host-facts';
import { PERSIST_PATHS } from '../../server/core/persist/artifacts';
import { analyze } from '../../server/core/pipeline/analyze';
import { applyPlan, makePlan, type PlanResult } from '../../server/host/apply';
import { readCapture } from '../../server/host/capture';
import { persistPlan, runPersist } from '../../server/host/persist';
import { captureProgram } from '../../server/host/shell';
import { SimTarget, SshTarget } from '../../server/host/target';
import { SAMPLES } from '../rules/harness';
import { ModelHost, runSh, SHELLS, tmp, writeTree } from './fake-host';

const facts = (name: string) => readFacts(readFileSync(join(SAMPLES, name), 'utf8'), name).facts as HostFacts;
const plain = readFileSync(join(SAMPLES, 'hbm-lab.dax'), 'utf8');
const persisted = plain.replace('region 0 on lab61 {', 'region 0 on lab61 {\n  persist');
const hosts: ModelHost[] = [];
function host(o: ConstructorParameters<typeof ModelHost>[1] = {}): ModelHost {
  const h = ModelHost.fromFacts(facts('linux-6.1.facts.json'), o);
  hosts.push(h);
  return h;
}
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});
const first = (h: ModelHost) =>
  h.programs.map((x) =>
    x
      .split('\n')
      .find((l) => l.startsWith('# daxlayout'))
      ?.replace(/ on lab61.*| \(.*/, ''),
  );
const req = (text: string) => ({ text, host: 'lab61', prune: false });

describe('the capture lists the persist artifacts present', () => {
  for (const shell of SHELLS) {
    it(`${shell}: none, then the ones that exist`, async () => {
      const root = tmp();
      writeTree(root, facts('linux-6.1.facts.json'));
      const none = readCapture((await runSh(shell, captureProgram(root))).stdout, 'x');
      expect(none.persistFiles).toEqual([]);
      for (const p of [PERSIST_PATHS.service, PERSIST_PATHS.rules]) {
        mkdirSync(dirname(join(root, p)), { recursive: true });
        writeFileSync(join(root, p), '');
      }
      const some = readCapture((await runSh(shell, captureProgram(root))).stdout, 'x');
      expect(some.persistFiles).toEqual([PERSIST_PATHS.service, PERSIST_PATHS.rules]);
      expect(some.facts?.regions.length).toBe(1);
    });
  }
});

describe('persist step of apply', () => {
  it('installs after the writes (4 round trips); a second apply only verifies (2 round trips)', async () => {
    const h = host();
    const t = new SshTarget(h);
    const p = await makePlan(t, req(persisted));
    expect(p.errors).toEqual([]);
    const pp = await persistPlan(t, p, { verify: false });
    expect(pp.action).toBe('install');
    expect(pp.message).toMatch(
      /^the boot-time restorer of region 0 .* will be installed \(5 files, checksum sha256:[0-9a-f]{16}\)$/,
    );
    expect(h.roundTrips).toBe(1); // nothing installed: no verify needed to know it
    const r = await applyPlan(t, p, { lockTimeoutS: 5 });
    expect(r.result).toBe('applied');
    const res = await runPersist(t, pp);
    expect(res).toMatchObject({ action: 'installed', status: 'ok', checksum: pp.art?.checksum });
    expect(first(h)).toEqual([
      '# daxlayout facts capture',
      '# daxlayout apply program',
      '# daxlayout facts capture',
      '# daxlayout: install the persist artifacts',
    ]);
    // no device names an owner, group or permissions: no access rules
    expect([...h.installed.keys()].sort()).toEqual(
      Object.values(PERSIST_PATHS)
        .filter((x) => x !== PERSIST_PATHS.access)
        .sort(),
    );

    const again = await makePlan(t, req(persisted));
    expect(again.view?.steps).toEqual([]);
    expect(again.capture.persistFiles?.length).toBe(5);
    const pp2 = await persistPlan(t, again, { verify: true });
    expect(pp2.action).toBe('up-to-date');
    const res2 = await runPersist(t, pp2);
    expect(res2).toMatchObject({ action: 'up-to-date', status: 'ok' });
    expect(first(h).slice(4)).toEqual(['# daxlayout facts capture', '# daxlayout: verify the persist artifacts']);
  });

  it('a changed artifact on the host: verify reports it, the apply updates it', async () => {
    const h = host();
    const t = new SshTarget(h);
    const p = await makePlan(t, req(persisted));
    await applyPlan(t, p, { lockTimeoutS: 5 });
    await runPersist(t, await persistPlan(t, p, { verify: false }));
    h.installed.set(PERSIST_PATHS.restorer, '0'.repeat(64));
    const again = await makePlan(t, req(persisted));
    const pp = await persistPlan(t, again, { verify: true });
    expect(pp.action).toBe('update');
    expect(pp.message).toContain(`${PERSIST_PATHS.restorer}: sha256 ${'0'.repeat(64)}, expected`);
    const res = await runPersist(t, pp);
    expect(res).toMatchObject({ action: 'updated', status: 'ok' });
    expect(h.installed.get(PERSIST_PATHS.restorer)).toBe(pp.art?.files[0]?.sha256);
  });

  it('with writes and the restorer installed: verified after the writes, installed again only when it differs', async () => {
    const h = host();
    const t = new SshTarget(h);
    const p = await makePlan(t, req(persisted));
    await applyPlan(t, p, { lockTimeoutS: 5 });
    await runPersist(t, await persistPlan(t, p, { verify: false }));
    // a new size for scratch: new writes, a new restorer
    const changed = persisted.replace('device scratch { size rest }', 'device scratch { size 128M }');
    const p2 = await makePlan(t, req(changed));
    expect(p2.view?.steps.length).toBeGreaterThan(0);
    const pp = await persistPlan(t, p2, { verify: false });
    expect(pp.action).toBe('verify');
    const n = h.roundTrips;
    expect((await applyPlan(t, p2, { lockTimeoutS: 5 })).result).toBe('applied');
    const res = await runPersist(t, pp);
    expect(res).toMatchObject({ action: 'updated', status: 'ok' });
    expect(first(h).slice(-2)).toEqual([
      '# daxlayout: verify the persist artifacts',
      '# daxlayout: install the persist artifacts',
    ]);
    expect(h.roundTrips).toBe(n + 4); // apply, capture, verify, install
  });

  it('removing persist from the layout removes the artifacts; a host that never persisted pays no extra round trip', async () => {
    const h = host();
    const t = new SshTarget(h);
    const p = await makePlan(t, req(persisted));
    await applyPlan(t, p, { lockTimeoutS: 5 });
    await runPersist(t, await persistPlan(t, p, { verify: false }));
    const dropped = await makePlan(t, req(plain));
    expect(dropped.view?.steps).toEqual([]);
    const pp = await persistPlan(t, dropped, { verify: true });
    expect(pp.action).toBe('remove');
    const res = await runPersist(t, pp);
    expect(res).toMatchObject({ action: 'removed', status: 'ok' });
    expect(h.installed.size).toBe(0);
    expect(first(h).at(-1)).toBe('# daxlayout: remove the persist artifacts');
    const n = h.roundTrips;
    const none = await makePlan(t, req(plain));
    const pp2 = await persistPlan(t, none, { verify: true });
    expect(pp2.action).toBe('none');
    expect(await runPersist(t, pp2)).toMatchObject({ action: 'none', status: 'ok' });
    expect(h.roundTrips).toBe(n + 1); // the capture only
  });

  it('device access (owner, group, permissions) without persist: only the access rules are installed; dropping them removes them', async () => {
    const parcel = plain.replace('device guest-a {', 'device guest-a { owner qemu group kvm permissions 0660');
    const h = host();
    const t = new SshTarget(h);
    const p = await makePlan(t, req(parcel));
    expect(p.errors).toEqual([]);
    const pp = await persistPlan(t, p, { verify: false });
    expect(pp.action).toBe('install');
    expect(pp.art?.persist).toBe(false);
    expect(pp.art?.files.map((f) => f.path)).toEqual([PERSIST_PATHS.access]);
    expect(pp.art?.enable).toEqual([]);
    expect(pp.message).toMatch(
      /^the access rules of guest-a \(owner, group, mode of \/dev\/daxR\.N\) will be installed \(1 file,/,
    );
    const rules = pp.art?.files[0]?.content ?? '';
    expect(rules).toContain(
      'ATTR{resource}=="0x170000000", ATTR{size}=="268435456", OWNER="qemu", GROUP="kvm", MODE="0660"',
    );
    // the install program enables no unit and restarts no restorer; it removes what an earlier layout had
    const install = (await import('../../server/core/persist/artifacts')).installProgram(pp.art as never);
    expect(install).not.toMatch(/systemctl (enable|restart)/);
    expect(install).toContain(`rm -f '${PERSIST_PATHS.restorer}'`);
    // verify checks the device node: /dev/dax0.2 is guest-a in hbm-lab's prediction
    expect(install).toContain("t=$(stat -c '%U:%G:%a' '/dev/dax0.2' 2>/dev/null); if [ \"$t\" = 'qemu:kvm:660' ]");
    expect((await applyPlan(t, p, { lockTimeoutS: 5 })).result).toBe('applied');
    expect(await runPersist(t, pp)).toMatchObject({ action: 'installed', status: 'ok' });
    expect([...h.installed.keys()]).toEqual([PERSIST_PATHS.access]);
    const dropped = await makePlan(t, req(plain));
    const pp2 = await persistPlan(t, dropped, { verify: true });
    expect(pp2.action).toBe('remove');
    expect(await runPersist(t, pp2)).toMatchObject({ action: 'removed', status: 'ok' });
    expect(h.installed.size).toBe(0);
  });

  it('a failed install is reported with its checks', async () => {
    const h = host({ installFails: true });
    const t = new SshTarget(h);
    const p = await makePlan(t, req(persisted));
    await applyPlan(t, p, { lockTimeoutS: 5 });
    const res = await runPersist(t, await persistPlan(t, p, { verify: false }));
    expect(res.status).toBe('failed');
    expect(res.message).toMatch(/^installing the restorer failed: daxlayout-restore\.service: failed/);
  });

  it('a layout no restorer can be made for: problems, nothing installed', async () => {
    // two persisted regions using one label (DAX061, an error): the spec makes no restorer; the CLI
    // refuses such a plan for its errors already, this is the persist step's own guard
    const text =
      'host lab { kernel "6.1.0"\n persist }\nregion 0 on lab { start 0x1_0000_0000 size 2G node 1 device db { size 1G } }\nregion 1 on lab { start 0x2_0000_0000 size 2G node 2 device db { size 1G } }\n';
    const a = analyze(text);
    const h = host();
    const t = new SshTarget(h);
    const p = {
      capture: { kind: 'capture', problems: [], state: '', unreadable: [], persistFiles: [] },
      analysis: a,
      host: a.hosts.find((x) => x.name === 'lab'),
      errors: [],
    } as unknown as PlanResult;
    const pp = await persistPlan(t, p, { verify: true });
    expect(pp.action).toBe('problems');
    expect(pp.art?.problems.join('\n')).toMatch(
      /^region 1 has 1 error\(s\) \(DAX061\): a restorer is only made for a layout the kernel accepts$/,
    );
    expect(await runPersist(t, pp)).toMatchObject({ action: 'problems', status: 'failed' });
    expect(h.programs).toEqual([]);
  });

  it('the simulated target has no filesystem: a note, nothing run', async () => {
    const dir = tmp();
    const file = join(dir, 'h.json');
    copyFileSync(join(SAMPLES, 'linux-6.1.facts.json'), file);
    const t = new SimTarget(file);
    const p = await makePlan(t, req(persisted));
    const pp = await persistPlan(t, p, { verify: true });
    expect(pp.action).toBe('sim');
    expect(pp.message).toMatch(/^persistence artifacts are not installed on a simulated host/);
    expect(await runPersist(t, pp)).toMatchObject({ action: 'sim', status: 'not-run' });
    expect(t.roundTrips).toBe(1);
  });
});
