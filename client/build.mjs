// Builds the extension into client/: dist/extension.js (the client, `vscode` external),
// dist/server.js (the language server from server/lsp, with everything it needs),
// dist/cli.js (the daxlayout CLI from server/cli, which plan, apply and fact capture run),
// and copies the TextMate grammar and language configuration from grammar/, their source of truth,
// the rule pages from docs/rules/ and the quick-start sample from samples/.
//
//   node client/build.mjs               development build (source maps)
//   node client/build.mjs --production  minified, no source maps (what `npm run package` ships)
//   DAXLAYOUT_SERVER_ENTRY=path         bundle another server entry (default server/lsp/main.ts)
import { build } from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const production = process.argv.includes('--production') || process.env.NODE_ENV === 'production';
const serverEntry = process.env.DAXLAYOUT_SERVER_ENTRY || join(root, 'server/lsp/main.ts');
const cliEntry = join(root, 'server/cli/main.ts');

if (!existsSync(serverEntry)) {
  console.error(`client/build.mjs: ${serverEntry} does not exist yet: the extension needs the language server.`);
  process.exit(1);
}

rmSync(join(here, 'dist'), { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: { extension: join(here, 'src/extension.ts') }, outdir: join(here, 'dist'), external: ['vscode'] }),
  build({ ...common, entryPoints: { server: serverEntry }, outdir: join(here, 'dist') }),
  // server/cli/main.ts exports run(), as server/bin/daxlayout.cjs uses it: the bundle calls it.
  build({
    ...common,
    stdin: { contents: `require(${JSON.stringify(cliEntry)}).run();\n`, resolveDir: root, sourcefile: 'cli-entry.js', loader: 'js' },
    outfile: join(here, 'dist/cli.js'),
  }),
]);

mkdirSync(join(here, 'syntaxes'), { recursive: true });
copyFileSync(join(root, 'grammar/syntaxes/dax.tmLanguage.json'), join(here, 'syntaxes/dax.tmLanguage.json'));
copyFileSync(join(root, 'grammar/language-configuration.json'), join(here, 'language-configuration.json'));
// the rule pages, opened offline from a diagnostic's code (server/cli/rule-pages.ts finds them
// beside dist/), and the quick-start layout with its facts (DAX: Open the Quick-Start Layout)
rmSync(join(here, 'docs'), { recursive: true, force: true });
cpSync(join(root, 'docs/rules'), join(here, 'docs/rules'), { recursive: true });
mkdirSync(join(here, 'samples'), { recursive: true });
for (const f of ['quickstart.dax', 'linux-6.1.facts.json']) copyFileSync(join(root, 'samples', f), join(here, 'samples', f));
