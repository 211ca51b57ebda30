/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, activated, closeAll, note, openDax } from './helpers';

suite('activation', () => {
  suiteTeardown(closeAll);

  test('opening a .dax file activates the extension and its language server', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    await openDax('hbm-lab.dax');
    const api = await activated();
    assert.ok(ext.isActive);
    const { activateMs, readyMs } = api.timings;
    note(
      `      activation: activate() took ${activateMs.toFixed(1)} ms; server ready ${readyMs?.toFixed(1)} ms after activate() started`,
    );
    assert.ok(readyMs !== undefined, 'ready resolved but no readyMs was recorded');
    // The target is 50 ms; the bound leaves room for a slow CI machine.
    assert.ok(activateMs < 250, `activate() took ${activateMs.toFixed(1)} ms`);
  });

  test('contributes the dax language and its commands', async () => {
    assert.ok((await vscode.languages.getLanguages()).includes('dax'));
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['daxlayout.restartServer', 'daxlayout.showOutput'])
      assert.ok(commands.includes(c), `command ${c} is missing`);
    await vscode.commands.executeCommand('daxlayout.showOutput');
  });
});
