// Compiles the extension-host suite (test/e2e/suite/*.ts) to CommonJS in test/e2e/out/,
// one file per source file, for the extension host to load. `vscode` and `mocha` stay
// requires: the extension host provides the first, node_modules the second.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'suite');
rmSync(join(here, 'out'), { recursive: true, force: true });
await build({
  entryPoints: readdirSync(src).filter((f) => f.endsWith('.ts')).map((f) => join(src, f)),
  outdir: join(here, 'out'),
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});
