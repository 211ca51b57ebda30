#!/usr/bin/env node
// test/fidelity/run.mjs — `npm run fidelity`, `npm run test:fidelity`, `npm run bench:fidelity`.
// Prepares the VM cache (test/vm/setup.sh), builds the CLI (server/build.mjs), bundles
// test/fidelity/main.ts with esbuild into test/vm/.cache/fidelity/ and runs it.
//   node test/fidelity/run.mjs [--ci | --bench] [options of main.ts]
//   --ci      the fixed CI seeds: 6.1, 6.12, 6.18, 7.2 and 7.3, 600 writes each (--seed ci)
//   --bench   the bench: the same five kernels, 2,600 writes each (--seed bench)
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
let argv = process.argv.slice(2);
const preset = (flag, args) => {
  const i = argv.indexOf(flag);
  if (i < 0) return;
  argv.splice(i, 1);
  argv = [...args, ...argv];
};
const ALL = ['6.1', '6.12', '6.18', '7.2', '7.3'].flatMap((k) => ['--kernel', k]);
preset('--ci', [...ALL, '--ops', '600', '--seq-len', '100', '--seed', 'ci', '--facts-check']);
preset('--bench', [...ALL, '--ops', '2600', '--seq-len', '130', '--seed', 'bench']);

const genOnly = argv.includes('--gen-only');
if (!genOnly) {
  // only the kernels this run boots (setup.sh alone prepares every kernel of test/vm)
  const kernels = [
    ...new Set(
      argv.flatMap((a, i) => (a === '--kernel' && argv[i + 1] ? argv[i + 1].split(',').map((k) => k.split('@')[0]) : [])),
    ),
  ];
  execFileSync('sh', [join(ROOT, 'test', 'vm', 'setup.sh'), ...(kernels.length ? kernels : ['6.1', '6.12'])], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(process.execPath, [join(ROOT, 'server', 'build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
const out = join(ROOT, 'test', 'vm', '.cache', 'fidelity');
mkdirSync(out, { recursive: true });
const bundle = join(out, 'main.mjs');
await build({
  entryPoints: [join(HERE, 'main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
const { main } = await import(pathToFileURL(bundle).href);
const code = await main({ root: ROOT, argv });
process.exit(code);
