#!/usr/bin/env node
// test/vm/fleet/run.mjs (`npm run test:vm:fleet`): one layout on three real-kernel guests
// (Debian 6.1 under QEMU, test/vm/vm.mjs), booted side by side: g1 and g2 with a 2 GiB dax
// region, g3 with 1 GiB (memmap=1G%5G-1+0xefffffff), which cannot hold the layout. An Ansible
// inventory of them drives both the real `ansible-playbook` (Debian's ansible package, the
// role in ansible/roles/daxlayout, no Python on the guests) and `daxlayout apply -i`.
// Checks: check mode reports g1/g2 as changed, fails g3 with daxlayout's diagnostic and writes
// nothing; a `serial: 2` run applies g1/g2; each guest's state equals the prediction for its
// facts; a second run is changed=0; max_fail_percentage stops the rollout at g3;
// `daxlayout apply -i INVENTORY --forks 3` gives the same end state. Then times a 16-device
// layout that fits all three: Ansible (forks 3), daxlayout --forks 3, and one after another.
//   node test/vm/fleet/run.mjs [--keep]
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootGuest, CLI, daxlayout, ROOT } from '../apply/lib.mjs';

const require = createRequire(import.meta.url);
const t0 = Date.now();
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const results = [];
async function check(name, f) {
  const t = Date.now();
  try {
    await f();
    results.push({ name, ok: true });
    console.log(`  ok    ${name} (${s(Date.now() - t)})`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`  FAIL  ${name} (${s(Date.now() - t)})\n${String(e.stack ?? e).split('\n').map((l) => `        ${l}`).join('\n')}`);
  }
}

// ---- prerequisites: the VM harness, the CLI, and Debian's ansible (installed when missing)
execFileSync('sh', [join(ROOT, 'test', 'vm', 'setup.sh'), '6.1'], { stdio: 'inherit' });
execFileSync(process.execPath, [join(ROOT, 'server', 'build.mjs')], { stdio: 'inherit' });
if (spawnSync('ansible-playbook', ['--version']).status !== 0) {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args) => execFileSync(sudo.length ? 'sudo' : args[0], sudo.length ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  console.log('[fleet] installing ansible (apt-get)');
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'ansible']);
}
const ansibleVersion = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
const core = require(join(ROOT, 'server', 'dist', 'core.cjs'));

// ---- three guests side by side
const GUESTS = [
  { name: 'g1', memmap: undefined, regionSize: 2n << 30n },
  { name: 'g2', memmap: undefined, regionSize: 2n << 30n },
  { name: 'g3', memmap: '1G%5G-1+0xefffffff', regionSize: 1n << 30n },
];
const tBoot = Date.now();
const booted = await Promise.all(GUESTS.map((g) => bootGuest('6.1', g.memmap ? { memmap: g.memmap } : {})));
for (const [i, g] of GUESTS.entries()) g.b = booted[i];
console.log(`\n== three Linux ${booted[0].vm.release} guests booted side by side in ${s(Date.now() - tBoot)} (ports ${booted.map((b) => b.vm.port).join(', ')}); ${ansibleVersion}`);

const dir = mkdtempSync(join(tmpdir(), 'daxlayout-vm-fleet-'));
const knownHosts = join(dir, 'known_hosts');
writeFileSync(knownHosts, booted.map((b) => readFileSync(b.knownHosts, 'utf8')).join(''));
const identity = booted[0].identity;
const inventory = join(dir, 'inventory.ini');
writeFileSync(
  inventory,
  `# three guests of one rack\n[rack1]\n${GUESTS.map((g) => `${g.name} ansible_host=127.0.0.1 ansible_port=${g.b.vm.port}`).join('\n')}\n\n[rack1:vars]\nansible_user=root\nansible_ssh_private_key_file=${identity}\nansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'\n`,
);
// the fleet layout: 16 devices, 1664 MiB — fits a 2 GiB region, not g3's 1 GiB
const devs = (n, size, extra = '') => Array.from({ length: n }, (_, i) => `  device ${extra ? 'ram' : 'db'}${i} { size ${size}${extra} }`).join('\n');
const layout = (name, d) => `host rack1 {\n  hosts "rack1"\n}\n\nregion 0 on rack1 {\n${d}\n}\n`;
const rackDax = join(dir, 'rack.dax');
writeFileSync(rackDax, layout('rack', `${devs(12, '96M')}\n${devs(4, '128M', ' mode system-ram movable')}`));
// the timing layout: 16 devices (12 devdax, 4 system-ram), 896 MiB — fits all three
const benchDax = join(dir, 'bench16.dax');
writeFileSync(benchDax, layout('bench', `${devs(12, '32M')}\n${devs(4, '128M', ' mode system-ram movable')}`));
// back to the boot state: dax0.0 holds the whole region
const resetDax = join(dir, 'reset.dax');
writeFileSync(resetDax, layout('reset', '  device whole { size rest }'));

