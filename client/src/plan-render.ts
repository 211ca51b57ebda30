// The plan as the CLI prints it with --json (and in apply's `plan` event), and its text
// in the plan view: terraform-style, `+ create`, `~ change`, `- destroy`, the writes
// under each step, a summary line. During and after an apply each step carries a mark.

import type { PlanJson, PlanStepJson } from '../../server/cli/protocol';

export type { PlanJson, PlanStepJson as PlanStep };

/** Whether applying the plan would install, update or remove the restorer (even without writes). */
export function persistPending(p: PlanJson): boolean {
  return (
    p.persist?.action === 'install' ||
    p.persist?.action === 'update' ||
    p.persist?.action === 'remove' ||
    p.persist?.action === 'verify'
  );
}

export function isPlanJson(x: unknown): x is PlanJson {
  const p = x as Partial<PlanJson> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.host === 'string' &&
    Array.isArray(p.steps) &&
    Array.isArray(p.diagnostics)
  );
}

/**
 * Steps that take something away from what runs on the host: destroys, and changes that
 * unbind a device from its driver, shrink or empty it, or take its memory offline.
 */
export function isDestructive(s: PlanStepJson): boolean {
  return s.destructive;
}

/** `unknown`: the step was running when the CLI stopped without saying whether it finished. */
export type StepState = 'running' | 'ok' | 'failed' | 'not-run' | 'unknown';

/** Where the plan was made: for the header of the view and the messages. */
export interface TargetInfo {
  /** `ssh root@db1 port 2222`, or `simulated from linux-6.1.facts.json — nothing touches a machine`. */
  readonly text: string;
  readonly simulated: boolean;
}

export interface RenderInput {
  readonly plan: PlanJson;
  readonly layoutName: string;
  readonly target: TargetInfo;
  readonly madeAt: Date;
  /** Per step index, during and after an apply. */
  readonly states?: ReadonlyMap<number, { state: StepState; error?: string }>;
  /** The apply's result: shown under the header, where no notification covers it. */
  readonly footer?: string;
}

const MARK: Record<StepState, string> = { running: '…', ok: '✓', failed: '✗', 'not-run': ' ', unknown: '?' };

export function renderPlan(r: RenderInput): string {
  const p = r.plan;
  const out: string[] = [];
  out.push(`Plan for host ${p.host} in ${r.layoutName}`);
  out.push(`Target: ${r.target.text}`);
  const about = [
    p.kernel ? `Linux ${p.kernel}` : undefined,
    p.fingerprint ? `facts ${p.fingerprint}` : undefined,
    `planned ${clock(r.madeAt)}`,
  ].filter(Boolean);
  out.push(about.join(', '));
  if (p.unreadable.length > 0)
    out.push(
      `Note: ${p.unreadable.length} file(s) could not be read on the host: ${p.unreadable.slice(0, 4).join(', ')}${p.unreadable.length > 4 ? ', …' : ''}`,
    );
  if (r.footer) out.push('', r.footer);
  out.push('');
  if (p.diagnostics.length > 0) {
    // an invalid layout gets no plan: its errors, as terraform lists them
    out.push(
      `The layout has ${p.diagnostics.length} error${p.diagnostics.length === 1 ? '' : 's'} for ${p.host}; nothing was planned. Fix ${p.diagnostics.length === 1 ? 'it' : 'them'} and plan again:`,
      '',
    );
    for (const d of p.diagnostics)
      out.push(
        d.line !== undefined
          ? `  ${r.layoutName}:${d.line}:${d.column ?? 1}: ${d.severity}: ${d.message} [${d.code}]`
          : `  ${d.severity}: ${d.message}`,
      );
    return out.join('\n') + '\n';
  }

  const withStates = r.states !== undefined;
  if (p.steps.length > 0) {
    out.push('daxlayout will perform these steps, in this order:', '');
    out.push(`${withStates ? '    ' : ''}  + create a device   ~ change one   - destroy one`, '');
    for (const s of p.steps) {
      const st = r.states?.get(s.index);
      const mark = withStates ? `${MARK[st?.state ?? 'not-run']}   ` : '';
      out.push(`${mark}  ${s.op} ${s.index}. ${s.summary}`);
      for (const w of s.writes) {
        out.push(`${withStates ? '    ' : ''}      echo ${w.value} > ${w.path}`);
        // under the write, not after it: a long path must not push it off-screen
        if (w.predicted !== 'ok')
          out.push(`${withStates ? '    ' : ''}        # the kernel would refuse this write: ${w.predicted}`);
        // what apply waits for after the write (a CXL region's dax device: docs/cxl.md)
        if (w.settle) {
          const blocks = w.settle.blocks ? `, memory${w.settle.blocks.first}-memory${w.settle.blocks.last} added` : '';
          const driver = w.settle.driver ? `bound to ${w.settle.driver}` : 'present';
          out.push(
            `${withStates ? '    ' : ''}        # then wait until ${w.settle.device} ${driver}${blocks} (up to ${w.settle.timeoutS} s)`,
          );
        }
      }
      if (st?.state === 'failed' && st.error) out.push(`${withStates ? '    ' : ''}      failed: ${st.error}`);
    }
    out.push('');
  }
  for (const u of p.unlisted) {
    out.push(
      u.pruned
        ? `  note: ${u.name} (${u.size}, ${u.mode}) is not in the layout and is removed (--prune)`
        : `  note: ${u.name} (${u.size}, ${u.mode}) is not in the layout; it is kept`,
    );
  }
  for (const x of p.refusals) out.push(`  refused: ${x}`);
  if (p.unlisted.length > 0 || p.refusals.length > 0) out.push('');
  if (p.summaryLine) out.push(p.summaryLine);
  if (p.persist?.message) out.push(`Persistence: ${p.persist.message}.`);
  const destructive = p.steps.filter(isDestructive);
  if (destructive.length > 0)
    out.push(
      `${destructive.length} of the ${p.steps.length} steps take memory or a device away: ${destructive.map((s) => `${s.index} (${s.summary})`).join('; ')}.`,
    );
  return out.join('\n') + '\n';
}

/** `step 3 of 14: size dax0.1 (spill) to 512 MiB` */
export function stepLabel(s: { index: number; summary: string }, of: number): string {
  return `step ${s.index} of ${of}: ${s.summary}`;
}

/** `19:57:16`: a local time without spaces or AM/PM. */
export function clock(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
