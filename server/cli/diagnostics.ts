// The CLI's one diagnostic line (`FILE:LINE:COL: SEVERITY: MESSAGE [CODE]`, as compilers print
// them, so editors and terminals link them) and the one builder of a plan's JSON, shared by
// `check`, `plan`, `apply` and their fleet forms (`-i INVENTORY`).

import { summaryLine, type Finding } from '../core/index';
import type { PlanResult } from '../host/apply';
import { LineIndex } from './positions';
import type { PlanDiagnosticJson } from './protocol';
import { rulePage } from './rule-pages';

/** What a diagnostic line says. Without a line it is printed as `SEVERITY: MESSAGE`. */
export interface DiagnosticParts {
  readonly file?: string | undefined;
  /** 1-based. */
  readonly line?: number | undefined;
  /** 1-based, UTF-16 code units. */
  readonly column?: number | undefined;
  readonly severity: string;
  readonly message: string;
  /** `DAXnnn`; left out of the line when undefined. */
  readonly code?: string | undefined;
}

/** `FILE:LINE:COL: SEVERITY: MESSAGE [CODE]`, or `SEVERITY: MESSAGE` when the place is not known. */
export function diagnosticLine(d: DiagnosticParts): string {
  const code = d.code !== undefined ? ` [${d.code}]` : '';
  if (d.line === undefined) return `${d.severity}: ${d.message}${code}`;
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${code}`;
}

/** The diagnostic line of a finding (and its related notes) in a file, at the finding's start. */
export function findingLines(path: string, idx: LineIndex, f: Finding, severity: string = f.severity): string[] {
  const out = [
    diagnosticLine({ file: path, ...idx.position(f.span.start), severity, message: f.message, code: f.code }),
  ];
  for (const r of f.related ?? [])
    out.push(diagnosticLine({ file: path, ...idx.position(r.span.start), severity: 'note', message: r.message }));
  return out;
}

/**
 * The errors that stop a plan, as the JSON diagnostics the editor reads: a finding with its place
 * and rule page, a facts or model problem without. `prefix` names the host in a fleet.
 */
export function planDiagnostics(path: string, text: string, r: PlanResult, prefix = ''): PlanDiagnosticJson[] {
  const idx = new LineIndex(text);
  return r.errors.map((e) => {
    if (e.finding) {
      const s = idx.position(e.finding.span.start);
      return {
        severity: 'error',
        code: e.finding.code,
        message: `${prefix}${e.finding.message}`,
        file: path,
        line: s.line,
        column: s.column,
        href: rulePage(e.finding.code),
      };
    }
    return { severity: 'error', code: e.problem ? 'facts' : 'model', message: `${prefix}${e.message}` };
  });
}

/** The diagnostics of a plan as text, one line each (the code of a facts or model problem is not printed). */
export function planDiagnosticsText(d: readonly PlanDiagnosticJson[]): string {
  return d.map((x) => diagnosticLine({ ...x, code: x.line !== undefined ? x.code : undefined })).join('\n');
}

/**
 * What every plan's JSON holds about the plan itself: the facts it was made from and its steps.
 * `planned` is the plan's view, or undefined when there is none to show (the plan failed, or,
 * for `plan`, the layout has errors: an invalid layout gets no plan, as terraform does).
 */
export function planJsonCore(r: PlanResult | undefined, planned: PlanResult['view'] | undefined) {
  return {
    fingerprint: r?.fingerprint ?? null,
    kernel: r?.capture.facts?.kernelRelease ?? null,
    changes: planned ? planned.steps.length > 0 : false,
    steps: planned?.steps ?? [],
    summary: planned?.summary ?? { create: 0, change: 0, destroy: 0 },
    summaryLine: planned ? summaryLine(planned.summary) : null,
    unlisted: planned?.unlisted ?? [],
  };
}