const cli = `${process.execPath} ${CLI}`;
const playbook = (file, play) => {
  const p = join(dir, file);
  writeFileSync(
    p,
    `- hosts: rack1\n  gather_facts: false\n${play}\n  roles:\n    - role: daxlayout\n      daxlayout_layout: "${rackDax}"\n      daxlayout_cli: "${cli}"\n`,
  );
  return p;
};
const sshArgs = ['--known-hosts', knownHosts];

function ansible(pb, extra = [], layoutFile) {
  const t = Date.now();
  return new Promise((resolve) => {
    const args = ['-i', inventory, pb, ...extra, ...(layoutFile ? ['-e', `daxlayout_layout=${layoutFile}`] : [])];
    const p = spawn('ansible-playbook', args, {
      cwd: dir,
      env: {
        ...process.env,
        ANSIBLE_ROLES_PATH: join(ROOT, 'ansible', 'roles'),
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
        ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, 'cp'),
        ANSIBLE_HOST_KEY_CHECKING: 'True',
        ANSIBLE_STDOUT_CALLBACK: 'default',
      },
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code, out, ms: Date.now() - t, recap: recapOf(out) }));
  });
}
function recapOf(out) {
  const r = {};
  for (const m of out.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)) r[m[1]] = { ok: +m[2], changed: +m[3], unreachable: +m[4], failed: +m[5] };
  return r;
}
const show = (r) => `exit ${r.code}\n${r.out.slice(-3000)}`;

async function daxctl(g) {
  const r = await g.b.vm.ssh(['daxctl', 'list', '-RDMi']);
  assert.equal(r.code, 0, r.stderr);
  return normalise(JSON.parse(r.stdout));
}
function normalise(regions) {
  const key = (n) => Number(/^dax\d+\.(\d+)$/.exec(n)?.[1] ?? -1);
  return regions.map((r) => ({ ...r, devices: [...(r.devices ?? [])].sort((a, b) => key(a.chardev) - key(b.chardev)) }));
}
/** The guest's capture dump now. */
async function captureDump(g) {
  const f = join(dir, `${g.name}-${Date.now()}.capture.txt`);
  const r = await daxlayout(['facts', `root@127.0.0.1`, '--port', String(g.b.vm.port), ...sshArgs, '--identity', identity, '--raw', '-o', f]);
  assert.equal(r.code, 0, r.stderr);
  return f;
}
/** The core's prediction for a guest from a capture: the plan's writes run through the kernel model. */
async function predict(g, dump, layoutFile) {
  const r = await daxlayout(['plan', layoutFile, '--for', g.name, '--groups', 'rack1', '--capture', dump, '--json']);
  const plan = JSON.parse(r.stdout);
  const { facts } = core.readFacts(readFileSync(dump, 'utf8'), 'before');
  const model = core.KernelModel.fromFacts(facts);
  for (const st of plan.steps) for (const w of st.writes) assert.equal(model.write(w.path, `${w.value}\n`).kind, 'ok', `${w.path} ← ${w.value}`);
  const daxctlVersion = Number(/(\d+)/.exec((await g.b.vm.ssh(['daxctl', '--version'])).stdout)?.[1] ?? 81);
  return { plan, predicted: normalise(core.toDaxctlJson(model.state, { daxctlVersion })) };
}
const [g1, g2, g3] = GUESTS;
const timings = {};

