// Plan, apply and fact capture from the editor: "DAX: Plan", "DAX: Apply", "DAX: Capture
// Host Facts" and the code lenses on each `host NAME {` line. The CLI does the work; this
// file picks the host and its target, runs the CLI, and shows what it says: the plan in a
// read-only document, a modal confirmation naming the destructive steps, apply progress
// step by step (cancellable), and the result.
//
// Target: a host with `ssh "…"` is planned and applied over SSH; a host with only
// `facts "…"` against the simulated target (`--target sim:FACTS`), which touches no machine.
// A simulated apply runs on a private copy of the facts file, so nothing is saved: the
// facts file keeps describing the real host, and each run starts again from it.
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Cli, type CliResult } from './cli';
import { findHosts, type HostBlock } from './hosts';
import { clock, isDestructive, isPlanJson, persistPending, renderPlan, stepLabel, type PlanJson, type PlanStep, type StepState, type TargetInfo } from './plan-render';
import { PLAN_SCHEME, PlanDocuments } from './plan-view';

/**
 * The argument the three commands accept (all optional; code lenses pass `uri` and `host`):
 * - `uri`: the layout (a URI or its string); default: the active editor's layout
 * - `host`: the host's name; default: the only host, or a QuickPick
 * - `yes`: skip the confirmation (apply; capture: overwrite the facts file) — for automation
 * - `destination`: capture from this SSH destination instead of the host's `ssh "…"`
 * - `cancel`: a CancellationToken that cancels a running apply like the notification's
 *   Cancel button (for callers in the same extension host: other extensions, tests)
 */
export interface CommandArgs {
  readonly uri?: string | vscode.Uri;
  readonly host?: string;
  readonly yes?: boolean;
  readonly destination?: string;
  readonly cancel?: vscode.CancellationToken;
}

export interface PlanOutcome {
  readonly ok: boolean;
  readonly host?: string;
  /** The plan document's URI. */
  readonly planUri?: string;
  readonly changes?: boolean;
  readonly errors?: number;
  readonly simulated?: boolean;
  readonly message: string;
}

export interface ApplyOutcome {
  /** applied, no-changes, failed, differs, refused, cancelled, declined, not-run */
  readonly result: string;
  readonly exitCode?: number;
  readonly message: string;
  readonly stepsRun: number;
  readonly stepsTotal: number;
  readonly simulated: boolean;
  readonly cancelled: boolean;
  readonly planUri?: string;
  /** The lines this apply wrote to the "daxlayout" output channel. */
  readonly log: string[];
}

export interface CaptureOutcome {
  readonly ok: boolean;
  readonly message: string;
  readonly file?: string;
}

type Target = { kind: 'ssh'; destination: string; port?: number; info: TargetInfo } | { kind: 'sim'; facts: string; info: TargetInfo };

interface Resolved {
  readonly doc: vscode.TextDocument;
  readonly host: HostBlock;
}

/** Ends a command with a message (shown unless `shown`). */
class Stop extends Error {
  constructor(
    message: string,
    readonly shown = false,
  ) {
    super(message);
  }
}

export class PlanApply implements vscode.Disposable, vscode.CodeLensProvider {
  private readonly docs = new PlanDocuments();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('daxlayout-plan');
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly busy = new Set<string>();

