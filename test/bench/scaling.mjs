#!/usr/bin/env node
// npm run bench:scaling: how a full analysis grows with the layout, from ~1,000 to ~100,000
// lines, at two host densities:
//
//   fleet — test/bench/same-content.mjs hosts (real-6.1-shaped facts, 128 MiB memory blocks,
//           2 TiB regions, 20 devices of which three system-ram: 8,192 memory blocks per host),
//           more hosts per size;
//   dense — test/bench/generate.mjs design hosts with 32 devices each (2 GiB blocks, 1 TiB
//           regions), more hosts per size.
//
// Each size: core.analyzeFleet (as `daxlayout check` runs it, facts read from memory), no
// cache, the median of a few runs. Prints the time per size, the exponent of a least-squares
// fit of log(time) against log(lines) and the pairwise exponents (issue 17 asks for ≤ 1.05).
// The machine is shared: the figures hold within one run. Knobs: SCALING_MAX_LINES (100000),
// SCALING_RUNS (3; 1 above 30,000 lines).

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { sameContent } from './same-content.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'server/dist/core.cjs');
if (!existsSync(dist)) {
  console.error(`bench scaling: ${dist} is missing; run \`node server/build.mjs\` first`);
  process.exit(2);
}
const core = createRequire(import.meta.url)(dist);
const MAX = Number(process.env.SCALING_MAX_LINES ?? 100_000);
const RUNS = Number(process.env.SCALING_RUNS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const densities = {
  fleet: (hosts) => {
    const c = sameContent(hosts, 20);
    const files = new Map(c.facts);
    return { text: c.dax, readFacts: (p) => (files.has(p) ? { text: files.get(p) } : { error: `no file ${p}` }) };
  },
  dense: (hosts) => ({ text: generate(hosts, 32).dax, readFacts: (p) => ({ error: `no file ${p}` }) }),
};

function hostsFor(make, lines) {
  const per = make(4).text.split('\n').length / 4;
  return Math.max(1, Math.round(lines / per));
}

// warm the JIT on a mid-sized layout of each density first
for (const make of Object.values(densities)) {
  const { text, readFacts } = make(hostsFor(make, 3_000));
  for (let i = 0; i < 3; i++) core.analyzeFleet(text, { readFacts, prune: false });
}
console.log(`bench scaling: node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
let worst = 0;
for (const [name, make] of Object.entries(densities)) {
  const points = [];
  for (const target of [1_000, 3_000, 10_000, 30_000, 100_000].filter((n) => n <= MAX)) {
    const { text, readFacts } = make(hostsFor(make, target));
    const lines = text.split('\n').length;
    const a = core.analyzeFleet(text, { readFacts, prune: false }); // a check, and a warm-up
    if (lines < 30_000) core.analyzeFleet(text, { readFacts, prune: false });
    const errors = a.findings.filter((f) => f.severity === 'error');
    if (errors.length) {
      console.error(`bench scaling: the ${name} layout of ${lines} lines has errors: ${errors[0].code} ${errors[0].message}`);
      process.exit(2);
    }
    const times = [];
    for (let i = 0; i < (lines > 30_000 ? 1 : RUNS); i++) {
      const t = performance.now();
      core.analyzeFleet(text, { readFacts, prune: false });
      times.push(performance.now() - t);
    }
    points.push({ lines, ms: median(times) });
    console.log(`  ${name.padEnd(5)} ${String(lines).padStart(7)} lines  ${median(times).toFixed(0).padStart(6)} ms  (${(median(times) / lines * 1000).toFixed(1)} µs/line)`);
  }
  const xs = points.map((p) => Math.log(p.lines));
  const ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const pairs = points.slice(1).map((p, i) => (Math.log(p.ms / points[i].ms) / Math.log(p.lines / points[i].lines)).toFixed(2));
  worst = Math.max(worst, slope);
  console.log(`  ${name}: exponent ${slope.toFixed(2)} (least squares over ${points.length} sizes; pairwise ${pairs.join(', ')}); target ≤ 1.05: ${slope <= 1.05 ? 'met' : 'not met'}`);
}
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