try {
  const before = {};
  const dumps = {};
  for (const g of GUESTS) {
    before[g.name] = await daxctl(g);
    dumps[g.name] = await captureDump(g);
  }
  await check('the shipped example (ansible/): the playbook passes --syntax-check, its layout checks clean', async () => {
    const r = spawnSync('ansible-playbook', ['--syntax-check', '-i', join(ROOT, 'ansible', 'example-inventory.ini'), join(ROOT, 'ansible', 'example-playbook.yml')], {
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_ROLES_PATH: join(ROOT, 'ansible', 'roles'), ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp') },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const c = await daxlayout(['check', join(ROOT, 'ansible', 'rack.dax')]);
    assert.equal(c.code, 0, c.stdout);
  });

  await check('the guests: g1 and g2 have a 2 GiB region, g3 1 GiB', async () => {
    for (const g of GUESTS) assert.equal(BigInt(before[g.name][0].size), g.regionSize, g.name);
  });

  await check('daxlayout check -i: the layout against each guest facts names g3 (DAX020), not g1/g2', async () => {
    // facts files per host, from the captures
    for (const g of GUESTS) {
      const r = await daxlayout(['facts', '--from', dumps[g.name], '-o', join(dir, `${g.name}.facts.json`)]);
      assert.equal(r.code, 0, r.stderr);
    }
    const checked = join(dir, 'checked.dax');
    writeFileSync(checked, readFileSync(rackDax, 'utf8').replace('hosts "rack1"', 'hosts "rack1"\n  facts "{host}.facts.json"'));
    const r = await daxlayout(['check', checked, '-i', inventory]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /error: g3: region 0 on rack1 is over-committed .*\[DAX020\]/);
    assert.doesNotMatch(r.stdout, /g1:|g2:/);
  });

  const pbCheck = playbook('site.yml', '');
  await check('ansible --check --diff: g1, g2 would change, g3 fails with the DAX020 diagnostic, nothing is written', async () => {
    const r = await ansible(pbCheck, ['--check', '--diff', '-f', '3']);
    assert.equal(r.code, 2, show(r));
    assert.deepEqual([r.recap.g1?.changed, r.recap.g2?.changed, r.recap.g3?.failed], [1, 1, 1], show(r));
    assert.match(r.out, /fatal: \[g3\].*over-committed by 640 MiB/, show(r));
    assert.match(r.out, /\+ create dax0\.\d+ \(db\d+\)/, 'the diff shows the plan');
    for (const g of GUESTS) assert.deepEqual(await daxctl(g), before[g.name], `${g.name} unchanged`);
  });

  const predictions = {};
  for (const g of [g1, g2]) predictions[g.name] = await predict(g, dumps[g.name], rackDax);
  const pbSerial = playbook('serial.yml', '  serial: 2');
  let serialRun;
  await check('ansible serial: 2 applies g1 and g2 (changed), g3 fails with the diagnostic and is not touched', async () => {
    serialRun = await ansible(pbSerial, ['-f', '3']);
    const r = serialRun;
    assert.equal(r.code, 2, show(r));
    assert.deepEqual([r.recap.g1?.changed, r.recap.g2?.changed, r.recap.g3?.failed, r.recap.g3?.changed], [1, 1, 1, 0], show(r));
    assert.match(r.out, /fatal: \[g3\].*DAX020/, show(r));
    assert.equal((r.out.match(/^PLAY \[rack1\]/gm) ?? []).length >= 1, true);
    assert.deepEqual(await daxctl(g3), before.g3, 'g3 unchanged');
  });

  let endState = {};
  await check("every guest's state equals the core's prediction for its facts (g3: its state before)", async () => {
    for (const g of [g1, g2]) {
      const now = await daxctl(g);
      assert.deepEqual(now, predictions[g.name].predicted, g.name);
      assert.equal(now[0].devices.length, 16, `${g.name}: 16 devices`);
      endState[g.name] = now;
    }
    assert.deepEqual(await daxctl(g3), before.g3);
  });

  await check('a second run: changed=0 on every host', async () => {
    const r = await ansible(pbSerial, ['-f', '3', '--limit', 'g1,g2']);
    assert.equal(r.code, 0, show(r));
    assert.deepEqual([r.recap.g1?.changed, r.recap.g2?.changed, r.recap.g1?.failed, r.recap.g2?.failed], [0, 0, 0, 0], show(r));
  });

  await check('max_fail_percentage: 0 with serial: 1 stops the rollout at g3 (g2, g1 never run)', async () => {
    const pb = playbook('stop.yml', '  serial: 1\n  order: reverse_inventory\n  max_fail_percentage: 0');
    // g1 and g2 back to the boot state first, so a rollout that went on would change them
    const reset = await daxlayout(['apply', resetDax, '-i', inventory, '--limit', 'g1,g2', '--prune', '--yes', '--forks', '2', ...sshArgs]);
    assert.equal(reset.code, 0, reset.stdout + reset.stderr);
    const r = await ansible(pb, []);
    assert.notEqual(r.code, 0, show(r));
    assert.equal(r.recap.g3?.failed, 1, show(r));
    assert.equal(r.recap.g1, undefined, show(r));
    assert.equal(r.recap.g2, undefined, show(r));
    assert.match(r.out, /NO MORE HOSTS LEFT/, show(r));
    for (const g of [g1, g2]) assert.equal((await daxctl(g))[0].devices.length, 1, `${g.name} untouched`);
  });

  await check('daxlayout apply -i INVENTORY --forks 3: g1, g2 applied to the same end state, g3 fails with DAX020, exit 1', async () => {
    const r = await daxlayout(['apply', rackDax, '-i', inventory, '--forks', '3', '--yes', '--json', ...sshArgs]);
    const j = JSON.parse(r.stdout);
    assert.equal(r.code, 1, r.stdout);
    assert.deepEqual(j.hosts.map((h) => [h.host, h.result, h.changed]), [['g1', 'applied', true], ['g2', 'applied', true], ['g3', 'failed', false]]);
    assert.match(j.hosts[2].diagnostics[0].message, /^g3: region 0 on rack1 is over-committed/);
    assert.equal(j.summaryLine, 'Hosts: 2 changed, 0 unchanged, 1 failed (g3).');
    for (const g of [g1, g2]) assert.deepEqual(await daxctl(g), endState[g.name] ?? predictions[g.name].predicted, g.name);
    const again = await daxlayout(['plan', rackDax, '-i', inventory, '--limit', 'g1:g2', '--forks', '3', ...sshArgs]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Hosts: 0 to change, 2 unchanged, 0 failed\./);
  });

  // ---- timings: a 16-device layout (12 devdax, 4 system-ram) on all three guests
  const resetAll = async () => {
    const r = await daxlayout(['apply', resetDax, '-i', inventory, '--prune', '--yes', '--forks', '3', ...sshArgs]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  };
  const benchEnd = {};
  await check('timing: ansible-playbook -f 3 applies the 16-device layout on the three guests', async () => {
    await resetAll();
    const r = await ansible(pbCheck, ['-f', '3'], benchDax);
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(GUESTS.map((g) => r.recap[g.name]?.changed), [1, 1, 1], show(r));
    timings.ansible = r.ms;
    for (const g of GUESTS) benchEnd[g.name] = await daxctl(g);
  });
  await check('timing: daxlayout apply -i --forks 3 (same end state)', async () => {
    await resetAll();
    const t = Date.now();
    const r = await daxlayout(['apply', benchDax, '-i', inventory, '--forks', '3', '--yes', ...sshArgs]);
    timings.forks3 = Date.now() - t;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Hosts: 3 changed, 0 unchanged, 0 failed/);
    for (const g of GUESTS) assert.deepEqual(await daxctl(g), benchEnd[g.name], g.name);
  });
  await check('timing: daxlayout apply -i --forks 1 (one after another, same end state)', async () => {
    await resetAll();
    const t = Date.now();
    const r = await daxlayout(['apply', benchDax, '-i', inventory, '--forks', '1', '--yes', ...sshArgs]);
    timings.serial = Date.now() - t;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const g of GUESTS) assert.deepEqual(await daxctl(g), benchEnd[g.name], g.name);
  });
} finally {
  await Promise.all(GUESTS.map((g) => g.b?.vm.shutdown()));
}

if (timings.ansible) {
  console.log(
    `\ntimings (16 devices on 3 guests, QEMU TCG, one run): ansible-playbook -f 3 ${s(timings.ansible)}; daxlayout apply -i --forks 3 ${timings.forks3 ? s(timings.forks3) : '-'}; one after another (--forks 1) ${timings.serial ? s(timings.serial) : '-'}`,
  );
}
const failed = results.filter((r) => !r.ok).length;
console.log(`\nfleet: ${results.length - failed} passed, ${failed} failed (${s(Date.now() - t0)})`);
process.exitCode = failed ? 1 : 0;