  constructor(
    private readonly cli: Cli,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      this.docs,
      this.diagnostics,
      vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, this.docs),
      vscode.languages.registerCodeLensProvider({ language: 'dax' }, this),
      vscode.commands.registerCommand('daxlayout.plan', (a?: unknown) => this.guarded(() => this.plan(args(a)))),
      vscode.commands.registerCommand('daxlayout.apply', (a?: unknown) => this.guarded(() => this.apply(args(a)))),
      vscode.commands.registerCommand('daxlayout.captureFacts', (a?: unknown) => this.guarded(() => this.capture(args(a)))),
      // the CLI's diagnostics hold for the text it planned: an edit makes them stale
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.diagnostics.delete(e.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.diagnostics.delete(d.uri)),
    );
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }

  // ---------------------------------------------------------------- code lenses

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const h of findHosts(doc.getText())) {
      const at = doc.positionAt(h.start);
      const range = new vscode.Range(at, at);
      const a: CommandArgs = { uri: doc.uri.toString(), host: h.name };
      const where = h.ssh ? `over SSH (${h.ssh}${h.port ? ` port ${h.port}` : ''})` : h.facts ? `simulated from ${h.facts} — nothing touches a machine` : 'nowhere yet: the host has no ssh or facts';
      lenses.push(
        new vscode.CodeLens(range, { title: 'Plan', command: 'daxlayout.plan', arguments: [a], tooltip: `Show the sysfs writes an apply to ${h.name} would perform, ${where}` }),
        new vscode.CodeLens(range, { title: 'Apply', command: 'daxlayout.apply', arguments: [a], tooltip: `Plan, confirm, then apply the layout to ${h.name}, ${where}` }),
        new vscode.CodeLens(range, {
          title: 'Capture facts',
          command: 'daxlayout.captureFacts',
          arguments: [a],
          tooltip: `Capture ${h.name}'s facts over SSH (read-only)${h.facts ? ` into ${h.facts}` : ''}`,
        }),
      );
    }
    return lenses;
  }

  // ---------------------------------------------------------------- plan

  async plan(a: CommandArgs): Promise<PlanOutcome> {
    const r = await this.resolve(a, 'plan');
    const target = this.target(r);
    if (!vscode.workspace.isTrusted && target.kind === 'ssh') {
      return this.refuseUntrusted(`Planning ${r.host.name} over SSH runs a (read-only) program on ${target.destination}`) as never;
    }
    await this.saved(r.doc);
    return this.runPlan(r, target, { quietSuccess: false });
  }

  private async runPlan(r: Resolved, target: Target, o: { quietSuccess: boolean }): Promise<PlanOutcome & { json?: PlanJson }> {
    const host = r.host.name;
    const layoutName = path.basename(r.doc.uri.fsPath);
    const planUri = PlanDocuments.uriFor(r.doc.uri, host);
    const res = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `DAX: planning ${host}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: target.info.text });
        return this.cli.run(['plan', r.doc.uri.fsPath, '--host', host, '--json', ...targetArgs(target)], { cwd: path.dirname(r.doc.uri.fsPath), token });
      },
    );
    this.logStderr(res);
    const json = parseJson(res.stdout);
    if (res.cancelled) return { ok: false, host, message: `Planning ${host} was cancelled.` };
    if (!isPlanJson(json)) {
      const why = lastLine(res.stderr) || lastLine(res.stdout) || `the CLI exited with ${describeExit(res)}`;
      if (res.code === 1 && /has errors; nothing was planned/.test(res.stderr)) {
        const message = `${layoutName} has errors; nothing was planned. Fix them first (see the Problems view).`;
        this.offer('error', message, ['Show Problems']);
        return { ok: false, host, message, errors: res.stdout.split('\n').filter((l) => l.trim()).length };
      }
      const message = `Planning ${host} failed: ${why}`;
      this.offer(res.code === 3 ? 'warning' : 'error', message, ['Show Output']);
      return { ok: false, host, message };
    }
    this.output.info(`plan for ${host} (${target.info.text}): ${json.summaryLine ?? 'no plan'}${json.diagnostics.length ? `; ${json.diagnostics.length} error(s)` : ''}`);
    const text = renderPlan({ plan: json, layoutName, target: target.info, madeAt: new Date() });
    await this.docs.show(planUri, text);
    this.publish(r.doc, json);
    const simulated = target.kind === 'sim';
    if (json.diagnostics.length > 0) {
      const n = json.diagnostics.length;
      const message = `The plan for ${host} has ${n} error${n === 1 ? '' : 's'}: apply would refuse it. See the Problems view.`;
      this.offer('error', message, ['Show Problems']);
      return { ok: false, host, planUri: planUri.toString(), changes: json.changes, errors: n, simulated, message, json };
    }
    const message = json.changes ? `${json.summaryLine ?? ''} (${target.info.text})` : `No changes: ${host} matches the layout (${target.info.text}).`;
    if (!o.quietSuccess) vscode.window.setStatusBarMessage(`DAX: ${host}: ${json.summaryLine ?? ''}`, 8000);
    if (!json.changes && !o.quietSuccess) void vscode.window.showInformationMessage(message);
    return { ok: true, host, planUri: planUri.toString(), changes: json.changes, errors: 0, simulated, message, json };
  }

  /** The CLI's plan errors, in the Problems view where the language server does not already show them. */
  private publish(doc: vscode.TextDocument, plan: PlanJson): void {
    const shown = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source !== 'daxlayout plan');
    const out: vscode.Diagnostic[] = [];
    for (const d of plan.diagnostics) {
      if (d.line === undefined) continue;
      const line = Math.min(Math.max(d.line - 1, 0), Math.max(doc.lineCount - 1, 0));
      const col = Math.max((d.column ?? 1) - 1, 0);
      const same = shown.some((s) => s.range.start.line === line && diagnosticCode(s) === d.code);
      if (same) continue;
      const lineText = doc.lineAt(line).text;
      const word = /^[A-Za-z0-9_.\-"]+/.exec(lineText.slice(col))?.[0].length ?? 1;
      const diag = new vscode.Diagnostic(new vscode.Range(line, col, line, Math.min(col + word, lineText.length)), `${d.message} (against ${plan.target})`, vscode.DiagnosticSeverity.Error);
      diag.source = 'daxlayout plan';
      diag.code = d.href ? { value: d.code, target: vscode.Uri.parse(d.href) } : d.code;
      out.push(diag);
    }
    this.diagnostics.set(doc.uri, out);
  }

  // ---------------------------------------------------------------- apply

  async apply(a: CommandArgs): Promise<ApplyOutcome> {
    if (!vscode.workspace.isTrusted) return this.refuseUntrusted('Apply writes to a host (or runs a program that a workspace setting may name)') as never;
    const r = await this.resolve(a, 'apply');
    const target = this.target(r);
    const host = r.host.name;
    const key = `${r.doc.uri.toString()}#${host}`;
    if (this.busy.has(key)) throw new Stop(`An apply to ${host} is already running.`);
    const simulated = target.kind === 'sim';
    const notRun = (result: string, message: string, planUri?: string): ApplyOutcome => ({ result, message, stepsRun: 0, stepsTotal: 0, simulated, cancelled: false, log: [], ...(planUri ? { planUri } : {}) });
    await this.saved(r.doc);

    const planned = await this.runPlan(r, target, { quietSuccess: true });
    const plan = planned.json;
    if (!planned.ok || !plan) return notRun('not-run', planned.message, planned.planUri);
    if ((!plan.changes || plan.steps.length === 0) && !persistPending(plan)) {
      const message = `No changes: ${host} already matches the layout (${target.info.text}).`;
      void vscode.window.showInformationMessage(message);
      return notRun('no-changes', message, planned.planUri);
    }

    if (a.yes !== true) {
      const destructive = plan.steps.filter(isDestructive);
      const writes = plan.steps.reduce((n, s) => n + s.writes.length, 0);
      const detail = [
        simulated ? `Target: ${target.info.text}.` : `Target: ${target.info.text}. The writes change the memory layout of a running machine.`,
        '',
        `${plan.summaryLine ?? ''} ${plan.steps.length} step(s), ${writes} sysfs write(s) — the plan is open beside the layout.`,
        ...(plan.persist?.message ? ['', `Persistence: ${plan.persist.message}.`] : []),
        '',
        destructive.length > 0
          ? [`${destructive.length} destructive step(s) take memory or a device away:`, ...destructive.map((s) => `  ${s.op} ${s.summary}`)].join('\n')
          : 'No step destroys, unbinds, shrinks or offlines a device.',
        ...(simulated ? [] : ['', 'Apply refuses to run if the host changed since this plan was made.']),
      ].join('\n');
      const choice = await vscode.window.showWarningMessage(`Apply the plan to ${host}${simulated ? ' (simulated)' : ''}?`, { modal: true, detail }, 'Apply');
      if (choice !== 'Apply') {
        this.output.info(`apply to ${host}: declined at the confirmation; nothing was run`);
        return notRun('declined', `Apply to ${host} declined; nothing was run.`, planned.planUri);
      }
    }

    this.busy.add(key);
    try {
      return await this.runApply(r, target, plan, planned.planUri as string, a.cancel);
    } finally {
      this.busy.delete(key);
    }
  }

  private async runApply(r: Resolved, target: Target, plan: PlanJson, planUriText: string, cancel: vscode.CancellationToken | undefined): Promise<ApplyOutcome> {
    const host = r.host.name;
    const layoutName = path.basename(r.doc.uri.fsPath);
    const planUri = vscode.Uri.parse(planUriText);
    const simulated = target.kind === 'sim';
    const log: string[] = [];
    const say = (line: string, level: 'info' | 'warn' | 'error' = 'info') => {
      log.push(line);
      this.output[level](line);
    };

    // a simulated apply runs on a private copy of the facts file: nothing is saved
    let scratch: string | undefined;
    let runTarget = target;
    if (target.kind === 'sim') {
      scratch = mkdtempSync(path.join(tmpdir(), 'daxlayout-sim-'));
      const copy = path.join(scratch, path.basename(target.facts));
      copyFileSync(target.facts, copy);
      runTarget = { ...target, facts: copy };
    }

    let current = plan;
    const states = new Map<number, { state: StepState; error?: string }>();
    const madeAt = new Date();
    const rerender = (footer?: string) => this.docs.set(planUri, renderPlan({ plan: current, layoutName, target: target.info, madeAt, states, ...(footer ? { footer } : {}) }));
    let done: DoneEvent | undefined;
    let verify: { ok: boolean; differences: string[] } | undefined;
    let failedAt: { step: PlanStep | undefined; index: number; error: string | undefined } | undefined;
    const stepOf = (i: number) => current.steps.find((s) => s.index === i);

    say(`apply to ${host} (${target.info.text}): ${plan.summaryLine ?? ''} ${plan.steps.length} step(s)`);
    const res = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `DAX: applying to ${host}${simulated ? ' (simulated)' : ''}`, cancellable: true },
      async (progress, progressToken) => {
        const both = new vscode.CancellationTokenSource();
        const subs = [progressToken.onCancellationRequested(() => both.cancel()), ...(cancel ? [cancel.onCancellationRequested(() => both.cancel())] : [])];
        if (cancel?.isCancellationRequested) both.cancel();
        const token = both.token;
        progress.report({ message: simulated ? target.info.text : `connecting to ${target.kind === 'ssh' ? target.destination : ''}…` });
        const args = ['apply', r.doc.uri.fsPath, '--host', host, '--yes', '--events', ...(plan.fingerprint ? ['--fingerprint', plan.fingerprint] : []), ...targetArgs(runTarget)];
        let shown = 0;
        const finished = this.cli.run(args, {
          cwd: path.dirname(r.doc.uri.fsPath),
          token,
          onLine: (line) => {
            const e = asEvent(line);
            if (!e) {
              if (line.trim()) say(`  ${line}`);
              return;
            }
            switch (e.event) {
              case 'plan':
                current = e;
                rerender();
                break;
              case 'step': {
                const s = stepOf(e.index) ?? { index: e.index, summary: e.summary, op: '~', target: '', writes: [] };
                const of = e.of || current.steps.length;
                states.set(e.index, { state: e.state, ...(e.error ? { error: e.error } : {}) });
                if (e.state === 'running') {
                  progress.report({ message: stepLabel({ index: e.index, summary: e.summary || s.summary }, of) });
                } else if (e.state === 'ok') {
                  say(`  ${stepLabel({ index: e.index, summary: e.summary || s.summary }, of)}   ok`);
                  const pct = Math.round((100 * e.index) / of);
                  progress.report({ increment: pct - shown });
                  shown = pct;
                } else if (e.state === 'failed') {
                  failedAt = { step: s, index: e.index, error: e.error };
                  say(`  ${stepLabel({ index: e.index, summary: e.summary || s.summary }, of)}   FAILED: ${e.error ?? ''}`, 'error');
                }
                rerender();
                break;
              }
              case 'verify':
                verify = { ok: e.ok, differences: e.differences ?? [] };
                say(e.ok ? `  verified: ${host} is the predicted state` : `  verification: ${host} differs from the prediction:\n${(e.differences ?? []).map((d) => `    ${d}`).join('\n')}`, e.ok ? 'info' : 'warn');
                if (!e.ok) progress.report({ message: 'verifying…' });
                break;
              case 'persist':
                // the boot-time restorer (docs/persist.md): installed, verified or removed after the writes
                if (e.state === 'running') progress.report({ message: `${e.action === 'remove' ? 'removing' : e.action === 'verify' ? 'verifying' : 'installing'} the boot-time restorer…` });
                else {
                  for (const c of e.checks ?? []) if (!c.ok) say(`    bad ${c.text}`, 'warn');
                  if (e.message) say(`  persist: ${e.message}`, e.state === 'failed' ? 'error' : 'info');
                }
                break;
              case 'done':
                done = e;
                break;
            }
          },
        });
        return finished.finally(() => {
          for (const d of subs) d.dispose();
          both.dispose();
        });
      },
    );
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    for (const l of res.stderr.split('\n')) if (l.trim()) say(`  ${l}`, res.code === 0 ? 'info' : 'warn');

    const total = current.steps.length;
    const ran = done?.stepsRun ?? [...states.values()].filter((s) => s.state === 'ok').length;
    // The `done` event says how many steps ran: a step still `running` after it did not run
    // (the CLI stopped before it). Without a `done` event it may or may not have run.
    for (const s of current.steps) {
      const st = states.get(s.index)?.state;
      if (st === undefined) states.set(s.index, { state: 'not-run' });
      else if (st === 'running') states.set(s.index, { state: done && s.index > done.stepsRun ? 'not-run' : 'unknown' });
    }
    const ranText = describeRan(current.steps, ran);
    // a cancel that came after the last write does not undo a finished apply
    const cancelled = done ? done.result === 'cancelled' : res.cancelled;
    let result = done?.result ?? (cancelled ? 'cancelled' : 'failed');
    let message: string;
    let kind: 'info' | 'warning' | 'error' = 'error';
    const where = simulated
      ? `against ${relativeName(r.doc, (target as { facts: string }).facts)} in memory — nothing touched a machine, and nothing was saved (the facts file is unchanged; each simulated run starts again from it)`
      : target.info.text;
    if (cancelled) {
      result = 'cancelled';
      kind = 'warning';
      message = `${simulated ? 'Simulated apply' : 'Apply'} to ${host} cancelled: ${ranText}.${simulated ? ` It ran ${where}.` : ' Run "DAX: Plan" to see the host as it is now.'}`;
    } else if (done && done.exitCode === 0 && done.result === 'applied') {
      kind = 'info';
      message = simulated
        ? `Simulated apply to ${host} complete and verified: all ${total} steps ran ${where}.`
        : `Applied to ${host} and verified: ${plan.summary.create} created, ${plan.summary.change} changed, ${plan.summary.destroy} destroyed (${total} step(s), ${target.info.text}).`;
    } else if (done && done.result === 'no-changes') {
      kind = 'info';
      message = `No changes: ${host} already matches the layout (${target.info.text}).`;
    } else if (failedAt) {
      message = `${simulated ? 'Simulated apply' : 'Apply'} to ${host} failed at step ${failedAt.index} of ${total} (${failedAt.step?.summary ?? ''}): ${failedAt.error ?? 'no error text'}. ${ranText}.${simulated ? ` It ran ${where}.` : ' Run "DAX: Plan" to see what is left.'}`;
    } else if (done && done.result === 'differs') {
      message = `All ${total} step(s) ran on ${host}, but it differs from the prediction${verify?.differences.length ? `: ${verify.differences.slice(0, 3).join('; ')}${verify.differences.length > 3 ? '; …' : ''}` : ''}.`;
    } else if (done && done.exitCode === 3) {
      kind = 'warning';
      message = `Apply to ${host} refused: ${done.message ?? result}`;
    } else {
      const why = done?.message ?? (lastLine(res.stderr) || `the CLI exited with ${describeExit(res)}`);
      message = `Apply to ${host} failed: ${why}${ran > 0 ? ` (${ranText})` : ''}`;
    }
    say(`apply to ${host}: ${result}${done ? ` (exit ${done.exitCode})` : ` (${describeExit(res)})`} — ${message}`, kind === 'info' ? 'info' : kind === 'warning' ? 'warn' : 'error');
    rerender(`Apply ${clock(madeAt)}: ${message}`);
    this.offer(kind, message, kind === 'info' ? ['Show Output'] : ['Show Output', 'Show Plan'], planUri);
    return { result, ...(done ? { exitCode: done.exitCode } : res.code !== undefined ? { exitCode: res.code } : {}), message, stepsRun: ran, stepsTotal: total, simulated, cancelled, planUri: planUriText, log };
  }

  // ---------------------------------------------------------------- capture

  async capture(a: CommandArgs): Promise<CaptureOutcome> {
    if (!vscode.workspace.isTrusted) return this.refuseUntrusted('Capturing facts runs a program on a host over SSH') as never;
    const r = await this.resolve(a, 'capture facts for');
    const h = r.host;
    let destination = a.destination ?? h.ssh;
    if (!destination) {
      destination = await vscode.window.showInputBox({
        title: `Capture facts of ${h.name}`,
        prompt: `${h.name} has no \`ssh "…"\` line: the SSH destination to capture from ([user@]host or a ~/.ssh/config alias)`,
        placeHolder: 'root@host',
        ignoreFocusOut: true,
        validateInput: (v) => (/^[^\s-][^\s]*$/.test(v.trim()) ? undefined : 'an SSH destination: [user@]host, without spaces, not starting with -'),
      });
      if (!destination) return { ok: false, message: 'Capture cancelled.' };
      destination = destination.trim();
    }
    const port = h.ssh === destination ? h.port : undefined;
    let file: string;
    if (h.facts) file = this.factsPath(r.doc, h.facts);
    else {
      const picked = await vscode.window.showSaveDialog({
        title: `Where to save ${h.name}'s facts (then name it in the host block: facts "…")`,
        defaultUri: vscode.Uri.file(path.join(path.dirname(r.doc.uri.fsPath), `${h.name}.facts.json`)),
        filters: { 'Facts (JSON)': ['json'] },
      });
      if (!picked) return { ok: false, message: 'Capture cancelled.' };
      file = picked.fsPath;
    }
    const shortName = relativeName(r.doc, file);
    const from = `${destination}${port ? ` port ${port}` : ''}`;
    if (existsSync(file) && a.yes !== true) {
      const mtime = statSync(file).mtime;
      const choice = await vscode.window.showWarningMessage(
        `Overwrite ${shortName}?`,
        { modal: true, detail: `It will be replaced by the facts captured now from ${from} (read-only on the host: one SSH round trip). It was last written ${mtime.toLocaleString()}. The language server re-checks the layouts that use it.` },
        'Overwrite',
      );
      if (choice !== 'Overwrite') return { ok: false, message: 'Capture cancelled; the facts file was not changed.' };
    }
    const scratch = mkdtempSync(path.join(tmpdir(), 'daxlayout-facts-'));
    const tmp = path.join(scratch, 'facts.json');
    try {
      const res = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `DAX: capturing facts of ${h.name}`, cancellable: true },
        async (progress, token) => {
          progress.report({ message: `from ${from} (read-only)…` });
          return this.cli.run(['facts', destination, ...(port ? ['--port', String(port)] : []), '-o', tmp], { cwd: path.dirname(r.doc.uri.fsPath), token, killAfterMs: 5000 });
        },
      );
      this.logStderr(res);
      if (res.cancelled) return { ok: false, message: `Capture from ${from} cancelled; ${shortName} was not changed.` };
      if (res.code !== 0 || !existsSync(tmp)) {
        const message = `Capturing facts of ${h.name} from ${from} ${res.code === 3 ? 'was refused' : 'failed'}: ${lastLine(res.stderr) || describeExit(res)}`;
        this.offer(res.code === 3 ? 'warning' : 'error', message, ['Show Output']);
        return { ok: false, message };
      }
      copyFileSync(tmp, file);
      const warnings = res.stderr.split('\n').filter((l) => /warning|could not be read/.test(l)).length;
      const message = `Captured the facts of ${h.name} from ${from} into ${shortName}${warnings ? ` (${warnings} warning(s): see the output)` : ''}.${h.facts ? '' : ` Name it in the host block: facts "${shortName}"`}`;
      this.output.info(message);
      void vscode.window.showInformationMessage(message, 'Open').then((c) => {
        if (c === 'Open') void vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
      });
      return { ok: true, message, file };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  // ---------------------------------------------------------------- shared

  /** Runs a command; a `Stop` becomes an error message (and the command's result). */
  private async guarded<T extends { message: string }>(f: () => Promise<T>): Promise<T | { ok: false; result: 'not-run'; message: string }> {
    try {
      return await f();
    } catch (err) {
      if (err instanceof Stop) {
        if (!err.shown) void vscode.window.showErrorMessage(err.message);
        return { ok: false, result: 'not-run', message: err.message };
      }
      const message = `daxlayout: ${err instanceof Error ? err.message : String(err)}`;
      this.output.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      void vscode.window.showErrorMessage(message);
      return { ok: false, result: 'not-run', message };
    }
  }

  private refuseUntrusted(what: string): never {
    const message = `${what}: this is disabled in an untrusted workspace. Trust the workspace to use it (planning against a facts file works untrusted).`;
    void vscode.window.showErrorMessage(message, 'Manage Workspace Trust').then((c) => {
      if (c) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    throw new Stop(message, true);
  }

  /** The layout and the host a command is for. */
  private async resolve(a: CommandArgs, verb: string): Promise<Resolved> {
    let uri: vscode.Uri | undefined;
    let hostName = a.host;
    if (a.uri) uri = typeof a.uri === 'string' ? vscode.Uri.parse(a.uri) : a.uri;
    else {
      const active = vscode.window.activeTextEditor?.document;
      if (active?.languageId === 'dax') uri = active.uri;
      else if (active?.uri.scheme === PLAN_SCHEME) {
        const src = PlanDocuments.sourceOf(active.uri);
        uri = src?.layout;
        hostName ??= src?.host;
      }
    }
    if (uri?.scheme === PLAN_SCHEME) {
      const src = PlanDocuments.sourceOf(uri);
      uri = src?.layout;
      hostName ??= src?.host;
    }
    if (!uri) throw new Stop(`Open a .dax layout to ${verb} one of its hosts.`);
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.uri.scheme !== 'file') throw new Stop(`${path.basename(doc.uri.path)} is not a file on disk: save it first (the CLI reads the layout from disk).`);
    const hosts = findHosts(doc.getText());
    if (hostName !== undefined) {
      const h = hosts.find((x) => x.name === hostName);
      if (!h) throw new Stop(`${path.basename(doc.uri.fsPath)} has no host \`${hostName}\`${hosts.length ? ` (hosts: ${hosts.map((x) => x.name).join(', ')})` : ''}.`);
      return { doc, host: h };
    }
    if (hosts.length === 0) throw new Stop(`${path.basename(doc.uri.fsPath)} declares no host: plan and apply work on a \`host NAME { ssh "…" }\` or \`host NAME { facts "…" }\` block.`);
    if (hosts.length === 1) return { doc, host: hosts[0] as HostBlock };
    // several hosts: the one under the cursor first, then ask
    const editor = vscode.window.activeTextEditor;
    const offset = editor?.document.uri.toString() === doc.uri.toString() ? doc.offsetAt(editor.selection.active) : -1;
    const here = hosts.find((h) => offset >= h.start && offset <= h.end);
    const items = [...(here ? [here] : []), ...hosts.filter((h) => h !== here)].map((h) => ({
      label: h.name,
      description: h.ssh ? `ssh ${h.ssh}${h.port ? ` port ${h.port}` : ''}` : h.facts ? `simulated from ${h.facts}` : 'no ssh or facts',
      host: h,
    }));
    const pick = await vscode.window.showQuickPick(items, { title: `Which host to ${verb}?`, placeHolder: `${path.basename(doc.uri.fsPath)} has ${hosts.length} hosts` });
    if (!pick) throw new Stop('No host was picked; nothing was run.', true);
    return { doc, host: pick.host };
  }

  private target(r: Resolved): Target {
    const h = r.host;
    if (h.ssh) return { kind: 'ssh', destination: h.ssh, ...(h.port ? { port: h.port } : {}), info: { text: `ssh ${h.ssh}${h.port ? ` port ${h.port}` : ''}`, simulated: false } };
    if (h.facts) {
      const facts = this.factsPath(r.doc, h.facts);
      if (!existsSync(facts)) throw new Stop(`${h.name} has no \`ssh "…"\` destination, and its facts file ${h.facts} was not found (next to the layout or in daxlayout.factsSearchPaths): add \`ssh "user@host"\`, or capture the facts first.`);
      return { kind: 'sim', facts, info: { text: `simulated from ${relativeName(r.doc, facts)} — nothing touches a machine`, simulated: true } };
    }
    throw new Stop(`${h.name} has neither \`ssh "…"\` nor \`facts "…"\`: add \`ssh "user@host"\` to plan and apply over SSH, or a facts file to plan against a simulation of it.`);
  }

  /** A facts path of the layout: next to it, then in daxlayout.factsSearchPaths (as the language server looks it up). */
  private factsPath(doc: vscode.TextDocument, name: string): string {
    if (path.isAbsolute(name)) return name;
    const dir = path.dirname(doc.uri.fsPath);
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri) ?? vscode.workspace.workspaceFolders?.[0];
    const base = folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
    const extra = (vscode.workspace.getConfiguration('daxlayout', doc.uri).get<string[]>('factsSearchPaths') ?? [])
      .filter((p) => typeof p === 'string' && p.trim() !== '')
      .map((p) => (path.isAbsolute(p) || !base ? p : path.resolve(base, p)));
    for (const d of [dir, ...extra]) {
      const f = path.resolve(d, name);
      if (existsSync(f)) return f;
    }
    return path.resolve(dir, name);
  }

  private async saved(doc: vscode.TextDocument): Promise<void> {
    if (!doc.isDirty) return;
    if (!(await doc.save())) throw new Stop(`${path.basename(doc.uri.fsPath)} could not be saved; the CLI reads the layout from disk.`);
    this.output.info(`saved ${doc.uri.fsPath} before running the CLI on it`);
  }

  private logStderr(res: CliResult): void {
    for (const l of res.stderr.split('\n')) if (l.trim()) this.output.info(`  ${l}`);
  }

  private offer(kind: 'info' | 'warning' | 'error', message: string, actions: string[], planUri?: vscode.Uri): void {
    const show = kind === 'info' ? vscode.window.showInformationMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    void show(message, ...actions).then((c) => {
      if (c === 'Show Output') this.output.show(true);
      else if (c === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
      else if (c === 'Show Plan' && planUri) void vscode.window.showTextDocument(planUri, { preview: false });
    });
  }
}

