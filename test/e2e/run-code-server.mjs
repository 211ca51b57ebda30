#!/usr/bin/env node
// Runs the extension in a real VS Code here: code-server 4.100.3 (VS Code 1.100) in headless
// Debian Chromium, driven by playwright-core. Two parts, one code-server:
//
//   suite  the mocha suite (test/e2e/out/index.js) inside the real extension host, loaded
//          through the workbench URL's `payload` (extensionDevelopmentPath=client,
//          extensionTestsPath=the suite). Its result comes back through codeAutomationExit.
//   ui     a person's view: open samples/mistakes.dax from the explorer, wait for a squiggle,
//          hover it, take a screenshot. With --vsix, of the packaged extension
//          (client/daxlayout-<version>.vsix, `npm run package`) installed as a user would;
//          otherwise of client/ loaded as an extension under development. Then the region
//          map and the layout tree (ui-map.mjs): out/map.png, out/tree.png.
//
//   node test/e2e/run-code-server.mjs [--suite] [--ui] [--vsix] [--screenshot PATH] [--keep] [--verbose]
//
// With neither --suite nor --ui both run. Build first (`npm run test:e2e` does). Install the
// harness with test/e2e/install.sh. DAXLAYOUT_E2E_TOOLS overrides where it was installed.
// Exit code: 0 when everything passed, 1 on a failure, 2 when the harness itself failed.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { makeWorkspace, testSettings } from './workspace.mjs';
import { mapUi } from './ui-map.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const CODE_SERVER_VERSION = '4.100.3';
const tools = join(process.env.DAXLAYOUT_E2E_TOOLS || join(homedir(), '.cache/daxlayout-e2e'), `code-server-${CODE_SERVER_VERSION}`);
const codeServerBin = join(tools, 'node_modules/.bin/code-server');
const chromiumPath = process.env.DAXLAYOUT_E2E_CHROMIUM || '/usr/bin/chromium';

const STARTUP_TIMEOUT_MS = 60_000; // code-server answering /healthz
const SUITE_TIMEOUT_MS = 240_000; // the whole mocha suite
const UI_TIMEOUT_MS = 180_000; // the UI check (with the map and the tree)
const REPORT_TAG = '[e2e-report] '; // marks the suite's own lines among the workbench's logging

// ---- arguments -------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runSuite = flag('--suite') || !flag('--ui');
const runUi = flag('--ui') || !flag('--suite');
const screenshotPath = resolve(option('--screenshot') ?? join(here, 'out/editor.png'));
const mapScreenshot = option('--map-screenshot') && resolve(option('--map-screenshot'));
const keep = flag('--keep');
const vsix = flag('--vsix') && runUi ? join(root, 'client', `daxlayout-${JSON.parse(readFileSync(join(root, 'client/package.json'), 'utf8')).version}.vsix`) : undefined;
const verbose = flag('--verbose');

const log = (...a) => console.log('[e2e]', ...a);
/** One screenshot per feature the suite covers (`e2e-shot: NAME` → out/shots/NAME.png). */
const shotsDir = join(here, 'out/shots');
rmSync(shotsDir, { recursive: true, force: true });
mkdirSync(shotsDir, { recursive: true });

// ---- preconditions ---------------------------------------------------------------------------
function need(path, hint) {
  if (!existsSync(path)) {
    console.error(`[e2e] missing ${path}\n[e2e] ${hint}`);
    process.exit(2);
  }
}
need(codeServerBin, 'install the harness first: bash test/e2e/install.sh');
need(chromiumPath, 'install Chromium first: bash test/e2e/install.sh');
need(join(root, 'client/dist/extension.js'), 'build the extension first: node client/build.mjs');
need(join(root, 'client/dist/server.js'), 'build the extension first: node client/build.mjs');
if (runSuite) need(join(here, 'out/index.js'), 'build the suite first: node test/e2e/build.mjs');
if (vsix) need(vsix, 'package the extension first: npm run package');
const { chromium } = createRequire(join(tools, 'package.json'))('playwright-core');

// ---- a private home for code-server ---------------------------------------------------------
const tmp = mkdtempSync(join(tmpdir(), 'daxlayout-e2e-'));
const dirs = {
  home: join(tmp, 'home'),
  config: join(tmp, 'xdg-config'),
  data: join(tmp, 'xdg-data'),
  userData: join(tmp, 'user-data'),
  extensions: join(tmp, 'extensions'),
};
for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
mkdirSync(join(dirs.userData, 'User'), { recursive: true });
writeFileSync(join(dirs.userData, 'User/settings.json'), JSON.stringify(testSettings, null, 2));

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

// ---- code-server, in its own process group ---------------------------------------------------
let codeServer;
let browser;
let cleanedUp = false;

