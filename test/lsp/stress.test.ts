// The live editing path over the built server's real stdio transport
// (node server/dist/server.cjs --stdio): it keeps up with a burst of edits on a
// 10,000-line layout, answers requests while an analysis runs, survives
// runaway analyses (a hang, a worker that dies, an analysis that eats memory,
// a `memory-block` typed down to a few bytes), refuses what it must not read or
// analyse, and exits (so that the client restarts it) on malformed input.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionList, DocumentSymbol, Hover, MarkupContent } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeFleet } from '../../server/core/index';
// @ts-expect-error: a plain .mjs module without types
import { generate } from '../bench/generate.mjs';
import { sampleUri, SAMPLES, uriOf } from './harness';
import { feedRaw, SERVER, spawnServer } from './spawned';

const read = (name: string) => readFileSync(resolve(SAMPLES, name), 'utf8');
const readFacts = (p: string) => ({ text: readFileSync(resolve(SAMPLES, p), 'utf8') });
const codes = (d: { diagnostics: { code?: string | number }[] }) => d.diagnostics.map((x) => x.code);
const hoverText = (h: Hover | null) => (h ? (h.contents as MarkupContent).value : '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'daxlayout-stress-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a burst of edits', () => {
  it('1,000 rapid edits to a 10,000-line layout: an outline asked for midway is answered, the final version is published, versions only go forward', async () => {
    const s = await spawnServer();
    const text = generate(53, 20).dax as string;
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(10_000);
    const uri = uriOf(join(dir, 'burst.dax'));
    expect(codes(await s.open(uri, text))).toEqual([]);
    const spots = lines.flatMap((l, line) => (l.includes('size 8G') ? [{ line, character: l.indexOf('8G') }] : []));
    const digit = spots.map(() => '8');
    let symbols: Promise<{ symbols: DocumentSymbol[]; at: number }> | undefined;
    for (let v = 2; v <= 1000; v++) {
      // an outline asked for in the middle of the burst
      if (v === 500)
        symbols = s.connection
          .sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } })
          .then((x) => ({ symbols: x, at: performance.now() }));
      const i = (v * 7) % spots.length;
      const to = digit[i] === '8' ? '6' : '8';
      digit[i] = to;
      const at = spots[i]!;
      s.change(uri, v, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: to }]);
    }
    // the last edit makes one size wrong: `size 3M` with `align 2M`
    const last = spots[1]!;
    s.change(uri, 1001, [
      { range: { start: last, end: { line: last.line, character: last.character + 2 } }, text: '3M' },
    ]);
    const final = await s.diagnostics(uri, 1001, 60_000);
    expect(codes(final)).toEqual(['DAX010']);
    const outline = await symbols!;
    expect(outline.symbols).toHaveLength(106);
    expect(outline.at).toBeLessThan(final.at);
    expect(final.diagnostics[0]?.range.start.line).toBe(last.line);
    await sleep(300);
    const versions = s.published.filter((p) => p.uri === uri).map((p) => p.version as number);
    // never an older version after a newer one, and nothing after the last
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions[versions.length - 1]).toBe(1001);
    expect(await s.stop()).toBe(0);
  }, 90_000);
});

