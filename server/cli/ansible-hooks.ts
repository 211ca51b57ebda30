// The hooks the Ansible role (ansible/roles/daxlayout) runs on the controller, where Ansible's
// own connection runs the programs on the host: `plan LAYOUT --for HOST --capture DUMP` plans
// from a capture dump and prints the apply program; `verify --prediction FILE --capture DUMP
// --apply-output OUT` says whether that program ran and the host is the prediction
// (docs/fleet.md). Exit codes as for fleets (fleet.ts).

import {
  lower,
  matchPattern,
  memberReader,
  patternMatchesHost,
  readFacts,
  renderPlan,
  snapshot,
  summaryLine,
  writeFacts,
  type HostFacts,
} from '../core/index';
import { parse } from '../../grammar/src/index';
import { planFrom, PlanError, type PlanResult } from '../host/apply';
import { readCapture } from '../host/capture';
import { applyProgram, parseProgramOutput, ProgramRefused } from '../host/shell';
import { targetCapture, type TargetCapture } from '../host/target';
import { diffHost } from '../host/verify';
import { intFlag, parseFlags } from './args';
import { factsReader, readLayout, readText, UsageError, writeOutput } from './io';
import type { Io } from './host-io';
import { diagText, layoutHostFor, persistProblem, planJsonOf, readInventory, type Member } from './fleet-members';

const int = intFlag;

function captureOf(text: string, source: string): TargetCapture {
  return targetCapture(readCapture(text.replace(/\r\n/g, '\n'), source));
}

/** `plan LAYOUT --for HOST [--groups G,…] [-i INV] --capture DUMP [--emit-program] [--prediction FILE] [--json]`. */
export async function hookPlan(
  kind: 'plan' | 'apply',
  v: Record<string, string | boolean | undefined>,
  positionals: string[],
  io: Io,
): Promise<number> {
  if (kind !== 'plan')
    throw new UsageError('--for/--capture belong to `plan` (the Ansible role runs the program itself)');
  if (positionals.length !== 1) throw new UsageError('plan --for HOST --capture DUMP takes one layout FILE');
  if (typeof v.for !== 'string' || typeof v.capture !== 'string')
    throw new UsageError('plan --capture DUMP needs --for HOST (the inventory host it was captured from)');
  const host = v.for;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.:@+-]{0,253}$/.test(host))
    throw new UsageError(`--for \`${host}\` is not a host name`);
  const path = positionals[0] as string;
  const text = readLayout(path);
  const groups =
    typeof v.groups === 'string'
      ? v.groups
          .split(',')
          .map((g) => g.trim())
          .filter((g) => g !== '')
      : [];
  const inv = typeof v.inventory === 'string' ? readInventory(v.inventory) : undefined;
  const layout = lower(parse(text));
  const lh = layoutHostFor(layout.hosts, host, (p) =>
    inv ? matchPattern(inv, p).includes(host) : patternMatchesHost(p, host, groups),
  );
  const lockTimeoutS = int(v['lock-timeout'] as string | undefined, 'lock-timeout', 30, 0, 86400);
  const out = (o: Record<string, unknown>, code: number): number => {
    if (v.json) io.out(JSON.stringify({ ...o, exitCode: code }, null, 2) + '\n');
    else {
      if (typeof o.planText === 'string') io.out(o.planText);
      if (typeof o.diagnosticsText === 'string' && o.diagnosticsText) io.out(`${o.diagnosticsText}\n`);
      if (code !== 0) io.err(`daxlayout: ${String(o.message)}\n`);
    }
    return code;
  };
  if (typeof lh === 'string') return out({ host, changed: false, failed: true, message: lh }, 1);
  const capture = captureOf(readText(v.capture), v.capture);
  let r: PlanResult;
  try {
    r = planFrom(capture, {
      text,
      host: lh.name,
      prune: v.prune === true,
      readFacts: memberReader(factsReader(path), host),
    });
  } catch (e) {
    if (e instanceof PlanError) return out({ host, changed: false, failed: true, message: e.message }, 1);
    throw e;
  }
  const m: Member = {
    host,
    layoutHost: lh,
    description: `capture ${v.capture}`,
    plan: r,
    state: 'unchanged',
    exitCode: 0,
    message: '',
  };
  const base = planJsonOf(m, path, text);
  const diagnosticsText = diagText(base.diagnostics);
  const planText = r.view ? renderPlan(r.view) : '';
  if (r.errors.length > 0 || !r.view || !r.host?.model) {
    return out(
      {
        ...base,
        changed: false,
        failed: true,
        planText: '',
        diagnosticsText,
        message: `the plan for ${host} has errors; nothing was run${diagnosticsText ? `\n${diagnosticsText}` : ''}`,
      },
      1,
    );
  }
  const writes = r.view.steps.flatMap((s) =>
    s.writes.map((w) => ({ path: w.path, value: w.value, ...(w.settle ? { settle: w.settle } : {}) })),
  );
  if (typeof v.prediction === 'string') {
    writeOutput(v.prediction, writeFacts(snapshot(r.host.model.state, `predicted for ${host}`)));
  }
  let program: string | null = null;
  const pp = persistProblem(layout, lh, host);
  if (pp && v['emit-program']) return out({ ...base, changed: false, failed: true, planText, message: pp }, 1);
  if (v['emit-program'] && writes.length > 0) {
    try {
      program = applyProgram(writes, { expectedState: capture.state ?? '', lockTimeoutS });
    } catch (e) {
      if (e instanceof ProgramRefused)
        return out({ ...base, changed: false, failed: true, planText, message: `nothing was run: ${e.message}` }, 1);
      throw e;
    }
  }
  return out(
    {
      ...base,
      changed: writes.length > 0,
      failed: false,
      writesTotal: writes.length,
      planText,
      diagnosticsText,
      message: writes.length
        ? `${host}: ${summaryLine(r.view.summary)}`
        : `${host}: No changes. The host matches the layout.`,
      program,
    },
    0,
  );
}