const codeServerEnv = {
  ...process.env,
  HOME: dirs.home,
  XDG_CONFIG_HOME: dirs.config,
  XDG_DATA_HOME: dirs.data,
  XDG_CACHE_HOME: join(tmp, 'xdg-cache'),
  // The extension host inherits this environment: no developer NODE_OPTIONS in it.
  NODE_OPTIONS: '',
  DAXLAYOUT_E2E_TAG: REPORT_TAG,
  // the suite asks for a screenshot per feature (`e2e-shot: NAME`) and waits for the file here
  DAXLAYOUT_E2E_SHOTS: shotsDir,
};
const profileArgs = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

/** Installs the packaged extension into the private extensions dir, as a user would. */
async function installVsix(path) {
  const child = spawn(codeServerBin, [...profileArgs, '--install-extension', path], { env: codeServerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await withTimeout(new Promise((r) => child.on('exit', r)), 60_000, `code-server --install-extension ${path}`);
  if (code !== 0 || !/successfully installed/.test(output)) throw new Error(`installing ${path} failed:\n${output}`);
  log(`installed ${path.slice(root.length + 1)}`);
}

async function startCodeServer(port) {
  const logFile = join(tmp, 'code-server.log');
  const out = createWriteStream(logFile);
  codeServer = spawn(
    codeServerBin,
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      ...profileArgs,
    ],
    {
      detached: true, // its own process group: the extension host and watcher die with it
      stdio: ['ignore', 'pipe', 'pipe'],
      env: codeServerEnv,
    },
  );
  codeServer.stdout.pipe(out);
  codeServer.stderr.pipe(out);
  let exited = false;
  codeServer.on('exit', (code, signal) => {
    exited = true;
    if (!cleanedUp) log(`code-server exited early (code ${code}, signal ${signal}); its log: ${logFile}`);
  });

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer /healthz within ${STARTUP_TIMEOUT_MS / 1000} s (log: ${logFile})`);
}

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  try {
    await browser?.close();
  } catch {
    // already gone
  }
  if (codeServer?.pid) {
    const group = -codeServer.pid;
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      // already gone
    }
    const gone = await waitForGroupExit(group, 5000);
    if (!gone) {
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (!keep) rmSync(tmp, { recursive: true, force: true });
  else log(`kept ${tmp}`);
}

async function waitForGroupExit(group, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      process.kill(group, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

// A closed stdout (`… | head`) must not kill the launcher before it has stopped code-server.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping code-server`);
    void cleanup().then(() => process.exit(130));
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function newPage() {
  browser ??= await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  return context.newPage();
}

function workbenchUrl(port, folder, extras) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  if (extras.installed) return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  const payload = [['extensionDevelopmentPath', remote(join(root, 'client'))]];
  if (extras.testsPath) payload.push(['extensionTestsPath', remote(extras.testsPath)]);
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** A screenshot of what the suite shows now; written under a temporary name, then renamed (the suite waits for the name). */
async function takeShot(page, name) {
  const file = join(shotsDir, `${name}.png`);
  try {
    await page.screenshot({ path: `${file}.part.png`, animations: 'disabled' });
    renameSync(`${file}.part.png`, file);
    log(`screenshot ${relative(root, file)}`);
  } catch (err) {
    log(`screenshot ${name} failed: ${err.message}`);
    writeFileSync(`${file}.failed`, String(err.message));
  }
}

// ---- part 1: the mocha suite inside the extension host --------------------------------------
async function suite(port) {
  const folder = makeWorkspace(join(tmp, 'suite'));
  const page = await newPage();
  let summary;
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  // Everything the workbench and the extension host log arrives here. The suite's report
  // lines carry REPORT_TAG and go to stdout; the rest goes to workbench.log (shown on failure).
  const workbenchLog = createWriteStream(join(tmp, 'workbench.log'));
  const recent = [];
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    for (const line of text.split('\n')) {
      if (line.startsWith(REPORT_TAG)) {
        const report = line.slice(REPORT_TAG.length);
        const m = /^e2e-summary: (\d+) passed, (\d+) failed/.exec(report);
        const shot = /^e2e-shot: ([a-z0-9-]+)$/.exec(report);
        if (m) summary = { passed: Number(m[1]), failed: Number(m[2]) };
        else if (shot) void takeShot(page, shot[1]);
        else process.stdout.write(`${report}\n`);
      } else {
        workbenchLog.write(`[${type}] ${line}\n`);
        recent.push(`[${type}] ${line}`);
        if (recent.length > 60) recent.shift();
        if (verbose) process.stdout.write(`  | [${type}] ${line}\n`);
      }
    }
  });
  page.on('pageerror', (err) => log(`page error: ${err.message}`));

  log('running the extension-host suite');
  const t0 = Date.now();
  await page.goto(workbenchUrl(port, folder, { testsPath: join(here, 'out/index.js') }));
  const showRecent = () => {
    if (verbose) return;
    console.log(`[e2e] the workbench's last log lines (all of them with --verbose; --keep keeps ${join(tmp, 'workbench.log')}):`);
    for (const line of recent) console.log(`  | ${line}`);
  };
  let code;
  try {
    code = await withTimeout(exited, SUITE_TIMEOUT_MS, 'the extension-host suite did not report back (codeAutomationExit)');
  } catch (err) {
    showRecent();
    throw err;
  }
  log(`extension-host suite exited with ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (code !== 0) showRecent();
  await page.context().close();
  return { code, summary };
}

// ---- part 2: what a person sees --------------------------------------------------------------
async function ui(port) {
  const folder = makeWorkspace(join(tmp, 'ui'), { fixtures: false });
  const page = await newPage();
  const t0 = Date.now();
  log(`UI (${vsix ? 'the installed VSIX' : 'client/ under development'}): opening mistakes.dax from the explorer`);
  await page.goto(workbenchUrl(port, folder, { installed: Boolean(vsix) }));

  // The explorer lists the workspace; click the file's row.
  const row = page.locator('.explorer-folders-view .monaco-list-row[aria-label^="mistakes.dax"], .explorer-folders-view .monaco-list-row:has-text("mistakes.dax")').first();
  await row.waitFor({ state: 'visible', timeout: 60_000 });
  await row.click();
  await page.locator('.tabs-container .tab:has-text("mistakes.dax")').first().waitFor({ timeout: 30_000 });

  // The language server's diagnostics show as error squiggles.
  const squiggle = page.locator('.monaco-editor .squiggly-error').first();
  await squiggle.waitFor({ state: 'attached', timeout: 60_000 });
  const count = await page.locator('.monaco-editor .squiggly-error').count();
  log(`UI: ${count} error squiggle(s) shown`);

  // Hover the first squiggle (DAX010 on `3M`) until the hover widget shows its message.
  const hover = page.locator('.monaco-hover:not(.hidden) .hover-contents, .monaco-hover:not(.hidden) .marker.hover-contents').first();
  // A hover that starts while the workbench is still busy (a loaded machine) can be lost: move
  // away and back again until it shows, up to 4 times.
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(10, 10);
    const box = await squiggle.boundingBox();
    if (!box) throw new Error('the squiggle has no bounding box');
    await page.mouse.move(box.x + Math.min(box.width / 2, 6), box.y + box.height / 2, { steps: 4 });
    try {
      await hover.waitFor({ state: 'visible', timeout: 8_000 });
      break;
    } catch (e) {
      if (attempt === 4) throw e;
      log(`UI: no hover yet (attempt ${attempt}); moving the mouse again`);
    }
  }
  const hoverText = (await page.locator('.monaco-hover:not(.hidden)').first().innerText()).replace(/\s+/g, ' ');
  log(`UI: hover shows "${hoverText.slice(0, 160)}${hoverText.length > 160 ? '…' : ''}"`);
  if (!/DAX\d{3}/.test(hoverText)) throw new Error(`the hover over the squiggle does not name a DAX code: ${hoverText}`);

  mkdirSync(dirname(screenshotPath), { recursive: true });
  // The hover fades in: finish CSS animations so the shot shows it as it settles.
  await page.screenshot({ path: screenshotPath, animations: 'disabled' });
  log(`UI: screenshot ${screenshotPath} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  // the region map and the layout tree (ui-map.mjs), in the same window
  const shots = { map: [join(here, 'out/map.png'), ...(mapScreenshot ? [mapScreenshot] : [])], tree: [join(here, 'out/tree.png')] };
  await mapUi({ page, folder, log, shots });
  await page.context().close();
}

