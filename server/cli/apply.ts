// `daxlayout apply`: plans again (plan-apply.ts prepares the host and the plan as `plan` does),
// asks, runs the writes as one program on the host under its lock, verifies the host against
// the prediction, runs the persist step, and reports as text, JSON or events (the extension
// reads them: protocol.ts). Exit codes as for plan (plan-apply.ts), and 130/143 when
// interrupted between writes.

import {
  formatBytes,
  hex,
  renderPlan,
  writeText,
  type DeviceFacts,
  type HostFacts,
  type PlanView,
} from '../core/index';
import { applyPlan, makePlan, type ApplyResult, type PlanResult } from '../host/apply';
import { persistJson, persistPlan, runPersist, type PersistResult } from '../host/persist';
import { SimTarget } from '../host/target';
import { intFlag } from './args';
import { factsReader, UsageError } from './io';
import type { Io } from './host-io';

import {
  diagnosticsText,
  earlyErrors,
  header,
  persistText,
  planJson,
  prepare,
  unreadableNoteOf,
  withTarget,
  type Prepared,
} from './plan-apply';

export async function applyCommand(args: string[], io: Io): Promise<number> {
  const { prepared: p, values } = prepare('apply', args, io);
  const yes = values.yes === true;
  const events = values.events === true;
  // (the target opens nothing until it is used: a usage error below leaves nothing behind)
  const lockTimeoutS = intFlag(values['lock-timeout'] as string | undefined, 'lock-timeout', 30, 0, 86400);
  const expect = values.fingerprint as string | undefined;
  if (expect !== undefined && !/^sha256:[0-9a-f]{16}$/.test(expect))
    throw new UsageError('--fingerprint takes the value `daxlayout plan` printed (sha256: and 16 hex digits)');
  if (events && p.json) throw new UsageError('--events and --json are two output forms: pick one');
  const pauseRaw = io.env.DAXLAYOUT_TEST_PAUSE_AFTER;
  const pauseAfter = pauseRaw !== undefined && /^\d{1,6}$/.test(pauseRaw) ? Number(pauseRaw) : undefined;
  const text = !p.json && !events;
  const event = (e: Record<string, unknown>) => io.out(JSON.stringify(e) + '\n');
  if (!yes && (!io.isTTY || events)) {
    await p.target.close();
    io.err(
      'daxlayout: refusing to apply without --yes: stdin is not a terminal to confirm on (run `daxlayout plan` to review, then `apply --yes`)\n',
    );
    return 2;
  }
  const early = earlyErrors(p);
  if (early.length > 0) {
    await p.target.close();
    if (events)
      event({
        event: 'done',
        result: 'failed',
        exitCode: 1,
        message: `${p.path} has errors; nothing was run`,
        stepsRun: 0,
        stepsTotal: 0,
      });
    else io.out(early.join('\n') + '\n');
    io.err(`daxlayout: ${p.path} has errors; nothing was run\n`);
    return 1;
  }
  const t0 = Date.now();
  let cancelSignal: string | undefined;
  const r = await withTarget(p, io, events, async () => {
    const plan = await makePlan(p.target, {
      text: p.text,
      host: p.hostName,
      prune: p.prune,
      readFacts: factsReader(p.path),
    });
    const view = plan.view;
    const stepsTotal = view?.steps.length ?? 0;
    // the persist step (docs/persist.md): with no writes, an installed restorer is verified now
    // (the only round trip of an apply that finds everything in place); with writes, after them
    const pp = await persistPlan(p.target, plan, { verify: stepsTotal === 0 });
    let persisted: PersistResult | undefined;
    let verifyShown = false;
    const persistOut = () => (pp.action === 'none' ? null : persistJson(pp, persisted));
    const doPersist = async (): Promise<PersistResult> => {
      const r = await runPersist(p.target, pp, {
        onStart: (a) => {
          if (events) event({ event: 'persist', action: a, state: 'running' });
          if (text)
            io.out(
              `\n${a === 'verify' ? 'Verifying' : a === 'remove' ? 'Removing' : a === 'install' ? 'Installing' : 'Updating'} the restorer on ${p.hostName}…\n`,
            );
        },
      });
      if (events && r.action !== 'none')
        event({
          event: 'persist',
          action: r.action,
          state: r.status,
          message: r.message,
          checks: r.checks.map((c) => ({ ok: c.ok, text: c.text })),
        });
      if (
        text &&
        r.action !== 'none' &&
        r.action !== 'sim' &&
        (r.status !== 'ok' || r.action !== 'up-to-date' || stepsTotal > 0)
      ) {
        for (const c of r.checks) if (!c.ok) io.out(`      bad   ${c.text}\n`);
        io.out(`  ${r.status === 'ok' ? 'ok' : r.status === 'failed' ? 'FAILED' : 'not run'}: ${r.message}\n`);
      }
      return r;
    };
    const finish = (res: Partial<ApplyResult> & { result: string; exitCode: number; message: string }) => {
      if (p.json)
        io.out(JSON.stringify({ ...applyJson(p, plan, res, Date.now() - t0), persist: persistOut() }, null, 2) + '\n');
      else if (events) {
        if (res.verification && !verifyShown) event({ event: 'verify', ...res.verification });
        event({
          event: 'done',
          result: res.result,
          exitCode: res.exitCode,
          message: res.message,
          stepsRun: res.steps?.filter((x) => x.status === 'ok').length ?? 0,
          stepsTotal,
          writesRun: res.writesRun ?? 0,
          writesTotal: res.writesTotal ?? 0,
          roundTrips: p.target.roundTrips,
          connections: p.target.connections,
          elapsedMs: Date.now() - t0,
          persist: persistOut(),
        });
        if (res.exitCode !== 0) io.err(`daxlayout: ${res.message}\n`);
      } else io.err(`daxlayout: ${res.message}\n`);
      return res.exitCode;
    };
    if (events) event({ event: 'plan', ...planJson(p, plan, pp) });
    if (text) {
      let out = header(p, plan);
      const note = unreadableNoteOf(plan);
      if (note) out += `note: ${note}\n\n`;
      if (view) out += renderPlan(view);
      out += persistText(pp);
      io.out(out);
    }
    if (plan.errors.length > 0 || !view) {
      if (text) io.out(`\n${diagnosticsText(p, plan)}\n`);
      return finish({ result: 'failed', exitCode: 1, message: 'the plan has errors; nothing was run' });
    }
    if (pp.action === 'problems') {
      return finish({
        result: 'failed',
        exitCode: 1,
        message: `the layout persists, but no restorer can be made for ${p.hostName}; nothing was run: ${pp.art?.problems.join('; ') ?? ''}`,
      });
    }
    if (expect !== undefined && plan.fingerprint !== expect) {
      return finish({
        result: 'refused',
        exitCode: 3,
        message: `the host changed since the plan that was shown (facts ${expect} then, ${plan.fingerprint} now); nothing was run. Review the new plan.`,
      });
    }
    if (view.steps.length === 0) {
      const noChanges = 'No changes. The host matches the layout.';
      if (pp.action !== 'install' && pp.action !== 'update' && pp.action !== 'remove') {
        // nothing to do (the restorer, if any, was verified while planning)
        persisted = await doPersist();
        if (!text) return finish({ result: 'no-changes', exitCode: 0, message: noChanges });
        return 0;
      }
      if (!yes) {
        const answer = await io.ask(
          `\nDo you want to ${pp.action === 'remove' ? 'remove the restorer and its files from' : `${pp.action} the restorer on`} ${p.hostName}? Only 'yes' will be accepted: `,
        );
        if (answer.trim() !== 'yes')
          return finish({ result: 'refused', exitCode: 3, message: 'apply cancelled; nothing was run' });
      }
      persisted = await doPersist();
      if (persisted.status !== 'ok')
        return finish({ result: 'failed', exitCode: 1, message: `${noChanges} But: ${persisted.message}` });
      if (!text)
        return finish({
          result: 'no-changes',
          exitCode: 0,
          message: `${noChanges} ${persisted.message[0]?.toUpperCase()}${persisted.message.slice(1)}.`,
        });
      return 0;
    }
    if (!yes) {
      // the plan's own vocabulary: devices in the summary line above, steps here
      const answer = await io.ask(
        `\nDo you want to perform these ${view.steps.length} steps on ${p.hostName}? Only 'yes' will be accepted: `,
      );
      if (answer.trim() !== 'yes')
        return finish({ result: 'refused', exitCode: 3, message: 'apply cancelled; nothing was run' });
    }
    if (text) io.out(`\nApplying on ${p.hostName} (${p.target.description})…\n`);
    // write number → the plan step it belongs to
    const stepOfWrite: PlanView['steps'][number][] = [];
    const allWrites: { path: string; value: string }[] = [];
    for (const st of view.steps) {
      for (const w of st.writes) {
        stepOfWrite.push(st);
        allWrites.push(w);
      }
    }
    const running = (st: PlanView['steps'][number] | undefined) => {
      if (st && events)
        event({ event: 'step', index: st.index, of: stepsTotal, summary: st.summary, state: 'running' });
    };
    // a signal between writes asks the host to stop before the next one
    io.onCancel?.((sig) => {
      cancelSignal = sig;
      if (text) io.out(`\n  ${sig}: asking the host to stop before its next write…\n`);
      void p.target.requestCancel().catch(() => false);
    });
    const res = await applyPlan(p.target, plan, {
      lockTimeoutS,
      ...(pauseAfter !== undefined ? { pauseAfter } : {}),
      onLine: (line) => {
        if (line === '@@ guard ok') running(stepOfWrite[0]);
        if (!text) return;
        if (line === '@@ lock-wait')
          io.out(`  waiting for another apply on the host to finish (up to ${lockTimeoutS} s)…\n`);
        if (line.startsWith('@@ paused after step')) io.out(`  (test hook) ${line.slice(3)}\n`);
      },
      onOutcome: (o) => {
        const st = stepOfWrite[o.index - 1];
        const first = st !== undefined && stepOfWrite[o.index - 2] !== st;
        const last = st !== undefined && stepOfWrite[o.index] !== st;
        if (events && st) {
          if (!o.ok)
            event({
              event: 'step',
              index: st.index,
              of: stepsTotal,
              summary: st.summary,
              state: 'failed',
              error: o.error ?? '',
            });
          else if (last) {
            event({ event: 'step', index: st.index, of: stepsTotal, summary: st.summary, state: 'ok' });
            running(stepOfWrite[o.index]);
          }
        }
        if (!text) return;
        if (first && st) io.out(`  ${st.op} ${st.summary}\n`);
        const w = allWrites[o.index - 1];
        io.out(
          `      ${o.ok ? 'ok  ' : 'FAIL'}  ${w ? writeText(w) : `write ${o.index}`}${o.ok ? '' : `: ${o.error ?? ''}`}\n`,
        );
      },
    });
    // The writes are over: a first signal now must not cut the report of what ran short (a
    // second one still ends the process at once).
    io.onCancel?.((sig) => io.err(`\ndaxlayout: ${sig} after the last write; finishing the report\n`));
    const stopped =
      res.result === 'cancelled' ? { ...res, exitCode: (cancelSignal === 'SIGTERM' ? 143 : 130) as 130 } : res;
    // never after a failed or partial apply: the restorer would find the region in neither state it knows
    if (stopped.result === 'applied') {
      if (events && stopped.verification && pp.action !== 'none') {
        // the host's verification comes before the persist step's events
        event({ event: 'verify', ...stopped.verification });
        verifyShown = true;
      }
      persisted = await doPersist();
    } else if (pp.action !== 'none' && pp.action !== 'sim') {
      persisted = {
        action: pp.action === 'remove' ? 'removed' : pp.action === 'install' ? 'installed' : 'updated',
        status: 'not-run',
        message: 'the restorer was not touched: the apply did not complete',
        checks: [],
      };
    }
    const outcome: ApplyResult =
      persisted?.status === 'failed'
        ? { ...stopped, result: 'failed', exitCode: 1, message: `${stopped.message} But: ${persisted.message}` }
        : stopped;
    if (!text) return finish(outcome);
    const lines: string[] = [];
    if ((res.result === 'failed' || res.result === 'cancelled') && res.writesRun < res.writesTotal) {
      const notRun = res.steps.map((x, i) => ({ x, v: view.steps[i] })).filter((y) => y.x.status === 'not-run');
      if (notRun.length > 0 && res.report?.guard === 'ok')
        lines.push(`Not run: ${notRun.map((y) => `step ${y.v?.index} (${y.v?.summary})`).join('; ')}`);
    }
    if (res.after && res.result !== 'applied') lines.push('The host now:', ...hostTable(res.after, view));
    if (p.target instanceof SimTarget && p.target.save && res.writesRun > 0)
      lines.push(`(sim: the new state was written to ${(p.target as SimTarget).file})`);
    if (lines.length) io.out('\n' + lines.join('\n') + '\n');
    const rt =
      p.target.kind === 'ssh'
        ? ` (${p.target.roundTrips} SSH round trips over ${p.target.connections} connection${p.target.connections === 1 ? '' : 's'}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`
        : '';
    if (outcome.exitCode === 0) {
      io.out(`\n${outcome.message}${rt}\n`);
      return 0;
    }
    io.err(`daxlayout: ${outcome.message}\n`);
    if (rt) io.err(`daxlayout:${rt}\n`);
    return outcome.exitCode;
  });
  return r;
}

