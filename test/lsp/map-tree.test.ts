// The custom requests behind the editor's region map and tree (server/lsp/map.ts, tree.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { LayoutTreeResult, RegionMapResult } from '../../server/lsp/protocol';
import { startClient, uriOf, ROOT, type Client } from './harness';
import { resolve } from 'node:path';

let client: Client | undefined;
afterEach(() => client?.close());

const TEXT = `host t { kernel "6.1.0" }
region 0 on t {
  start 0x1_0000_0000
  size 2G
  node 1
  device weather { size 1G align 1G }
  device spill { size 512M mode system-ram }
}
`;
const uri = uriOf(resolve(ROOT, 'test/fixtures/map-request.dax'));
const doc = TextDocument.create(uri, 'dax', 1, TEXT);
const pos = (needle: string, delta = 0) => doc.positionAt(TEXT.indexOf(needle) + delta);

describe('daxlayout/regionMap', () => {
  it("answers each region's SVG, its devices' declarations and the device under the cursor", async () => {
    client = await startClient();
    await client.open(uri, TEXT);
    const r = (await client.connection.sendRequest('daxlayout/regionMap', {
      textDocument: { uri },
      position: pos('512M'),
    })) as RegionMapResult;
    expect(r).toMatchObject({ uri, version: 1, current: true, active: { region: 't/0', device: 'dax0.1' } });
    expect(r.regions.map((x) => x.title)).toEqual(['region 0 on t']);
    const region = r.regions[0];
    expect(region?.svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(region?.svg).toContain('data-device="dax0.1"');
    expect(region?.devices.map((d) => [d.label, d.kernelName, d.range])).toEqual([
      ['weather', 'dax0.0', { start: pos('weather'), end: pos('weather', 7) }],
      ['spill', 'dax0.1', { start: pos('spill'), end: pos('spill', 5) }],
    ]);
    // outside every device: no active device
    const r2 = (await client.connection.sendRequest('daxlayout/regionMap', {
      textDocument: { uri },
      position: pos('size 2G'),
    })) as RegionMapResult;
    expect(r2.active).toBeUndefined();
  });

  it('follows an edit: a new device appears in the next answer', async () => {
    client = await startClient();
    await client.open(uri, TEXT);
    const insert = pos('  device spill');
    await client.change(uri, 2, [{ range: { start: insert, end: insert }, text: '  device extra { size 256M }\n' }]);
    const r = (await client.connection.sendRequest('daxlayout/regionMap', {
      textDocument: { uri },
    })) as RegionMapResult;
    expect(r.version).toBe(2);
    expect(r.regions[0]?.devices.map((d) => d.label)).toEqual(['weather', 'extra', 'spill']);
  });

  it('answers null for a document that is not open', async () => {
    client = await startClient();
    expect(
      await client.connection.sendRequest('daxlayout/regionMap', { textDocument: { uri: 'file:///nowhere.dax' } }),
    ).toBeNull();
  });
});

describe('daxlayout/layoutTree', () => {
  it('answers hosts, regions and devices with their planned change and declarations', async () => {
    client = await startClient();
    await client.open(uri, TEXT);
    const r = (await client.connection.sendRequest('daxlayout/layoutTree', {
      textDocument: { uri },
    })) as LayoutTreeResult;
    expect(r.version).toBe(1);
    expect(r.hosts.map((h) => [h.name, h.target, h.range])).toEqual([
      ['t', 'declared geometry', { start: pos('t {'), end: pos('t {', 1) }],
    ]);
    const devs = r.hosts[0]?.regions[0]?.devices ?? [];
    expect(devs.map((d) => [d.label, d.kernelName, d.change, d.size])).toEqual([
      ['weather', 'dax0.0', 'create', '1 GiB'],
      ['spill', 'dax0.1', 'create', '512 MiB'],
    ]);
    expect(devs[1]?.range).toEqual({ start: pos('spill'), end: pos('spill', 5) });
  });
});