// ---- main ------------------------------------------------------------------------------------
let exitCode = 0;
const results = [];
const started = Date.now();
try {
  const port = await freePort();
  log(`code-server ${CODE_SERVER_VERSION} on 127.0.0.1:${port} (${tmp})`);
  if (vsix) await installVsix(vsix);
  await startCodeServer(port);
  log(`code-server up after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  if (runSuite) {
    try {
      const { code, summary } = await suite(port);
      const passed = summary?.passed ?? 0;
      const failed = summary?.failed ?? (code === 0 ? 0 : 1);
      results.push({ passed, failed });
      if (code !== 0) exitCode = 1;
    } catch (err) {
      console.error(`[e2e] extension-host suite: ${err.message}`);
      results.push({ passed: 0, failed: 1 });
      exitCode = 1;
    }
  }
  if (runUi) {
    try {
      await withTimeout(ui(port), UI_TIMEOUT_MS, 'the UI check');
      results.push({ passed: 1, failed: 0 });
    } catch (err) {
      console.error(`[e2e] UI check failed: ${err.message}`);
      try {
        const pages = browser?.contexts().flatMap((c) => c.pages()) ?? [];
        if (pages[0]) {
          const failShot = join(here, 'out/ui-failure.png');
          await pages[0].screenshot({ path: failShot });
          console.error(`[e2e] screenshot of the failure: ${failShot}`);
        }
      } catch {
        // no page to shoot
      }
      results.push({ passed: 0, failed: 1 });
      exitCode = 1;
    }
  }
} catch (err) {
  console.error(`[e2e] harness error: ${err.message}`);
  exitCode = 2;
} finally {
  await cleanup();
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
log(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(exitCode);
