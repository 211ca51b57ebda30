// `daxlayout plan` and what `daxlayout apply` (apply.ts) shares with it: the host picked, the
// target opened, the plan as text and JSON (`daxlayout facts` is in facts.ts); server/host
// does the reaching. Exit codes: 0 success (applied
// and verified, or nothing to do), 1 failure (a write failed, the host differs
// from the prediction, the plan has errors), 2 usage, 3 refused (host changed
// since the plan, lock busy, host key problem, confirmation declined).

import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from '../../grammar/src/index';
import { analyze, lower, renderPlan, type LayoutHost } from '../core/index';
import { makePlan, PlanError, type PlanResult } from '../host/apply';
import { CaptureError, unreadableNote } from '../host/capture';
import { persistJson, persistPlan, type PersistPlan } from '../host/persist';
import { SimTarget, SshTarget, type Target } from '../host/target';
import { ConnectError, destinationProblem, HostKeyError } from '../host/transport';
import { parseFlags, type FlagSpecs } from './args';
import { factsFile, factsReader, readLayout, tryReadText, UsageError } from './io';
import { LineIndex } from './positions';
import { diagnosticLine, planDiagnostics, planDiagnosticsText, planJsonCore } from './diagnostics';
import type { PlanDiagnosticJson, PlanJson } from './protocol';
import { SSH_OPTIONS, sshExtras, sshTransport, type Io } from './host-io';

export { SSH_OPTIONS, sshExtras, type Io } from './host-io';
export { factsCommand } from './facts';

// ------------------------------------------------------------------ plan / apply

export interface Prepared {
  readonly path: string;
  readonly text: string;
  readonly hostName: string;
  readonly decl: LayoutHost;
  readonly target: Target;
  readonly prune: boolean;
  readonly json: boolean;
}

function pickHost(path: string, text: string, wanted: string | undefined): LayoutHost {
  const layout = lower(parse(text));
  const hosts = layout.hosts;
  if (wanted !== undefined) {
    const h = hosts.find((x) => x.name === wanted);
    if (!h)
      throw new UsageError(
        `${path} has no host \`${wanted}\` (hosts: ${hosts.map((x) => x.name).join(', ') || 'none'})`,
      );
    return h;
  }
  const used = hosts.filter((h) => layout.regions.some((r) => r.hostName?.value === h.name));
  const pool = used.length > 0 ? used : hosts;
  if (pool.length === 1) return pool[0] as LayoutHost;
  if (pool.length === 0)
    throw new UsageError(`${path} declares no host; plan and apply work on a \`host NAME { ssh "…" }\``);
  throw new UsageError(
    `${path} has ${pool.length} hosts (${pool.map((h) => h.name).join(', ')}): pick one with --host`,
  );
}

const PLAN_FLAGS = {
  host: { type: 'string', value: 'H' },
  json: { type: 'boolean' },
  prune: { type: 'boolean' },
  target: { type: 'string', value: 'ssh|facts|sim:FACTS' },
  ...SSH_OPTIONS,
} as const satisfies FlagSpecs;

const APPLY_FLAGS = {
  ...PLAN_FLAGS,
  yes: { type: 'boolean' },
  fingerprint: { type: 'string', value: 'F' },
  'lock-timeout': { type: 'string', value: 'S' },
  events: { type: 'boolean' },
} as const satisfies FlagSpecs;

