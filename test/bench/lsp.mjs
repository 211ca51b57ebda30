// npm run bench:lsp: the language server over its real stdio transport
// (node server/dist/server.cjs --stdio). Median latency from didChange to the
// publishDiagnostics of that version, for a ~100-line and a ~10,000-line layout,
// and of hover (analysis cached). Prints medians; the machine is shared, so
// compare within one run. Targets: 100 lines <= 5 ms, 10,000 lines <= 100 ms, hover <= 2 ms.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generate } from './generate.mjs';

const require = createRequire(import.meta.url);
const rpc = require('vscode-languageserver-protocol/node');
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

const child = spawn(process.execPath, [join(root, 'server/dist/server.cjs'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
const waiting = new Map();
conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
  const key = `${p.uri}#${p.version}`;
  const w = waiting.get(key);
  if (w) {
    waiting.delete(key);
    w(p);
  }
});
conn.onNotification(rpc.LogMessageNotification.type, (p) => console.error('server:', p.message));
conn.listen();
await conn.sendRequest(rpc.InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: { textDocument: { hover: { contentFormat: ['markdown'] } } } });
await conn.sendNotification(rpc.InitializedNotification.type, {});

const published = (uri, version) => new Promise((res) => waiting.set(`${uri}#${version}`, res));

/** Opens `text` and times `runs` edits that toggle `from` ↔ `to` at its first occurrence. */
async function measure(name, text, from, to, runs) {
  const uri = pathToFileURL(join(root, 'test/bench', name)).toString();
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(from));
  const character = lines[line].indexOf(from);
  const t0 = performance.now();
  const first = published(uri, 1);
  await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'dax', version: 1, text } });
  const d = await first;
  const open = performance.now() - t0;
  if (d.diagnostics.length) throw new Error(`${name}: expected a clean layout, got ${d.diagnostics[0].message}`);
  const change = [];
  let cur = from;
  for (let v = 2; v < runs + 2; v++) {
    const next = cur === from ? to : from;
    const p = published(uri, v);
    const t = performance.now();
    await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: v },
      contentChanges: [{ range: { start: { line, character }, end: { line, character: character + cur.length } }, text: next }],
    });
    await p;
    change.push(performance.now() - t);
    cur = next;
  }
  // hover on a device label, the analysis cached
  const labelLine = lines.findIndex((l) => /^\s*device /.test(l));
  const position = { line: labelLine, character: lines[labelLine].indexOf('device ') + 8 };
  const hover = [];
  for (let i = 0; i < runs * 2; i++) {
    const t = performance.now();
    const h = await conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position });
    hover.push(performance.now() - t);
    if (!h) throw new Error('no hover');
  }
  await conn.sendNotification(rpc.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  return { name, lines: lines.length, open, change, hover };
}

const small = generate(1, 10).dax;
const large = generate(50, 20).dax;
// warm up the server's JIT on the small layout
await measure('warmup.dax', small, 'size 8G', 'size 6G', 50);
const results = [await measure('small.dax', small, 'size 8G', 'size 6G', Number(process.env.BENCH_RUNS ?? 201)), await measure('large.dax', large, 'size 8G', 'size 6G', Number(process.env.BENCH_RUNS_LARGE ?? 41))];

for (const r of results) {
  console.log(
    `${String(r.lines).padStart(5)} lines: didChange → publishDiagnostics median ${median(r.change).toFixed(2)} ms (p90 ${p90(r.change).toFixed(2)}, ${r.change.length} runs); ` +
      `hover median ${median(r.hover).toFixed(3)} ms (p90 ${p90(r.hover).toFixed(3)}, ${r.hover.length} runs); first open ${r.open.toFixed(1)} ms`,
  );
}
console.log('targets: ~100 lines <= 5 ms, 10,000 lines <= 100 ms, hover <= 2 ms');
await conn.sendRequest(rpc.ShutdownRequest.type);
await conn.sendNotification(rpc.ExitNotification.type);
conn.dispose();
child.stdin.end();
