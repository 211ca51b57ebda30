#!/usr/bin/env node
// npm run bench:compare (also part of `npm run bench`): daxlayout against YAML tooling on the
// same content, in one run. One fleet layout (50 hosts × 20 devices, real-6.1-shaped facts with
// 128 MiB memory blocks and 2 TiB regions; test/bench/same-content.mjs) is written as .dax,
// as YAML and as JSON, plus a ~100-line variant (3 hosts), into a temporary folder with the
// facts files and a JSON schema for the YAML. Then:
//
//   (a) full analysis in process (core.analyzeFleet, as `daxlayout check` runs it) against
//       JSON.parse of the JSON, js-yaml load and yaml parseDocument of the YAML, in wall-clock
//       and CPU time, and the grammar's parse alone (core.parse);
//   (b) one-character edit → publishDiagnostics over stdio: `daxlayout lsp --stdio` against
//       `yaml-language-server --stdio` with the schema (validation on), big and small layouts;
//   (c) hover and completion latency of both servers;
//   (d) each server's RSS after opening the big layout and its peak while editing it
//       (/proc/PID/status VmRSS, VmHWM; the peak is reset with clear_refs after the open);
//   (e) `daxlayout check BIG.dax` as a process against `node -e` + js-yaml load of the YAML.
//
// Medians over repeats, the two sides interleaved so both see the same machine load; the
// machine is shared, so compare within one run only. Prints a table with ratios and the
// issue's targets (met / not met). Exits 0 whatever the targets say; non-zero when a
// measurement could not be made.
//
// Knobs (environment): BENCH_COMPARE_RUNS (in-process analyses, 7), BENCH_COMPARE_EDITS (edits
// on the big layout, 9), BENCH_COMPARE_EDITS_SMALL (25), BENCH_COMPARE_REQUESTS (hovers and
// completions per server and layout, 25), BENCH_COMPARE_PROCESS_RUNS (7), BENCH_COMPARE_HOSTS
// (50), BENCH_COMPARE_TIMEOUT_S (a wait for one answer, 300). `--json FILE` writes the figures.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeSameContent } from './same-content.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const rpc = require('vscode-languageserver-protocol/node');
const jsyaml = require('js-yaml');
const YAML = require('yaml');

const knob = (name, dflt) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v < 1) throw new Error(`${name} must be a positive number`);
  return Math.floor(v);
};
const RUNS = knob('BENCH_COMPARE_RUNS', 7);
const EDITS = knob('BENCH_COMPARE_EDITS', 9);
const EDITS_SMALL = knob('BENCH_COMPARE_EDITS_SMALL', 25);
const REQUESTS = knob('BENCH_COMPARE_REQUESTS', 25);
const PROCESS_RUNS = knob('BENCH_COMPARE_PROCESS_RUNS', 7);
const HOSTS = knob('BENCH_COMPARE_HOSTS', 50);
const TIMEOUT_MS = knob('BENCH_COMPARE_TIMEOUT_S', 300) * 1000;
const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;

const pkgVersion = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
const DAX_CLI = join(root, 'server/bin/daxlayout.cjs');
const YAML_LS = join(dirname(require.resolve('yaml-language-server/package.json')), 'bin/yaml-language-server');
for (const f of [DAX_CLI, join(root, 'server/dist/cli.cjs'), join(root, 'server/dist/server.cjs'), join(root, 'server/dist/core.cjs')]) {
  if (!existsSync(f)) {
    console.error(`bench compare: ${f} is missing; run \`node server/build.mjs\` first`);
    process.exit(2);
  }
}
const core = require('../../server/dist/core.cjs');
/** yaml-language-server 1.x waits this long after a change before it validates (yamlSettings.validationDelayMs; not a setting). */
const YAML_LS_DEBOUNCE_MS = (() => {
  const src = readFileSync(join(dirname(YAML_LS), '../out/server/src/yamlSettings.js'), 'utf8');
  const m = /validationDelayMs\s*=\s*(\d+)/.exec(src);
  return m ? Number(m[1]) : undefined;
})();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lines = (s) => s.split('\n').length - (s.endsWith('\n') ? 1 : 0);