// ------------------------------------------------------------------ helpers

type ApplyEvent =
  | ({ event: 'plan' } & PlanJson)
  | { event: 'step'; index: number; of: number; summary: string; state: 'running' | 'ok' | 'failed'; error?: string }
  | { event: 'verify'; ok: boolean; differences?: string[] }
  | { event: 'persist'; action: string; state: string; message?: string; checks?: { ok: boolean; text: string }[] }
  | DoneEvent;

/** One line of `apply --events` as an event, or undefined for anything else (logged as text). */
function asEvent(line: string): ApplyEvent | undefined {
  const e = parseJson(line) as Record<string, unknown> | undefined;
  if (typeof e !== 'object' || e === null) return undefined;
  switch (e.event) {
    case 'plan':
      return isPlanJson(e) ? (e as unknown as ApplyEvent) : undefined;
    case 'step':
      return typeof e.index === 'number' && typeof e.summary === 'string' && (e.state === 'running' || e.state === 'ok' || e.state === 'failed') ? (e as unknown as ApplyEvent) : undefined;
    case 'verify':
      return typeof e.ok === 'boolean' ? (e as unknown as ApplyEvent) : undefined;
    case 'persist':
      return typeof e.action === 'string' && typeof e.state === 'string' ? (e as unknown as ApplyEvent) : undefined;
    case 'done':
      return typeof e.exitCode === 'number' && typeof e.result === 'string' ? ({ stepsRun: 0, ...e } as unknown as ApplyEvent) : undefined;
    default:
      return undefined;
  }
}