describe('requests while an analysis runs', () => {
  it('answers hover, documentSymbol and completion from the last analysis before the running one ends, leaving out what was edited', async () => {
    const s = await spawnServer({ DAXLAYOUT_LSP_TEST_FAULTS: '1' });
    const uri = sampleUri('hbm-lab.dax');
    const text = read('hbm-lab.dax');
    const doc = TextDocument.create(uri, 'dax', 1, text);
    const pos = (needle: string, delta = 0) => doc.positionAt(text.indexOf(needle) + delta);
    expect(codes(await s.open(uri, text))).toEqual([]);
    const c = s.connection;
    const weather = pos('weather', 2);
    expect(
      hoverText(await c.sendRequest<Hover>('textDocument/hover', { textDocument: { uri }, position: weather })),
    ).toContain('**device `weather`** → `dax0.0`');
    // Version 2 changes weather's size, and its analysis takes 5 s (a test hook in the worker).
    const size = pos('1G align 1G');
    const end = doc.positionAt(text.length);
    s.change(uri, 2, [
      { range: { start: size, end: { line: size.line, character: size.character + 2 } }, text: '2G' },
      { range: { start: end, end }, text: '#!daxlayout-test:sleep 5000\n' },
    ]);
    const t0 = performance.now();
    const [label, value, symbols, completion] = await Promise.all([
      c.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: weather }),
      c.sendRequest<Hover | null>('textDocument/hover', {
        textDocument: { uri },
        position: { line: size.line, character: size.character + 1 },
      }),
      c.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } }),
      c.sendRequest<CompletionList>('textDocument/completion', { textDocument: { uri }, position: size }),
    ]);
    const answered = performance.now();
    const d2 = await s.diagnostics(uri, 2, 30_000);
    expect(answered).toBeLessThan(d2.at);
    expect(d2.at - t0).toBeGreaterThan(4000);
    // the label was not edited: the last analysis' hover, at the label's place
    expect(hoverText(label)).toContain('**device `weather`** → `dax0.0`');
    expect(label?.range).toEqual({ start: pos('weather'), end: pos('weather', 'weather'.length) });
    // the size was: no hover from an analysis of other text
    expect(value).toBeNull();
    expect(symbols.map((x) => x.name)).toEqual(['lab61', 'region 0 on lab61']);
    expect(symbols[1]?.children?.map((x) => x.name)).toEqual(['weather', 'spill', 'guest-a', 'scratch']);
    expect(completion.items.map((i) => i.label)).toContain('rest');
    // after the analysis: the current version's hover (the kernel refuses the 2 GiB size)
    expect(
      hoverText(await c.sendRequest<Hover>('textDocument/hover', { textDocument: { uri }, position: weather })),
    ).toContain('echo 2147483648 >');
    expect(await s.stop()).toBe(0);
  }, 60_000);
});

describe('typing', () => {
  it('typing `memory-block 128M` and `size 64G` character by character never kills the server', async () => {
    // a small worker heap: `memory-block 1` (on the way to 128M) makes today's kernel model allocate per byte-sized block
    const s = await spawnServer({ DAXLAYOUT_LSP_WORKER_HEAP_MB: '256' });
    const uri = sampleUri('hbm-lab.dax');
    let text = read('hbm-lab.dax');
    expect(codes(await s.open(uri, text))).toEqual([]);
    let version = 1;
    const type = async (after: string, typed: string) => {
      let at = text.indexOf(after) + after.length;
      for (const ch of typed) {
        const p = TextDocument.create(uri, 'dax', version, text).positionAt(at);
        text = text.slice(0, at) + ch + text.slice(at);
        at++;
        s.change(uri, ++version, [{ range: { start: p, end: p }, text: ch }]);
        const next = TextDocument.create(uri, 'dax', version, text).positionAt(at);
        // what an editor asks for while typing
        const answers = await Promise.all([
          s.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: next }),
          s.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: next }),
          s.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }),
        ]);
        expect(answers[2]).toHaveLength(2);
        await sleep(15);
      }
    };
    await type('port 2222\n', '  memory-block 128M\n');
    await type('device weather { size 1G align 1G }\n', '  device typed { size 64G }\n');
    const last = await s.diagnostics(uri, version, 60_000);
    expect(codes(last)).toEqual(analyzeFleet(text, { readFacts }).findings.map((f) => f.code));
    expect(codes(last)).not.toContain('DAX099');
    expect(s.child.exitCode).toBeNull();
    expect(await s.stop()).toBe(0);
  }, 90_000);
});

