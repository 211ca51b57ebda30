// `daxlayout plan` and `apply` end to end through the built bin, against the embedded
// simulated target (`--target sim:FACTS`): the terraform-style plan, the confirmation rules,
// apply + verify, the JSON the editor reads, and convergence (apply, then plan → no changes).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const bin = join(root, 'server/bin/daxlayout.cjs');

function daxlayout(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    input: '',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A private copy of a sample facts file: the simulated host's state. */
function simHost(sample = 'linux-6.1.facts.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'daxlayout-sim-'));
  const f = join(dir, 'host.json');
  copyFileSync(join(root, 'samples', sample), f);
  return f;
}

describe('plan and apply against the simulated target', () => {
  it('plan prints each step with its writes and the summary; apply needs --yes off a terminal; apply, then plan: no changes', () => {
    const host = simHost();
    const before = readFileSync(host, 'utf8');
    const plan = daxlayout(['plan', 'samples/hbm-lab.dax', '--target', `sim:${host}`]);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /^Host lab61 \(sim .*host\.json\) — Linux 6\.1\.0-57-amd64 x86_64, facts sha256:[0-9a-f]{16}\n/,
    );
    expect(plan.stdout).toContain(
      '  ~ unbind dax0.0 from device_dax\n      echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind\n',
    );
    // `+` only on the step that creates a device: binding the new device is a change to it
    expect(plan.stdout).toContain(
      '  + create dax0.1 (spill)\n      echo 1 > /sys/devices/platform/hmem.0/dax_region/create\n',
    );
    expect(plan.stdout).toContain(
      '  ~ bind dax0.1 (spill) to kmem\n      echo dax0.1 > /sys/bus/dax/drivers/kmem/new_id\n',
    );
    expect(plan.stdout.trimEnd().split('\n').pop()).toBe('Plan: 3 devices to create, 1 to change, 0 to destroy.');

    const refused = daxlayout(['apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to apply without --yes: stdin is not a terminal/);
    expect(readFileSync(host, 'utf8')).toBe(before);

    const apply = daxlayout(['apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--yes']);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('Applying on lab61');
    expect(apply.stdout).toContain('      ok    echo 536870912 > /sys/bus/dax/devices/dax0.1/size\n');
    expect(apply.stdout).toMatch(/Apply complete and verified: 3 devices created, 1 changed, 0 destroyed\.\n$/);

    const again = daxlayout(['plan', 'samples/hbm-lab.dax', '--target', `sim:${host}`]);
    expect(again.code).toBe(0);
    expect(again.stdout.trimEnd().split('\n').pop()).toBe('No changes. The host matches the layout.');
    const noop = daxlayout(['apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--yes']);
    expect(noop.code).toBe(0);
    expect(noop.stdout).not.toContain('Applying');
  });

  it('6.12 (kmem at boot): apply converges', () => {
    const host = simHost('linux-6.12.facts.json');
    expect(daxlayout(['apply', 'samples/cxl-6.12.dax', '--target', `sim:${host}`, '--yes']).code).toBe(0);
    expect(daxlayout(['plan', 'samples/cxl-6.12.dax', '--target', `sim:${host}`]).stdout).toContain(
      'No changes. The host matches the layout.',
    );
  });

  it('--json: the plan the editor reads, then the apply result with per-step status and verification', () => {
    const host = simHost();
    const p = daxlayout(['plan', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--json']);
    expect(p.code).toBe(0);
    const plan = JSON.parse(p.stdout);
    expect(plan).toMatchObject({
      host: 'lab61',
      changes: true,
      summary: { create: 3, change: 1, destroy: 0 },
      diagnostics: [],
    });
    expect(plan.fingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(plan.steps[0]).toEqual({
      index: 1,
      op: '~',
      target: 'dax0.0',
      label: 'weather',
      summary: 'unbind dax0.0 from device_dax',
      destructive: true,
      writes: [{ path: '/sys/bus/dax/drivers/device_dax/unbind', value: 'dax0.0', predicted: 'ok' }],
    });
    expect(plan.steps.find((s: { label?: string }) => s.label === 'guest-a')).toMatchObject({
      op: '+',
      target: 'dax0.2',
    });

    const a = daxlayout([
      'apply',
      'samples/hbm-lab.dax',
      '--target',
      `sim:${host}`,
      '--json',
      '--yes',
      '--fingerprint',
      plan.fingerprint,
    ]);
    expect(a.code).toBe(0);
    const res = JSON.parse(a.stdout);
    expect(res).toMatchObject({
      result: 'applied',
      exitCode: 0,
      writesRun: 17,
      writesTotal: 17,
      verification: { ok: true, differences: [] },
      roundTrips: 3,
    });
    expect(
      res.steps.every(
        (s: { status: string; writes: { status: string }[] }) =>
          s.status === 'ok' && s.writes.every((w) => w.status === 'ok'),
      ),
    ).toBe(true);
    expect(res.predicted[0].devices.map((d: { chardev: string }) => d.chardev)).toEqual([
      'dax0.0',
      'dax0.1',
      'dax0.2',
      'dax0.3',
    ]);
  });

  it('--events: one JSON line per event — the plan, each step running then ok, verify, done', () => {
    const host = simHost();
    const r = daxlayout(['apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--yes', '--events']);
    expect(r.code).toBe(0);
    const ev = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ev[0]).toMatchObject({
      event: 'plan',
      host: 'lab61',
      changes: true,
      summary: { create: 3, change: 1, destroy: 0 },
    });
    const steps = ev.filter((e) => e.event === 'step');
    expect(steps).toHaveLength(2 * 14);
    expect(steps.slice(0, 3)).toEqual([
      { event: 'step', index: 1, of: 14, summary: 'unbind dax0.0 from device_dax', state: 'running' },
      { event: 'step', index: 1, of: 14, summary: 'unbind dax0.0 from device_dax', state: 'ok' },
      { event: 'step', index: 2, of: 14, summary: 'shrink dax0.0 (weather) from 2 GiB to 1 GiB', state: 'running' },
    ]);
    expect(ev.at(-2)).toEqual({ event: 'verify', ok: true, differences: [] });
    expect(ev.at(-1)).toMatchObject({
      event: 'done',
      result: 'applied',
      exitCode: 0,
      stepsRun: 14,
      stepsTotal: 14,
      writesRun: 17,
      writesTotal: 17,
    });
    expect(daxlayout(['apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--events']).code).toBe(2);
  });

  it('refuses (exit 3) when the host changed since the plan that was shown', () => {
    const host = simHost();
    const plan = JSON.parse(daxlayout(['plan', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--json']).stdout);
    // the host changes meanwhile (someone sets the auto-online policy)
    writeFileSync(
      host,
      readFileSync(host, 'utf8').replace('"autoOnlineBlocks": "offline"', '"autoOnlineBlocks": "online_movable"'),
    );
    const r = daxlayout([
      'apply',
      'samples/hbm-lab.dax',
      '--target',
      `sim:${host}`,
      '--yes',
      '--json',
      '--fingerprint',
      plan.fingerprint,
    ]);
    expect(r.code).toBe(3);
    const res = JSON.parse(r.stdout);
    expect(res.result).toBe('refused');
    expect(res.message).toMatch(/the host changed since the plan that was shown/);
    expect(res.writesRun).toBe(0);
    const t = daxlayout([
      'apply',
      'samples/hbm-lab.dax',
      '--target',
      `sim:${host}`,
      '--yes',
      '--fingerprint',
      plan.fingerprint,
    ]);
    expect(t.code).toBe(3);
    expect(t.stderr).toMatch(
      /host changed since the plan that was shown \(facts sha256:\w+ then, sha256:\w+ now\); nothing was run/,
    );
  });

  it('a plan with errors: plan exits 1 with the diagnostics, apply runs nothing', () => {
    const host = simHost();
    const dir = mkdtempSync(join(tmpdir(), 'daxlayout-layout-'));
    const layout = join(dir, 'bad.dax');
    writeFileSync(
      layout,
      readFileSync(join(root, 'samples/hbm-lab.dax'), 'utf8').replace(
        'size 512M mode system-ram',
        'size 3M mode system-ram',
      ),
    );
    const p = daxlayout(['plan', layout, '--target', `sim:${host}`]);
    expect(p.code).toBe(1);
    expect(p.stdout).toMatch(/bad\.dax:\d+:\d+: error: size 3 MiB is not a multiple .*\[DAX010\]/);
    // an invalid layout gets no plan: its errors only (as terraform does)
    expect(p.stdout).not.toContain('daxlayout will perform');
    expect(p.stderr).toMatch(/bad\.dax has errors for lab61; nothing was planned/);
    const j = JSON.parse(daxlayout(['plan', layout, '--target', `sim:${host}`, '--json']).stdout);
    expect(j).toMatchObject({ changes: false, steps: [], summaryLine: null, simulated: true });
    expect(j.diagnostics[0]).toMatchObject({ code: 'DAX010', severity: 'error' });
    const before = readFileSync(host, 'utf8');
    const a = daxlayout(['apply', layout, '--target', `sim:${host}`, '--yes', '--json']);
    expect(a.code).toBe(1);
    const res = JSON.parse(a.stdout);
    expect(res).toMatchObject({ result: 'failed', writesRun: 0 });
    expect(res.diagnostics[0]).toMatchObject({ code: 'DAX010', severity: 'error', line: 15, column: 23 });
    expect(readFileSync(host, 'utf8')).toBe(before);
  });

  it('--prune removes devices the layout does not list', () => {
    const host = simHost();
    expect(daxlayout(['apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--yes']).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'daxlayout-layout-'));
    const layout = join(dir, 'fewer.dax');
    writeFileSync(
      layout,
      readFileSync(join(root, 'samples/hbm-lab.dax'), 'utf8').replace(
        /\s*# whatever is left\n\s*device scratch \{ size rest \}/,
        '',
      ),
    );
    const kept = daxlayout(['plan', layout, '--target', `sim:${host}`]);
    expect(kept.stdout).toContain(
      'note: dax0.3 (256 MiB, devdax) is not in the layout; it is kept (--prune removes it)',
    );
    expect(kept.stdout).toContain('No changes. The host matches the layout.');
    const pruned = daxlayout(['apply', layout, '--target', `sim:${host}`, '--yes', '--prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('  - destroy dax0.3\n');
    expect(pruned.stdout).toContain('Apply complete and verified: 0 devices created, 0 changed, 1 destroyed.');
  });

  it('a host with only `facts "…"` is planned and applied against a simulation of it by default, and nothing is saved', () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlayout-quick-'));
    copyFileSync(join(root, 'samples/quickstart.dax'), join(dir, 'quickstart.dax'));
    copyFileSync(join(root, 'samples/linux-6.1.facts.json'), join(dir, 'linux-6.1.facts.json'));
    const facts = readFileSync(join(dir, 'linux-6.1.facts.json'), 'utf8');
    const plan = daxlayout(['plan', join(dir, 'quickstart.dax')]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Host lab61 \(simulated from linux-6\.1\.facts\.json; nothing is saved\)/);
    expect(plan.stdout.trimEnd().split('\n').pop()).toBe('Plan: 2 devices to create, 1 to change, 0 to destroy.');
    const json = JSON.parse(daxlayout(['plan', join(dir, 'quickstart.dax'), '--json']).stdout);
    expect(json).toMatchObject({
      simulated: true,
      target: 'simulated from linux-6.1.facts.json; nothing is saved',
      changes: true,
    });
    // apply runs and verifies against the simulation; the facts file still describes the host
    const apply = daxlayout(['apply', join(dir, 'quickstart.dax'), '--yes']);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete and verified: 2 devices created, 1 changed, 0 destroyed\.\n$/);
    expect(readFileSync(join(dir, 'linux-6.1.facts.json'), 'utf8')).toBe(facts);
    // so a second plan is the same plan
    expect(JSON.parse(daxlayout(['plan', join(dir, 'quickstart.dax'), '--json']).stdout).steps).toEqual(json.steps);
  });

  it('--target facts plans a host that has `ssh "…"` against its facts file (the editor\'s "Plan against facts")', () => {
    const viaFacts = JSON.parse(daxlayout(['plan', 'samples/hbm-lab.dax', '--target', 'facts', '--json']).stdout);
    const viaSim = JSON.parse(
      daxlayout(['plan', 'samples/hbm-lab.dax', '--target', `sim:${simHost()}`, '--json']).stdout,
    );
    expect(viaFacts).toMatchObject({
      host: 'lab61',
      simulated: true,
      target: 'simulated from linux-6.1.facts.json; nothing is saved',
    });
    expect(viaFacts.steps).toEqual(viaSim.steps);
    expect(viaFacts.fingerprint).toBe(viaSim.fingerprint);
    const none = daxlayout(['plan', 'samples/design.dax', '--target', 'facts']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/host `future` has no `facts "…"` file to plan against/);
  });

  it('usage errors exit 2', () => {
    expect(daxlayout(['plan']).code).toBe(2);
    expect(daxlayout(['plan', 'samples/hbm-lab.dax', '--target', 'ftp:x']).stderr).toMatch(
      /--target takes ssh, facts or sim:FACTS/,
    );
    expect(daxlayout(['plan', 'samples/hbm-lab.dax', '--host', 'nope', '--target', 'sim:x']).code).toBe(2);
    expect(daxlayout(['plan', 'samples/design.dax']).stderr).toMatch(/host `future` has no `ssh "…"` destination/);
    const host = simHost();
    const soon = daxlayout([
      'apply',
      'samples/hbm-lab.dax',
      '--target',
      `sim:${host}`,
      '--yes',
      '--lock-timeout',
      'soon',
    ]);
    expect(soon.code).toBe(2);
    expect(soon.stderr).toMatch(/^daxlayout: --lock-timeout takes a whole number 0–86400, got `soon`$/m);
    const fp = daxlayout(['apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--yes', '--fingerprint', 'abc']);
    expect(fp.code).toBe(2);
    expect(fp.stderr).toMatch(/--fingerprint takes the value `daxlayout plan` printed/);
    // an unreadable simulated host is unreadable input (exit 2), before anything is planned
    const missing = daxlayout(['plan', 'samples/hbm-lab.dax', '--target', 'sim:/nonexistent/facts.json']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(
      /^daxlayout: --target sim:\/nonexistent\/facts.json: cannot read \/nonexistent\/facts.json: no such file/,
    );
  });
});
