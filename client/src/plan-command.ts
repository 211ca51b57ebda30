// "DAX: Plan" and "Plan against facts": runs `daxlayout plan --json` for one host, shows the
// plan in its read-only document beside the layout, and puts the CLI's errors in the Problems
// view. An invalid layout gets no plan: the view lists its errors instead.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PlanJson } from '../../server/cli/protocol';
import type { Cli } from './cli';
import { isPlanJson, renderPlan } from './plan-render';
import { PlanDocuments } from './plan-view';
import { cliEnv, describeExit, lastLine, parseJson, type Resolved, type Target } from './targets';

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

export interface PlanContext {
  readonly cli: Cli;
  readonly output: vscode.LogOutputChannel;
  readonly docs: PlanDocuments;
  readonly diagnostics: vscode.DiagnosticCollection;
  offer(kind: 'info' | 'warning' | 'error', message: string, actions: string[], planUri?: vscode.Uri): void;
  logStderr(res: { stderr: string }): void;
}

export async function runPlan(
  ctx: PlanContext,
  r: Resolved,
  target: Target,
  o: { quietSuccess: boolean },
): Promise<PlanOutcome & { json?: PlanJson }> {
  const host = r.host.name;
  const layoutName = path.basename(r.doc.uri.fsPath);
  const planUri = PlanDocuments.uriFor(r.doc.uri, host);
  const res = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `DAX: planning ${host}`, cancellable: true },
    async (progress, token) => {
      progress.report({ message: target.text });
      return ctx.cli.run(['plan', r.doc.uri.fsPath, '--host', host, '--json', ...target.args], {
        cwd: path.dirname(r.doc.uri.fsPath),
        token,
        env: cliEnv(r.doc),
      });
    },
  );
  ctx.logStderr(res);
  const json = parseJson(res.stdout);
  if (res.cancelled) return { ok: false, host, message: `Planning ${host} was cancelled.` };
  if (!isPlanJson(json)) {
    const why = lastLine(res.stderr) || lastLine(res.stdout) || `the CLI exited with ${describeExit(res)}`;
    if (res.code === 1 && /has errors; nothing was planned/.test(res.stderr)) {
      const message = `${layoutName} has errors; nothing was planned. Fix them first (see the Problems view).`;
      ctx.offer('error', message, ['Show Problems']);
      return { ok: false, host, message, errors: res.stdout.split('\n').filter((l) => l.trim()).length };
    }
    const message = `Planning ${host} failed: ${why}`;
    ctx.offer(res.code === 3 ? 'warning' : 'error', message, ['Show Output']);
    return { ok: false, host, message };
  }
  ctx.output.info(
    `plan for ${host} (${target.text}): ${json.summaryLine ?? 'no plan'}${json.diagnostics.length ? `; ${json.diagnostics.length} error(s)` : ''}`,
  );
  const text = renderPlan({
    plan: json,
    layoutName,
    target: { text: target.text, simulated: target.simulated },
    madeAt: new Date(),
  });
  await ctx.docs.show(planUri, text);
  publish(ctx, r.doc, json);
  const simulated = json.simulated;
  if (json.diagnostics.length > 0) {
    const n = json.diagnostics.length;
    const message = `${layoutName} has ${n} error${n === 1 ? '' : 's'} for ${host}: nothing was planned. The plan view lists ${n === 1 ? 'it' : 'them'}.`;
    vscode.window.setStatusBarMessage(`$(error) DAX: ${message}`, 10_000);
    return { ok: false, host, planUri: planUri.toString(), changes: false, errors: n, simulated, message, json };
  }
  const message = json.changes
    ? `${json.summaryLine ?? ''} (${target.text})`
    : `No changes: ${host} matches the layout (${target.text}).`;
  // the status bar, not a notification: a notification would cover the plan's last lines
  if (!o.quietSuccess) vscode.window.setStatusBarMessage(`DAX: ${host}: ${json.summaryLine ?? ''}`, 10_000);
  return { ok: true, host, planUri: planUri.toString(), changes: json.changes, errors: 0, simulated, message, json };
}

/** The CLI's plan errors, in the Problems view where the language server does not already show them. */
function publish(ctx: PlanContext, doc: vscode.TextDocument, plan: PlanJson): void {
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
    const diag = new vscode.Diagnostic(
      new vscode.Range(line, col, line, Math.min(col + word, lineText.length)),
      `${d.message} (against ${plan.target})`,
      vscode.DiagnosticSeverity.Error,
    );
    diag.source = 'daxlayout plan';
    diag.code =
      d.href && /^[a-z][a-z0-9+.-]*:/i.test(d.href) ? { value: d.code, target: vscode.Uri.parse(d.href) } : d.code;
    out.push(diag);
  }
  ctx.diagnostics.set(doc.uri, out);
}

function diagnosticCode(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c);
}
