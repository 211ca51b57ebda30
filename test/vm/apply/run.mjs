#!/usr/bin/env node
// test/vm/apply/run.mjs (`npm run test:vm:apply`): `daxlayout facts`, `plan` and `apply` against
// real kernels (Debian 6.1, 6.12, 6.18, 7.2 and 7.3 under QEMU, test/vm/vm.mjs), over the system
// ssh with the harness' pinned host key. Per kernel:
//   facts → a facts file; apply the sample layout (hbm-lab on 6.1, cxl-6.12 on 6.12 and later:
//   the same layout file on every kmem-type kernel, the region at its 7.2+ path on 7.2 and 7.3);
//   the guest's `daxctl list -RDMi` equals the core's prediction exactly; the system-ram device
//   is online and movable; apply again → no writes; resizing one device leaves the others'
//   sysfs state untouched; the connection killed after write K (test hook) → apply again
//   converges; two applies at once → the second waits, then refuses, never interleaves;
//   an unknown or changed host key → refused (exit 3); shell metacharacters in a layout →
//   rejected before anything runs; an unprivileged capture says what it could not read.
// Then, on 6.12 and 7.3, a `cxl region` applied on the cxl2 machine (cxl.mjs): made, split,
// verified, equal to the prediction, applied again with no writes.
//   node test/vm/apply/run.mjs [--only 6.1|6.12|6.18|7.2|7.3|cxl] [--keep]
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cxlApply } from './cxl.mjs';
import { bootGuest, daxlayout, ROOT, sshArgs } from './lib.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const require = createRequire(import.meta.url);

const t0 = Date.now();
const KERNELS = ['6.1', '6.12', '6.18', '7.2', '7.3'];
execFileSync('sh', [join(ROOT, 'test', 'vm', 'setup.sh'), ...(only === 'cxl' ? ['6.12', '7.3'] : only ? [only] : KERNELS)], { stdio: 'inherit' });
execFileSync(process.execPath, [join(ROOT, 'server', 'build.mjs')], { stdio: 'inherit' });
const core = require(join(ROOT, 'server', 'dist', 'core.cjs'));

const RUNS = [
  {
    kernel: '6.1',
    sample: 'hbm-lab.dax',
    host: 'lab61',
    kmem: 'spill',
    // scratch (size rest, 256 MiB) becomes 128 MiB: only dax0.3 changes
    resize: (t) => t.replace('device scratch { size rest }', 'device scratch { size 128M }'),
    resized: 'dax0.3',
  },
  {
    kernel: '6.12',
    sample: 'cxl-6.12.dax',
    host: 'lab612',
    kmem: 'tier2',
    resize: (t) => t.replace('device app { size 512M }', 'device app { size 256M }'),
    resized: 'dax0.1',
  },
  // 6.18, 7.2 and 7.3: the user's layout file is the 6.12 one, unchanged (what an operator
  // upgrading keeps); the paths and writes the plan uses per kernel come from the facts
  ...['6.18', '7.2', '7.3'].map((kernel) => ({
    kernel,
    sample: 'cxl-6.12.dax',
    host: 'lab612',
    kmem: 'tier2',
    resize: (t) => t.replace('device app { size 512M }', 'device app { size 256M }'),
    resized: 'dax0.1',
  })),
];

const results = [];
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function check(name, f) {
  const t = Date.now();
  try {
    await f();
    results.push({ name, ok: true, ms: Date.now() - t });
    console.log(`  ok    ${name} (${s(Date.now() - t)})`);
  } catch (e) {
    results.push({ name, ok: false, ms: Date.now() - t, error: e });
    console.log(`  FAIL  ${name} (${s(Date.now() - t)})\n${String(e.stack ?? e).split('\n').map((l) => `        ${l}`).join('\n')}`);
  }
}

