/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activated, closeAll, hoverText, openDax, positionOf } from './helpers';

async function hoverAt(doc: vscode.TextDocument, pos: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos);
  // Addresses may be written with digit separators (0x1_0000_0000); compare without them.
  return hoverText(hovers ?? []).replace(/(?<=[0-9a-fA-F])_(?=[0-9a-fA-F])/g, '');
}

suite('hover', () => {
  suiteSetup(activated);
  suiteTeardown(closeAll);

  test('a device shows its predicted physical ranges', async () => {
    const doc = await openDax('hbm-lab.dax');
    // `daxlayout explain samples/hbm-lab.dax`: weather is dax0.0 at 0x100000000..0x13fffffff,
    // guest-a is pinned at 0x170000000..0x17fffffff.
    const weather = await hoverAt(doc, positionOf(doc, 'device weather', 'device '.length + 2));
    assert.match(weather, /0x100000000\s*(\.\.|–|-)\s*0x13fffffff/i, `hover over weather:\n${weather}`);
    const guest = await hoverAt(doc, positionOf(doc, 'device guest-a', 'device '.length + 2));
    assert.match(guest, /0x170000000\s*(\.\.|–|-)\s*0x17fffffff/i, `hover over guest-a:\n${guest}`);
  });

  test('a region whose facts have HMAT data shows the read latency', async () => {
    // samples/hmat-node1.dax uses linux-6.1-node1-online.facts.json: node 1 reads in 40 ns.
    const doc = await openDax('hmat-node1.dax');
    const text = await hoverAt(doc, positionOf(doc, 'region 0', 'region '.length));
    assert.match(text, /\b40\s*ns\b/, `hover over region 0:\n${text}`);
  });

  test('cache colours: the region names its colours in one line (the map is the picture), a device its own', async () => {
    // samples/colours.dax: weather holds colours 0..1 of 4, vms 2..3, of node 1's 256 MiB cache
    const doc = await openDax('colours.dax');
    const region = await hoverAt(doc, positionOf(doc, 'region 0', 'region '.length));
    assert.match(region, /colours: 4 of the 256 MiB cache/, `hover over region 0:\n${region}`);
    const weather = await hoverAt(doc, positionOf(doc, 'device weather', 'device '.length + 2));
    assert.match(weather, /0\.\.1 of 4 \(exclusive\) · 4 ranges · 512 MiB/, `hover over weather:\n${weather}`);
  });
});
