/// <reference types="mocha" />
// The "DAX Layout" tree in the explorer: hosts → regions → devices with their planned change
// and kernel names, from the server; refreshed on edits; a row's command reveals the
// declaration (clicking the row is checked by the UI part, test/e2e/ui-map.mjs).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activated, closeAll, openDax, positionOf, until } from './helpers';

interface TreeRow {
  depth: number;
  label: string;
  description: string;
}
interface TreeState {
  uri?: string;
  version?: number;
  /** The tree is of that version's analysis (else of an older one, mapped onto it). */
  current?: boolean;
  rows: TreeRow[];
}

const state = () => vscode.commands.executeCommand<TreeState>('daxlayout.tree.state');

suite('layout tree', () => {
  suiteSetup(activated);
  suiteTeardown(closeAll);

  test('shows hosts, regions and devices with their planned change', async () => {
    const doc = await openDax('e2e-map.dax');
    const s = await until(
      state,
      (x) => x.uri === doc.uri.toString() && x.version === doc.version && x.current === true && x.rows.length > 2,
      'the tree of e2e-map.dax',
    );
    assert.deepEqual(
      s.rows.map((r) => `${'  '.repeat(r.depth)}${r.label} — ${r.description}`),
      [
        'lab — declared geometry · Linux 6.1.0',
        '  region 0 — 0x1_0000_0000 · 2 GiB · node 1',
        '    weather — dax0.0 · create · 1 GiB',
        '    spill — dax0.1 · create · 512 MiB',
        '    guest-a — dax0.2 · create · 256 MiB',
        '    scratch — dax0.3 · create · 256 MiB',
      ],
    );
  });

  test('refreshes on an edit, and shows a refused device', async () => {
    const doc = await openDax('e2e-map.dax');
    const editor = vscode.window.activeTextEditor as vscode.TextEditor;
    const at = positionOf(doc, '  device scratch');
    assert.ok(await editor.edit((e) => e.insert(at, '  device huge { size 4G }\n')));
    const s = await until(
      state,
      (x) => x.version === doc.version && x.rows.some((r) => r.label === 'huge'),
      'the tree to show `huge`',
    );
    const huge = s.rows.find((r) => r.label === 'huge');
    assert.match(huge?.description ?? '', /refused/);
  });

  test('a row reveals its declaration', async () => {
    const doc = await openDax('e2e-map.dax');
    const other = positionOf(doc, 'host lab');
    (vscode.window.activeTextEditor as vscode.TextEditor).selection = new vscode.Selection(other, other);
    const at = positionOf(doc, 'guest-a');
    const range = {
      start: { line: at.line, character: at.character },
      end: { line: at.line, character: at.character + 'guest-a'.length },
    };
    await vscode.commands.executeCommand('daxlayout.tree.reveal', doc.uri.toString(), range);
    const sel = vscode.window.activeTextEditor?.selection;
    assert.equal(doc.getText(sel), 'guest-a');
  });
});
