// "DAX: Apply": plans again, asks in a modal dialog that names every destructive step, then runs
// `daxlayout apply --events` and follows its events (protocol: server/cli/protocol.ts) — the
// plan view marks each step as it runs, the progress notification names it, Cancel stops the
// CLI between writes — and ends with the result at the top of the plan view.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ApplyEvent, DoneEvent, PlanJson, PlanStepJson } from '../../server/cli/protocol';
import { runPlan, type PlanContext } from './plan-command';
import { clock, isDestructive, isPlanJson, persistPending, renderPlan, stepLabel, type StepState } from './plan-render';
import { cliEnv, describeExit, lastLine, parseJson, Stop, type Resolved, type Target } from './targets';

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

export async function apply(
  ctx: PlanContext,
  r: Resolved,
  target: Target,
  o: { yes: boolean; cancel: vscode.CancellationToken | undefined; busy: Set<string> },
): Promise<ApplyOutcome> {
  const host = r.host.name;
  const key = `${r.doc.uri.toString()}#${host}`;
  if (o.busy.has(key)) throw new Stop(`An apply to ${host} is already running.`);
  const simulated = target.simulated;
  const notRun = (result: string, message: string, planUri?: string): ApplyOutcome => ({
    result,
    message,
    stepsRun: 0,
    stepsTotal: 0,
    simulated,
    cancelled: false,
    log: [],
    ...(planUri ? { planUri } : {}),
  });

  const planned = await runPlan(ctx, r, target, { quietSuccess: true });
  const plan = planned.json;
  if (!planned.ok || !plan) return notRun('not-run', planned.message, planned.planUri);
  if ((!plan.changes || plan.steps.length === 0) && !persistPending(plan)) {
    const message = `No changes: ${host} already matches the layout (${target.text}).`;
    vscode.window.setStatusBarMessage(`DAX: ${message}`, 10_000);
    return notRun('no-changes', message, planned.planUri);
  }

  if (!o.yes) {
    const destructive = plan.steps.filter(isDestructive);
    const detail = [
      simulated
        ? `Target: ${target.text}. The facts file is not changed.`
        : `Target: ${target.text}. The writes change the memory layout of a running machine.`,
      '',
      `${plan.summaryLine ?? ''} ${plan.steps.length} steps — the plan is open beside the layout.`,
      ...(plan.persist?.message ? ['', `Persistence: ${plan.persist.message}.`] : []),
      '',
      destructive.length > 0
        ? [
            `${destructive.length} of the steps take memory or a device away:`,
            ...destructive.map((s) => `  ${s.index}. ${s.summary}`),
          ].join('\n')
        : 'No step destroys, unbinds, shrinks or offlines a device.',
      ...(simulated ? [] : ['', 'Apply refuses to run if the host changed since this plan was made.']),
    ].join('\n');
    const choice = await vscode.window.showWarningMessage(
      `Apply the plan to ${host}${simulated ? ' (simulated)' : ''}?`,
      { modal: true, detail },
      'Apply',
    );
    if (choice !== 'Apply') {
      ctx.output.info(`apply to ${host}: declined at the confirmation; nothing was run`);
      return notRun('declined', `Apply to ${host} declined; nothing was run.`, planned.planUri);
    }
  }

  o.busy.add(key);
  try {
    return await runApply(ctx, r, target, plan, planned.planUri as string, o.cancel);
  } finally {
    o.busy.delete(key);
  }
}

