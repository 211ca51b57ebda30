#!/usr/bin/env node
// npm run bench:parse: the grammar's parse alone (grammar/src: lex, parse, AST), on
//
//   fleet  — the 1 801-line fleet layout of `npm run bench:compare` (test/bench/same-content.mjs);
//   edit   — a one-character edit in its middle host, re-parsed (grammar/src/incremental.ts);
//   and inputs past 100 KB that must parse in time linear in their size: 50 000 region headers
//   left open (800 KB), 10 000 unquoted ssh values (80 KB, each an error), 20 000 stray tokens
//   in a host block, a 400 KB number and 200 000 unexpected characters — each also at a quarter
//   of its size, and the ratio of the two times printed (4 for linear time).
//
// `--against REV` also bundles grammar/src as it is at git revision REV and runs both, interleaved
// (so both see the same machine load), checking first that both give the same parse of every
// input; the ratio new/old is printed per input. Medians of CPU time (user + system, which a
// loaded machine inflates less than wall time) and of wall time per parse (measured over batches of
// parses of about 50 ms, so each pays for its share of the garbage collections), from one run:
// compare within it.
// Knobs: BENCH_PARSE_RUNS (fleet runs, 41; the large inputs run a fifth as often, at least 5).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { build } from 'esbuild';
import { sameContent } from './same-content.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const against = args.includes('--against') ? args[args.indexOf('--against') + 1] : undefined;
const RUNS = Math.max(5, Number(process.env.BENCH_PARSE_RUNS ?? 41));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const tmp = mkdtempSync(join(tmpdir(), 'daxlayout-bench-parse-'));
/** Bundles grammar/src/index.ts of the tree at `dir` and loads it. */
async function grammarAt(dir, name) {
  const outfile = join(tmp, `${name}.cjs`);
  await build({
    entryPoints: [join(dir, 'grammar/src/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
    nodePaths: [join(root, 'node_modules')],
  });
  return require(outfile);
}

const versions = [{ name: 'this tree', g: await grammarAt(root, 'current') }];
if (against) {
  const old = join(tmp, 'old');
  execFileSync('mkdir', ['-p', old]);
  const archive = execFileSync('git', ['archive', against, 'grammar/src'], { cwd: root, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', old], { input: archive });
  versions.push({ name: against, g: await grammarAt(old, 'old') });
}

const fleet = sameContent().dax;
const at = fleet.indexOf('size 32G', Math.floor(fleet.length / 2)) + 'size 3'.length;
const edited = fleet.slice(0, at) + '3' + fleet.slice(at + 1); // size 32G → size 33G
if (fleet.charAt(at) !== '2') throw new Error('bench parse: the edit position moved');
const large = {
  'open regions': (n) => 'region 0 on h { '.repeat(n),
  'unquoted strings': (n) => 'host h {\n' + 'ssh a@b\n'.repeat(n) + '}\n',
  'stray tokens': (n) => 'host h {\n' + '1 .. "x" , '.repeat(n) + '}\n',
  'a long number': (n) => 'region 0 { size ' + '9'.repeat(n) + ' }\n',
  'unexpected characters': (n) => 'host h {\n' + '@ '.repeat(n) + '}\n',
};
const sizes = {
  'open regions': 50_000,
  'unquoted strings': 10_000,
  'stray tokens': 20_000,
  'a long number': 400_000,
  'unexpected characters': 200_000,
};

/** Inputs: [label, run(g) → result to compare, runs]. */
const inputs = [
  ['fleet, 1 801 lines (parse)', (g) => g.parse(fleet), RUNS],
  ['one-character edit (reparse)', (g, old) => g.reparse(old, fleet, edited), RUNS, (g) => g.parse(fleet)],
];
for (const [label, gen] of Object.entries(large)) {
  const n = sizes[label];
  const small = gen(n / 4);
  const big = gen(n);
  const runs = Math.max(5, Math.floor(RUNS / 5));
  inputs.push([`${label}, ${(small.length / 1000).toFixed(0)} KB`, (g) => g.parse(small), runs]);
  inputs.push([`${label}, ${(big.length / 1000).toFixed(0)} KB`, (g) => g.parse(big), runs]);
}

/** One measurement: `batch` runs back to back (so each pays for its share of the garbage collections), per run. */
function measure(fn, batch) {
  const c = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < batch; i++) fn();
  const wall = performance.now() - t;
  const d = process.cpuUsage(c);
  return { wall: wall / batch, cpu: (d.user + d.system) / 1000 / batch };
}

console.log(`bench parse: load average ${loadavg()[0].toFixed(1)} at the start; medians; ms`);
const results = new Map();
for (const [label, run, runs, prepare] of inputs) {
  const prepared = versions.map((v) => (prepare ? prepare(v.g) : undefined));
  if (versions.length === 2) {
    const [a, b] = versions.map((v, i) => run(v.g, prepared[i]));
    if (!isDeepStrictEqual(a, b)) {
      console.error(`bench parse: ${label}: this tree and ${against} parse it differently`);
      process.exitCode = 1;
    }
  }
  // warm up, size the batches, then interleave
  for (let i = 0; i < 3; i++) versions.forEach((v, j) => run(v.g, prepared[j]));
  const once = measure(() => run(versions[0].g, prepared[0]), 1).cpu;
  const batch = Math.max(1, Math.min(50, Math.round(50 / Math.max(once, 0.01))));
  const times = versions.map(() => ({ wall: [], cpu: [] }));
  for (let i = 0; i < runs; i++) {
    // ABBA: neither version always goes first
    const order = i % 2 ? versions.map((_, j) => versions.length - 1 - j) : versions.map((_, j) => j);
    for (const j of order) {
      const m = measure(() => run(versions[j].g, prepared[j]), batch);
      times[j].wall.push(m.wall);
      times[j].cpu.push(m.cpu);
    }
  }
  const med = times.map((t) => ({ wall: median(t.wall), cpu: median(t.cpu) }));
  results.set(label, med);
  const cols = med.map((m, j) => `${versions[j].name}: CPU ${m.cpu.toFixed(2)} · wall ${m.wall.toFixed(2)}`);
  const ratio = med.length === 2 ? `  new/old CPU ${(med[0].cpu / med[1].cpu).toFixed(2)}×` : '';
  console.log(`${label.padEnd(34)} ${cols.join('   ')}${ratio}  (${runs} × ${batch} runs)`);
}
console.log('growth from a quarter of the size to the whole (CPU; 4 is linear):');
for (const label of Object.keys(large)) {
  const keys = [...results.keys()].filter((k) => k.startsWith(label + ','));
  const [q, w] = keys.map((k) => results.get(k));
  console.log(
    `  ${label.padEnd(24)} ${versions.map((v, j) => `${v.name} ${(w[j].cpu / q[j].cpu).toFixed(1)}`).join('   ')}`,
  );
}
console.log(`load average at the end: ${loadavg()[0].toFixed(1)}`);
rmSync(tmp, { recursive: true, force: true });
