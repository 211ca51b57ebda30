// `daxlayout plan|apply LAYOUT -i INVENTORY [--limit] [--forks]` through the built bin: simulated
// hosts (`daxlayout_target=sim:FACTS` in the inventory) and SSH hosts reached through a fake
// `ssh` first on PATH (one refuses the connection, one has an unknown host key). One section per
// host, a summary, exit codes, --json, and one host's failure never stops or touches another.
// Then the Ansible role's hooks: `plan --for HOST --capture DUMP` and `verify`.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const bin = join(root, 'server/bin/daxlayout.cjs');
const fixtures = join(root, 'test/fleet/fixtures');

const FAKE_SSH = `#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_SSH_LOG"
case "$*" in
  *badkey.lab*)
    echo 'No ED25519 host key is known for badkey.lab and you have requested strict checking.' >&2
    echo 'Host key verification failed.' >&2 ;;
  *) echo 'ssh: connect to host down.lab port 2201: Connection refused' >&2 ;;
esac
exit 255
`;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'daxlayout-fleet-'));
  for (const h of ['hbm01', 'hbm02', 'hbm03'])
    copyFileSync(join(fixtures, 'facts', `${h}.json`), join(dir, `${h}.json`));
  writeFileSync(
    join(dir, 'rack.dax'),
    readFileSync(join(fixtures, 'rack.dax'), 'utf8')
      .replace('  inventory "inventory.ini"\n', '')
      .replace('  facts "facts/{host}.json"\n', ''),
  );
  writeFileSync(
    join(dir, 'inventory.yml'),
    `all:
  children:
    rack1:
      hosts:
        hbm0[1:3]:
      vars:
        note: simulated
    down:
      hosts:
        down.lab: { ansible_port: 2201, ansible_user: admin }
        badkey.lab:
      vars:
        ansible_ssh_private_key_file: keys/id
`,
  );
  // the simulated hosts: their facts files are their state
  writeFileSync(
    join(dir, 'sim.ini'),
    '[rack1]\n' + ['hbm01', 'hbm02', 'hbm03'].map((h) => `${h} daxlayout_target=sim:${h}.json`).join('\n') + '\n',
  );
  const binDir = join(dir, 'bin');
  spawnSync('mkdir', [binDir]);
  writeFileSync(join(binDir, 'ssh'), FAKE_SSH);
  chmodSync(join(binDir, 'ssh'), 0o755);
  const log = join(dir, 'ssh.log');
  writeFileSync(log, '');
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      cwd: dir,
      encoding: 'utf8',
      input: '',
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH}`, FAKE_SSH_LOG: log },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const state = (h: string) => readFileSync(join(dir, `${h}.json`), 'utf8');
  return { dir, run, state, log };
}

describe('daxlayout plan|apply -i INVENTORY', () => {
  it('plan: one section per host, diagnostics naming the host, the summary; exit 1 when a host fails; nothing written', () => {
    const { run, state } = setup();
    const before = ['hbm01', 'hbm02', 'hbm03'].map(state);
    const r = run(['plan', 'rack.dax', '-i', 'sim.ini', '--forks', '3']);
    expect(r.code).toBe(1);
    const sections = r.stdout.split(/^== /m).slice(1);
    expect(sections.map((s) => s.split(' ')[0])).toEqual(['hbm01', 'hbm02', 'hbm03']);
    expect(sections[0]).toMatch(
      /^hbm01 \(layout host rack1, hosts "rack1"\) — sim .*hbm01\.json, Linux 6\.1\.0-56-amd64, facts sha256:/,
    );
    expect(sections[0]).toContain('Plan: 2 devices to create, 1 to change, 0 to destroy.');
    expect(sections[2]).toMatch(
      /rack\.dax:\d+:\d+: error: hbm03: region 0 on rack1 is over-committed by 512 MiB.*\[DAX020\]/,
    );
    expect(sections[2]).toContain('failed: the plan has errors');
    expect(r.stdout).toMatch(/^Hosts: 2 to change, 0 unchanged, 1 failed \(hbm03\)\. \(\d+\.\d s\)$/m);
    expect(['hbm01', 'hbm02', 'hbm03'].map(state)).toEqual(before);
  });

  it('apply: the failing host never stops the others; a second run changes nothing; --limit leaves it out', () => {
    const { run, state } = setup();
    const before3 = state('hbm03');
    const refused = run(['apply', 'rack.dax', '-i', 'sim.ini']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to apply without --yes/);

    const r = run(['apply', 'rack.dax', '-i', 'sim.ini', '--forks', '2', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /applied: Apply complete and verified: 2 devices created, 1 changed, 0 destroyed\. \(14\/14 writes\)/,
    );
    expect(r.stdout).toMatch(/^Hosts: 2 changed, 0 unchanged, 1 failed \(hbm03\)\./m);
    expect(JSON.parse(state('hbm01')).regions[0].devices).toHaveLength(3);
    expect(JSON.parse(state('hbm02')).regions[0].devices).toHaveLength(3);
    expect(state('hbm03')).toBe(before3);

    const again = run(['apply', 'rack.dax', '-i', 'sim.ini', '--yes', '--limit', 'rack1:!hbm03']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Hosts: 0 changed, 2 unchanged, 0 failed\./m);
    expect(again.stdout).not.toContain('hbm03');
  });

  it('--json: per-host results and the summary', () => {
    const { run } = setup();
    const r = run(['apply', 'rack.dax', '-i', 'sim.ini', '--yes', '--json', '--forks', '3']);
    const j = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(j.exitCode).toBe(1);
    expect(j.summary).toEqual({ changed: 2, unchanged: 0, failed: 1 });
    expect(
      j.hosts.map((h: { host: string; result: string; changed: boolean; writesRun: number }) => [
        h.host,
        h.result,
        h.changed,
        h.writesRun,
      ]),
    ).toEqual([
      ['hbm01', 'applied', true, 14],
      ['hbm02', 'applied', true, 14],
      ['hbm03', 'failed', false, 0],
    ]);
    expect(j.hosts[2].diagnostics.map((d: { code: string }) => d.code)).toEqual(['DAX020', 'DAX051']);
    expect(j.hosts[0].verification).toEqual({ ok: true, differences: [] });
  });

  it('SSH hosts from a YAML inventory: user, port and key from it; a refused connection and an unknown key fail only those hosts', () => {
    const { run, log, dir } = setup();
    const layout = `${readFileSync(join(dir, 'rack.dax'), 'utf8').replace('hosts "rack1"', 'hosts "rack1:down"')}`;
    writeFileSync(join(dir, 'mixed.dax'), layout);
    const r = run(['plan', 'mixed.dax', '-i', 'inventory.yml', '--limit', 'down', '--known-hosts', '/dev/null']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^== down\.lab .*\nfailed: .*Connection refused/m);
    expect(r.stdout).toMatch(/^Hosts: 0 to change, 0 unchanged, 2 failed \(down\.lab, badkey\.lab\)\./m);
    const calls = readFileSync(log, 'utf8');
    expect(calls).toMatch(/-p 2201 .*admin@down\.lab/);
    expect(calls).toContain(`-i ${join(dir, 'keys/id')} -o IdentitiesOnly=yes`);
    expect(calls).toContain('StrictHostKeyChecking=yes');
    const json = JSON.parse(run(['plan', 'mixed.dax', '-i', 'inventory.yml', '--limit', 'down', '--json']).stdout);
    expect(json.hosts.map((h: { host: string; exitCode: number }) => [h.host, h.exitCode])).toEqual([
      ['down.lab', 1],
      ['badkey.lab', 3],
    ]);
  });

  it('one unreachable SSH host next to simulated ones: the others are applied', () => {
    const { run, state, dir } = setup();
    writeFileSync(join(dir, 'both.ini'), readFileSync(join(dir, 'sim.ini'), 'utf8') + 'down.lab ansible_port=2201\n');
    const r = run(['apply', 'rack.dax', '-i', 'both.ini', '--limit', 'rack1:!hbm03', '--yes', '--forks', '3']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Hosts: 2 changed, 0 unchanged, 1 failed \(down\.lab\)\./m);
    expect(JSON.parse(state('hbm01')).regions[0].devices).toHaveLength(3);
  });

  it('`persist` through -i: every host gets the persist step of `apply --host` (on a simulated host, a note), not a silent skip', () => {
    const { run, state, dir } = setup();
    writeFileSync(
      join(dir, 'persist.dax'),
      readFileSync(join(dir, 'rack.dax'), 'utf8').replace('hosts "rack1"', 'hosts "rack1"\n  persist'),
    );
    const r = run(['apply', 'persist.dax', '-i', 'sim.ini', '--limit', 'hbm01', '--yes', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.hosts[0].persist).toMatchObject({ action: 'sim', status: 'not-run' });
    expect(j.hosts[0].persist.message).toMatch(/^persistence artifacts are not installed on a simulated host/);
    expect(JSON.parse(state('hbm01')).regions[0].devices).toHaveLength(3);
    const text = run(['plan', 'persist.dax', '-i', 'sim.ini', '--limit', 'hbm02']);
    expect(text.stdout).toMatch(/^persist: persistence artifacts are not installed on a simulated host/m);
  });

  it('usage errors: --forks 0, a broken inventory, a bad --limit', () => {
    const { run, dir } = setup();
    expect(run(['plan', 'rack.dax', '-i', 'sim.ini', '--forks', '0']).code).toBe(2);
    writeFileSync(join(dir, 'bad.ini'), '[rack1]\nhbm01 oops\n');
    const bad = run(['plan', 'rack.dax', '-i', 'bad.ini']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.ini: line 2: cannot read `oops`/);
    expect(run(['plan', 'rack.dax', '-i', 'sim.ini', '--limit', 'nosuch']).code).toBe(1);
  });

  it('explain shows the prediction per member; plan without -i says to use it', () => {
    const r = spawnSync(process.execPath, [bin, 'explain', join(fixtures, 'rack.dax')], { encoding: 'utf8' });
    expect(r.stdout.match(/^host \S+ \(rack1: hosts "rack1"\)/gm)).toEqual([
      'host hbm01 (rack1: hosts "rack1")',
      'host hbm02 (rack1: hosts "rack1")',
      'host hbm03 (rack1: hosts "rack1")',
    ]);
    expect(r.stdout).toContain('facts facts/hbm03.json');
    expect(r.stdout).toMatch(/host hbm03 .*\n  region 0: 0x100000000\.\.0x13fffffff \(1 GiB\)/);
    const p = spawnSync(process.execPath, [bin, 'plan', join(fixtures, 'rack.dax')], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/host `rack1` stands for the hosts "rack1" matches: plan it with -i INVENTORY/);
  });

  it('check -i: diagnostics per host from the facts files', () => {
    const r = spawnSync(
      process.execPath,
      [bin, 'check', join(fixtures, 'rack.dax'), '-i', join(fixtures, 'inventory.ini')],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/error: hbm03: region 0 on rack1 is over-committed/);
    expect(r.stdout).toContain('note: hbm03 is one of the 3 host(s) "rack1" matches');
  });
});

describe('the Ansible role hooks', () => {
  const layout = (dir: string, body: string) => {
    const f = join(dir, 'l.dax');
    writeFileSync(f, `host rack1 {\n  hosts "rack1:!slow"\n}\n\nregion 0 on rack1 {\n${body}\n}\n`);
    return f;
  };
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('plan --for HOST --groups --capture: the plan and the apply program from a capture dump; a host the pattern excludes fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlayout-hook-'));
    const f = layout(dir, '  device a { size 1G }\n  device b { size rest mode system-ram }');
    const pred = join(dir, 'pred.json');
    const r = cli([
      'plan',
      f,
      '--for',
      'g1',
      '--groups',
      'rack1',
      '--capture',
      join(fixtures, 'g1.capture.txt'),
      '--emit-program',
      '--prediction',
      pred,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect([j.host, j.layoutHost, j.changed, j.failed]).toEqual(['g1', 'rack1', true, false]);
    // `+` only on the step that creates the device; binding it is a change to it
    expect(j.planText).toContain('+ create dax0.1 (b)');
    expect(j.planText).toContain('~ bind dax0.1 (b) to kmem');
    expect(j.program).toMatch(/^#!\/bin\/sh|main\(\)/m);
    expect(j.program.trimEnd().split('\n').pop()).toMatch(/^main/);
    expect(j.program).toContain("'/sys/bus/dax/drivers/kmem/new_id'");
    expect(JSON.parse(readFileSync(pred, 'utf8')).regions[0].devices).toHaveLength(2);

    const slow = cli([
      'plan',
      f,
      '--for',
      'slow',
      '--groups',
      'rack1',
      '--capture',
      join(fixtures, 'g1.capture.txt'),
      '--json',
    ]);
    expect(slow.code).toBe(1);
    expect(JSON.parse(slow.stdout).message).toMatch(/the layout has no host block for slow/);

    const fits = layout(dir, '  device a { size 512M }');
    const small = cli([
      'plan',
      fits,
      '--for',
      'g3',
      '--groups',
      'rack1',
      '--capture',
      join(fixtures, 'g3.capture.txt'),
      '--json',
    ]);
    expect(small.code).toBe(0);
    expect(JSON.parse(small.stdout).changed).toBe(true);
    const big = layout(dir, '  device a { size 2G }');
    const fail = cli([
      'plan',
      big,
      '--for',
      'g3',
      '--groups',
      'rack1',
      '--capture',
      join(fixtures, 'g3.capture.txt'),
      '--json',
    ]);
    expect(fail.code).toBe(1);
    expect(JSON.parse(fail.stdout).message).toMatch(
      /the plan for g3 has errors; nothing was run\n.*error: g3: region 0 on rack1 is over-committed by 1 GiB/,
    );
  });

  it('`persist` is refused by the hooks (the role does not install the restorer): nothing to run, and why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlayout-hook-'));
    const f = join(dir, 'p.dax');
    writeFileSync(
      f,
      'host rack1 {\n  hosts "rack1:!slow"\n  persist\n}\n\nregion 0 on rack1 {\n  device a { size 1G }\n}\n',
    );
    const r = cli([
      'plan',
      f,
      '--for',
      'g1',
      '--groups',
      'rack1',
      '--capture',
      join(fixtures, 'g1.capture.txt'),
      '--emit-program',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).message).toMatch(
      /g1: the layout asks for `persist`, which the Ansible role does not install yet .* `daxlayout apply FILE -i INVENTORY`/,
    );
  });

  it('verify: no changes needed → verified; the apply output says what ran, failed or was refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlayout-hook-'));
    const f = layout(dir, '  device whole { size rest }');
    const pred = join(dir, 'pred.json');
    const cap = join(fixtures, 'g1.capture.txt');
    const p = cli(['plan', f, '--for', 'g1', '--groups', 'rack1', '--capture', cap, '--prediction', pred, '--json']);
    expect(JSON.parse(p.stdout).changed).toBe(false);
    const v = cli(['verify', '--prediction', pred, '--capture', cap, '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ result: 'verified', changed: false, writesRun: 0 });

    const out = join(dir, 'out.txt');
    writeFileSync(
      out,
      '@@ locked mkdir\r\n@@ guard ok\r\n@@ step 1 ok\r\n@@ step 2 fail sh: write error: Invalid argument\r\n',
    );
    const failed = JSON.parse(
      cli(['verify', '--prediction', pred, '--capture', cap, '--apply-output', out, '--json']).stdout,
    );
    expect(failed).toMatchObject({ result: 'failed', changed: true, writesRun: 1, exitCode: 1 });
    expect(failed.message).toMatch(/write 2 failed: sh: write error: Invalid argument/);

    writeFileSync(out, '@@ locked flock\n@@ changed\nsomething\n@@ end\n');
    const changed = cli(['verify', '--prediction', pred, '--capture', cap, '--apply-output', out, '--json']);
    expect(changed.code).toBe(3);
    expect(JSON.parse(changed.stdout)).toMatchObject({ result: 'refused', changed: false });

    // the host is not the prediction: differs, naming the difference
    const other = layout(dir, '  device a { size 1G }\n  device b { size rest }');
    cli(['plan', other, '--for', 'g1', '--groups', 'rack1', '--capture', cap, '--prediction', pred, '--json']);
    writeFileSync(out, '@@ locked mkdir\n@@ guard ok\n@@ step 1 ok\n@@ done\n');
    const differs = cli(['verify', '--prediction', pred, '--capture', cap, '--apply-output', out, '--json']);
    expect(differs.code).toBe(1);
    expect(JSON.parse(differs.stdout).differences.join('\n')).toMatch(
      /dax0\.0: size 2 GiB on the host, 1 GiB predicted/,
    );
  });
});