export function prepare(kind: 'plan' | 'apply', args: string[], io: Io) {
  const { values, positionals } = parseFlags(kind, args, kind === 'plan' ? PLAN_FLAGS : APPLY_FLAGS);
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0
        ? `${kind} takes one layout FILE`
        : `${kind} takes one layout FILE, got ${positionals.length}: ${positionals.map((x) => `\`${x}\``).join(' ')}`,
    );
  const path = positionals[0] as string;
  const text = readLayout(path);
  const v = values as Record<string, string | boolean | undefined>;
  // the ssh files are checked even when the target is simulated: a mistyped one is never ignored
  const ssh = sshExtras(values, io.env);
  const decl = pickHost(path, text, v.host as string | undefined);
  const targetArg = v.target as string | undefined;
  let target: Target;
  // No --target: over SSH when the host has `ssh "…"`, else against its facts file, simulated.
  const chosen = targetArg ?? (decl.ssh || !decl.facts || decl.pattern ? 'ssh' : 'facts');
  if (chosen.startsWith('sim:')) {
    const file = chosen.slice(4);
    if (!file) throw new UsageError('--target sim:FACTS needs a facts file');
    // the simulated host's state is that file: it must be there to plan from (and to write back to)
    const r = tryReadText(file);
    if ('error' in r)
      throw new UsageError(
        `--target sim:${file}: cannot read ${file}: ${r.error}${r.error === 'no such file' ? ' (a facts file: docs/facts.md; `cp samples/linux-6.1.facts.json` to try one)' : ''}`,
      );
    // apply writes the new state back: beside the file, then renamed over it
    if (kind === 'apply') {
      try {
        accessSync(dirname(resolve(file)), constants.W_OK);
      } catch {
        throw new UsageError(
          `--target sim:${file}: apply writes the new state back to ${file}, but its folder is not writable`,
        );
      }
    }
    target = new SimTarget(file);
  } else if (chosen === 'facts') {
    // the host's own facts file, simulated: nothing touches a machine and nothing is saved
    if (!decl.facts)
      throw new UsageError(
        `host \`${decl.name}\` has no \`facts "…"\` file to plan against; add one, or give --target sim:FACTS`,
      );
    const file = factsFile(path, decl.facts.value, io.env);
    const r = tryReadText(file);
    if ('error' in r)
      throw new UsageError(
        `host \`${decl.name}\`: cannot read its facts file ${file}: ${r.error}${r.error === 'no such file' ? ' (capture it: daxlayout facts DEST -o FILE)' : ''}`,
      );
    target = new SimTarget(file, false, decl.facts.value);
  } else if (chosen === 'ssh') {
    if (!decl.ssh && decl.pattern)
      throw new UsageError(
        `host \`${decl.name}\` stands for the hosts "${decl.pattern.value}" matches: plan it with -i INVENTORY (docs/fleet.md)`,
      );
    if (!decl.ssh)
      throw new UsageError(
        `host \`${decl.name}\` has no \`ssh "…"\` destination${decl.facts ? '' : ' and no `facts "…"` file'}; add one, or plan against a facts file with --target sim:FACTS`,
      );
    const dp = destinationProblem(decl.ssh.value);
    if (dp) throw new UsageError(`host \`${decl.name}\`: ${dp}`);
    target = new SshTarget(
      io.transport
        ? io.transport(decl.ssh.value, decl.port?.value)
        : sshTransport({ destination: decl.ssh.value, ...(decl.port ? { port: decl.port.value } : {}), ...ssh }, io),
    );
  } else throw new UsageError(`--target takes ssh, facts or sim:FACTS, got \`${targetArg}\``);
  const prepared: Prepared = {
    path,
    text,
    hostName: decl.name,
    decl,
    target,
    prune: v.prune === true,
    json: v.json === true,
  };
  return { prepared, values: v };
}

/** Layout errors that need no facts (syntax, invalid values): reported before any connection. */
export function earlyErrors(p: Prepared): string[] {
  const file = parse(p.text);
  const layout = lower(file);
  if (file.errors.length === 0 && layout.issues.length === 0) return [];
  const a = analyze(p.text, { readFacts: factsReader(p.path) });
  const idx = new LineIndex(p.text);
  return a.findings
    .filter((f) => f.severity === 'error')
    .map((f) =>
      diagnosticLine({
        file: p.path,
        ...idx.position(f.span.start),
        severity: 'error',
        message: f.message,
        code: f.code,
      }),
    );
}

function diagnostics(p: Prepared, r: PlanResult): PlanDiagnosticJson[] {
  return planDiagnostics(p.path, p.text, r);
}

export function diagnosticsText(p: Prepared, r: PlanResult): string {
  return planDiagnosticsText(diagnostics(p, r));
}

export function header(p: Prepared, r: PlanResult): string {
  const f = r.capture.facts;
  const lines = [
    `Host ${p.hostName} (${p.target.description})${f ? ` — Linux ${f.kernelRelease ?? '?'} ${f.arch}` : ''}${r.fingerprint ? `, facts ${r.fingerprint}` : ''}`,
  ];
  for (const pr of r.capture.problems) if (pr.severity === 'warning') lines.push(`  facts warning: ${pr.message}`);
  return lines.join('\n') + '\n\n';
}

