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
  entryPoints: {
    cli: join(here, 'cli/main.ts'),
    server: join(here, 'lsp/main.ts'),
    'analysis-worker': join(here, 'lsp/analysis-worker.ts'),
  },
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

// The V8 code cache of the CLI bundle (server/bin/daxlayout.cjs reads it): written by a `check`
// of a sample layout with facts, so that it holds the bytecode of what a check runs. It is valid
// for this node version only; the bin falls back to compiling without it.
{
  const { spawnSync } = await import('node:child_process');
  const { rmSync } = await import('node:fs');
  const cache = join(here, 'dist/cli.cjs.v8cache');
  rmSync(cache, { force: true });
  const r = spawnSync(
    process.execPath,
    [join(here, 'bin/daxlayout.cjs'), 'check', join(here, '../samples/quickstart.dax')],
    {
      env: { ...process.env, DAXLAYOUT_CODE_CACHE: 'write' },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0 && r.status !== 1) {
    rmSync(cache, { force: true });
    console.warn(
      `server/build.mjs: no code cache for the CLI (the check it runs exited ${r.status ?? r.signal}): ${r.stderr.slice(0, 300)}`,
    );
  }
}
