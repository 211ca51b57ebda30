// Facts files: a change re-validates the layouts that use it; search paths from the settings.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SAMPLES, startClient, uriOf, type Client } from './harness';

let client: Client | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daxlayout-lsp-'));
});
afterEach(() => {
  client?.close();
  client = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const layout = (facts: string) =>
  readFileSync(resolve(SAMPLES, 'hbm-lab.dax'), 'utf8').replace('facts "linux-6.1.facts.json"', `facts "${facts}"`);
const codes = (d: { diagnostics: { code?: string | number }[] }) => d.diagnostics.map((x) => x.code);

describe('facts file changes', () => {
  it('re-validates every open layout using a facts file when the client reports it changed', async () => {
    const facts = join(dir, 'lab.facts.json');
    copyFileSync(resolve(SAMPLES, 'linux-6.1.facts.json'), facts);
    client = await startClient();
    const a = uriOf(join(dir, 'a.dax'));
    const b = uriOf(join(dir, 'b.dax'));
    const other = uriOf(join(dir, 'other.dax'));
    expect(codes(await client.open(a, layout('lab.facts.json')))).toEqual([]);
    expect(codes(await client.open(b, layout('lab.facts.json')))).toEqual([]);
    await client.open(other, 'host x {\n  kernel "6.12.0"\n}\n');

    // unchanged content: nothing is re-published (a request after the notification is answered after it was handled)
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(facts), type: 2 }],
    });
    await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: a } });
    await expect(client.diagnostics(a, undefined, 100)).rejects.toThrow(/no diagnostics/);
    writeFileSync(facts, '{ "format": "daxlayout-facts/1", ');
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(facts), type: 2 }],
    });
    const [da, db] = await Promise.all([client.diagnostics(a), client.diagnostics(b)]);
    expect(codes(da)).toContain('DAX005');
    expect(codes(db)).toContain('DAX005');
    expect(da.version).toBe(1);

    copyFileSync(resolve(SAMPLES, 'linux-6.1.facts.json'), facts);
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(facts), type: 2 }],
    });
    expect(codes(await client.diagnostics(a))).toEqual([]);
    expect(codes(await client.diagnostics(b))).toEqual([]);
    await expect(client.diagnostics(other, undefined, 200)).rejects.toThrow(/no diagnostics/);
  });

  it('picks up a facts file created after the layout was opened', async () => {
    client = await startClient();
    const uri = uriOf(join(dir, 'a.dax'));
    expect(codes(await client.open(uri, layout('late.facts.json')))).toContain('DAX005');
    copyFileSync(resolve(SAMPLES, 'linux-6.1.facts.json'), join(dir, 'late.facts.json'));
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(join(dir, 'late.facts.json')), type: 1 }],
    });
    expect(codes(await client.diagnostics(uri))).toEqual([]);
  });

  it('watches the facts files of open layouts itself (no client notification)', async () => {
    const facts = join(dir, 'lab.facts.json');
    copyFileSync(resolve(SAMPLES, 'linux-6.1.facts.json'), facts);
    client = await startClient({ watchFacts: true });
    const uri = uriOf(join(dir, 'a.dax'));
    expect(codes(await client.open(uri, layout('lab.facts.json')))).toEqual([]);
    writeFileSync(facts, 'not json');
    expect(codes(await client.diagnostics(uri, undefined, 5000))).toContain('DAX005');
  });
});

describe('daxlayout.factsSearchPaths', () => {
  it('finds facts in the folders the settings name (absolute, or relative to the workspace folder)', async () => {
    mkdirSync(join(dir, 'facts'));
    copyFileSync(resolve(SAMPLES, 'linux-6.1.facts.json'), join(dir, 'facts', 'lab.facts.json'));
    mkdirSync(join(dir, 'layouts'));
    client = await startClient({}, undefined, { workspaceFolders: [dir] });
    const uri = uriOf(join(dir, 'layouts', 'a.dax'));
    const first = await client.open(uri, layout('lab.facts.json'));
    expect(first.diagnostics.find((d) => d.code === 'DAX005')?.message).toContain(
      join(dir, 'layouts', 'lab.facts.json'),
    );
    client.settings = { factsSearchPaths: ['facts'] };
    void client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    expect(codes(await client.diagnostics(uri))).toEqual([]);
    client.settings = { factsSearchPaths: [] };
    void client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    expect(codes(await client.diagnostics(uri))).toContain('DAX005');
  });

  it('takes the setting from initializationOptions and from pushed settings when the client has no configuration request', async () => {
    copyFileSync(resolve(SAMPLES, 'linux-6.1.facts.json'), join(dir, 'lab.facts.json'));
    client = await startClient({}, {}, { initializationOptions: { factsSearchPaths: [dir] } });
    const uri = 'untitled:Untitled-1';
    expect(codes(await client.open(uri, layout('lab.facts.json')))).toEqual([]);
    void client.connection.sendNotification('workspace/didChangeConfiguration', {
      settings: { daxlayout: { factsSearchPaths: [] } },
    });
    const d = await client.diagnostics(uri);
    expect(d.diagnostics.find((x) => x.code === 'DAX005')?.message).toMatch(/not saved in a folder/);
  });
});
