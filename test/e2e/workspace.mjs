// The workspace the e2e runs open: a fresh copy of samples/ (and, for the suite,
// test/e2e/fixtures/) in a folder named "samples", so that tests never edit the repository.
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

export function makeWorkspace(parent, { fixtures = true } = {}) {
  const ws = join(parent, 'samples');
  mkdirSync(ws, { recursive: true });
  for (const src of [join(root, 'samples'), ...(fixtures ? [join(here, 'fixtures')] : [])]) {
    if (!existsSync(src)) continue;
    for (const f of readdirSync(src)) cpSync(join(src, f), join(ws, f), { recursive: true });
  }
  return ws;
}

/** VS Code user settings for a test profile: nothing that steals focus or reaches out. */
export const testSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'editor.hover.delay': 300,
};
