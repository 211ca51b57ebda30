/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activated,
  closeAll,
  codeOf,
  describeDiagnostics,
  diagnosticsWhen,
  hasCode,
  note,
  openDax,
  workspaceUri,
} from './helpers';

suite('quick fix', () => {
  suiteSetup(activated);
  // Leave mistakes.dax as it was on disk for the suites after this one.
  suiteTeardown(closeAll);

  test('the DAX010 quick fix makes the diagnostic go away', async () => {
    const uri = workspaceUri('mistakes.dax');
    const published = diagnosticsWhen(uri, hasCode('DAX010'), { checkNow: true, what: 'DAX010' });
    const doc = await openDax('mistakes.dax');
    const dax010 = (await published).find((d) => codeOf(d) === 'DAX010');
    assert.ok(dax010);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      dax010.range,
      vscode.CodeActionKind.QuickFix.value,
      // Resolve the edits (the server may send them lazily, through codeAction/resolve).
      10,
    );
    // vscode.executeCodeActionProvider does not hand back `diagnostics`; the actions asked
    // for on DAX010's exact range, of kind quickfix, are its fixes.
    const fixes = (actions ?? []).filter(
      (a) =>
        (a.kind?.value ?? '').startsWith('quickfix') && (a.diagnostics?.some((d) => codeOf(d) === 'DAX010') ?? true),
    );
    assert.ok(
      fixes.length > 0,
      `no quick fix for DAX010; actions: ${(actions ?? []).map((a) => a.title).join(' | ') || '(none)'}`,
    );
    const fix = fixes.find((a) => a.isPreferred) ?? fixes[0]!;
    assert.ok(fix.edit || fix.command, `the fix "${fix.title}" has neither an edit nor a command`);

    const gone = diagnosticsWhen(uri, (diags) => !hasCode('DAX010')(diags), { what: 'DAX010 to go' });
    if (fix.edit) assert.ok(await vscode.workspace.applyEdit(fix.edit), `applying "${fix.title}" failed`);
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    const after = await gone;
    assert.ok(doc.isDirty, 'the fix should have edited the document');
    note(`      applied "${fix.title}": line 8 is now "${doc.lineAt(7).text.trim()}"`);
    // The other mistakes are still reported.
    assert.ok(hasCode('DAX011')(after), `DAX011 vanished too:\n  ${describeDiagnostics(after)}`);
  });
});
