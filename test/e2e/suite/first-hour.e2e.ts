/// <reference types="mocha" />
// The first hour of a new user (issue 14), in the real VS Code: the quick-start layout planned
// and applied (simulated) from its code lenses, "Plan against facts", an invalid layout that
// gets no plan, short hovers with the recaptured HMAT data, inlay hints, formatting that keeps
// the samples as they are, the [dax] editor defaults, hints for assumptions, rule pages shipped
// with the extension, the settings that turn lenses and hints off, completion of facts paths
// and ignore comments. One screenshot per feature (test/e2e/out/shots/).
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  activated,
  closeAll,
  codeOf,
  diagnosticsWhen,
  EXTENSION_ID,
  note,
  openDax,
  shot,
  workspaceUri,
} from './helpers';

interface PlanOutcome {
  ok: boolean;
  planUri?: string;
  changes?: boolean;
  errors?: number;
  simulated?: boolean;
  message: string;
}
interface ApplyOutcome {
  result: string;
  message: string;
  stepsRun: number;
  stepsTotal: number;
  simulated: boolean;
  planUri?: string;
}

const lensesOf = async (doc: vscode.TextDocument) =>
  (
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10)) ?? []
  ).filter((l) => l.command?.command.startsWith('daxlayout.'));

const docOf = (uri: string | undefined) => {
  const d = vscode.workspace.textDocuments.find((x) => x.uri.toString() === uri);
  assert.ok(d, `no open document ${uri}`);
  return d;
};