class MeasurementError extends Error {}
const fail = (what) => {
  throw new MeasurementError(what);
};

const dir = mkdtempSync(join(tmpdir(), 'daxlayout-compare-'));
const results = { hosts: HOSTS, versions: {}, sizes: {}, inProcess: {}, lsp: {}, process: {}, loadavg: { start: loadavg()[0] } };
const servers = [];
let failed;

try {
  const w = writeSameContent(dir, { hosts: HOSTS, smallHosts: 3 });
  results.versions = { node: process.version, 'js-yaml': pkgVersion('js-yaml'), yaml: pkgVersion('yaml'), 'yaml-language-server': pkgVersion('yaml-language-server') };
  for (const k of ['big', 'small']) {
    const c = w[k];
    results.sizes[k] = { hosts: c.doc.hosts.length, devices: c.doc.hosts.reduce((n, h) => n + h.regions.reduce((m, r) => m + r.devices.length, 0), 0), daxLines: lines(c.dax), yamlLines: lines(c.yaml), jsonLines: lines(c.json), daxBytes: c.dax.length, yamlBytes: c.yaml.length, jsonBytes: c.json.length };
  }
  const { big, small } = w;
  console.log(`bench compare: ${results.sizes.big.hosts} hosts, ${results.sizes.big.devices} devices: ${results.sizes.big.daxLines} lines of .dax (+ ${results.sizes.big.hosts} facts files), ${results.sizes.big.yamlLines} of YAML, ${results.sizes.big.jsonLines} of JSON (facts inline); small: ${results.sizes.small.daxLines} / ${results.sizes.small.yamlLines} / ${results.sizes.small.jsonLines} lines`);
  console.log(`  in ${dir}; node ${process.version}, js-yaml ${results.versions['js-yaml']}, yaml ${results.versions.yaml}, yaml-language-server ${results.versions['yaml-language-server']}`);

  // ---- the same content, and a clean layout ----
  const readFactsFor = (layoutPath) => {
    const base = dirname(resolve(layoutPath));
    return (p) => {
      try {
        return { text: readFileSync(isAbsolute(p) ? p : resolve(base, p), 'utf8') };
      } catch (e) {
        return { error: String(e) };
      }
    };
  };
  for (const k of ['big', 'small']) {
    const c = w[k];
    if (!isDeepStrictEqual(jsyaml.load(c.yaml), JSON.parse(c.json))) fail(`${k}: the YAML and the JSON do not hold the same content`);
    const d = YAML.parseDocument(c.yaml);
    if (d.errors.length) fail(`${k}: yaml parseDocument: ${d.errors[0].message}`);
    const a = core.analyzeFleet(c.dax, { readFacts: readFactsFor(c.paths.dax), prune: false });
    const errors = a.findings.filter((f) => f.severity === 'error');
    if (errors.length) fail(`${k}.dax is expected to be clean; the analysis says: ${errors[0].code} ${errors[0].message}`);
  }

  // ---- (a) full analysis in process ----
  {
    process.stdout.write('(a) in process: ');
    const readFacts = readFactsFor(big.paths.dax);
    const ops = {
      daxlayout: () => core.analyzeFleet(big.dax, { readFacts, prune: false }),
      // the grammar's parse alone: the part of the analysis the rest is built on
      'daxlayout parse': () => core.parse(big.dax),
      'JSON.parse': () => JSON.parse(big.json),
      'js-yaml load': () => jsyaml.load(big.yaml),
      'yaml parseDocument': () => YAML.parseDocument(big.yaml),
    };
    const reps = { daxlayout: 1, 'daxlayout parse': 2, 'JSON.parse': 5, 'js-yaml load': 5, 'yaml parseDocument': 2 };
    const times = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
    // CPU time too (process.cpuUsage: this process, all its threads, GC included): on a loaded
    // machine the wall-clock time of an operation also holds the time it waited for a CPU.
    const cpus = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
    const cpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const once = (k) => {
      const c = cpuMs();
      const t = performance.now();
      ops[k]();
      const ms = performance.now() - t;
      cpus[k].push(cpuMs() - c);
      return ms;
    };
    for (const k of Object.keys(ops)) for (let i = 0; i < (k === 'daxlayout' ? 2 : 10); i++) once(k); // warm up
    for (const k of Object.keys(ops)) cpus[k].length = 0;
    for (let r = 0; r < RUNS; r++) {
      for (const k of Object.keys(ops)) for (let i = 0; i < reps[k]; i++) times[k].push(once(k));
      process.stdout.write('.');
    }
    console.log('');
    for (const [k, t] of Object.entries(times)) results.inProcess[k] = { median: median(t), p90: p90(t), runs: t.length, cpuMedian: median(cpus[k]) };
  }

  // ---- (b, c, d) the two language servers over stdio ----
  const schemaUri = pathToFileURL(w.schemaPath).toString();
  const settings = {
    yaml: {
      validate: true,
      hover: true,
      completion: true,
      format: { enable: false },
      schemas: { [schemaUri]: ['*.layout.yaml'] },
      schemaStore: { enable: false },
      kubernetesCRDStore: { enable: false },
      yamlVersion: '1.2',
    },
    http: { proxy: '', proxyStrictSSL: false },
    '[yaml]': {},
    editor: {},
    daxlayout: {},
  };
  const phase = async (key, c, edits) => {
    console.log(`(b-d) ${key} layout over LSP: `);
    const dax = await startServer('daxlayout', [DAX_CLI, 'lsp', '--stdio'], settings);
    const yml = await startServer('yaml-language-server', [YAML_LS, '--stdio'], settings);
    const docs = [
      { server: dax, uri: pathToFileURL(c.paths.dax).toString(), languageId: 'dax', text: c.dax, at: c.edit.dax, hover: c.dax.indexOf(`device ${c.edit.label} `) + 'device '.length + 1, complete: c.dax.indexOf('mode system-ram', c.dax.indexOf(`device spill-${Math.floor(c.doc.hosts.length / 2)}-0 `)) + 'mode '.length },
      { server: yml, uri: pathToFileURL(c.paths.yaml).toString(), languageId: 'yaml', text: c.yaml, at: c.edit.yaml, hover: c.yaml.indexOf(`label: ${c.edit.label}\n`) + 'label: '.length + 1, complete: c.yaml.indexOf('mode: system-ram', c.yaml.indexOf(`label: spill-${Math.floor(c.doc.hosts.length / 2)}-0\n`)) + 'mode: '.length },
    ];
    for (const d of docs) if ([d.at, d.hover, d.complete].some((x) => x < 10)) fail(`${key}: a position was not found in the ${d.languageId} text`);
    const out = {};
    // A schema error must be reported, or yaml-language-server is not validating against the schema.
    {
      const probe = pathToFileURL(join(dir, 'probe.layout.yaml')).toString();
      const diags = await yml.open(probe, 'yaml', 'hosts:\n  - name: probe\n    regions:\n      - id: 0\n        devices:\n          - label: x\n            size: 12Q\n');
      if (diags.length === 0) fail('yaml-language-server reports nothing on a schema violation: the schema is not applied');
      yml.close(probe);
      await sleep(300);
    }
    for (const d of docs) {
      const t = performance.now();
      const diags = await d.server.open(d.uri, d.languageId, d.text);
      d.openMs = performance.now() - t;
      const errors = diags.filter((x) => x.severity === 1);
      if (errors.length) fail(`${d.server.name}: the ${key} layout is expected to be clean, got: ${errors[0].message}`);
    }
    await sleep(500); // let a late second publish (if any) arrive before editing
    for (const d of docs) d.extraPublishes = d.server.publishCount(d.uri) - 1;
    // Both servers must report the error a bad edit makes (`size 3QG`) on this layout, and clear it again.
    for (const d of docs) {
      await d.server.edit(d.uri, d.text, d.at, 'Q', true);
      await d.server.edit(d.uri, d.text.slice(0, d.at) + 'Q' + d.text.slice(d.at + 1), d.at, c.edit.from);
    }
    for (const d of docs) {
      d.rssOpen = d.server.memory().rss;
      d.peakReset = d.server.resetPeak();
      d.edits = [];
    }
    // one-character edits, alternating the servers; the first ones warm up and are not counted
    const warm = Math.min(3, Math.max(1, Math.floor(edits / 4)));
    for (let i = 0; i < warm + edits; i++) {
      for (const d of docs) {
        const next = i % 2 === 0 ? c.edit.to : c.edit.from;
        const ms = await d.server.edit(d.uri, d.text, d.at, next);
        d.text = d.text.slice(0, d.at) + next + d.text.slice(d.at + 1);
        if (i >= warm) d.edits.push(ms);
      }
      process.stdout.write('.');
    }
    console.log('');
    for (const d of docs) d.peakEdit = d.server.memory().hwm;
    // hover on the device label and completion of the value of `mode`, alternating the servers
    for (const d of docs) {
      d.hovers = [];
      d.completions = [];
    }
    for (let i = 0; i < 5 + REQUESTS; i++) {
      for (const d of docs) {
        const h = await d.server.timedRequest(rpc.HoverRequest.type, { textDocument: { uri: d.uri }, position: positionAt(d.text, d.hover) });
        const cpl = await d.server.timedRequest(rpc.CompletionRequest.type, { textDocument: { uri: d.uri }, position: positionAt(d.text, d.complete), context: { triggerKind: 1 } });
        if (!h.result) fail(`${d.server.name}: no hover on the device label`);
        const items = Array.isArray(cpl.result) ? cpl.result : (cpl.result?.items ?? []);
        if (!items.some((x) => x.label === 'devdax')) fail(`${d.server.name}: completion of \`mode\` does not offer devdax (${items.map((x) => x.label).join(', ')})`);
        if (i >= 5) {
          d.hovers.push(h.ms);
          d.completions.push(cpl.ms);
        }
      }
    }
    for (const d of docs) {
      out[d.server.name] = {
        openMs: d.openMs,
        edit: { median: median(d.edits), p90: p90(d.edits), runs: d.edits.length },
        hover: { median: median(d.hovers), runs: d.hovers.length },
        completion: { median: median(d.completions), runs: d.completions.length },
        rssOpenMiB: d.rssOpen,
        peakEditMiB: d.peakEdit,
        peakReset: d.peakReset,
        extraPublishesAfterOpen: d.extraPublishes,
        sync: d.server.sync,
      };
    }
    await dax.stop();
    await yml.stop();
    results.lsp[key] = out;
  };
  await phase('big', big, EDITS);
  await phase('small', small, EDITS_SMALL);

  // ---- (e) as processes ----
  {
    process.stdout.write('(e) as processes: ');
    const cmds = {
      'daxlayout check': [DAX_CLI, 'check', big.paths.dax],
      'node + js-yaml load': ['-e', "require('js-yaml').load(require('fs').readFileSync(process.argv[1], 'utf8'))", big.paths.yaml],
      'node -e 0': ['-e', '0'],
    };
    const times = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
    const run = (k) => {
      const t = performance.now();
      const r = spawnSync(process.execPath, cmds[k], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
      const ms = performance.now() - t;
      if (r.status !== 0) fail(`${k} exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout).slice(0, 400)}`);
      if (k === 'daxlayout check' && !/1 file checked: 0 errors/.test(r.stdout)) fail(`daxlayout check printed: ${r.stdout.slice(0, 400)}`);
      return ms;
    };
    for (const k of Object.keys(cmds)) run(k); // warm the page cache
    for (let i = 0; i < PROCESS_RUNS; i++) {
      for (const k of Object.keys(cmds)) times[k].push(run(k));
      process.stdout.write('.');
    }
    console.log('');
    for (const [k, t] of Object.entries(times)) results.process[k] = { median: median(t), p90: p90(t), runs: t.length };
  }
} catch (e) {
  failed = e;
} finally {
  for (const s of servers) s.kill();
  rmSync(dir, { recursive: true, force: true });
}

results.loadavg.end = loadavg()[0];
if (failed) {
  console.error(`\nbench compare: a measurement could not be made: ${failed instanceof MeasurementError ? failed.message : (failed?.stack ?? failed)}`);
  process.exit(1);
}
report();
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2) + '\n');
process.exit(0);