describe('runaway analyses', () => {
  it('a hang, a dying worker, a memory hog and `memory-block 1`: each is stopped and said so, the server answers throughout', async () => {
    const s = await spawnServer({
      DAXLAYOUT_LSP_TEST_FAULTS: '1',
      // long enough that the memory hog reaches its heap limit first on a loaded machine (at 2 s,
      // load 30 on 2 cores stopped it on time instead)
      DAXLAYOUT_LSP_ANALYSIS_BUDGET_MS: '10000',
      DAXLAYOUT_LSP_WORKER_HEAP_MB: '256',
    });
    const uri = uriOf(join(dir, 'runaway.dax'));
    const good =
      'host h {\n  kernel "6.12.0"\n}\n\nregion 0 on h {\n  start 0x1_0000_0000\n  size 4G\n  node 1\n  device a { size 1G mode system-ram }\n}\n';
    expect(codes(await s.open(uri, good))).toEqual([]);
    let version = 1;
    const replace = (t: string) => s.change(uri, ++version, [{ text: t }]);
    // on the `host` keyword (the first line, or the second after a test-hook line)
    const hover = (line = 0) =>
      s.connection.sendRequest<Hover | null>('textDocument/hover', {
        textDocument: { uri },
        position: { line, character: 1 },
      });
    for (const [fault, says] of [
      ['#!daxlayout-test:hang\n', /stopped: it ran for more than 10 s, the time budget/],
      ['#!daxlayout-test:exit\n', /stopped: the analysis worker exited/],
      ['#!daxlayout-test:oom\n', /stopped: it used more than \d+ MiB, the memory budget/],
    ] as const) {
      replace(fault + good);
      // answered while the analysis runs away
      expect(hoverText(await hover(1))).toContain('host NAME');
      const d = await s.diagnostics(uri, version, 60_000);
      expect(d.diagnostics).toHaveLength(1);
      expect(d.diagnostics[0]).toMatchObject({ code: 'DAX099', message: expect.stringMatching(says) });
      // the next version is analysed by a new worker
      replace(good);
      expect(codes(await s.diagnostics(uri, version, 30_000))).toEqual([]);
    }
    // a memory-block of one byte: the kernel model makes a block per byte (it may one day refuse it instead)
    replace(good.replace('kernel "6.12.0"\n', 'kernel "6.12.0"\n  memory-block 1\n'));
    const d = await s.diagnostics(uri, version, 60_000);
    for (const x of d.diagnostics)
      if (x.code === 'DAX099') expect(x.message).toMatch(/stopped: it (used more than \d+ MiB|ran for more than)/);
    expect(hoverText(await hover())).toContain('host NAME');
    replace(good);
    expect(codes(await s.diagnostics(uri, version, 30_000))).toEqual([]);
    expect(await s.stop()).toBe(0);
  }, 300_000);
});

describe('what the server does not read or analyse', () => {
  it('/dev/zero, a FIFO, a directory and an oversized file as facts paths: a diagnostic each, promptly', async () => {
    const fifo = join(dir, 'facts.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    mkdirSync(join(dir, 'facts.d'));
    const big = join(dir, 'big.facts.json');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 17 * 1024 * 1024);
    closeSync(fd);
    const s = await spawnServer();
    const layout = ['/dev/zero', fifo, join(dir, 'facts.d'), big]
      .map((p, i) => `host h${i} {\n  facts "${p}"\n}\n`)
      .join('\n');
    const uri = uriOf(join(dir, 'facts.dax'));
    const t0 = performance.now();
    const d = await s.open(uri, layout);
    expect(performance.now() - t0).toBeLessThan(20_000);
    const messages = d.diagnostics.filter((x) => x.code === 'DAX005').map((x) => x.message);
    expect(messages).toHaveLength(4);
    expect(messages[0]).toMatch(/\/dev\/zero is a character device, not a regular file/);
    expect(messages[1]).toMatch(/facts\.fifo is a FIFO \(named pipe\), not a regular file/);
    expect(messages[2]).toMatch(/facts\.d is a directory, not a regular file/);
    expect(messages[3]).toMatch(/big\.facts\.json is too large for a facts file: 17825792 bytes, limit 16777216 bytes/);
    expect(await s.stop()).toBe(0);
  }, 60_000);

  it('a document over the size limit: one diagnostic instead of an analysis; features answer empty; back to normal below it', async () => {
    const s = await spawnServer();
    const uri = uriOf(join(dir, 'huge.dax'));
    const line = '# a comment line that makes this file larger than the analysis limit ............\n';
    const huge = line.repeat(Math.ceil((5 * 1024 * 1024) / line.length));
    const d = await s.open(uri, huge);
    expect(d.diagnostics).toHaveLength(1);
    expect(d.diagnostics[0]?.message).toBe(
      `this file is too large to analyse: ${huge.length} bytes (5.0 MiB), limit 4194304 bytes (4.0 MiB); nothing in it is checked`,
    );
    expect(await s.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })).toEqual([]);
    expect(
      await s.connection.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: { line: 3, character: 3 },
      }),
    ).toBeNull();
    s.change(uri, 2, [{ text: read('design.dax') }]);
    expect(codes(await s.diagnostics(uri, 2))).toEqual(analyzeFleet(read('design.dax')).findings.map((f) => f.code));
    expect(await s.stop()).toBe(0);
  }, 60_000);
});

