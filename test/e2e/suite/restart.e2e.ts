/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activated, closeAll, codeOf, diagnosticsWhen, hasCode, openDax, workspaceUri } from './helpers';

suite('restart', () => {
  suiteSetup(activated);
  suiteTeardown(closeAll);

  test('"DAX: Restart Language Server" restarts it and diagnostics come back', async () => {
    const uri = workspaceUri('mistakes.dax');
    const first = diagnosticsWhen(uri, hasCode('DAX010'), { checkNow: true, what: 'DAX010' });
    await openDax('mistakes.dax');
    await first;

    // Stopping the old client clears its diagnostics; the new server publishes them again.
    let cleared = false;
    const back = diagnosticsWhen(
      uri,
      (diags) => {
        if (diags.length === 0) cleared = true;
        return cleared && hasCode('DAX010')(diags);
      },
      { what: 'diagnostics to be cleared and published again' },
    );
    await vscode.commands.executeCommand('daxlayout.restartServer');
    const diags = await back;
    assert.ok(diags.some((d) => codeOf(d) === 'DAX002'));

    // And the new server answers requests.
    const doc = await openDax('hbm-lab.dax');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      new vscode.Position(11, 12),
    );
    assert.ok(Array.isArray(hovers));
  });
});
