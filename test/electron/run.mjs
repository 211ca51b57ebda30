#!/usr/bin/env node
// Runs the same extension-host suite (test/e2e/out/index.js) in desktop VS Code through
// @vscode/test-electron, which downloads a VS Code build (not possible on machines without
// access to Microsoft's update servers, such as CI here: there `npm run test:e2e` runs the
// suite in code-server instead).
//
//   npm run test:electron                      newest stable VS Code
//   VSCODE_VERSION=1.91.0 npm run test:electron  the oldest VS Code the manifest accepts
import { runTests } from '@vscode/test-electron';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeWorkspace, testSettings } from '../e2e/workspace.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'daxlayout-electron-'));
const userData = join(tmp, 'user-data');
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(join(userData, 'User/settings.json'), JSON.stringify(testSettings, null, 2));
const workspace = makeWorkspace(tmp);

let code = 0;
try {
  await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: join(root, 'client'),
    extensionTestsPath: join(root, 'test/e2e/out/index.js'),
    launchArgs: [
      workspace,
      '--disable-extensions', // other installed extensions; the one under development still loads
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir', userData,
      '--extensions-dir', join(tmp, 'extensions'),
    ],
  });
} catch (err) {
  console.error(`test:electron failed: ${err instanceof Error ? err.message : String(err)}`);
  code = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
