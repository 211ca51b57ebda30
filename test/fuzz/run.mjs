#!/usr/bin/env node
// `npm run fuzz`: builds the core (node server/build.mjs → server/dist/core.cjs), bundles the
// fuzzer (cli.ts) into test/fuzz/.out/, which bundles its child-process worker (worker.ts,
// loading server/dist/core.cjs), then runs it with the arguments given. See test/fuzz/README.md.
//   node test/fuzz/run.mjs --seed 7 --minutes 15
//   node test/fuzz/run.mjs --seed 7 --count 20000 --workers 2 --timeout 10000
//   node test/fuzz/run.mjs --replay test/fuzz/regressions
import { execFileSync, spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const out = join(here, '.out');
const args = process.argv.slice(2);

if (!args.includes('--no-build')) execFileSync(process.execPath, [join(root, 'server/build.mjs')], { stdio: 'inherit', cwd: root });
await build({
  entryPoints: [join(here, 'cli.ts')],
  outfile: join(out, 'cli.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['esbuild'],
  logLevel: 'error',
  absWorkingDir: root,
});
const r = spawnSync(process.execPath, [join(out, 'cli.cjs'), '--root', root, ...args.filter((a) => a !== '--no-build')], { stdio: 'inherit', cwd: root });
process.exitCode = r.status ?? 2;
