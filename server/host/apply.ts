// Plan and apply against a target: capture fresh facts, plan the layout's
// host against them (the core's one simulation), run the writes as one
// program under the host's lock, then capture again and verify that the host
// is exactly the predicted state. Three round trips, whatever the plan's size.

import {
  analyze,
  factsFingerprint,
  planView,
  snapshotHost,
  toDaxctlJson,
  type Analysis,
  type FactsProblem,
  type Finding,
  type HostAnalysis,
  type HostFacts,
  type Plan,
  type PlanView,
} from '../core/index';
import { ProgramRefused, stateDiff, type ProgramReport } from './shell';
import type { Target, TargetCapture } from './target';
import { diffHost } from './verify';

export interface PlanRequest {
  /** The layout's text. */
  readonly text: string;
  /** The host of the layout to plan. */
  readonly host: string;
  readonly prune: boolean;
  /** Reads facts files the layout names (other hosts' diagnostics). */
  readonly readFacts?: (path: string) => { text: string } | { error: string };
}

export interface PlanResult {
  readonly capture: TargetCapture;
  readonly analysis?: Analysis;
  readonly host?: HostAnalysis;
  readonly plan?: Plan;
  readonly view?: PlanView;
  readonly fingerprint?: string;
  /** Errors that stop an apply: facts that cannot be read, findings of severity error. */
  readonly errors: { readonly message: string; readonly finding?: Finding; readonly problem?: FactsProblem }[];
}

export class PlanError extends Error {}

/** Captures facts from the target (one round trip) and plans the layout's host against them. */
export async function makePlan(target: Target, req: PlanRequest): Promise<PlanResult> {
  const capture = await target.capture();
  return planFrom(capture, req);
}

export function planFrom(capture: TargetCapture, req: PlanRequest): PlanResult {
  const factsErrors = capture.problems.filter((p) => p.severity === 'error');
  if (!capture.facts || factsErrors.length > 0) {
    return {
      capture,
      errors: (factsErrors.length
        ? factsErrors
        : [{ severity: 'error' as const, message: 'no facts could be read' }]
      ).map((p) => ({
        message: `facts: ${p.message}${p.line ? ` (capture line ${p.line})` : ''}`,
        problem: p,
      })),
    };
  }
  const facts: HostFacts = capture.facts;
  const analysis = analyze(req.text, {
    prune: req.prune,
    ...(req.readFacts ? { readFacts: req.readFacts } : {}),
    hostFacts: (h) => (h.name === req.host ? { facts, kind: capture.kind, problems: capture.problems } : undefined),
  });
  const host = analysis.hosts.find((h) => h.name === req.host);
  if (!host) throw new PlanError(`the layout has no host \`${req.host}\``);
  const errors: PlanResult['errors'] = analysis.findings
    .filter((f) => f.severity === 'error')
    .map((f) => ({ message: `${f.code}: ${f.message}`, finding: f }));
  if (host.modelError) errors.push({ message: host.modelError });
  const fingerprint = factsFingerprint(facts);
  if (!host.plan) return { capture, analysis, host, fingerprint, errors };
  const view = planView(host, host.plan, fingerprint);
  return { capture, analysis, host, plan: host.plan, view, fingerprint, errors };
}

export type StepStatus = 'ok' | 'failed' | 'not-run';

export interface WriteResultView {
  readonly status: StepStatus;
  readonly error?: string;
  readonly errno?: string;
}

export interface ApplyResult {
  /** applied: every write ran and the host verified; no-changes; failed: a write failed or the program did not finish; differs: ran, but the host is not the predicted state; refused: lock busy / host changed; cancelled: stopped on request between writes. */
  readonly result: 'applied' | 'no-changes' | 'failed' | 'differs' | 'refused' | 'cancelled';
  readonly exitCode: 0 | 1 | 3 | 130;
  readonly message: string;
  /** Per planned step and write, in plan order. */
  readonly steps: { readonly status: StepStatus; readonly writes: WriteResultView[] }[];
  readonly writesRun: number;
  readonly writesTotal: number;
  readonly report?: ProgramReport;
  readonly verification?: { readonly ok: boolean; readonly differences: string[] };
  /** What the host looks like now (after the apply), when it could be captured. */
  readonly after?: HostFacts;
  /** The predicted state, as `daxctl list -RDMi` would print it. */
  readonly predicted?: unknown;
  readonly changes?: string[];
}

export interface ApplyOptions {
  readonly lockTimeoutS: number;
  readonly pauseAfter?: number;
  readonly onOutcome?: (o: { index: number; ok: boolean; error?: string }) => void;
  readonly onLine?: (line: string) => void;
}

