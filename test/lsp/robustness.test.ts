// The server never dies: a throwing handler answers empty and logs; a throwing
// analysis becomes one DAX099 diagnostic; unknown documents get empty answers.
import { afterEach, describe, expect, it } from 'vitest';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol/node';
import { sampleUri, startClient, type Client } from './harness';

let client: Client | undefined;
afterEach(() => client?.close());

const TEXT =
  'host h {\n  kernel "6.12.0"\n}\n\nregion 0 on h {\n  start 0x1_0000_0000\n  size 4G\n  device a { size 1G }\n}\n';

describe('containment', () => {
  it('answers empty when a handler throws, logs the error, and keeps serving', async () => {
    client = await startClient();
    const uri = sampleUri('robust.dax');
    await client.open(uri, TEXT);
    // a malformed request makes the hover handler throw
    const bad = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: null });
    expect(bad).toBeNull();
    expect(client.logs.some((l) => /hover failed \(answered empty\)/.test(l))).toBe(true);
    const badSymbols = await client.connection.sendRequest('textDocument/inlayHint', {
      textDocument: { uri },
      range: null,
    });
    expect(badSymbols).toEqual([]);
    const good = (await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 7, character: 10 },
    })) as Hover;
    expect((good.contents as MarkupContent).value).toContain('device `a`');
  });

  it('turns a crashing analysis into a DAX099 diagnostic and still answers requests', async () => {
    let calls = 0;
    client = await startClient({
      analyze: () => {
        calls++;
        throw new Error('boom');
      },
    });
    const uri = sampleUri('robust.dax');
    const d = await client.open(uri, TEXT);
    expect(calls).toBe(1);
    expect(d.diagnostics).toHaveLength(1);
    expect(d.diagnostics[0]).toMatchObject({ code: 'DAX099', message: expect.stringContaining('boom') });
    expect(client.logs.some((l) => l.includes('analysis of') && l.includes('boom'))).toBe(true);
    const kw = (await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 0, character: 1 },
    })) as Hover;
    expect((kw.contents as MarkupContent).value).toContain('host NAME');
  });

  it('gives empty answers for a document it does not have', async () => {
    client = await startClient();
    const td = { uri: sampleUri('not-open.dax') };
    const pos = { line: 0, character: 0 };
    const c = client.connection;
    expect(await c.sendRequest('textDocument/hover', { textDocument: td, position: pos })).toBeNull();
    expect(await c.sendRequest('textDocument/completion', { textDocument: td, position: pos })).toBeNull();
    expect(await c.sendRequest('textDocument/documentSymbol', { textDocument: td })).toEqual([]);
    expect(
      await c.sendRequest('textDocument/formatting', { textDocument: td, options: { tabSize: 2, insertSpaces: true } }),
    ).toEqual([]);
    expect(await c.sendRequest('textDocument/semanticTokens/full', { textDocument: td })).toEqual({ data: [] });
    expect(client.logs).toEqual([]);
  });

  it('serves every request at every position of a half-typed file without an error', async () => {
    client = await startClient();
    const uri = sampleUri('half.dax');
    const text =
      'host h {\n  kernel "6.1\n  facts\n}\nregion 0 on {\n  device { size 1.5G mode system-ram on\n  device b { range 0x1_0000_0000 + , 0x..\n#';
    await client.open(uri, text);
    const lines = text.split('\n');
    const c = client.connection;
    for (let line = 0; line < lines.length; line++) {
      for (let character = 0; character <= lines[line]!.length; character++) {
        const p = { textDocument: { uri }, position: { line, character } };
        await c.sendRequest('textDocument/hover', p);
        await c.sendRequest('textDocument/completion', p);
        await c.sendRequest('textDocument/definition', p);
        await c.sendRequest('textDocument/references', { ...p, context: { includeDeclaration: true } });
        await c.sendRequest('textDocument/prepareRename', p).catch(() => undefined);
      }
    }
    for (const m of [
      'textDocument/documentSymbol',
      'textDocument/foldingRange',
      'textDocument/semanticTokens/full',
      'textDocument/formatting',
    ]) {
      await c.sendRequest(m, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    }
    await c.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } },
      context: { diagnostics: [] },
    });
    expect(client.logs).toEqual([]);
  });
});
