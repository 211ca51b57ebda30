#!/usr/bin/env node
// test/vm/run-all.mjs (`npm run test:vm:kernel`, part of `npm run test:vm`): prepares the cache (test/vm/setup.sh), builds the
// CLI, then runs every real-kernel script on a fresh boot of its kernel and compares it with
// `daxlayout sim`. Prints each script's report and a summary; exits 1 on any disagreement
// (write outcome, state, or a fixture's `# expect:` comment contradicted by the real kernel).
//   npm run test:vm                      # all runs
//   npm run test:vm:kernel -- --only 6.12       # runs whose kernel or script name contains 6.12
//   npm run test:vm:kernel -- --final-only      # compare only final states (no per-write daxctl list)
//   npm run test:vm:kernel -- --capture         # give the model a capture dump instead of daxctl JSON
//   npm run test:vm:kernel -- --no-probes       # skip the edge probes and the region_idle boots
//   npm run test:vm:kernel -- --only cxl-region # only the CXL runs (cxl-region-2way.sh)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, runScript } from './run-script.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'sim');
// Each script runs as its kernel has it (run-script.mjs forKernel): lines marked `# only: K…` on
// those kernels only, the hmem region at its 7.2+ path (hmem_platform.0) on 7.2 and later.
export const RUNS = [
  { kernel: '6.1', script: join(FIX, 'real-6.1.sh') },
  { kernel: '6.12', script: join(FIX, 'real-6.12.sh') },
  { kernel: '6.1', script: join(FIX, 'ndctl-create-test2.sh') },
  // on 6.12 dax0.0 starts bound to kmem: the same test with the first unbind from kmem
  { kernel: '6.12', script: join(HERE, 'scripts', 'ndctl-create-test2-6.12.sh') },
  // Newer kernels (docs/kernel-facts.md §16): fewer scripts each, to keep the suite's time.
  // 6.18 has 6.12's ABI; 7.2+ moves the hmem region under hmem_platform.0; 7.3 adds kmem `state`.
  { kernel: '6.18', script: join(FIX, 'real-6.12.sh') },
  { kernel: '7.2', script: join(FIX, 'real-6.12.sh') },
  { kernel: '7.2', script: join(HERE, 'scripts', 'ndctl-create-test2-6.12.sh') },
  { kernel: '7.3', script: join(FIX, 'real-6.12.sh') },
  { kernel: '7.3', script: join(HERE, 'scripts', 'kmem-state-7.3.sh') },
  // CXL (docs/cxl.md): a RAM region of interleave 2 created through sysfs, its dax region split,
  // the region deleted; the CXL state is compared after every write too. QEMU 10 guests boot in
  // about a minute: 7.3 compares every write's answer but only the final state (every: false).
  { kernel: '6.12', machine: 'cxl2', script: join(HERE, 'scripts', 'cxl-region-2way.sh') },
  { kernel: '7.3', machine: 'cxl2', script: join(HERE, 'scripts', 'cxl-region-2way.sh'), every: false },
  // the plan of samples/cxl2-6.12.dax (a `cxl region` made, then its dax region split): every
  // write's answer and the final state on 7.3, where the region's dax device is probed after the
  // bind returns and the plan's wait (`# settle:`) is needed (docs/cxl.md); 6.12 by hand
  { kernel: '7.3', machine: 'cxl2', script: join(HERE, 'scripts', 'cxl-plan-sample.sh'), every: false },
];
export const PROBES = [
  { kernel: '6.1', script: join(HERE, 'scripts', 'probe.sh') },
  { kernel: '6.12', script: join(HERE, 'scripts', 'probe.sh') },
  // region_idle cannot be seen in daxctl JSON: these runs give the model a capture dump
  { kernel: '6.1', script: join(HERE, 'scripts', 'idle.sh'), regionIdle: true, capture: true },
  { kernel: '6.12', script: join(HERE, 'scripts', 'idle.sh'), regionIdle: true, capture: true },
  { kernel: '6.18', script: join(HERE, 'scripts', 'probe.sh') },
  { kernel: '7.3', script: join(HERE, 'scripts', 'probe.sh') },
];

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const every = !args.includes('--final-only');
const capture = args.includes('--capture');
const runs = [...RUNS, ...(args.includes('--no-probes') ? [] : PROBES)];
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;

const t0 = Date.now();
execFileSync('sh', [join(HERE, 'setup.sh')], { stdio: 'inherit' });
const tSetup = Date.now();
build();
const tBuild = Date.now();
const results = [];
let harnessError = false;
for (const r of runs.filter((x) => !only || x.kernel === only || x.script.includes(only))) {
  const t = Date.now();
  try {
    const res = await runScript({ capture, ...r, every: every && (r.every ?? true) });
    results.push({ ...res, totalMs: Date.now() - t });
  } catch (e) {
    harnessError = true;
    console.log(`!! ${r.script} on ${r.kernel}: harness error: ${e.message}`);
    results.push({ script: r.script, kernel: r.kernel, ok: false, error: e.message, totalMs: Date.now() - t });
  }
  console.log('');
}
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
console.log(`summary (setup ${s(tSetup - t0)}, build ${s(tBuild - tSetup)}, total ${s(Date.now() - t0)}):`);
for (const r of results) {
  if (r.error) { console.log(`  ${r.kernel.padEnd(5)} ${r.script}: ERROR ${r.error.split('\n')[0]}`); continue; }
  console.log(`  ${r.kernel.padEnd(5)} ${(r.script + (r.regionIdle ? ' (region_idle)' : '') + (r.machine && r.machine !== 'hmem' ? ` (${r.machine})` : '')).padEnd(46)} ${r.ok ? 'PASS' : 'FAIL'}  writes ${r.agreeWrites}/${r.writes}, states ${r.agreeStates}/${r.states}, expect-comment mismatches ${r.expectBad.length}  (boot ${s(r.timings.bootMs)}, guest ${s(r.timings.guestRunMs)}, sim ${s(r.timings.simMs)}, total ${s(r.totalMs)})`);
}
const W = results.reduce((a, r) => a + (r.writes ?? 0), 0), Wa = results.reduce((a, r) => a + (r.agreeWrites ?? 0), 0);
const S = results.reduce((a, r) => a + (r.states ?? 0), 0), Sa = results.reduce((a, r) => a + (r.agreeStates ?? 0), 0);
console.log(`agreement: ${Wa}/${W} writes, ${Sa}/${S} states over ${results.length} runs`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
process.exit(harnessError ? 2 : results.every((r) => r.ok) ? 0 : 1);
