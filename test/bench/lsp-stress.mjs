// npm run bench:lsp-stress: the language server under a stream of edits, over
// its real stdio transport (node server/dist/server.cjs --stdio), on a
// ~10,000-line layout (test/bench/generate.mjs):
//
// - burst → diagnostics: 1,000 didChange notifications sent back to back; the
//   time from the last one to the publishDiagnostics of that (final) version,
//   and the CPU time the server used in it (a figure a busy machine inflates
//   less than the wall-clock one); median of BURSTS runs (default 5);
// - hover during an analysis: a hover sent right after an edit, while the worker
//   analyses that edit; its latency, and whether it came before the edit's
//   diagnostics; and hover latency on an idle document;
// - memory: the server's RSS (main thread + worker, /proc/PID/status) after the
//   open (once its diagnostics are published, and once a first hover has made the
//   message loop analyse the document too: the ratio is taken against that), after
//   1,000 and after 10,000 edits (EDITS, default 10,000).
//
// Prints a compact table. The machine is shared: compare within one run.
// Diagnostics: PROF=1 writes the server's CPU profiles to prof/ in the system's temporary directory, LOGS=1
// prints its log messages, RSS_TRACE=1 its RSS after every 1,000 edits.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generate } from './generate.mjs';

const require = createRequire(import.meta.url);
const rpc = require('vscode-languageserver-protocol/node');
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

const BURSTS = Number(process.env.BURSTS ?? 5);
const EDITS = Number(process.env.EDITS ?? 10000);
const HOVERS = Number(process.env.HOVERS ?? 21);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssMiB = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

/** CPU time the process has used, all its threads (ms; /proc/PID/stat utime + stime, 10 ms ticks). */
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / 100;
};

const child = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), 'prof')}`] : []), join(root, 'server/dist/server.cjs'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
const waiting = new Map();
const arrivals = new Map();
conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
  const key = `${p.uri}#${p.version}`;
  arrivals.set(key, performance.now());
  const w = waiting.get(key);
  if (w) {
    waiting.delete(key);
    w(p);
  }
});
if (process.env.LOGS) conn.onNotification(rpc.LogMessageNotification.type, (p) => console.error('server:', p.message));
conn.listen();
await conn.sendRequest(rpc.InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: { textDocument: { hover: { contentFormat: ['markdown'] } } } });
await conn.sendNotification(rpc.InitializedNotification.type, {});
const published = (uri, version) => new Promise((res) => waiting.set(`${uri}#${version}`, res));

const text = generate(53, 20).dax;
const lines = text.split('\n');
const uri = pathToFileURL(join(root, 'test/bench/stress.dax')).toString();
// the `size 8G` lines: edits toggle them to `size 6G` and back, all over the file
const spots = lines.flatMap((l, line) => (l.includes('size 8G') ? [{ line, character: l.indexOf('8G') }] : []));
const state = spots.map(() => '8');
let version = 1;
let k = 0;
function nextEdit() {
  const i = k++ % spots.length;
  const to = state[i] === '8' ? '6' : '8';
  state[i] = to;
  const s = spots[i];
  version++;
  return {
    textDocument: { uri, version },
    contentChanges: [{ range: { start: s, end: { line: s.line, character: s.character + 1 } }, text: to }],
  };
}

let t = performance.now();
const first = published(uri, 1);
await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'dax', version: 1, text } });
await first;
const openMs = performance.now() - t;
const rss = { openBare: rssMiB(child.pid) };
// A hover makes the message loop analyse the document too (what it does by itself once the
// document is left alone, IDLE_MS): "after open" is the server with both analyses in hand.
const labelLine = lines.findIndex((l) => /^\s*device /.test(l));
const position = { line: labelLine, character: lines[labelLine].indexOf('device ') + 8 };
if (!(await conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position }))) throw new Error('no hover after the open');
rss.open = rssMiB(child.pid);

// bursts of 1,000 edits
const burst = [];
const burstCpu = [];
let sent = 0;
for (let b = 0; b < BURSTS; b++) {
  for (let i = 0; i < 999; i++) void conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, nextEdit());
  const last = nextEdit();
  const done = published(uri, last.textDocument.version);
  await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, last);
  t = performance.now();
  const c0 = cpuMs(child.pid);
  await done;
  burst.push(performance.now() - t);
  burstCpu.push(cpuMs(child.pid) - c0);
  sent += 1000;
  if (sent === 1000) rss.after1k = rssMiB(child.pid);
}
// hover on a device label of the first host (a part of the text the edits do not touch)
const hoverIdle = [];
for (let i = 0; i < HOVERS; i++) {
  const h0 = performance.now();
  const h = await conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position });
  hoverIdle.push(performance.now() - h0);
  if (!h) throw new Error('no hover on an idle document');
}
const hoverBusy = [];
let beforeDiagnostics = 0;
for (let i = 0; i < HOVERS; i++) {
  const e = nextEdit();
  const done = published(uri, e.textDocument.version);
  await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, e);
  const h0 = performance.now();
  const h = await conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position });
  const h1 = performance.now();
  hoverBusy.push(h1 - h0);
  if (!h) throw new Error('no hover during an analysis');
  await done;
  if (arrivals.get(`${uri}#${e.textDocument.version}`) > h1) beforeDiagnostics++;
  sent++;
}
// the rest of the edits, in bursts of 1,000, each waited for
while (sent < EDITS) {
  const n = Math.min(1000, EDITS - sent);
  for (let i = 0; i < n - 1; i++) void conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, nextEdit());
  const last = nextEdit();
  const done = published(uri, last.textDocument.version);
  await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, last);
  await done;
  sent += n;
  arrivals.clear();
  if (process.env.RSS_TRACE) console.error(`edits ${sent}: RSS ${rssMiB(child.pid).toFixed(0)} MiB`);
}
rss.afterAll = rssMiB(child.pid);

const row = (k, v) => console.log(`${k.padEnd(52)} ${v}`);
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (1/5/15 min) on ${(await import('node:os')).availableParallelism()} CPUs`);
console.log(`layout: ${lines.length} lines, ${(text.length / 1024).toFixed(0)} KiB; open → first diagnostics ${openMs.toFixed(0)} ms`);
row('last of 1,000 rapid edits → its diagnostics (median)', `${median(burst).toFixed(0)} ms  (runs: ${burst.map((x) => x.toFixed(0)).join(', ')})`);
row('  server CPU from that last edit to its diagnostics', `${median(burstCpu).toFixed(0)} ms  (runs: ${burstCpu.map((x) => x.toFixed(0)).join(', ')}; all threads, 10 ms ticks)`);
row('hover while the edit is being analysed (median)', `${median(hoverBusy).toFixed(1)} ms  (${beforeDiagnostics}/${HOVERS} answered before the edit's diagnostics)`);
row('hover on an idle document (median)', `${median(hoverIdle).toFixed(1)} ms`);
row('RSS after open (diagnostics published)', `${rss.openBare.toFixed(0)} MiB`);
row('RSS after open and a first hover (both analyses)', `${rss.open.toFixed(0)} MiB`);
row('RSS after 1,000 edits', `${rss.after1k.toFixed(0)} MiB`);
row(`RSS after ${sent.toLocaleString('en')} edits`, `${rss.afterAll.toFixed(0)} MiB (${(rss.afterAll / rss.open).toFixed(2)}× the open with a hover; target ≤ 1.5×)`);

await conn.sendRequest(rpc.ShutdownRequest.type);
await conn.sendNotification(rpc.ExitNotification.type);
conn.dispose();
child.stdin.end();