/** `verify --prediction FILE --capture DUMP [--apply-output OUT] [--json]`: did the apply program run, and is the host the prediction? */
export async function verifyCommand(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseFlags('verify', args, {
    prediction: { type: 'string', value: 'FILE' },
    capture: { type: 'string', value: 'DUMP' },
    'apply-output': { type: 'string', value: 'OUT' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0)
    throw new UsageError(
      `verify takes no FILE (got \`${positionals[0]}\`): --prediction FILE --capture DUMP [--apply-output OUT] [--json]`,
    );
  if (!v.prediction || !v.capture)
    throw new UsageError('verify needs --prediction FILE and --capture DUMP ([--apply-output OUT] [--json])');
  const pred = readFacts(readText(v.prediction), v.prediction);
  if (!pred.facts)
    throw new UsageError(`${v.prediction}: not a facts file: ${pred.problems.map((p) => p.message).join('; ')}`);
  const report =
    v['apply-output'] !== undefined ? parseProgramOutput(readText(v['apply-output']).replace(/\r/g, '')) : undefined;
  const cap = captureOf(readText(v.capture), v.capture);
  const ran = report ? report.outcomes.filter((x) => x.ok).length : 0;
  const failed = report?.outcomes.find((x) => !x.ok);
  let result: string;
  let message: string;
  let code: number;
  let differences: string[] = [];
  if (report && (report.lockBusy !== undefined || report.lockError !== undefined)) {
    [result, code, message] = [
      'refused',
      3,
      `the host's lock is held by another apply (${report.lockBusy ?? report.lockError}); nothing was written`,
    ];
  } else if (report && report.guard === 'changed') {
    [result, code, message] = [
      'refused',
      3,
      'the host changed between the capture and the apply; nothing was written. Run again.',
    ];
  } else if (failed) {
    [result, code, message] = [
      'failed',
      1,
      `write ${failed.index} failed: ${failed.error ?? 'no error text'}; ${ran} write(s) ran, the apply stopped there`,
    ];
  } else if (report && !report.done) {
    [result, code, message] = [
      'failed',
      1,
      `the apply did not finish; ${ran} write(s) are known to have run${report.other.length ? `: ${report.other.slice(-2).join(' / ')}` : ''}`,
    ];
  } else if (!cap.facts || cap.problems.some((p) => p.severity === 'error')) {
    [result, code, message] = [
      'failed',
      1,
      `the host could not be captured to verify it: ${cap.problems.map((p) => p.message).join('; ')}`,
    ];
  } else {
    differences = diffHost(pred.facts as HostFacts, cap.facts);
    if (differences.length)
      [result, code, message] = [
        'differs',
        1,
        `the host differs from the prediction:\n${differences.map((d) => `  ${d}`).join('\n')}`,
      ];
    else
      [result, code, message] = [
        report ? 'applied' : 'verified',
        0,
        report ? `Apply complete and verified: ${ran} write(s).` : 'The host equals the prediction.',
      ];
  }
  if (v.json)
    io.out(
      JSON.stringify({ result, changed: ran > 0, writesRun: ran, exitCode: code, message, differences }, null, 2) +
        '\n',
    );
  else if (code === 0) io.out(`${message}\n`);
  else io.err(`daxlayout: ${message}\n`);
  return code;
}
