#!/usr/bin/env node
// npm run bench:apply (also the last part of `npm run bench`): wall time to provision a
// 16-device layout (12 devdax + 4 system-ram, 128 MiB each) on a real Linux 6.1 guest
// (test/vm, QEMU TCG) with `daxlayout apply`, against a script that does the same with one
// `daxctl` call per step over SSH (one ssh per call), measured in the same run, alternating,
// from the same boot state each time (reset between runs, not timed). Also reports the SSH
// round trips per apply (constant: facts, apply, verify) and checks that both end in the
// same state. Skips (exit 0) when the VM kernels are not prepared (sh test/vm/setup.sh 6.1).
//   node test/bench/apply.mjs [--runs N] [--json FILE]
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bootGuest, daxlayout, ROOT, sshArgs } from '../vm/apply/lib.mjs';
import { CACHE } from '../vm/vm.mjs';

const args = process.argv.slice(2);
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : Number(process.env.BENCH_APPLY_RUNS ?? 3);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;

if (!existsSync(join(CACHE, 'kernel-6.1', 'initramfs.cpio.gz'))) {
  console.log('bench apply: skipped (the 6.1 guest is not prepared: run `sh test/vm/setup.sh 6.1`)');
  process.exit(0);
}
execFileSync(process.execPath, [join(ROOT, 'server', 'build.mjs')], { stdio: 'inherit' });

const N = 16;
const RAM = new Set([3, 7, 11, 15]);
const layout = (port) =>
  [
    'host bench {',
    '  ssh "root@127.0.0.1"',
    `  port ${port}`,
    '}',
    'region 0 on bench {',
    ...Array.from({ length: N }, (_, i) => `  device d${i} { size 128M${RAM.has(i) ? ' mode system-ram movable' : ''} }`),
    '}',
    '',
  ].join('\n');
// back to the boot state: dax0.0 holds the whole region as devdax, nothing else
const reset = (port) => ['host bench {', '  ssh "root@127.0.0.1"', `  port ${port}`, '}', 'region 0 on bench {', '  device all { name dax0.0 size 2G }', '}', ''].join('\n');

// what an operator would type, one daxctl per step (daxctl creates the seed, sizes, enables)
const daxctlSteps = [
  ['daxctl', 'disable-device', 'dax0.0'],
  ['daxctl', 'reconfigure-device', 'dax0.0', '-s', '128M'],
  ['daxctl', 'enable-device', 'dax0.0'],
  ...Array.from({ length: N - 1 }, () => ['daxctl', 'create-device', '-r', '0', '-s', '128M']),
  ...[...RAM].map((i) => ['daxctl', 'reconfigure-device', `dax0.${i}`, '-m', 'system-ram']),
];

function sshOnce(g, argv) {
  return new Promise((resolve) => {
    const p = spawn('ssh', ['-p', String(g.vm.port), '-i', g.identity, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${g.knownHosts}`, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', 'root@127.0.0.1', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

const g = await bootGuest('6.1');
const file = join(g.dir, 'bench.dax');
const resetFile = join(g.dir, 'reset.dax');
writeFileSync(file, layout(g.vm.port));
writeFileSync(resetFile, reset(g.vm.port));
const ssh = sshArgs(g);
const shape = async () => {
  const r = await g.vm.ssh(['daxctl', 'list', '-RDMi']);
  return JSON.parse(r.stdout)[0].devices.map((d) => `${d.chardev} ${d.size} ${d.mode} ${d.movable ?? ''}`).sort();
};
const doReset = async () => {
  const r = await daxlayout(['apply', resetFile, '--yes', '--prune', '--json', ...ssh]);
  const j = JSON.parse(r.stdout);
  assert.ok(['applied', 'no-changes'].includes(j.result), j.message);
};

const ours = [];
const theirs = [];
let roundTrips;
let writes;
let connections;
let shapeOurs;
let shapeTheirs;
try {
  await doReset();
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const r = await daxlayout(['apply', file, '--yes', '--json', ...ssh]);
    ours.push(performance.now() - t);
    const j = JSON.parse(r.stdout);
    assert.equal(j.result, 'applied', j.message);
    roundTrips = j.roundTrips;
    connections = j.connections;
    writes = j.writesTotal;
    shapeOurs = await shape();
    await doReset();

    t = performance.now();
    for (const step of daxctlSteps) {
      const x = await sshOnce(g, step);
      assert.equal(x.code, 0, `${step.join(' ')}: ${x.err}`);
    }
    theirs.push(performance.now() - t);
    shapeTheirs = await shape();
    await doReset();
  }
} finally {
  await g.vm.shutdown();
}
assert.deepEqual(shapeTheirs, shapeOurs, 'daxctl and daxlayout should end in the same device sizes and modes');

const result = {
  kernel: g.vm.release,
  devices: N,
  runs,
  daxlayout: { medianMs: Math.round(median(ours)), runsMs: ours.map(Math.round), writes, roundTrips, connections },
  daxctl: { medianMs: Math.round(median(theirs)), runsMs: theirs.map(Math.round), sshCalls: daxctlSteps.length },
};
console.log(`bench apply (Linux ${result.kernel}, QEMU TCG, ${N} devices: ${N - RAM.size} devdax + ${RAM.size} system-ram movable, ${runs} runs each, alternating):`);
console.log(`  daxlayout apply            ${s(result.daxlayout.medianMs)} median  (${writes} sysfs writes; ${roundTrips} SSH round trips over ${connections} connection: facts, apply, verify)`);
console.log(`  daxctl, one ssh per step   ${s(result.daxctl.medianMs)} median  (${daxctlSteps.length} ssh connections, one daxctl each; no facts, no verification)`);
console.log(`  ratio                      ${(result.daxctl.medianMs / result.daxlayout.medianMs).toFixed(1)}x`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2));