suite('the first hour', () => {
  suiteSetup(async () => {
    await openDax('quickstart.dax');
    await activated();
  });
  // each screenshot shows one feature: no editors or panels left over from the test before
  setup(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });
  suiteTeardown(closeAll);

  test('the quick-start layout plans and applies, simulated, from its code lenses (CLI and editor agree)', async () => {
    const doc = await openDax('quickstart.dax');
    await diagnosticsWhen(doc.uri, () => true, { checkNow: true, what: 'the first analysis' });
    const lenses = await lensesOf(doc);
    assert.deepEqual(
      lenses.map((l) => l.command?.title),
      ['Plan (simulated)', 'Apply (simulated)', 'Capture facts'],
    );
    // the lens' own command and arguments, as a click runs them
    const plan = lenses[0]?.command as vscode.Command;
    const planned = await vscode.commands.executeCommand<PlanOutcome>(plan.command, ...(plan.arguments ?? []));
    assert.equal(planned.ok, true, planned.message);
    assert.equal(planned.simulated, true);
    const text = docOf(planned.planUri).getText();
    assert.match(text, /^Target: simulated from linux-6\.1\.facts\.json — nothing touches a machine$/m);
    assert.ok(text.includes('Plan: 2 devices to create, 1 to change, 0 to destroy.'), text);
    // `+` only on the steps that create a device
    const ops = text.split('\n').filter((l) => /^ {2}[+~-] \d+\. /.test(l));
    assert.ok(ops.length > 5, text);
    for (const l of ops) assert.equal(l.startsWith('  + '), / create dax/.test(l), l);
    // the plan view wraps (long sysfs paths and the kernel's refusals stay on screen)
    assert.equal(vscode.workspace.getConfiguration('editor', { languageId: 'dax-plan' }).get('wordWrap'), 'on');
    await shot('plan-simulated');

    const facts = readFileSync(workspaceUri('linux-6.1.facts.json').fsPath, 'utf8');
    const applied = await vscode.commands.executeCommand<ApplyOutcome>('daxlayout.apply', {
      ...(lenses[1]?.command?.arguments?.[0] as object),
      yes: true,
    });
    note(`      apply: ${applied.message}`);
    assert.equal(applied.result, 'applied', applied.message);
    assert.equal(applied.simulated, true);
    assert.equal(applied.stepsRun, applied.stepsTotal);
    assert.match(applied.message, /: 2 devices created, 1 changed, 0 destroyed, in all \d+ steps/);
    assert.equal(
      readFileSync(workspaceUri('linux-6.1.facts.json').fsPath, 'utf8'),
      facts,
      'a simulated apply changes no file',
    );
    await shot('apply-simulated');
  });

  test('a host with ssh and facts gets "Plan against facts", which touches no machine', async () => {
    const doc = await openDax('hbm-lab.dax');
    const lenses = await lensesOf(doc);
    assert.deepEqual(
      lenses.map((l) => l.command?.title),
      ['Plan', 'Plan against facts', 'Apply', 'Capture facts'],
    );
    const c = lenses[1]?.command as vscode.Command;
    const out = await vscode.commands.executeCommand<PlanOutcome>(c.command, ...(c.arguments ?? []));
    assert.equal(out.ok, true, out.message);
    assert.equal(out.simulated, true);
    assert.ok(docOf(out.planUri).getText().includes('Plan: 3 devices to create, 1 to change, 0 to destroy.'));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
    // the status bar names the target of the host under the cursor
    const editor = vscode.window.activeTextEditor as vscode.TextEditor;
    const at = doc.positionAt(doc.getText().indexOf('host lab61') + 6);
    editor.selection = new vscode.Selection(at, at);
    await shot('lenses-and-status-bar');
  });

  test('hovers are short, placement first, with the HMAT data of the recaptured samples', async () => {
    const doc = await openDax('hbm-lab.dax');
    const at = doc.positionAt(doc.getText().indexOf('region 0') + 7);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
    const md = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(md, /^\*\*region 0\*\* on `lab61` · Linux 6\.1\.0-57-amd64/);
    assert.ok(
      md.includes('node 1: read 40 ns, 2048 MB/s from node 0 (HMAT access1) · L1 memory-side cache 256 MiB'),
      md,
    );
    assert.ok(!md.includes('No HMAT'), md);
    assert.ok(md.split('\n').length <= 10, `a short hover:\n${md}`);
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(at, at);
    await vscode.commands.executeCommand('editor.action.showHover');
    await shot('hover-region');
  });

  test('an invalid layout gets no plan: the plan view lists its errors', async () => {
    const doc = await openDax('mistakes.dax');
    const out = await vscode.commands.executeCommand<PlanOutcome>('daxlayout.plan', {
      uri: doc.uri.toString(),
      host: 'lab61',
      target: 'facts',
    });
    assert.equal(out.ok, false);
    const text = docOf(out.planUri).getText();
    assert.match(text, /^The layout has \d+ errors for lab61; nothing was planned/m);
    assert.ok(!text.includes('daxlayout will perform'), text);
    await shot('plan-refused');
  });

  test("inlay hints sit at the line's end and skip devices in error", async () => {
    const doc = await openDax('mistakes.dax');
    await diagnosticsWhen(doc.uri, (d) => d.some((x) => codeOf(x) === 'DAX010'), { checkNow: true, what: 'DAX010' });
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>(
      'vscode.executeInlayHintProvider',
      doc.uri,
      new vscode.Range(0, 0, doc.lineCount, 0),
    );
    const errorLines = new Set(
      vscode.languages
        .getDiagnostics(doc.uri)
        .filter((d) => d.severity === vscode.DiagnosticSeverity.Error)
        .map((d) => d.range.start.line),
    );
    for (const h of hints) {
      assert.equal(h.position.character, doc.lineAt(h.position.line).text.length, 'at the end of its line');
      assert.ok(!errorLines.has(h.position.line), `no hint on a line in error: ${doc.lineAt(h.position.line).text}`);
    }
    await vscode.window.showTextDocument(doc);
    await shot('inlay-hints');
  });

  test('formatting keeps the samples as they are; .dax files indent with 2 spaces', async () => {
    for (const name of ['hbm-lab.dax', 'mistakes.dax', 'colours.dax', 'quickstart.dax']) {
      const doc = await openDax(name);
      const edits =
        (await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, {
          tabSize: 2,
          insertSpaces: true,
        })) ?? [];
      assert.deepEqual(edits, [], `${name} is formatted`);
    }
    const editor = vscode.window.activeTextEditor as vscode.TextEditor;
    assert.equal(editor.options.tabSize, 2);
    assert.equal(editor.options.insertSpaces, true);
    assert.equal(
      vscode.workspace.getConfiguration('editor', { languageId: 'dax' }).get('minimap.showRegionSectionHeaders'),
      false,
    );
  });

  test('assumptions are hints, not squiggles; ignore comments hide a finding', async () => {
    const tour = await openDax('syntax-tour.dax');
    const diags = await diagnosticsWhen(tour.uri, (d) => d.some((x) => codeOf(x) === 'DAX007'), {
      checkNow: true,
      what: 'DAX007',
    });
    for (const d of diags.filter((x) => codeOf(x) === 'DAX007'))
      assert.equal(d.severity, vscode.DiagnosticSeverity.Hint, d.message);
    assert.ok(!diags.some((d) => /^design:/.test(d.message)), 'no bare "design:" prefix');

    const cxl = await openDax('cxl-6.12.dax');
    await diagnosticsWhen(cxl.uri, (d) => d.some((x) => codeOf(x) === 'DAX043'), { checkNow: true, what: 'DAX043' });
    const line = cxl
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('region 0 on lab612'));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(cxl.uri, new vscode.Position(line, 0), '# daxlayout: ignore DAX043\n');
    const gone = diagnosticsWhen(cxl.uri, (d) => !d.some((x) => codeOf(x) === 'DAX043'), { what: 'DAX043 hidden' });
    assert.ok(await vscode.workspace.applyEdit(edit));
    await gone;
    await shot('ignore-comment');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('rule links open the page shipped with the extension, offline', async () => {
    const doc = await openDax('mistakes.dax');
    const diags = await diagnosticsWhen(doc.uri, (d) => d.some((x) => codeOf(x) === 'DAX010'), {
      checkNow: true,
      what: 'DAX010',
    });
    const d = diags.find((x) => codeOf(x) === 'DAX010') as vscode.Diagnostic;
    const target = (d.code as { target: vscode.Uri }).target;
    assert.equal(target.scheme, 'file');
    const ext = vscode.extensions.getExtension(EXTENSION_ID) as vscode.Extension<unknown>;
    assert.ok(
      target.fsPath.startsWith(ext.extensionPath),
      `${target.fsPath} is inside the extension (${ext.extensionPath})`,
    );
    assert.ok(existsSync(target.fsPath), target.fsPath);
    await vscode.commands.executeCommand('vscode.open', target);
    await shot('rule-page');
  });

  test('settings turn code lenses and inlay hints off; a walkthrough, an icon and a changelog ship', async () => {
    const doc = await openDax('quickstart.dax');
    const config = vscode.workspace.getConfiguration('daxlayout');
    await config.update('codeLens.enabled', false, vscode.ConfigurationTarget.Global);
    await config.update('inlayHints.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      assert.deepEqual(await lensesOf(doc), []);
      const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>(
        'vscode.executeInlayHintProvider',
        doc.uri,
        new vscode.Range(0, 0, doc.lineCount, 0),
      );
      assert.deepEqual(hints, []);
    } finally {
      await config.update('codeLens.enabled', undefined, vscode.ConfigurationTarget.Global);
      await config.update('inlayHints.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal((await lensesOf(doc)).length, 3);
    const ext = vscode.extensions.getExtension(EXTENSION_ID) as vscode.Extension<unknown>;
    const pkg = ext.packageJSON as {
      icon?: string;
      contributes: { walkthroughs?: { id: string; steps: unknown[] }[] };
    };
    assert.ok(pkg.icon && existsSync(`${ext.extensionPath}/${pkg.icon}`), 'the icon ships');
    assert.ok(existsSync(`${ext.extensionPath}/CHANGELOG.md`), 'the changelog ships');
    assert.equal(pkg.contributes.walkthroughs?.[0]?.steps.length, 5);
    // the walkthrough's first step opens the quick-start layout from the extension's own copy
    const opened = await vscode.commands.executeCommand<string>('daxlayout.openQuickstart');
    assert.match(opened, /quickstart\/quickstart\.dax$/);
    await vscode.commands.executeCommand(
      'workbench.action.openWalkthrough',
      `${EXTENSION_ID}#daxlayout.firstHour`,
      false,
    );
    await shot('walkthrough');
  });

  test('completion offers the facts files for `facts "…"`', async () => {
    const doc = await openDax('quickstart.dax');
    const offset = doc.getText().indexOf('linux-6.1.facts.json"') + 'linux-6.'.length;
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      doc.positionAt(offset),
    );
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('linux-6.12.facts.json') && labels.includes('linux-6.1.facts.json'), labels.join(', '));
  });
});