describe('malformed input ends the process (the client then starts a new one)', () => {
  it('a header without Content-Length, a malformed header, binary garbage, an unreadable body, a short body then EOF', async () => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}';
    const cases: [string, Buffer, boolean][] = [
      ['no Content-Length', Buffer.from(`Content-Type: application/vscode-jsonrpc\r\n\r\n${body}`), false],
      ['malformed header', Buffer.from(`Content-Length ${body.length}\r\n\r\n${body}`), false],
      ['binary garbage', Buffer.from([0x00, 0xff, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x0a, 0x0d]), false],
      ['unreadable body', Buffer.from(`Content-Length: 5\r\n\r\n{{{{{`), false],
      ['short body, then EOF', Buffer.from(`Content-Length: ${body.length + 50}\r\n\r\n${body}`), true],
    ];
    const t0 = performance.now();
    const results = await Promise.all(cases.map(([, bytes, close]) => feedRaw(bytes, close)));
    results.forEach((r, i) => expect(r, cases[i]![0]).not.toBe('alive'));
    results.forEach((r, i) => expect(r, cases[i]![0]).not.toBe(0));
    expect(performance.now() - t0).toBeLessThan(10_000);
  }, 30_000);

  it('a well-formed session still works (and a split header is not an error)', async () => {
    const s = await spawnServer();
    const uri = uriOf(join(dir, 'ok.dax'));
    const text = 'host x {\n  kernel "6.12.0"\n}\n';
    // a notification written in two pieces, split inside its header
    const msg = JSON.stringify({
      jsonrpc: '2.0',
      method: 'textDocument/didOpen',
      params: { textDocument: { uri, languageId: 'dax', version: 1, text } },
    });
    const frame = `Content-Length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`;
    s.child.stdin!.write(frame.slice(0, 9));
    await sleep(50);
    s.child.stdin!.write(frame.slice(9));
    expect(codes(await s.diagnostics(uri, 1))).toEqual([]);
    expect(await s.stop()).toBe(0);
  }, 30_000);
});

describe('several documents', () => {
  it('documents take turns in the worker: one opened while another analyses slowly is analysed next; closing publishes empty diagnostics', async () => {
    const s = await spawnServer({ DAXLAYOUT_LSP_TEST_FAULTS: '1' });
    const slow = uriOf(join(dir, 'slow.dax'));
    const fast = uriOf(join(dir, 'fast.dax'));
    void s.open(slow, '#!daxlayout-test:sleep 3000\nhost a {\n  kernel "6.12.0"\n}\n');
    await sleep(200);
    const t0 = performance.now();
    expect(codes(await s.open(fast, 'host b {\n  kernel "6.12.0"\n}\n'))).toEqual([]);
    await s.diagnostics(slow, 1);
    // the fast one waited for the slow one's analysis to end (one worker), then came next
    expect(performance.now() - t0).toBeGreaterThan(1500);
    void s.connection.sendNotification('textDocument/didClose', { textDocument: { uri: fast } });
    await sleep(200);
    expect(s.published.filter((p) => p.uri === fast).pop()?.diagnostics).toEqual([]);
    expect(await s.stop()).toBe(0);
  }, 60_000);
});

describe('where the worker comes from', () => {
  it('a server bundle alone in its folder (as the VS Code extension ships it) runs its worker from itself', async () => {
    mkdirSync(join(dir, 'solo'));
    const alone = join(dir, 'solo', 'server.js');
    copyFileSync(SERVER, alone);
    const s = await spawnServer({}, alone);
    const uri = uriOf(join(dir, 'solo.dax'));
    const d = await s.open(
      uri,
      'host x {\n  kernel "6.12.0"\n}\n\nregion 0 on x {\n  start 0x1_0000_0000\n  size 4G\n  device a { size 3M }\n}\n',
    );
    expect(codes(d)).toEqual(['DAX010']);
    expect(s.logs.filter((l) => /worker/.test(l))).toEqual([]);
    expect(await s.stop()).toBe(0);
  }, 30_000);
});