/** Runs a plan's writes on the target, then verifies the host against the prediction. */
export async function applyPlan(target: Target, p: PlanResult, o: ApplyOptions): Promise<ApplyResult> {
  if (!p.plan || !p.view || !p.host?.model) throw new PlanError('there is no plan to apply');
  const writes = p.view.steps.flatMap((s) =>
    s.writes.map((w) => ({ path: w.path, value: w.value, ...(w.settle ? { settle: w.settle } : {}) })),
  );
  const empty = (status: StepStatus) =>
    p.view?.steps.map((s) => ({ status, writes: s.writes.map(() => ({ status })) })) ?? [];
  const predictedFacts = snapshotHost(p.host.model, 'predicted');
  const predicted = toDaxctlJson(p.host.model.state);
  if (writes.length === 0) {
    return {
      result: 'no-changes',
      exitCode: 0,
      message: 'No changes. The host matches the layout.',
      steps: [],
      writesRun: 0,
      writesTotal: 0,
      predicted,
    };
  }
  let run;
  try {
    run = await target.run(writes, p.capture, {
      lockTimeoutS: o.lockTimeoutS,
      ...(o.pauseAfter !== undefined ? { pauseAfter: o.pauseAfter } : {}),
      ...(o.onOutcome ? { onOutcome: o.onOutcome } : {}),
      ...(o.onLine ? { onLine: o.onLine } : {}),
    });
  } catch (e) {
    if (e instanceof ProgramRefused) {
      return {
        result: 'failed',
        exitCode: 1,
        message: `nothing was run: ${e.message}`,
        steps: empty('not-run'),
        writesRun: 0,
        writesTotal: writes.length,
        predicted,
      };
    }
    throw e;
  }
  const r = run.report;
  if (r.lockBusy !== undefined || r.lockError !== undefined) {
    return {
      result: 'refused',
      exitCode: 3,
      message:
        r.lockBusy !== undefined
          ? `another apply holds the host's lock (${r.lockBusy}); waited ${o.lockTimeoutS} s. Nothing was written. Try again when it has finished (if no daxlayout runs on the host, remove ${r.lockBusy}).`
          : `cannot take the host's lock: ${r.lockError}. Nothing was written.`,
      steps: empty('not-run'),
      writesRun: 0,
      writesTotal: writes.length,
      report: r,
      predicted,
    };
  }
  if (r.guard === 'changed') {
    const changes =
      p.capture.state !== undefined && r.changedState !== undefined ? stateDiff(p.capture.state, r.changedState) : [];
    return {
      result: 'refused',
      exitCode: 3,
      message: `the host changed since the plan was made (another apply, or someone else); nothing was written. Run the plan again.${changes.length ? '\n' + changes.map((c) => `  ${c}`).join('\n') : ''}`,
      steps: empty('not-run'),
      writesRun: 0,
      writesTotal: writes.length,
      report: r,
      changes,
      predicted,
    };
  }
  // per-step results
  const byIndex = new Map(r.outcomes.map((x) => [x.index, x]));
  let n = 0;
  const steps = p.view.steps.map((s) => {
    const ws = s.writes.map((): WriteResultView => {
      n++;
      const x = byIndex.get(n);
      if (!x) return { status: 'not-run' };
      return x.ok
        ? { status: 'ok' }
        : { status: 'failed', ...(x.error ? { error: x.error } : {}), ...(x.errno ? { errno: x.errno } : {}) };
    });
    const status: StepStatus = ws.some((w) => w.status === 'failed')
      ? 'failed'
      : ws.every((w) => w.status === 'ok')
        ? 'ok'
        : ws.some((w) => w.status === 'ok')
          ? 'failed'
          : 'not-run';
    return { status, writes: ws };
  });
  const ran = r.outcomes.filter((x) => x.ok).length;
  const failed = r.outcomes.find((x) => !x.ok);

  // verify: the host as it is now
  let after: HostFacts | undefined;
  let afterProblem: string | undefined;
  try {
    const c = await target.capture();
    if (c.facts && !c.problems.some((x) => x.severity === 'error')) after = c.facts;
    else afterProblem = c.problems.map((x) => x.message).join('; ') || 'no facts';
  } catch (e) {
    afterProblem = (e as Error).message;
  }
  const differences = after ? diffHost(predictedFacts, after) : [];
  const verification = after ? { ok: differences.length === 0, differences } : undefined;
  const base = {
    steps,
    writesRun: ran,
    writesTotal: writes.length,
    report: r,
    ...(verification ? { verification } : {}),
    ...(after ? { after } : {}),
    predicted,
  };
  if (failed) {
    const at = p.view.steps[steps.findIndex((s) => s.status === 'failed')];
    return {
      ...base,
      result: 'failed',
      exitCode: 1,
      message: `write ${failed.index} of ${writes.length} failed${at ? ` (step ${at.index}: ${at.summary})` : ''}: ${failed.error || 'no error text'}${failed.errno ? ` [${failed.errno}]` : ''}. ${ran} write(s) ran; the apply stopped there. Re-run plan to see what is left.`,
    };
  }
  if (r.cancelledBefore !== undefined) {
    return {
      ...base,
      result: 'cancelled',
      exitCode: 130,
      message: `cancelled before write ${r.cancelledBefore} of ${writes.length}: ${ran} write(s) ran, the rest did not. Run plan to see the host as it is now.`,
    };
  }
  if (!r.done) {
    const why =
      run.code === 255
        ? `the connection failed (${run.stderr.trim().split('\n').pop() || 'ssh was killed or exited 255'})`
        : `the program stopped (exit ${run.code})${r.other.length ? `: ${r.other.slice(-2).join(' / ')}` : ''}`;
    return {
      ...base,
      result: 'failed',
      exitCode: 1,
      message: `the apply did not finish: ${why}. ${ran} of ${writes.length} write(s) are known to have run${r.pausedAfter !== undefined ? ` (paused after write ${r.pausedAfter})` : ''}. Re-run apply: it plans from the host as it is.`,
    };
  }
  if (!after) {
    return {
      ...base,
      result: 'failed',
      exitCode: 1,
      message: `all ${writes.length} writes ran, but the host could not be captured to verify it: ${afterProblem}`,
    };
  }
  if (differences.length > 0) {
    return {
      ...base,
      result: 'differs',
      exitCode: 1,
      message: `all ${writes.length} writes ran, but the host differs from the prediction:\n${differences.map((d) => `  ${d}`).join('\n')}`,
    };
  }
  return {
    ...base,
    result: 'applied',
    exitCode: 0,
    message: `Apply complete and verified: ${p.view.summary.create} device${p.view.summary.create === 1 ? '' : 's'} created, ${p.view.summary.change} changed, ${p.view.summary.destroy} destroyed.`,
  };
}
