/// <reference types="mocha" />
// Plan and apply from the editor, against the simulated target: e2e-plan.dax is
// samples/hbm-lab.dax without `ssh`, so its host is planned and applied against
// sim:linux-6.1.facts.json, and nothing touches a machine. The commands run the CLI bundled
// in the extension (client/dist/cli.js) under the extension host's Node.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { activated, closeAll, codeOf, diagnosticsWhen, note, openDax, workspaceUri } from './helpers';

interface PlanOutcome {
  ok: boolean;
  host?: string;
  planUri?: string;
  changes?: boolean;
  errors?: number;
  simulated?: boolean;
  message: string;
}

interface ApplyOutcome {
  result: string;
  exitCode?: number;
  message: string;
  stepsRun: number;
  stepsTotal: number;
  simulated: boolean;
  cancelled: boolean;
  planUri?: string;
  log: string[];
}

interface CaptureOutcome {
  ok: boolean;
  message: string;
  file?: string;
}

const PLAN_SCHEME = 'daxlayout-plan';

function planDocument(planUri: string | undefined): vscode.TextDocument {
  assert.ok(planUri, 'the command reported no plan document');
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === planUri);
  assert.ok(doc, `the plan document ${planUri} is not open`);
  return doc;
}

/** Resolves when `doc`'s text satisfies `accept` (now or at a later change). */
function textWhen(
  doc: vscode.TextDocument,
  accept: (text: string) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      sub.dispose();
      if (err) reject(err);
      else resolve(doc.getText());
    };
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() === doc.uri.toString() && accept(e.document.getText())) done();
    });
    const timer = setTimeout(
      () => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the text:\n${doc.getText()}`)),
      timeoutMs,
    );
    if (accept(doc.getText())) done();
  });
}

suite('plan and apply', () => {
  let logFile: vscode.Uri | undefined;
  suiteSetup(async () => {
    await openDax('e2e-plan.dax');
    const api = (await activated()) as unknown as { logFile?: vscode.Uri };
    logFile = api.logFile;
  });
  suiteTeardown(closeAll);

  test('code lenses "Plan", "Apply" and "Capture facts" sit on the host line', async () => {
    const doc = await openDax('e2e-plan.dax');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      doc.uri,
      10,
    );
    const hostLine = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('host lab61 {'));
    const mine = lenses.filter((l) => l.command?.command.startsWith('daxlayout.'));
    assert.deepEqual(
      mine.map((l) => [l.range.start.line, l.command?.title, l.command?.command]),
      [
        [hostLine, 'Plan (simulated)', 'daxlayout.plan'],
        [hostLine, 'Apply (simulated)', 'daxlayout.apply'],
        [hostLine, 'Capture facts', 'daxlayout.captureFacts'],
      ],
    );
    assert.deepEqual(mine[0]?.command?.arguments, [{ uri: doc.uri.toString(), host: 'lab61' }]);
    assert.match(
      mine[0]?.command?.tooltip ?? '',
      /against a simulation of linux-6\.1\.facts\.json: nothing touches a machine/,
    );
  });

  test('"DAX: Plan" opens a daxlayout-plan: document with the terraform-style plan', async () => {
    await openDax('e2e-plan.dax');
    const out = await vscode.commands.executeCommand<PlanOutcome>('daxlayout.plan');
    assert.equal(out.ok, true, out.message);
    assert.equal(out.simulated, true);
    const doc = planDocument(out.planUri);
    assert.equal(doc.uri.scheme, PLAN_SCHEME);
    assert.equal(doc.languageId, 'dax-plan');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), doc.uri.toString(), 'the plan is shown');
    const text = doc.getText();
    assert.match(text, /^Plan for host lab61 in e2e-plan\.dax$/m);
    assert.match(text, /^Target: simulated from linux-6\.1\.facts\.json — nothing touches a machine$/m);
    assert.ok(text.includes('+ 4. create dax0.1 (spill)'), text);
    assert.ok(text.includes('      echo 1 > /sys/devices/platform/hmem.0/dax_region/create'), text);
    assert.ok(text.includes('~ 2. shrink dax0.0 (weather) from 2 GiB to 1 GiB'), text);
    assert.ok(text.includes('Plan: 3 devices to create, 1 to change, 0 to destroy.'), text);
    note(`      plan document: ${doc.uri.toString(true).split('?')[0]}, ${doc.lineCount} lines`);
  });

  test('"DAX: Apply" with { yes: true } applies step by step and says the run was simulated', async () => {
    const layout = await openDax('e2e-plan.dax');
    const factsPath = workspaceUri('linux-6.1.facts.json').fsPath;
    const factsBefore = readFileSync(factsPath, 'utf8');
    const out = await vscode.commands.executeCommand<ApplyOutcome>('daxlayout.apply', {
      uri: layout.uri.toString(),
      host: 'lab61',
      yes: true,
    });
    note(`      apply: ${out.result}: ${out.message}`);
    assert.equal(out.result, 'applied', out.message);
    assert.equal(out.exitCode, 0);
    assert.equal(out.cancelled, false);
    assert.equal(out.simulated, true);
    assert.ok(out.stepsTotal > 10, `${out.stepsTotal} steps`);
    assert.equal(out.stepsRun, out.stepsTotal);
    assert.match(
      out.message,
      /^Simulated apply to lab61 complete and verified: 3 devices created, 1 changed, 0 destroyed, in all \d+ steps \(simulated from linux-6\.1\.facts\.json — nothing touches a machine; the facts file is unchanged/,
    );

    // every step went to the output channel as it ran, numbered
    const stepLines = out.log.filter((l) => /^ {2}step \d+ of \d+: .*ok$/.test(l));
    assert.equal(stepLines.length, out.stepsTotal, out.log.join('\n'));
    assert.ok(
      out.log.some((l) => l.includes(` of ${out.stepsTotal}: create dax0.1 (spill)   ok`)),
      out.log.join('\n'),
    );
    assert.ok(
      out.log.some((l) => l.includes('verified: lab61 is the predicted state')),
      out.log.join('\n'),
    );
    assert.ok(logFile, "the extension API names the output channel's log file");
    {
      // the channel's own file (written by VS Code's logger, flushed shortly after)
      const deadline = Date.now() + 10_000;
      let text = '';
      while (Date.now() < deadline) {
        text = await vscode.workspace.fs.readFile(logFile).then(
          (b) => Buffer.from(b).toString('utf8'),
          () => '',
        );
        if (text.includes('Simulated apply to lab61 complete and verified')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(
        text.includes(`step 1 of ${out.stepsTotal}: unbind dax0.0 from device_dax   ok`),
        `the output channel's log (${logFile.fsPath}) lacks the steps:\n${text.slice(-3000)}`,
      );
      assert.ok(text.includes('Simulated apply to lab61 complete and verified'));
    }

    // the plan document now marks each step as run
    const plan = planDocument(out.planUri);
    // the result is at the top of the plan view, where no notification covers it
    const text = await textWhen(plan, (t) => /^Result \S+: /m.test(t), 'the plan document to show the apply');
    assert.match(text, /^Result \S+: Simulated apply to lab61 complete and verified/m);
    assert.ok(text.split('\n').findIndex((l) => l.startsWith('Result ')) < 8, 'the result is near the top');
    assert.ok(text.includes('✓     + 4. create dax0.1 (spill)'), text);
    assert.equal(
      text.split('\n').filter((l) => /^✓ {5}[+~-] /.test(l)).length,
      out.stepsTotal,
      'every step is marked as run',
    );

    // nothing persisted: the facts file is unchanged and a new plan has the same steps
    assert.equal(readFileSync(factsPath, 'utf8'), factsBefore, 'a simulated apply must not change the facts file');
    const again = await vscode.commands.executeCommand<PlanOutcome>('daxlayout.plan', {
      uri: layout.uri.toString(),
      host: 'lab61',
    });
    assert.equal(again.ok, true, again.message);
    assert.equal(again.changes, true);
    assert.ok(planDocument(again.planUri).getText().includes('Plan: 3 devices to create, 1 to change, 0 to destroy.'));
  });

  test('cancelling an apply stops it between steps and says exactly which steps ran', async () => {
    const layout = await openDax('e2e-plan.dax');
    // The CLI's test hook (inherited through the extension host's environment): the simulated
    // host pauses after write 3 until the apply is cancelled.
    const cts = new vscode.CancellationTokenSource();
    process.env.DAXLAYOUT_TEST_PAUSE_AFTER = '3';
    let out: ApplyOutcome;
    try {
      const planUri = `${PLAN_SCHEME}:/e2e-plan.dax — lab61 plan`;
      const running = vscode.commands.executeCommand<ApplyOutcome>('daxlayout.apply', {
        uri: layout.uri.toString(),
        host: 'lab61',
        yes: true,
        cancel: cts.token,
      });
      // the plan document marks steps as they run: cancel once step 3 is done
      const doc = await new Promise<vscode.TextDocument>((resolve, reject) => {
        const timer = setTimeout(() => {
          sub.dispose();
          reject(new Error('the plan document never showed step 3 as done'));
        }, 20_000);
        const sub = vscode.workspace.onDidChangeTextDocument((e) => {
          if (
            e.document.uri.toString(true).startsWith(planUri) &&
            e.document.getText().includes('✓     ~ 3. set dax0.0 (weather) align to 1 GiB')
          ) {
            clearTimeout(timer);
            sub.dispose();
            resolve(e.document);
          }
        });
      });
      cts.cancel();
      out = await running;
      const text = await textWhen(doc, (t) => /^Stopped \S+: /m.test(t), 'the apply result in the plan document');
      assert.match(text, /^✓ {5}~ 3\. set dax0\.0 \(weather\) align to 1 GiB$/m);
      assert.match(text, /^ {6}\+ 4\. create dax0\.1 \(spill\)$/m, 'step 4 did not run and is not marked');
    } finally {
      delete process.env.DAXLAYOUT_TEST_PAUSE_AFTER;
      cts.dispose();
    }
    note(`      cancelled: ${out.message}`);
    assert.equal(out.result, 'cancelled', out.message);
    assert.equal(out.cancelled, true);
    assert.equal(out.stepsRun, 3);
    assert.match(
      out.message,
      /^Simulated apply to lab61 cancelled: steps 1–3 of \d+ ran \(the last: set dax0\.0 \(weather\) align to 1 GiB\); step 4 \(create dax0\.1 \(spill\)\) to \d+ did not run\./,
    );
  });

  test('"DAX: Capture Host Facts" runs the CLI that daxlayout.cliPath names and writes the host\'s facts file', async () => {
    const doc = await openDax('e2e-capture.dax');
    const fake = workspaceUri('e2e-fake-cli.js').fsPath;
    const target = workspaceUri('e2e-captured.facts.json').fsPath;
    const config = vscode.workspace.getConfiguration('daxlayout');
    await config.update('cliPath', fake, vscode.ConfigurationTarget.Global);
    try {
      assert.equal(vscode.workspace.getConfiguration('daxlayout').get('cliPath'), fake);
      const out = await vscode.commands.executeCommand<CaptureOutcome>('daxlayout.captureFacts', {
        uri: doc.uri.toString(),
        host: 'cap',
      });
      note(`      capture: ${out.message}`);
      assert.equal(out.ok, true, out.message);
      assert.equal(out.file, target);
      assert.match(
        out.message,
        /^Captured the facts of cap from root@192\.0\.2\.7 port 2200 into e2e-captured\.facts\.json \(1 warning\(s\): see the output\)\.$/,
      );
      assert.equal(readFileSync(target, 'utf8'), readFileSync(workspaceUri('linux-6.12.facts.json').fsPath, 'utf8'));
      const argv = JSON.parse(readFileSync(workspaceUri('e2e-fake-cli.argv.json').fsPath, 'utf8')) as string[];
      assert.deepEqual(argv.slice(0, 5), ['facts', 'root@192.0.2.7', '--port', '2200', '-o']);
      assert.notEqual(argv[5], target, 'the CLI writes a temporary file, moved into place when the capture succeeded');
      // the file exists now: capturing again asks before overwriting it (`yes` answers for the test)
      const again = await vscode.commands.executeCommand<CaptureOutcome>('daxlayout.captureFacts', {
        uri: doc.uri.toString(),
        host: 'cap',
        yes: true,
      });
      assert.equal(again.ok, true, again.message);
    } finally {
      await config.update('cliPath', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('plan errors are reported, pointing to the Problems view; the host is picked by name', async () => {
    const doc = await openDax('e2e-plan-errors.dax');
    await diagnosticsWhen(doc.uri, (d) => d.some((x) => codeOf(x) === 'DAX020'), { checkNow: true, what: 'DAX020' });
    const out = await vscode.commands.executeCommand<PlanOutcome>('daxlayout.plan', {
      uri: doc.uri.toString(),
      host: 'lab61',
    });
    assert.equal(out.ok, false);
    assert.equal(out.errors, 1);
    assert.match(
      out.message,
      /^e2e-plan-errors\.dax has 1 error for lab61: nothing was planned\. The plan view lists it\.$/,
    );
    // an invalid layout gets no plan: the view lists the error, as terraform does
    const text = planDocument(out.planUri).getText();
    assert.match(text, /^The layout has 1 error for lab61; nothing was planned/m);
    assert.match(text, /e2e-plan-errors\.dax:12:21: error: region 0 on lab61 is over-committed .* \[DAX020\]/);
    assert.ok(!text.includes('daxlayout will perform'), text);
    // the language server already shows DAX020: the plan does not add a duplicate
    const dax020 = vscode.languages.getDiagnostics(doc.uri).filter((d) => codeOf(d) === 'DAX020');
    assert.equal(dax020.length, 1, dax020.map((d) => `${d.source}: ${d.message}`).join('\n'));

    // apply stops at the plan's errors and runs nothing
    const apply = await vscode.commands.executeCommand<ApplyOutcome>('daxlayout.apply', {
      uri: doc.uri.toString(),
      host: 'lab61',
      yes: true,
    });
    assert.equal(apply.result, 'not-run');
    assert.equal(apply.stepsRun, 0);

    // a host with neither facts on disk nor a reachable target is refused with the reason
    const missing = await vscode.commands.executeCommand<PlanOutcome>('daxlayout.plan', {
      uri: doc.uri.toString(),
      host: 'nosuchhost',
    });
    assert.equal(missing.ok, false);
    assert.match(missing.message, /has no host `nosuchhost` \(hosts: lab61, elsewhere\)/);
  });
});