export function planJson(p: Prepared, r: PlanResult, pp?: PersistPlan): PlanJson {
  const v = r.view;
  const persistProblems =
    pp?.action === 'problems'
      ? (pp.art?.problems ?? []).map((m) => ({ severity: 'error', code: 'persist', message: m }))
      : [];
  const diags = [...diagnostics(p, r), ...persistProblems];
  // an invalid layout gets no plan, only its errors (as terraform does)
  const planned = v && r.errors.length === 0 ? v : undefined;
  return {
    host: p.hostName,
    target: p.target.description,
    simulated: p.target.kind === 'sim',
    ...planJsonCore(r, planned),
    refusals: planned?.refusals ?? [],
    diagnostics: diags,
    unreadable: r.capture.unreadable,
    persist: pp && pp.action !== 'none' ? persistJson(pp) : null,
  };
}

/** The plan's persistence line (docs/persist.md): what happens to the host's restorer. */
export function persistText(pp: PersistPlan): string {
  if (pp.action === 'none') return '';
  const notes = pp.art?.notes.map((n) => `  note: ${n}\n`).join('') ?? '';
  if (pp.action === 'problems')
    return `\nPersistence: ${pp.message}\n${(pp.art?.problems ?? []).map((x) => `  error: ${x}\n`).join('')}${notes}`;
  return `\nPersistence: ${pp.message}.\n${notes}`;
}

export async function withTarget<T>(p: Prepared, io: Io, events: boolean, f: () => Promise<T>): Promise<T | number> {
  try {
    return await f();
  } catch (e) {
    const fail = (code: number, kind: string, message: string): number => {
      io.err(`daxlayout: ${code === 3 ? 'refused: ' : ''}${message}\n`);
      const result = code === 3 ? 'refused' : 'failed';
      if (p.json)
        io.out(
          JSON.stringify(
            { host: p.hostName, target: p.target.description, result, exitCode: code, error: kind, message },
            null,
            2,
          ) + '\n',
        );
      if (events)
        io.out(
          JSON.stringify({ event: 'done', result, exitCode: code, error: kind, message, stepsRun: 0, stepsTotal: 0 }) +
            '\n',
        );
      return code;
    };
    if (e instanceof HostKeyError) return fail(3, 'host-key', e.message);
    if (e instanceof ConnectError) return fail(1, 'connect', e.message);
    if (e instanceof CaptureError) return fail(1, 'capture', e.message);
    if (e instanceof PlanError) return fail(1, 'plan', e.message);
    throw e;
  } finally {
    await p.target.close();
    io.onInterrupt?.(undefined);
  }
}

export async function planCommand(args: string[], io: Io): Promise<number> {
  const { prepared: p } = prepare('plan', args, io);
  const early = earlyErrors(p);
  if (early.length > 0) {
    await p.target.close();
    io.out(early.join('\n') + '\n');
    io.err(`daxlayout: ${p.path} has errors; nothing was planned\n`);
    return 1;
  }
  const planned = await withTarget(p, io, false, async () => {
    const plan = await makePlan(p.target, {
      text: p.text,
      host: p.hostName,
      prune: p.prune,
      readFacts: factsReader(p.path),
    });
    // an installed restorer is verified now (read-only, one round trip) to say whether it is up to date
    return { r: plan, pp: await persistPlan(p.target, plan, { verify: true }) };
  });
  if (typeof planned === 'number') return planned;
  const { r, pp } = planned;
  const failed = r.errors.length > 0 || pp.action === 'problems';
  if (p.json) {
    io.out(JSON.stringify(planJson(p, r, pp), null, 2) + '\n');
    return failed ? 1 : 0;
  }
  let out = header(p, r);
  const note = unreadableNoteOf(r);
  if (note) out += `note: ${note}\n\n`;
  if (r.errors.length > 0) {
    // an invalid layout gets no plan: its errors, and nothing else (as terraform does)
    io.out(`${out}${diagnosticsText(p, r)}\n\n`);
    io.err(`daxlayout: ${p.path} has errors for ${p.hostName}; nothing was planned\n`);
    return 1;
  }
  if (r.view) out += renderPlan(r.view);
  out += persistText(pp);
  if (failed) out += '\nThe plan has errors: apply would refuse it.\n';
  io.out(out);
  return failed ? 1 : 0;
}

export function unreadableNoteOf(r: PlanResult): string | undefined {
  return r.capture.unreadable.length
    ? unreadableNote({
        text: '',
        state: undefined,
        problems: [],
        unreadable: [...r.capture.unreadable],
        ...(r.capture.uid !== undefined ? { uid: r.capture.uid } : {}),
      })
    : undefined;
}