function applyJson(
  p: Prepared,
  plan: PlanResult,
  res: Partial<ApplyResult> & { result: string; exitCode: number; message: string },
  ms: number,
) {
  const base = planJson(p, plan);
  const steps = base.steps.map((s, i) => {
    const st = res.steps?.[i];
    return {
      ...s,
      status: st?.status ?? 'not-run',
      writes: s.writes.map((w, j) => ({ ...w, ...(st?.writes[j] ?? { status: 'not-run' }) })),
    };
  });
  return {
    ...base,
    steps,
    result: res.result,
    exitCode: res.exitCode,
    message: res.message,
    writesRun: res.writesRun ?? 0,
    writesTotal: res.writesTotal ?? steps.reduce((n, s) => n + s.writes.length, 0),
    verification: res.verification ?? null,
    changesSincePlan: res.changes ?? [],
    lock: res.report?.lock ?? null,
    predicted: res.predicted ?? null,
    roundTrips: p.target.roundTrips,
    connections: p.target.connections,
    elapsedMs: ms,
  };
}

function hostTable(f: HostFacts, view: PlanView): string[] {
  const labels = new Map<string, string>();
  for (const s of view.steps) if (s.label && s.target !== '(new)') labels.set(s.target, s.label);
  const out: string[] = [];
  const mode = (d: DeviceFacts) => {
    if (d.driver !== 'kmem') return d.driver === 'device_dax' ? 'devdax' : 'unbound';
    const blocks = f.memoryBlocks.filter((b) =>
      d.mappings.some(
        (m) => BigInt(b.index) * f.memoryBlockSize >= m.start && BigInt(b.index) * f.memoryBlockSize <= m.end,
      ),
    );
    const online = blocks.filter((b) => b.state === 'online');
    return `system-ram ${online.length}/${blocks.length} online${online.length && online.every((b) => b.zone === 'Movable') ? ' movable' : ''}`;
  };
  for (const r of f.regions) {
    out.push(`  region ${r.id} (${r.path}):`);
    for (const d of r.devices) {
      const ranges = d.mappings.map((m) => `${hex(m.start)}..${hex(m.end)}`).join(', ') || '-';
      out.push(
        `    ${d.name.padEnd(8)} ${(labels.get(d.name) ?? '').padEnd(12)} ${formatBytes(d.size).padEnd(9)} align ${formatBytes(d.align).padEnd(7)} ${mode(d).padEnd(26)} ${ranges}`,
      );
    }
  }
  return out;
}
