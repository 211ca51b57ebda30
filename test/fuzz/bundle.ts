// Bundles the worker (worker.ts and what it imports) into one CommonJS file
// that a child process runs. `core: 'dist'` leaves the core out and loads the
// built server/dist/core.cjs instead (what `npm run fuzz` runs, after
// `node server/build.mjs`); `core: 'source'` bundles the core from its
// sources (what the unit test runs: the code as it is in the checkout).

import { build, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export async function bundleWorker(root: string, outfile: string, core: 'dist' | 'source'): Promise<string> {
  const dist = join(root, 'server/dist/core.cjs');
  const plugins: Plugin[] = [];
  if (core === 'dist') {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`node server/build.mjs\` first`);
    plugins.push({
      name: 'core-from-dist',
      setup(b) {
        // server/core/index.ts, from test/fuzz and from server/lsp/markdown.ts
        b.onResolve({ filter: /(^|\/)core\/index$/ }, () => ({ path: dist, external: true }));
      },
    });
  }
  await build({
    entryPoints: [join(root, 'test/fuzz/worker.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
    absWorkingDir: root,
    plugins,
  });
  return outfile;
}