interface DoneEvent {
  event: 'done';
  exitCode: number;
  result: string;
  stepsRun: number;
  message?: string;
}

function args(a: unknown): CommandArgs {
  if (a instanceof vscode.Uri) return { uri: a };
  if (typeof a === 'object' && a !== null) {
    const o = a as Record<string, unknown>;
    return {
      ...(typeof o.uri === 'string' || o.uri instanceof vscode.Uri ? { uri: o.uri } : {}),
      ...(typeof o.host === 'string' ? { host: o.host } : {}),
      ...(o.yes === true ? { yes: true } : {}),
      ...(typeof o.destination === 'string' ? { destination: o.destination } : {}),
      ...(isToken(o.cancel) ? { cancel: o.cancel } : {}),
    };
  }
  return {};
}

function isToken(x: unknown): x is vscode.CancellationToken {
  const t = x as Partial<vscode.CancellationToken> | null | undefined;
  return typeof t === 'object' && t !== null && typeof t.isCancellationRequested === 'boolean' && typeof t.onCancellationRequested === 'function';
}

function targetArgs(t: Target): string[] {
  return t.kind === 'sim' ? ['--target', `sim:${t.facts}`] : [];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function lastLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.replace(/^daxlayout: /, '').trim())
      .filter((l) => l && !l.startsWith('Run `daxlayout help`'))
      .pop() ?? ''
  );
}

function describeExit(r: CliResult): string {
  return r.signal ? `signal ${r.signal}` : `exit code ${r.code ?? '?'}`;
}

function describeRan(steps: readonly PlanStep[], ran: number): string {
  const total = steps.length;
  if (ran <= 0) return 'no step ran';
  const last = steps[ran - 1];
  const next = steps[ran];
  return `steps 1–${ran} of ${total} ran (the last: ${last?.summary ?? '?'})${next ? `; step ${ran + 1} (${next.summary})${ran + 1 < total ? ` to ${total}` : ''} did not run` : ''}`;
}

function relativeName(doc: vscode.TextDocument, file: string): string {
  const rel = path.relative(path.dirname(doc.uri.fsPath), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function diagnosticCode(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c);
}