const json = (r) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout.slice(0, 400)} ${r.stderr.slice(0, 800)}`);
  }
};

/** The guest's daxctl JSON, devices in name order. */
async function guestDaxctl(vm) {
  const r = await vm.ssh(['daxctl', 'list', '-RDMi']);
  assert.equal(r.code, 0, r.stderr);
  return normalise(JSON.parse(r.stdout));
}
function normalise(regions) {
  const key = (n) => Number(/^dax\d+\.(\d+)$/.exec(n)?.[1] ?? -1);
  // daxctl lists a device's mappings in directory order, which is not page-offset order: sort them
  const byOffset = (a, b) => a.page_offset - b.page_offset || a.start - b.start;
  const dev = (d) => (d.mappings ? { ...d, mappings: [...d.mappings].sort(byOffset) } : d);
  return regions.map((r) => ({ ...r, devices: [...(r.devices ?? [])].map(dev).sort((a, b) => key(a.chardev) - key(b.chardev)) }));
}

/** The core's prediction: the facts before, the plan's writes run through the kernel model. */
function predict(factsText, steps, daxctlVersion) {
  const { facts } = core.readFacts(factsText, 'before');
  const model = core.KernelModel.fromFacts(facts);
  for (const st of steps) for (const w of st.writes) assert.equal(model.write(w.path, `${w.value}\n`).kind, 'ok', `${w.path} ← ${w.value}`);
  return normalise(core.toDaxctlJson(model.state, { daxctlVersion }));
}

/** Devices of the guest's daxctl JSON by name. */
const byName = (regions) => Object.fromEntries(regions.flatMap((r) => r.devices.map((d) => [d.chardev, d])));

/** Kills the ssh processes the CLI started (by pid, children of that CLI process). */
function killSshOf(pid) {
  const out = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  const pids = out.split('\n').map((l) => l.trim().split(/\s+/)).filter(([, c]) => c === 'ssh').map(([p]) => Number(p));
  for (const p of pids) process.kill(p, 'SIGKILL');
  return pids.length;
}

/** Starts the CLI and resolves once its output contains `marker`; returns { proc, result }. */
function startUntil(cliArgs, marker, env) {
  let proc;
  let seen;
  const reached = new Promise((r) => (seen = r));
  const result = daxlayout(cliArgs, {
    env,
    onStdout: (_, p) => {
      proc = p;
      if (marker.test(_)) seen();
    },
  });
  return { result, reached, proc: () => proc };
}

for (const run of RUNS.filter((r) => !only || r.kernel === only)) {
  console.log(`\n== Linux ${run.kernel}: ${run.sample}`);
  const tBoot = Date.now();
  const g = await bootGuest(run.kernel);
  console.log(`  booted ${g.vm.release} in ${s(Date.now() - tBoot)} (port ${g.vm.port})`);
  const ssh = sshArgs(g);
  const base = readFileSync(join(ROOT, 'samples', run.sample), 'utf8').replace(/port \d+/, `port ${g.vm.port}`).replace(/\n\s*facts "[^"]*"/, '');
  const layoutFile = join(g.dir, run.sample);
  const writeLayout = (text) => writeFileSync(layoutFile, text);
  writeLayout(base);
  const factsFile = join(g.dir, 'facts.json');
  const daxctlVersion = Number(/(\d+)/.exec((await g.vm.ssh(['daxctl', '--version'])).stdout)?.[1] ?? 81);
  let plan;
  try {
    await check('facts: one read-only round trip gives a facts file of the region (2 GiB at 0x100000000, node 1)', async () => {
      const r = await daxlayout(['facts', 'root@127.0.0.1', '--port', String(g.vm.port), ...ssh, '-o', factsFile]);
      assert.equal(r.code, 0, r.stderr);
      const f = JSON.parse(readFileSync(factsFile, 'utf8'));
      assert.equal(f.kernelRelease, g.vm.release);
      assert.deepEqual(f.regions.map((x) => [x.id, x.start, x.size, x.targetNode, x.dynamic]), [[0, '0x100000000', 2147483648, 1, true]]);
      assert.equal(f.nodes.find((n) => n.id === 0)?.cpus, '0-1');
      assert.ok(f.nodes.find((n) => n.id === 0)?.access0?.readLatency > 0, 'HMAT access0 of node 0');
      // node 1 has no memory online at boot (6.1) or none in sysfs yet: its HMAT facts come from the
      // ACPI tables, and must be what the QEMU options say (and what 6.1 lists once it is online)
      const n1 = f.nodes.find((n) => n.id === 1);
      assert.deepEqual(n1?.caches, [{ level: 1, size: 268435456, lineSize: 64, indexing: 0, writePolicy: 0 }], JSON.stringify(n1));
      assert.deepEqual(n1?.access0, { initiators: [0], readLatency: 40, writeLatency: 40, readBandwidth: 2048, writeBandwidth: 2048 });
    });

    await check('facts as an unprivileged user: reads what it can, says what it could not', async () => {
      const program = (await daxlayout(['facts', '--program'])).stdout;
      // busybox's setpriv cannot change uid: add an ordinary user to the (throwaway) guest and su to it
      await g.vm.ssh("grep -q '^nobody:' /etc/passwd || { echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> /etc/passwd; echo 'nogroup:x:65534:' >> /etc/group; }");
      const r = await g.vm.ssh(['su', '-s', '/bin/sh', 'nobody', '-c', 'sh -s'], program);
      assert.match(r.stdout, /### id -u\n65534\n/, r.stderr);
      const dump = join(g.dir, 'nobody.txt');
      writeFileSync(dump, r.stdout);
      const f = await daxlayout(['facts', '--from', dump]);
      assert.match(f.stderr, /file\(s\) could not be read as uid 65534 \(root-only\): ACPI HMAT table, ACPI SRAT table, dax_region\/align, mappingN\/\{start,end,page_offset\}, resource\. Capture as root/);
      assert.match(f.stderr, /\(root-only\) was not captured/);
      assert.equal(f.code, 1);
    });

    await check(`apply ${run.sample}: 3 round trips over 1 connection, verified; daxctl in the guest equals the core's prediction`, async () => {
      plan = json(await daxlayout(['plan', layoutFile, '--json', ...ssh]));
      assert.equal(plan.diagnostics.length, 0, JSON.stringify(plan.diagnostics));
      assert.ok(plan.steps.length > 0);
      const predicted = predict(readFileSync(factsFile, 'utf8'), plan.steps, daxctlVersion);
      const r = await daxlayout(['apply', layoutFile, '--yes', '--json', '--fingerprint', plan.fingerprint, ...ssh]);
      const res = json(r);
      assert.equal(res.result, 'applied', `${res.message}\n${r.stderr}`);
      assert.equal(r.code, 0);
      assert.deepEqual(res.verification, { ok: true, differences: [] });
      assert.equal(res.roundTrips, 3);
      assert.equal(res.connections, 1);
      assert.equal(res.lock, 'mkdir'); // busybox without flock: the mkdir lock
      assert.deepEqual(await guestDaxctl(g.vm), predicted);
      console.log(`        ${res.writesTotal} writes in ${s(res.elapsedMs)}`);
    });

    await check(`the system-ram device (${run.kmem}) is online and movable`, async () => {
      const name = plan.steps.find((x) => x.label === run.kmem && x.target.startsWith('dax')).target;
      const d = byName(await guestDaxctl(g.vm))[name];
      assert.equal(d.mode, 'system-ram');
      assert.ok(d.total_memblocks > 0);
      assert.equal(d.online_memblocks, d.total_memblocks);
      assert.equal(d.movable, true);
      const zones = await g.vm.ssh(`for b in /sys/devices/system/node/node1/memory*; do cat $b/state $b/valid_zones; done | sort | uniq -c`);
      assert.doesNotMatch(zones.stdout, /Normal/);
    });

    await check('apply again: no writes, one round trip', async () => {
      const res = json(await daxlayout(['apply', layoutFile, '--yes', '--json', ...ssh]));
      assert.equal(res.result, 'no-changes');
      assert.equal(res.writesTotal, 0);
      assert.equal(res.roundTrips, 1);
    });

    await check(`resizing one device (${run.resized}) leaves the others' sysfs state untouched`, async () => {
      const before = byName(await guestDaxctl(g.vm));
      const stateBefore = (await g.vm.ssh('cd /sys/bus/dax/devices && for d in dax*; do echo "$d" $(cat $d/size $d/align) $(readlink $d/driver) $(cat $d/mapping*/start $d/mapping*/end); done')).stdout;
      writeLayout(run.resize(base));
      const res = json(await daxlayout(['apply', layoutFile, '--yes', '--json', ...ssh]));
      assert.equal(res.result, 'applied', res.message);
      assert.deepEqual([...new Set(res.steps.map((x) => x.target))], [run.resized]);
      const after = byName(await guestDaxctl(g.vm));
      for (const [n, d] of Object.entries(before)) if (n !== run.resized) assert.deepEqual(after[n], d, n);
      assert.notDeepEqual(after[run.resized], before[run.resized]);
      const stateAfter = (await g.vm.ssh('cd /sys/bus/dax/devices && for d in dax*; do echo "$d" $(cat $d/size $d/align) $(readlink $d/driver) $(cat $d/mapping*/start $d/mapping*/end); done')).stdout;
      const others = (t) => t.split('\n').filter((l) => l && !l.startsWith(`${run.resized} `));
      assert.deepEqual(others(stateAfter), others(stateBefore));
    });

    await check('the connection killed after write 1 (test hook), then apply again: converges', async () => {
      writeLayout(base); // back: the resized device changes again (unbind, size, bind)
      const a = startUntil(['apply', layoutFile, '--yes', ...ssh], /paused after step 1/, { DAXLAYOUT_TEST_PAUSE_AFTER: '1' });
      await a.reached;
      assert.ok(killSshOf(a.proc().pid) >= 1, 'no ssh child to kill');
      const r = await a.result;
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the apply did not finish: the connection failed.*1 of \d+ write\(s\) are known to have run \(paused after write 1\)/s);
      const again = json(await daxlayout(['apply', layoutFile, '--yes', '--json', '--lock-timeout', '10', ...ssh]));
      assert.equal(again.result, 'applied', again.message);
      assert.ok(again.writesTotal < plan.steps.reduce((n, x) => n + x.writes.length, 0));
      const last = json(await daxlayout(['plan', layoutFile, '--json', ...ssh]));
      assert.equal(last.changes, false);
    });

    await check('SIGTERM during the writes: the host stops before the next write, the CLI reports what ran (cancelled)', async () => {
      writeLayout(run.resize(base));
      const a = startUntil(['apply', layoutFile, '--yes', '--events', ...ssh], /"index":1,"of":\d+,"summary":"[^"]*","state":"ok"/, { DAXLAYOUT_TEST_PAUSE_AFTER: '1' });
      await a.reached;
      a.proc().kill('SIGTERM');
      const r = await a.result;
      const ev = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      const done = ev.at(-1);
      assert.equal(r.code, 143, r.stderr);
      assert.equal(done.result, 'cancelled', done.message);
      assert.equal(done.writesRun, 1);
      assert.equal(done.roundTrips, 4); // facts, apply, cancel, verify
      assert.match(done.message, /^cancelled before write 2 of \d+: 1 write\(s\) ran/);
      const again = json(await daxlayout(['apply', layoutFile, '--yes', '--json', '--lock-timeout', '10', ...ssh]));
      assert.equal(again.result, 'applied', again.message);
      writeLayout(base);
      assert.equal(json(await daxlayout(['apply', layoutFile, '--yes', '--json', ...ssh])).result, 'applied');
    });

    await check('two applies at once: the second waits for the lock, then refuses; nothing interleaves', async () => {
      writeLayout(run.resize(base));
      const a = startUntil(['apply', layoutFile, '--yes', ...ssh], /paused after step 1/, { DAXLAYOUT_TEST_PAUSE_AFTER: '1' });
      await a.reached;
      const b = await daxlayout(['apply', layoutFile, '--yes', '--lock-timeout', '3', ...ssh]);
      assert.equal(b.code, 3, b.stderr);
      assert.match(b.stdout, /waiting for another apply on the host to finish \(up to 3 s\)/);
      assert.match(b.stderr, /another apply holds the host's lock \(\/run\/daxlayout-lock\/lock\.d\); waited 3 s\. Nothing was written/);
      assert.doesNotMatch(b.stdout, /  ok  /);
      killSshOf(a.proc().pid);
      await a.result;
      const c = json(await daxlayout(['apply', layoutFile, '--yes', '--json', '--lock-timeout', '10', ...ssh]));
      assert.equal(c.result, 'applied', c.message);
      writeLayout(base);
      assert.equal(json(await daxlayout(['apply', layoutFile, '--yes', '--json', ...ssh])).result, 'applied');
    });

    await check('an unknown or changed host key is refused (exit 3) with how to add it', async () => {
      const empty = join(g.dir, 'empty_known_hosts');
      writeFileSync(empty, '');
      const u = await daxlayout(['plan', layoutFile, '--known-hosts', empty, '--identity', g.identity]);
      assert.equal(u.code, 3, u.stderr);
      assert.match(u.stderr, /the host key of root@127\.0\.0\.1 port \d+ is not known/);
      assert.match(u.stderr, /ssh-keyscan -p \d+ 127\.0\.0\.1 >> /);
      const other = join(g.dir, 'other_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      const wrong = join(g.dir, 'wrong_known_hosts');
      writeFileSync(wrong, `[127.0.0.1]:${g.vm.port} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
      const c = await daxlayout(['apply', layoutFile, '--yes', '--known-hosts', wrong, '--identity', g.identity]);
      assert.equal(c.code, 3, c.stderr);
      assert.match(c.stderr, /has CHANGED since it was added to .*wrong_known_hosts \(it now offers SHA256:/);
      const f = await daxlayout(['facts', 'root@127.0.0.1', '--port', String(g.vm.port), '--known-hosts', wrong, '--identity', g.identity]);
      assert.equal(f.code, 3);
    });

    await check('shell metacharacters in a layout are rejected before anything runs', async () => {
      // the marker an injected command would create: in a directory made now in the guest
      const made = await g.vm.ssh(['mktemp', '-d']);
      assert.equal(made.code, 0);
      const marker = `${made.stdout.trim()}/pwned`;
      const evil = join(g.dir, 'evil.dax');
      writeFileSync(evil, base.replace('ssh "root@127.0.0.1"', `ssh "root@127.0.0.1;touch ${marker}"`));
      const r = await daxlayout(['apply', evil, '--yes', ...ssh]);
      assert.equal(r.code, 2, r.stderr);
      writeFileSync(evil, base.replace(/device (\w[\w-]*) \{/, `device $(touch ${marker}) {`));
      const r2 = await daxlayout(['apply', evil, '--yes', ...ssh]);
      assert.equal(r2.code, 1, r2.stderr);
      assert.match(r2.stderr, /has errors; nothing was run/);
      assert.equal((await g.vm.ssh(['test', '-e', marker])).code, 1);
    });

    await check('cache colours: two devices with exclusive colours of the 256 MiB memory-side cache lie on exactly their stripes', async () => {
      // node 1's cache (QEMU hmat-cache: 256 MiB, direct-mapped) comes from the ACPI tables in the
      // capture; 4 colours of 64 MiB: colour(A) = (A / 64 MiB) mod 4
      const colourLayout = join(g.dir, 'colours.dax');
      writeFileSync(colourLayout, [
        `host ${run.host} {`, '  ssh "root@127.0.0.1"', `  port ${g.vm.port}`, '}',
        `region 0 on ${run.host} {`,
        '  device weather { colours 0..1 of 4 exclusive }',
        '  device vms { colours 2..3 of 4 exclusive }',
        '}', '',
      ].join('\n'));
      const colourPlan = json(await daxlayout(['plan', colourLayout, '--prune', '--json', ...ssh]));
      assert.equal(colourPlan.diagnostics.filter((d) => d.severity === 'error').length, 0, JSON.stringify(colourPlan.diagnostics));
      const facts = await daxlayout(['facts', 'root@127.0.0.1', '--port', String(g.vm.port), ...ssh]);
      const predicted = predict(facts.stdout, colourPlan.steps, daxctlVersion);
      const r = await daxlayout(['apply', colourLayout, '--prune', '--yes', '--json', '--fingerprint', colourPlan.fingerprint, ...ssh]);
      const res = json(r);
      assert.equal(res.result, 'applied', `${res.message}\n${r.stderr}`);
      assert.deepEqual(res.verification, { ok: true, differences: [] });
      assert.deepEqual(await guestDaxctl(g.vm), predicted);
      const stripe = 64n << 20n;
      for (const [label, colours] of [['weather', [0n, 1n]], ['vms', [2n, 3n]]]) {
        const name = colourPlan.steps.find((x) => x.label === label && x.target.startsWith('dax')).target;
        const out = (await g.vm.ssh(`cd /sys/bus/dax/devices/${name} && for m in mapping*; do echo $(cat $m/start $m/end); done`)).stdout;
        const ranges = out.trim().split('\n').map((l) => l.split(' ').map((x) => BigInt(x)));
        let total = 0n;
        for (const [start, end] of ranges) {
          assert.equal(start % stripe, 0n, `${label}: range ${start.toString(16)} starts inside a colour stripe`);
          assert.equal((end + 1n) % stripe, 0n, `${label}: range ends inside a colour stripe`);
          for (let a = start; a <= end; a += stripe) assert.ok(colours.includes((a / stripe) % 4n), `${label}: 0x${a.toString(16)} has colour ${(a / stripe) % 4n}`);
          total += end - start + 1n;
        }
        assert.equal(total, 1n << 30n, `${label}: ${total} bytes`);
        assert.equal(ranges.length, 8, `${label}: ${ranges.length} ranges (one 128 MiB stripe per 256 MiB of the region)`);
      }
    });
  } finally {
    await g.vm.shutdown();
  }
}

// CXL (docs/cxl.md): a `cxl region` applied on the cxl2 machine, one boot per kernel (cxl.mjs)
const tCxl = Date.now();
for (const kernel of ['6.12', '7.3'].filter((k) => !only || k === only || only === 'cxl')) await cxlApply(kernel, check);
console.log(`  (CXL apply: ${s(Date.now() - tCxl)})`);

const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length}/${results.length} checks passed in ${s(Date.now() - t0)}`);
process.exit(failed.length ? 1 : 0);
