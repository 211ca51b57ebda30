// Initialize, open, change: capabilities and published diagnostics over the protocol.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { sampleUri, SAMPLES, startClient, type Client } from './harness';

const read = (name: string) => readFileSync(resolve(SAMPLES, name), 'utf8');
let client: Client | undefined;
afterEach(() => client?.close());

describe('initialize', () => {
  it('announces incremental sync and the features the server has', async () => {
    client = await startClient();
    const { capabilities, serverInfo } = client.initialize;
    expect(serverInfo?.name).toBe('daxlayout');
    expect(capabilities.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    expect(capabilities.hoverProvider).toBe(true);
    // a space opens values; a quote or a slash opens the files of `facts "…"` and `inventory "…"`
    expect(capabilities.completionProvider?.triggerCharacters).toEqual([' ', '"', '/']);
    expect(capabilities.codeLensProvider).toEqual({ resolveProvider: false });
    expect(capabilities.codeActionProvider).toEqual({ codeActionKinds: ['quickfix'], resolveProvider: false });
    expect(capabilities.documentFormattingProvider).toBe(true);
    expect(capabilities.renameProvider).toEqual({ prepareProvider: true });
    expect(capabilities.semanticTokensProvider?.legend.tokenTypes).toContain('keyword');
    expect(capabilities.inlayHintProvider).toBeTruthy();
    for (const k of [
      'documentSymbolProvider',
      'foldingRangeProvider',
      'definitionProvider',
      'referencesProvider',
    ] as const)
      expect(capabilities[k]).toBeTruthy();
  });

  it('falls back for a client without code action literals or prepareRename', async () => {
    client = await startClient({}, {});
    expect(client.initialize.capabilities.codeActionProvider).toBe(true);
    expect(client.initialize.capabilities.renameProvider).toBe(true);
  });
});

describe('diagnostics', () => {
  it('publishes the findings of an opened layout, with codes, ranges, rule links and fixes', async () => {
    client = await startClient();
    const uri = sampleUri('mistakes.dax');
    const d = await client.open(uri, read('mistakes.dax'));
    expect(d.version).toBe(1);
    const codes = d.diagnostics.map((x) => x.code);
    expect(codes).toEqual(expect.arrayContaining(['DAX010', 'DAX011', 'DAX020', 'DAX021', 'DAX002']));
    const dax010 = d.diagnostics.find((x) => x.code === 'DAX010')!;
    // line 8 of mistakes.dax: `  device a { size 3M }` — the `3M`
    expect(dax010.range).toEqual({ start: { line: 7, character: 18 }, end: { line: 7, character: 20 } });
    expect(dax010.severity).toBe(DiagnosticSeverity.Error);
    expect(dax010.source).toBe('daxlayout');
    expect(dax010.codeDescription?.href).toMatch(/\/docs\/rules\/DAX010\.md$/);
    expect((dax010.data as { fixes: { title: string }[] }).fixes.map((f) => f.title)).toEqual([
      'Change size to 2M',
      'Change size to 4M',
    ]);
    const dax020 = d.diagnostics.find((x) => x.code === 'DAX020')!;
    expect(dax020.relatedInformation?.[0]?.location.uri).toBe(uri);
    expect(dax020.relatedInformation?.[0]?.message).toMatch(/region 0 on lab61/);
  });

  it('re-publishes after an incremental change', async () => {
    client = await startClient();
    const uri = sampleUri('mistakes.dax');
    await client.open(uri, read('mistakes.dax'));
    const d = await client.change(uri, 2, [
      { range: { start: { line: 7, character: 18 }, end: { line: 7, character: 20 } }, text: '4M' },
    ]);
    expect(d.version).toBe(2);
    expect(d.diagnostics.map((x) => x.code)).not.toContain('DAX010');
    // an insertion: `4M` → `45M`, odd again
    const d3 = await client.change(uri, 3, [
      { range: { start: { line: 7, character: 19 }, end: { line: 7, character: 19 } }, text: '5' },
    ]);
    const dax010 = d3.diagnostics.find((x) => x.code === 'DAX010');
    expect(dax010?.message).toMatch(/^size 45 MiB is not a multiple of align 2 MiB/);
    expect(dax010?.range).toEqual({ start: { line: 7, character: 18 }, end: { line: 7, character: 21 } });
  });

  it('publishes a clean list for a clean layout, and coalesces a burst of changes into the latest version', async () => {
    client = await startClient();
    const uri = sampleUri('hbm-lab.dax');
    const first = await client.open(uri, read('hbm-lab.dax'));
    expect(first.diagnostics).toEqual([]);
    const line = read('hbm-lab.dax')
      .split('\n')
      .findIndex((l) => l.includes('device weather'));
    const col = read('hbm-lab.dax').split('\n')[line]!.indexOf('1G');
    for (let v = 2; v <= 6; v++) {
      void client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: v },
        contentChanges: [
          { range: { start: { line, character: col }, end: { line, character: col + 2 } }, text: v % 2 ? '3M' : '1G' },
        ],
      });
    }
    const last = await client.diagnostics(uri, 6);
    expect(last.version).toBe(6);
    expect(last.diagnostics.map((x) => x.code)).not.toContain('DAX010');
  });

  it('clears the diagnostics of a closed document', async () => {
    client = await startClient();
    const uri = sampleUri('mistakes.dax');
    await client.open(uri, read('mistakes.dax'));
    void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const d = await client.diagnostics(uri);
    expect(d.diagnostics).toEqual([]);
  });

  it('reports a missing facts file, naming where it looked', async () => {
    client = await startClient();
    const uri = sampleUri('nowhere.dax');
    const d = await client.open(
      uri,
      'host h {\n  facts "no-such.facts.json"\n}\n\nregion 0 on h {\n  device a { size 1G }\n}\n',
    );
    const dax005 = d.diagnostics.find((x) => x.code === 'DAX005');
    expect(dax005?.message).toContain(resolve(SAMPLES, 'no-such.facts.json'));
    expect(dax005?.range.start.line).toBe(1);
  });
});