// ---------------------------------------------------------------------------------------------

function positionAt(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** A language server over stdio, with a real LSP client on the pipes. */
async function startServer(name, argv, config) {
  const child = spawn(process.execPath, argv, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let exited;
  const exit = new Promise((r) => child.on('exit', (code, signal) => r((exited = { code, signal }))));
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  const listeners = new Set();
  const counts = new Map();
  let versioned;
  conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    counts.set(p.uri, (counts.get(p.uri) ?? 0) + 1);
    for (const l of [...listeners]) l(p);
  });
  conn.onNotification(() => {}); // telemetry, log messages, progress
  let configured;
  const configuredOnce = new Promise((r) => (configured = r));
  conn.onRequest(rpc.ConfigurationRequest.type, (p) => {
    configured();
    return p.items.map((it) => (it.section ? (config[it.section] ?? null) : null));
  });
  conn.onRequest(() => null); // client/registerCapability, window/workDoneProgress/create, …
  conn.listen();
  const guard = (promise, what) =>
    Promise.race([
      promise,
      exit.then(() => fail(`${name} exited (${exited.code ?? exited.signal}) while waiting for ${what}; its stderr: ${stderr.trim().slice(-800)}`)),
      sleep(TIMEOUT_MS).then(() => fail(`${name}: no ${what} within ${TIMEOUT_MS / 1000} s`)),
    ]);
  /** The next publishDiagnostics for `uri` (of `version`, when the server sends versions). */
  const published = (uri, version) =>
    new Promise((res) => {
      const l = (p) => {
        if (p.uri !== uri) return;
        if (versioned && p.version !== version) return;
        listeners.delete(l);
        res(p);
      };
      listeners.add(l);
    });
  const init = await guard(
    conn.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(dir).toString(),
      workspaceFolders: [{ uri: pathToFileURL(dir).toString(), name: 'bench' }],
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false }, workspaceFolders: true },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: false },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          completion: { contextSupport: true, completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
        },
      },
    }),
    'initialize',
  );
  const sync = typeof init.capabilities.textDocumentSync === 'number' ? init.capabilities.textDocumentSync : (init.capabilities.textDocumentSync?.change ?? 1);
  await conn.sendNotification(rpc.InitializedNotification.type, {});
  await guard(configuredOnce, 'its workspace/configuration request');
  await sleep(300);
  const server = {
    name,
    pid: child.pid,
    sync: sync === 2 ? 'incremental' : 'full',
    async open(uri, languageId, text) {
      const p = published(uri, 1);
      await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
      const d = await guard(p, `diagnostics for ${uri}`);
      if (versioned === undefined) versioned = typeof d.version === 'number';
      server.versions.set(uri, 1);
      return d.diagnostics;
    },
    versions: new Map(),
    close(uri) {
      void conn.sendNotification(rpc.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    },
    /** Replaces the character at `offset` of `text` (the document's current text) by `ch`; ms until its diagnostics. */
    async edit(uri, text, offset, ch, expectError = false) {
      const version = server.versions.get(uri) + 1;
      server.versions.set(uri, version);
      const start = positionAt(text, offset);
      const change = sync === 2 ? { range: { start, end: { line: start.line, character: start.character + 1 } }, text: ch } : { text: text.slice(0, offset) + ch + text.slice(offset + 1) };
      const p = published(uri, version);
      const t = performance.now();
      await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [change] });
      const d = await guard(p, `diagnostics for version ${version} of ${uri}`);
      const ms = performance.now() - t;
      const error = d.diagnostics.find((x) => x.severity === 1);
      if (expectError && !error) fail(`${name}: an edit that breaks the layout (${JSON.stringify(ch)}) got no error`);
      if (!expectError && error) fail(`${name}: an edit produced an error: ${error.message}`);
      return ms;
    },
    async timedRequest(type, params) {
      const t = performance.now();
      const result = await guard(conn.sendRequest(type, params), type.method);
      return { result, ms: performance.now() - t };
    },
    publishCount: (uri) => counts.get(uri) ?? 0,
    /** VmRSS and VmHWM in MiB. */
    memory() {
      const s = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
      const m = { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
      if (!Number.isFinite(m.rss) || !Number.isFinite(m.hwm)) fail(`${name}: cannot read VmRSS/VmHWM from /proc/${child.pid}/status`);
      return m;
    },
    /** Resets the peak RSS to the current RSS (clear_refs 5, Linux 4.0+); false when not allowed. */
    resetPeak() {
      try {
        writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    async stop() {
      try {
        await Promise.race([conn.sendRequest(rpc.ShutdownRequest.type), sleep(5000)]);
        await conn.sendNotification(rpc.ExitNotification.type);
      } catch {
        // the process is killed below if it does not exit
      }
      await Promise.race([exit, sleep(5000)]);
      server.kill();
    },
    kill() {
      conn.dispose();
      if (exited === undefined) child.kill('SIGKILL');
    },
  };
  servers.push(server);
  return server;
}

function report() {
  const ms = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`);
  const mib = (x) => `${x.toFixed(0)} MiB`;
  const ratio = (a, b) => {
    const r = a / b;
    return r >= 10 ? `${r.toFixed(0)}×` : r >= 1 ? `${r.toFixed(2)}×` : `${r.toFixed(3)}×`;
  };
  const verdict = (r, limit) => (r <= limit ? 'met' : 'NOT met');
  const S = results.sizes;
  const A = results.inProcess;
  const L = results.lsp;
  const P = results.process;
  const rows = [];
  const row = (what, dax, anchor, r, target, status) => rows.push([what, dax, anchor, r, target, status]);
  const jsy = A['js-yaml load'].median;
  row(`full analysis in process (${S.big.daxLines}-line .dax / ${S.big.yamlLines}-line YAML)`, ms(A.daxlayout.median), `js-yaml load ${ms(jsy)}`, ratio(A.daxlayout.median, jsy), '≤ 3× js-yaml', verdict(A.daxlayout.median / jsy, 3));
  const cpu = (k) => A[k].cpuMedian;
  row('the same, CPU time', ms(cpu('daxlayout')), `js-yaml load ${ms(cpu('js-yaml load'))}`, ratio(cpu('daxlayout'), cpu('js-yaml load')), '', '');
  row('of which the grammar\'s parse', ms(A['daxlayout parse'].median), `js-yaml load ${ms(jsy)}`, ratio(A['daxlayout parse'].median, jsy), '', '');
  row('', '', `yaml parseDocument ${ms(A['yaml parseDocument'].median)}`, ratio(A.daxlayout.median, A['yaml parseDocument'].median), '', '');
  row('', '', `JSON.parse ${ms(A['JSON.parse'].median)}`, ratio(A.daxlayout.median, A['JSON.parse'].median), '', '');
  const dl = 'daxlayout';
  const yl = 'yaml-language-server';
  for (const [key, limit] of [
    ['big', 0.1],
    ['small', 0.05],
  ]) {
    const d = L[key][dl].edit.median;
    const y = L[key][yl].edit.median;
    row(`one-char edit → diagnostics, LSP stdio (${S[key].daxLines}-line layout)`, ms(d), `yaml-language-server ${ms(y)}`, ratio(d, y), `≤ ${limit}× yaml-ls`, verdict(d / y, limit));
  }
  for (const key of ['big', 'small']) {
    const d = L[key][dl];
    const y = L[key][yl];
    row(`hover / completion (${S[key].daxLines}-line layout)`, `${ms(d.hover.median)} / ${ms(d.completion.median)}`, `${ms(y.hover.median)} / ${ms(y.completion.median)}`, `${ratio(d.hover.median, y.hover.median)} / ${ratio(d.completion.median, y.completion.median)}`, '', '');
  }
  const bd = L.big[dl];
  const by = L.big[yl];
  row('server RSS after open (big layout)', mib(bd.rssOpenMiB), mib(by.rssOpenMiB), ratio(bd.rssOpenMiB, by.rssOpenMiB), '', '');
  row('server peak RSS while editing (big layout)', mib(bd.peakEditMiB), mib(by.peakEditMiB), ratio(bd.peakEditMiB, by.peakEditMiB), '≤ 2× yaml-ls', verdict(bd.peakEditMiB / by.peakEditMiB, 2));
  const pc = P['daxlayout check'].median;
  const pj = P['node + js-yaml load'].median;
  row('`daxlayout check BIG.dax` as a process', ms(pc), `node + js-yaml load ${ms(pj)}`, ratio(pc, pj), '≤ 2× node + js-yaml', verdict(pc / pj, 2));

  const head = ['', 'daxlayout', 'anchor', 'ratio', 'target', ''];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r) => '| ' + r.map((c, i) => c.padEnd(width[i])).join(' | ') + ' |';
  console.log('');
  console.log(`ratio = daxlayout / anchor (below 1: daxlayout is faster or smaller). Load average ${results.loadavg.start.toFixed(1)} at the start, ${results.loadavg.end.toFixed(1)} at the end, on ${availableParallelism()} CPUs.`);
  console.log(fmt(head));
  console.log('|' + width.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(fmt(r));
  const targets = rows.filter((r) => r[5]);
  console.log(`targets: ${targets.filter((r) => r[5] === 'met').length} of ${targets.length} met`);

  console.log('');
  console.log('medians, the two sides interleaved in this run; repeats:', `in process ${A.daxlayout.runs} analyses (js-yaml ${A['js-yaml load'].runs}, yaml ${A['yaml parseDocument'].runs}, JSON.parse ${A['JSON.parse'].runs}),`, `edits ${L.big[dl].edit.runs} big / ${L.small[dl].edit.runs} small, requests ${L.big[dl].hover.runs}, processes ${P['daxlayout check'].runs}.`);
  const deb = YAML_LS_DEBOUNCE_MS;
  if (deb !== undefined) {
    const yb = L.big[yl].edit.median;
    const ys = L.small[yl].edit.median;
    console.log(
      `yaml-language-server validates ${deb} ms after a change (validationDelayMs, a fixed debounce, not a setting); its edit figures include it, as an editor user waits for it.` +
        ` Without it its work would be ≈ ${ms(yb - deb)} (big) and ≈ ${ms(ys - deb)} (small): daxlayout ${ratio(L.big[dl].edit.median, Math.max(yb - deb, 0.01))} / ${ratio(L.small[dl].edit.median, Math.max(ys - deb, 0.01))} of that.`,
    );
  }
  console.log(
    `edit → diagnostics: the edit is sent as the server asked (${dl} ${L.big[dl].sync}, yaml-ls ${L.big[yl].sync} sync); daxlayout publishes the version it analysed (waited for that version); yaml-language-server publishes no version (waited for its next publish after the change). ` +
      `p90 daxlayout ${ms(L.big[dl].edit.p90)} / ${ms(L.small[dl].edit.p90)}, yaml-ls ${ms(L.big[yl].edit.p90)} / ${ms(L.small[yl].edit.p90)} (big / small).`,
  );
  console.log(
    `first open → diagnostics: daxlayout ${ms(L.big[dl].openMs)} / ${ms(L.small[dl].openMs)}, yaml-ls ${ms(L.big[yl].openMs)} / ${ms(L.small[yl].openMs)} (big / small, cold server).` +
      ` RSS after opening the small layout: daxlayout ${mib(L.small[dl].rssOpenMiB)}, yaml-ls ${mib(L.small[yl].rssOpenMiB)}.`,
  );
  if (!bd.peakReset || !by.peakReset) console.log('note: /proc/PID/clear_refs was not writable, so the peak RSS includes the open, not only the edits.');
  for (const key of ['big', 'small']) for (const s of [dl, yl]) if (L[key][s].extraPublishesAfterOpen > 0) console.log(`note: ${s} published ${L[key][s].extraPublishesAfterOpen} extra diagnostics after opening the ${key} layout.`);
  console.log(`as processes: node -e 0 alone takes ${ms(P['node -e 0'].median)} here.`);
  console.log('in process: medians after two warm-up analyses (the JIT warm); CPU time: process.cpuUsage around each operation (all threads, GC included); as processes: each run a cold node.');
  console.log('before the timed edits, an edit that breaks the layout (`size 3QG`) was checked to give an error in both servers, and undone.');
  console.log('hover: on the edited device label (.dax) / the value of its `label:` key (YAML); completion: the value of `mode` of a system-ram device in both.');
}
