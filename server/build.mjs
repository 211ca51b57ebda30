// Bundles the CLI and the language server (server/dist/server.cjs, and its
// analysis worker server/dist/analysis-worker.cjs, which server.cjs finds beside
// itself) with esbuild.
// server/core is also bundled once for the neutral platform, so that any Node
// built-in imported by the pure core fails the build.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const production = process.env.NODE_ENV === 'production';

await build({
  entryPoints: { cli: join(here, 'cli/main.ts'), server: join(here, 'lsp/main.ts'), 'analysis-worker': join(here, 'lsp/analysis-worker.ts') },
  outdir: join(here, 'dist'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  logLevel: 'warning',
});

// The core as a CommonJS bundle, for the bench (test/bench/run.mjs).
await build({
  entryPoints: { core: join(here, 'core/index.ts') },
  outdir: join(here, 'dist'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
});

// Purity check: the core must bundle without Node built-ins.
await build({
  entryPoints: [join(here, 'core/index.ts')],
  bundle: true,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  write: false,
  logLevel: 'error',
});
