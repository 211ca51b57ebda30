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
  openDax,
  workspaceUri,
} from './helpers';

// samples/mistakes.dax: what the checker says, and exactly where (0-based line and
// character of the range start, and the text the range starts with).
const expected = [
  { code: 'DAX010', line: 7, character: 18, text: '3M' }, //      device a { size 3M }
  { code: 'DAX011', line: 8, character: 29, text: '4M' }, //      device b { size 512M align 4M }
  { code: 'DAX020', line: 10, character: 18, text: '1G' }, //     device d { size 1G } (over-committed)
  { code: 'DAX021', line: 11, character: 19, text: '0x2_0000_0000' }, // range outside the region
  { code: 'DAX002', line: 14, character: 12, text: 'lab16' }, //  region 0 on lab16 (no such host)
];

suite('diagnostics', () => {
  suiteSetup(activated);
  suiteTeardown(closeAll);

  test('mistakes.dax: each mistake is reported with its code and range', async () => {
    const uri = workspaceUri('mistakes.dax');
    const published = diagnosticsWhen(uri, hasCode('DAX010'), { checkNow: true, what: 'DAX010' });
    const doc = await openDax('mistakes.dax');
    const diags = await published;
    const summary = describeDiagnostics(diags);
    for (const e of expected) {
      const d = diags.find((x) => codeOf(x) === e.code);
      assert.ok(d, `no ${e.code}; got:\n  ${summary}`);
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error, `${e.code} severity`);
      assert.deepEqual(
        [d.range.start.line, d.range.start.character],
        [e.line, e.character],
        `${e.code} starts at the wrong place; got:\n  ${summary}`,
      );
      assert.ok(!d.range.isEmpty, `${e.code} has an empty range`);
      assert.ok(
        doc.getText(d.range).startsWith(e.text),
        `${e.code} covers "${doc.getText(d.range)}", expected "${e.text}…"`,
      );
      assert.ok(d.message.length > 20, `${e.code} message is too short: ${d.message}`);
    }
    const dax010 = diags.find((x) => codeOf(x) === 'DAX010');
    assert.equal(doc.getText(dax010?.range), '3M');
    assert.match(dax010?.message ?? '', /multiple of align 2 MiB/);
  });

  test('hbm-lab.dax: a correct layout has no errors', async () => {
    // A fresh copy, so that opening it is sure to reach the server (an earlier suite may
    // have opened hbm-lab.dax), and the server's publish for it, even an empty one, is seen.
    const uri = workspaceUri('hbm-lab.e2e-copy.dax');
    await vscode.workspace.fs.copy(workspaceUri('hbm-lab.dax'), uri, { overwrite: true });
    const published = diagnosticsWhen(uri, () => true, { what: 'a publish' });
    await openDax('hbm-lab.e2e-copy.dax');
    const diags = await published;
    const errors = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map(codeOf), [], describeDiagnostics(errors));
  });
});
