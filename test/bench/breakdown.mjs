// Where the time of a full analysis goes (parse, lower, plan + simulate, rules), in one run.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generate } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'daxlayout-bench-')), 'parts.cjs');
await build({
  stdin: {
    contents: `export { parse } from './grammar/src/index'; export { lower } from './server/core/layout/lower'; export { analyze } from './server/core/pipeline/analyze';`,
    resolveDir: join(here, '../..'),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: out,
  logLevel: 'error',
});
const m = createRequire(import.meta.url)(out);
const { dax } = generate(50, 20);
const median = (f, n = 31) => {
  for (let i = 0; i < 5; i++) f();
  const t = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[n >> 1];
};
const ast = m.parse(dax);
const p = median(() => m.parse(dax));
const l = median(() => m.lower(ast));
const a = median(() => m.analyze(dax));
console.log(`parse ${p.toFixed(2)} ms, lower ${l.toFixed(2)} ms, full analysis ${a.toFixed(2)} ms (plan + simulate + rules ≈ ${(a - p - l).toFixed(2)} ms)`);
