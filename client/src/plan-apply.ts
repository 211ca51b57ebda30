// Plan, apply and fact capture from the editor: registers "DAX: Plan", "DAX: Plan Against
// Facts", "DAX: Apply" and "DAX: Capture Host Facts" (the code lenses on each `host` line come
// from the language server and name these commands), resolves the layout, host and target
// (targets.ts), and runs them (plan-command.ts, apply-command.ts, capture-command.ts). The CLI
// does the work; what it prints is declared in server/cli/protocol.ts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../server/lsp/protocol';
import { apply, type ApplyOutcome } from './apply-command';
import { capture, type CaptureOutcome } from './capture-command';
import type { Cli, CliResult } from './cli';
import { runPlan, type PlanContext, type PlanOutcome } from './plan-command';
import { PLAN_SCHEME, PlanDocuments } from './plan-view';
import { commandArgs, resolveHost, Stop, targetOf, type CommandArgs, type HostsOf } from './targets';

export type { ApplyOutcome, CaptureOutcome, CommandArgs, PlanOutcome };

export class PlanApply implements vscode.Disposable, PlanContext {
  readonly docs = new PlanDocuments();
  readonly diagnostics = vscode.languages.createDiagnosticCollection('daxlayout-plan');
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly busy = new Set<string>();

  constructor(
    readonly cli: Cli,
    readonly output: vscode.LogOutputChannel,
    private readonly hostsOf: HostsOf,
  ) {
    const command = <T extends { message: string }>(id: string, f: (a: CommandArgs) => Promise<T>) =>
      vscode.commands.registerCommand(id, (a?: unknown) => this.guarded(() => f(commandArgs(a))));
    this.subscriptions.push(
      this.docs,
      this.diagnostics,
      vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, this.docs),
      command(COMMANDS.plan, (a) => this.plan(a)),
      command(COMMANDS.planFacts, (a) => this.plan({ ...a, target: 'facts' })),
      command(COMMANDS.apply, (a) => this.apply(a)),
      command(COMMANDS.captureFacts, (a) => this.capture(a)),
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

  async plan(a: CommandArgs): Promise<PlanOutcome> {
    const r = await resolveHost(a, 'plan', this.hostsOf);
    const target = targetOf(r, a.target);
    if (!vscode.workspace.isTrusted && target.kind === 'ssh')
      return this.refuseUntrusted(
        `Planning ${r.host.name} over SSH runs a (read-only) program on ${target.destination ?? r.host.name}`,
      );
    await this.saved(r.doc);
    return runPlan(this, r, target, { quietSuccess: false });
  }

  async apply(a: CommandArgs): Promise<ApplyOutcome> {
    if (!vscode.workspace.isTrusted)
      return this.refuseUntrusted('Apply writes to a host (or runs a program that a workspace setting may name)');
    const r = await resolveHost(a, 'apply', this.hostsOf);
    const target = targetOf(r, a.target);
    await this.saved(r.doc);
    return apply(this, r, target, { yes: a.yes === true, cancel: a.cancel, busy: this.busy });
  }

  async capture(a: CommandArgs): Promise<CaptureOutcome> {
    if (!vscode.workspace.isTrusted) return this.refuseUntrusted('Capturing facts runs a program on a host over SSH');
    const r = await resolveHost(a, 'capture facts for', this.hostsOf);
    return capture(this, r, { destination: a.destination, yes: a.yes === true });
  }

  /** Runs a command; a `Stop` becomes an error message (and the command's result). */
  private async guarded<T extends { message: string }>(
    f: () => Promise<T>,
  ): Promise<T | { ok: false; result: 'not-run'; message: string }> {
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

  private async saved(doc: vscode.TextDocument): Promise<void> {
    if (!doc.isDirty) return;
    if (!(await doc.save()))
      throw new Stop(`${path.basename(doc.uri.fsPath)} could not be saved; the CLI reads the layout from disk.`);
    this.output.info(`saved ${doc.uri.fsPath} before running the CLI on it`);
  }

  logStderr(res: CliResult | { stderr: string }): void {
    for (const l of res.stderr.split('\n')) if (l.trim()) this.output.info(`  ${l}`);
  }

  offer(kind: 'info' | 'warning' | 'error', message: string, actions: string[], planUri?: vscode.Uri): void {
    const show =
      kind === 'info'
        ? vscode.window.showInformationMessage
        : kind === 'warning'
          ? vscode.window.showWarningMessage
          : vscode.window.showErrorMessage;
    void show(message, ...actions).then((c) => {
      if (c === 'Show Output') this.output.show(true);
      else if (c === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
      else if (c === 'Show Plan' && planUri) void vscode.window.showTextDocument(planUri, { preview: false });
    });
  }
}
