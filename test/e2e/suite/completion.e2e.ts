/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activated, closeAll, openDax, positionOf } from './helpers';

const labelOf = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label);

suite('completion', () => {
  suiteSetup(activated);
  suiteTeardown(closeAll);

  test('inside a device block it offers the device properties', async () => {
    const doc = await openDax('e2e-completion.dax');
    const pos = positionOf(doc, 'device blank {\n', 'device blank {\n'.length + 4);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      pos,
    );
    const labels = (list?.items ?? []).map(labelOf);
    for (const want of ['size', 'align', 'mode'])
      assert.ok(labels.includes(want), `no "${want}" among: ${labels.join(', ')}`);
  });
});
