#!/usr/bin/env node
// test/all.mjs — `npm test` (every suite) and `npm run test:vm` (the real-kernel suites).
// Runs each suite as its own npm script, one after another, passing its output through, reads
// the suite's own count from its output, keeps going after a failing suite (so one red suite
// does not hide the state of the others), and ends with one summary line:
//   tests: N passed, M failed
// Exit status: 0 when every suite ran and passed, 1 otherwise.
//   node test/all.mjs            # every suite
//   node test/all.mjs vm         # only the suites that boot real kernels
//   node test/all.mjs --list     # the suites, without running them
//   node test/all.mjs --only unit,apply   # the named suites
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// How each suite states its count (the last match in its output wins).
const counted = (re, f) => (text) => {
  let last;
  for (const m of text.matchAll(re)) last = m;
  return last ? f(last) : undefined;
};
const plain = counted(/^(?:[\w:.-]+: )?(\d+) passed, (\d+) failed/gm, (m) => ({ passed: +m[1], failed: +m[2] }));
const vitest = counted(/^\s*Tests\s+(?:(\d+) failed \| )?(\d+) passed/gm, (m) => ({ passed: +m[2], failed: +(m[1] ?? 0) }));
const checks = counted(/^(\d+)\/(\d+) checks passed/gm, (m) => ({ passed: +m[1], failed: +m[2] - +m[1] }));
// Differential suites: one test per write compared with the real kernel, one per state.
const agreement = counted(/^agreement: (\d+)\/(\d+) writes, (\d+)\/(\d+) states/gm, (m) => ({
  passed: +m[1] + +m[3],
  failed: +m[2] - +m[1] + (+m[4] - +m[3]),
}));

const SUITES = [
  { name: 'unit', script: 'test:unit', what: 'typecheck, lint, build, vitest', count: vitest },
  { name: 'e2e', script: 'test:e2e', what: 'the extension in a real VS Code (code-server)', count: plain },
  { name: 'kernel', script: 'test:vm:kernel', what: 'sim scripts and probes vs Linux 6.1, 6.12, 6.18, 7.2 and 7.3', count: agreement, vm: true },
  { name: 'apply', script: 'test:vm:apply', what: 'plan/apply over SSH on Linux 6.1, 6.12, 6.18, 7.2 and 7.3', count: (t) => plain(t) ?? checks(t), vm: true },
  { name: 'fidelity', script: 'test:fidelity', what: 'random write sequences vs Linux 6.1, 6.12, 6.18, 7.2 and 7.3, and on CXL dax regions (6.12, 7.3)', count: agreement, vm: true },
  { name: 'distro', script: 'test:vm:distro', what: 'persist: a systemd guest that reboots', count: plain, vm: true },
  { name: 'fleet', script: 'test:vm:fleet', what: 'three guests through Ansible and --forks', count: plain, vm: true, optional: true },
];

const args = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',') : undefined;
const selected = SUITES.filter((s) => (args.includes('vm') ? s.vm : true))
  .filter((s) => !s.optional || pkg.scripts?.[s.script])
  .filter((s) => !only || only.includes(s.name));
if (args.includes('--list')) {
  for (const s of selected) console.log(`${s.name.padEnd(9)} npm run ${s.script.padEnd(16)} ${s.what}`);
  process.exit(0);
}

function run(suite) {
  return new Promise((resolvePromise) => {
    const t0 = Date.now();
    console.log(`\n==== ${suite.name}: npm run ${suite.script} (${suite.what})`);
    const child = spawn(npm, ['run', '--silent', suite.script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (chunk, stream) => {
      stream.write(chunk);
      out += chunk.toString('utf8');
      if (out.length > 4_000_000) out = out.slice(-2_000_000); // counts are near the end
    };
    child.stdout.on('data', (c) => keep(c, process.stdout));
    child.stderr.on('data', (c) => keep(c, process.stderr));
    child.on('close', (code, signal) => {
      // eslint-disable-next-line no-control-regex
      const text = out.replace(/\x1b\[[0-9;]*m/g, '');
      const counts = suite.count(text);
      resolvePromise({ suite, code: code ?? 128, signal, counts, ms: Date.now() - t0 });
    });
  });
}

// The unit suite runs shell programs under dash and busybox: install them first when missing
// (a clean Debian machine has neither busybox nor, in containers, always dash).
if (selected.some((s) => s.name === 'unit')) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('sh', [join(ROOT, 'test', 'host-tools.sh')], { stdio: 'inherit' });
  if (r.status !== 0) console.log('[all] test/host-tools.sh failed: the unit suite may miss dash or busybox');
}

const results = [];
for (const suite of selected) results.push(await run(suite));

console.log('\n==== summary');
let passed = 0;
let failed = 0;
for (const r of results) {
  const c = r.counts;
  // A suite that failed without a count of failures (it stopped before testing: a type error, a
  // build or boot failure) counts as one failure; so does one that exits 0 but counted nothing.
  const f = c ? Math.max(c.failed, r.code === 0 ? 0 : 1) : 1;
  const p = c?.passed ?? 0;
  passed += p;
  failed += f;
  const how = r.code === 0 && f === 0 ? 'ok  ' : 'FAIL';
  const note = c ? '' : r.code === 0 ? ' (no count in its output)' : ` (exit ${r.signal ?? r.code}, no count)`;
  console.log(`  ${how} ${r.suite.name.padEnd(9)} ${String(p).padStart(5)} passed, ${String(f).padStart(3)} failed  ${(r.ms / 1000).toFixed(0).padStart(5)} s${note}`);
}
if (!existsSync(join(ROOT, 'server', 'dist', 'cli.cjs'))) console.log('  (server/dist/cli.cjs is missing: the build did not run)');
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && results.every((r) => r.code === 0) ? 0 : 1);