async function runApply(
  ctx: PlanContext,
  r: Resolved,
  target: Target,
  plan: PlanJson,
  planUriText: string,
  cancel: vscode.CancellationToken | undefined,
): Promise<ApplyOutcome> {
  const host = r.host.name;
  const layoutName = path.basename(r.doc.uri.fsPath);
  const planUri = vscode.Uri.parse(planUriText);
  const simulated = target.simulated;
  const log: string[] = [];
  const say = (line: string, level: 'info' | 'warn' | 'error' = 'info') => {
    log.push(line);
    ctx.output[level](line);
  };

  let current = plan;
  const states = new Map<number, { state: StepState; error?: string }>();
  const madeAt = new Date();
  const info = { text: target.text, simulated };
  const rerender = (footer?: string) =>
    ctx.docs.set(
      planUri,
      renderPlan({ plan: current, layoutName, target: info, madeAt, states, ...(footer ? { footer } : {}) }),
    );
  let done: DoneEvent | undefined;
  let verify: { ok: boolean; differences: readonly string[] } | undefined;
  let failedAt: { step: PlanStepJson | undefined; index: number; error: string | undefined } | undefined;
  const stepOf = (i: number) => current.steps.find((s) => s.index === i);

  say(`apply to ${host} (${target.text}): ${plan.summaryLine ?? ''} ${plan.steps.length} steps`);
  const res = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `DAX: applying to ${host}${simulated ? ' (simulated)' : ''}`,
      cancellable: true,
    },
    async (progress, progressToken) => {
      const both = new vscode.CancellationTokenSource();
      const subs = [
        progressToken.onCancellationRequested(() => both.cancel()),
        ...(cancel ? [cancel.onCancellationRequested(() => both.cancel())] : []),
      ];
      if (cancel?.isCancellationRequested) both.cancel();
      progress.report({ message: simulated ? target.text : `connecting to ${target.destination ?? host}…` });
      const args = [
        'apply',
        r.doc.uri.fsPath,
        '--host',
        host,
        '--yes',
        '--events',
        ...(plan.fingerprint ? ['--fingerprint', plan.fingerprint] : []),
        ...target.args,
      ];
      let shown = 0;
      const finished = ctx.cli.run(args, {
        cwd: path.dirname(r.doc.uri.fsPath),
        token: both.token,
        env: cliEnv(r.doc),
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
              const s = stepOf(e.index);
              const of = e.of || current.steps.length;
              const label = stepLabel({ index: e.index, summary: e.summary || s?.summary || '' }, of);
              states.set(e.index, { state: e.state, ...(e.error ? { error: e.error } : {}) });
              if (e.state === 'running') progress.report({ message: label });
              else if (e.state === 'ok') {
                say(`  ${label}   ok`);
                const pct = Math.round((100 * e.index) / of);
                progress.report({ increment: pct - shown });
                shown = pct;
              } else {
                failedAt = { step: s, index: e.index, error: e.error };
                say(`  ${label}   FAILED: ${e.error ?? ''}`, 'error');
              }
              rerender();
              break;
            }
            case 'verify':
              verify = { ok: e.ok, differences: e.differences ?? [] };
              say(
                e.ok
                  ? `  verified: ${host} is the predicted state`
                  : `  verification: ${host} differs from the prediction:\n${(e.differences ?? []).map((d) => `    ${d}`).join('\n')}`,
                e.ok ? 'info' : 'warn',
              );
              if (!e.ok) progress.report({ message: 'verifying…' });
              break;
            case 'persist':
              // the boot-time restorer (docs/persist.md): installed, verified or removed after the writes
              if (e.state === 'running')
                progress.report({
                  message: `${e.action === 'remove' ? 'removing' : e.action === 'verify' ? 'verifying' : 'installing'} the boot-time restorer…`,
                });
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
    ? `${target.text}; the facts file is unchanged, and each simulated run starts again from it`
    : target.text;
  const counts = `${plan.summary.create} device${plan.summary.create === 1 ? '' : 's'} created, ${plan.summary.change} changed, ${plan.summary.destroy} destroyed`;
  if (cancelled) {
    result = 'cancelled';
    kind = 'warning';
    message = `${simulated ? 'Simulated apply' : 'Apply'} to ${host} cancelled: ${ranText}.${simulated ? ` It ran ${where}.` : ' Run "DAX: Plan" to see the host as it is now.'}`;
  } else if (done && done.exitCode === 0 && done.result === 'applied') {
    kind = 'info';
    message = `${simulated ? `Simulated apply to ${host} complete` : `Applied to ${host}`} and verified: ${counts}, in all ${total} steps (${where}).`;
  } else if (done && done.result === 'no-changes') {
    kind = 'info';
    message = `No changes: ${host} already matches the layout (${target.text}).`;
  } else if (failedAt) {
    message = `${simulated ? 'Simulated apply' : 'Apply'} to ${host} failed at step ${failedAt.index} of ${total} (${failedAt.step?.summary ?? ''}): ${failedAt.error ?? 'no error text'}. ${ranText}.${simulated ? ` It ran ${where}.` : ' Run "DAX: Plan" to see what is left.'}`;
  } else if (done && done.result === 'differs') {
    message = `All ${total} steps ran on ${host}, but it differs from the prediction${verify?.differences.length ? `: ${verify.differences.slice(0, 3).join('; ')}${verify.differences.length > 3 ? '; …' : ''}` : ''}.`;
  } else if (done && done.exitCode === 3) {
    kind = 'warning';
    message = `Apply to ${host} refused: ${done.message ?? result}`;
  } else {
    const why = done?.message ?? (lastLine(res.stderr) || `the CLI exited with ${describeExit(res)}`);
    message = `Apply to ${host} failed: ${why}${ran > 0 ? ` (${ranText})` : ''}`;
  }
  say(
    `apply to ${host}: ${result}${done ? ` (exit ${done.exitCode})` : ` (${describeExit(res)})`} — ${message}`,
    kind === 'info' ? 'info' : kind === 'warning' ? 'warn' : 'error',
  );
  // the result goes to the top of the plan view; success only to the status bar, so that no
  // notification covers the plan's last lines
  rerender(`${kind === 'info' ? 'Result' : kind === 'warning' ? 'Stopped' : 'FAILED'} ${clock(madeAt)}: ${message}`);
  if (kind === 'info') vscode.window.setStatusBarMessage(`$(check) DAX: ${message}`, 15_000);
  else ctx.offer(kind, message, ['Show Output', 'Show Plan'], planUri);
  return {
    result,
    ...(done ? { exitCode: done.exitCode } : res.code !== undefined ? { exitCode: res.code } : {}),
    message,
    stepsRun: ran,
    stepsTotal: total,
    simulated,
    cancelled,
    planUri: planUriText,
    log,
  };
}

/** One line of `apply --events` as an event, or undefined for anything else (logged as text). */
function asEvent(line: string): ApplyEvent | undefined {
  const e = parseJson(line) as Record<string, unknown> | undefined;
  if (typeof e !== 'object' || e === null) return undefined;
  switch (e.event) {
    case 'plan':
      return isPlanJson(e) ? (e as unknown as ApplyEvent) : undefined;
    case 'step':
      return typeof e.index === 'number' &&
        typeof e.summary === 'string' &&
        (e.state === 'running' || e.state === 'ok' || e.state === 'failed')
        ? (e as unknown as ApplyEvent)
        : undefined;
    case 'verify':
      return typeof e.ok === 'boolean' ? (e as unknown as ApplyEvent) : undefined;
    case 'persist':
      return typeof e.action === 'string' && typeof e.state === 'string' ? (e as unknown as ApplyEvent) : undefined;
    case 'done':
      return typeof e.exitCode === 'number' && typeof e.result === 'string'
        ? ({ stepsRun: 0, ...e } as unknown as ApplyEvent)
        : undefined;
    default:
      return undefined;
  }
}

function describeRan(steps: readonly PlanStepJson[], ran: number): string {
  const total = steps.length;
  if (ran <= 0) return 'no step ran';
  const last = steps[ran - 1];
  const next = steps[ran];
  return `steps 1–${ran} of ${total} ran (the last: ${last?.summary ?? '?'})${next ? `; step ${ran + 1} (${next.summary})${ran + 1 < total ? ` to ${total}` : ''} did not run` : ''}`;
}
