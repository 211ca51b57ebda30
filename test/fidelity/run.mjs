#!/usr/bin/env node
// test/fidelity/run.mjs — `npm run fidelity`, `npm run test:fidelity`, `npm run bench:fidelity`.
// Prepares the VM cache (test/vm/setup.sh), builds the CLI (server/build.mjs), bundles
// test/fidelity/main.ts with esbuild into test/vm/.cache/fidelity/ and runs it.
//   node test/fidelity/run.mjs [--ci | --bench] [options of main.ts]
//   --ci      the fixed CI seeds: 6.1, 6.12, 6.18, 7.2 and 7.3, 600 writes each (--seed ci), and
//             CXL dax regions, 300 writes each: hmem-cxl on 6.12 (region1, next to hmem.0), cxl1
//             on 7.3 (the kernel suite makes cxl2's region on both kernels, cxl-region-2way.sh)
//   --bench   the bench: the same five kernels, 2,600 writes each (--seed bench), and on 6.12 and
//             7.3 the CXL machines: cxl2 600 writes, cxl1 and hmem-cxl 200 each
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
const CXL = (machines) => ['6.12', '7.3'].flatMap((k) => machines.flatMap((m) => ['--kernel', `${k}@${m}`]));
const CI_CXL = ['--kernel', '6.12@hmem-cxl', '--kernel', '7.3@cxl1'];
preset('--ci', [...ALL, ...CI_CXL, '--ops', '600', '--cxl-ops', '300', '--seq-len', '100', '--seed', 'ci', '--facts-check']);
// --bench in two runs of main: cxl2 with 600 writes, then cxl1 and hmem-cxl with 200
const benchCxl = argv.includes('--bench');
preset('--bench', [...ALL, ...CXL(['cxl2']), '--ops', '2600', '--cxl-ops', '600', '--seq-len', '130', '--seed', 'bench']);

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
let code = await main({ root: ROOT, argv });
if (benchCxl) {
  const more = [...CXL(['cxl1', 'hmem-cxl']), '--ops', '200', '--seq-len', '100', '--seed', 'bench'];
  code = Math.max(code, await main({ root: ROOT, argv: more }));
}
process.exit(code);
