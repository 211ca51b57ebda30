// Fleets (docs/fleet.md): `daxlayout plan|apply LAYOUT -i INVENTORY [--limit P] [--forks N]`
// plans and applies one layout on many hosts of an Ansible inventory, each host over its own
// SSH connection and under its own lock, up to N at once; one host's failure never stops or
// touches another. And the hooks the Ansible role uses, where Ansible's own connection runs
// the programs (ansible-hooks.ts): `plan LAYOUT --for HOST --capture DUMP` (plan from a capture
// dump, print the apply program) and `verify --prediction FILE --capture DUMP --apply-output OUT`.
// What both share about a member host is in fleet-members.ts.
//
// Exit codes (fleet): 0 every host planned / applied (or had nothing to do); 1 at least one
// host failed (plan errors, unreachable, a write failed, differs from the prediction);
// 2 usage; 3 no host failed but at least one refused (host key, lock busy, host changed since
// the plan, confirmation declined).

import { dirname, isAbsolute, resolve } from 'node:path';
import {
  connectionOf,
  lower,
  matchPattern,
  memberReader,
  patternProblem,
  renderPlan,
  summaryLine,
  type Analysis,
  type FleetAnalysis,
  type LayoutHost,
} from '../core/index';
import { parse } from '../../grammar/src/index';
import { applyPlan, makePlan, PlanError, type PlanResult } from '../host/apply';
import { CaptureError } from '../host/capture';
import { persistJson, persistPlan, runPersist } from '../host/persist';
import { SimTarget, SshTarget, type Target } from '../host/target';
import { ConnectError, destinationProblem, HostKeyError, portProblem, SshTransport } from '../host/transport';
import { intFlag, parseFlags, type FlagSpecs } from './args';
import { factsReader, readLayout, UsageError } from './io';
import { SSH_OPTIONS, sshExtras, type Io } from './host-io';
import { LineIndex } from './positions';
import { diagnosticLine } from './diagnostics';
import { hookPlan } from './ansible-hooks';
import { diagText, diagnosticsOf, layoutHostFor, planJsonOf, readInventory, type Member } from './fleet-members';

const int = intFlag;

/** True when plan/apply arguments ask for the fleet or the Ansible hooks. */
export function isFleetArgs(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (
      a === '-i' ||
      /^-i./.test(a) ||
      a === '--inventory' ||
      a.startsWith('--inventory=') ||
      a === '--capture' ||
      a.startsWith('--capture=') ||
      a === '--for' ||
      a.startsWith('--for=')
    )
      return true;
  }
  return false;
}

const FLEET_OPTIONS = {
  inventory: { type: 'string', short: 'i', value: 'INVENTORY' },
  limit: { type: 'string', short: 'l', value: 'PATTERN' },
  forks: { type: 'string', short: 'f', value: 'N' },
  json: { type: 'boolean' },
  prune: { type: 'boolean' },
  yes: { type: 'boolean' },
  'lock-timeout': { type: 'string', value: 'S' },
  ...SSH_OPTIONS,
  // the Ansible hooks
  for: { type: 'string', value: 'HOST' },
  groups: { type: 'string', value: 'G,…' },
  capture: { type: 'string', value: 'DUMP' },
  'emit-program': { type: 'boolean' },
  prediction: { type: 'string', value: 'FILE' },
} as const satisfies FlagSpecs;

async function pool<T>(items: readonly T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await f(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

/** `plan|apply LAYOUT -i INVENTORY [--limit P] [--forks N] [--json] [--yes] [--prune]`. */
export async function fleetCommand(kind: 'plan' | 'apply', args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseFlags(kind, args, FLEET_OPTIONS);
  if (v.capture !== undefined || v.for !== undefined) return hookPlan(kind, v, positionals, io);
  if (positionals.length !== 1) throw new UsageError(`${kind} -i INVENTORY takes one layout FILE`);
  const path = positionals[0] as string;
  const text = readLayout(path);
  const invPath = v.inventory as string;
  const inv = readInventory(invPath);
  const forks = int(v.forks, 'forks', 5, 1, 256);
  const lockTimeoutS = int(v['lock-timeout'], 'lock-timeout', 30, 0, 86400);
  const json = v.json === true;
  if (v.limit !== undefined) {
    const lp = patternProblem(v.limit);
    if (lp) throw new UsageError(`--limit: ${lp}`);
  }
  if (kind === 'apply' && v.yes !== true && !io.isTTY) {
    io.err(
      'daxlayout: refusing to apply without --yes: stdin is not a terminal to confirm on (run `daxlayout plan -i …` to review, then `apply -i … --yes`)\n',
    );
    return 2;
  }
  const file = parse(text);
  const layout = lower(file);
  if (file.errors.length > 0 || layout.issues.length > 0) {
    const idx = new LineIndex(text);
    const msgs = [...file.errors.map((e) => ({ span: e.span, message: e.message })), ...layout.issues];
    io.out(
      msgs
        .map((e) =>
          diagnosticLine({ file: path, ...idx.position(e.span.start), severity: 'error', message: e.message }),
        )
        .join('\n') + '\n',
    );
    io.err(`daxlayout: ${path} has errors; nothing was ${kind === 'plan' ? 'planned' : 'run'}\n`);
    return 1;
  }
  // the hosts: every inventory host with a layout block (by name, or a `hosts` pattern), within --limit
  const limited = new Set(v.limit !== undefined ? matchPattern(inv, v.limit) : inv.hosts);
  const members: Member[] = [];
  for (const h of inv.hosts) {
    if (!limited.has(h)) continue;
    const lh = layoutHostFor(layout.hosts, h, (p) => matchPattern(inv, p).includes(h));
    if (typeof lh === 'string') {
      // hosts of the inventory the layout does not mention are not touched (only a named miss is an error)
      if (lh.includes('is matched by'))
        members.push({ host: h, problem: lh, description: h, state: 'failed', exitCode: 1, message: lh });
      continue;
    }
    members.push({ host: h, layoutHost: lh, description: h, state: 'unchanged', exitCode: 0, message: '' });
  }
  const untargeted = layout.hosts.filter((h) => !h.pattern && !inv.hostVars.has(h.name)).map((h) => h.name);
  if (members.length === 0) {
    io.err(
      `daxlayout: no host of ${invPath}${v.limit !== undefined ? ` within --limit ${v.limit}` : ''} has a block in ${path}\n`,
    );
    return 1;
  }
  const baseReader = factsReader(path);
  const invDir = dirname(resolve(invPath));
  const cleanups = new Set<() => void>();
  io.onInterrupt?.(() => {
    for (const c of cleanups) c();
  });
  const t0 = Date.now();
  const sshFiles = sshExtras(v, io.env);
  const ssh = (_values: typeof v) => ({
    knownHosts: sshFiles.knownHosts,
    identity: sshFiles.identity,
    config: sshFiles.config,
  });
  const targetOf = (m: Member): Target | string => {
    const vars = inv.hostVars.get(m.host) ?? {};
    const sim = vars.daxlayout_target;
    if (sim !== undefined) {
      if (!sim.startsWith('sim:')) return `daxlayout_target of ${m.host} takes sim:FACTS, got \`${sim}\``;
      const f = sim.slice(4);
      return new SimTarget(isAbsolute(f) ? f : resolve(invDir, f));
    }
    const c = connectionOf(inv, m.host);
    const dest = c.user ? `${c.user}@${c.host}` : c.host;
    const dp = destinationProblem(dest);
    if (dp) return `${m.host}: ${dp}`;
    if (c.port !== undefined) {
      const pp = portProblem(c.port);
      if (pp) return `${m.host}: ${pp}`;
    }
    const o = ssh(v);
    const identity =
      o.identity ?? (c.identity ? (isAbsolute(c.identity) ? c.identity : resolve(invDir, c.identity)) : undefined);
    try {
      const t = new SshTransport({
        destination: dest,
        ...(c.port ? { port: c.port } : {}),
        ...(o.knownHosts ? { knownHosts: o.knownHosts } : {}),
        ...(identity ? { identity } : {}),
        ...(o.config ? { config: o.config } : {}),
      });
      cleanups.add(() => t.closeSync());
      return new SshTarget(t);
    } catch (e) {
      return `${m.host}: ${(e as Error).message}`;
    }
  };
  const fail = (m: Member, code: number, message: string): void => {
    m.state = code === 3 ? 'refused' : 'failed';
    m.exitCode = code;
    m.message = message;
  };
  const prune = v.prune === true;
  // phase 1: plan every host (fresh facts), forks at a time
  await pool(
    members.filter((m) => !m.problem),
    forks,
    async (m) => {
      const t = targetOf(m);
      if (typeof t === 'string') return fail(m, 1, t);
      m.target = t;
      m.description = t.description;
      try {
        m.plan = await makePlan(t, {
          text,
          host: (m.layoutHost as LayoutHost).name,
          prune,
          readFacts: memberReader(baseReader, m.host),
        });
        if (m.plan.errors.length > 0 || !m.plan.view)
          fail(m, 1, kind === 'plan' ? 'the plan has errors' : 'the plan has errors; nothing was run');
        else {
          // with no writes, an installed restorer is verified now (as `apply --host` does)
          const steps = m.plan.view.steps.length;
          m.pp = await persistPlan(t, m.plan, { verify: steps === 0 });
          const artifacts = ['install', 'update', 'remove'].includes(m.pp.action);
          if (m.pp.action === 'problems') fail(m, 1, `${m.pp.message}: ${m.pp.art?.problems.join('; ') ?? ''}`);
          else if (steps === 0 && !artifacts) m.message = 'No changes. The host matches the layout.';
          else {
            m.state = 'changed';
            m.message = steps > 0 ? summaryLine(m.plan.view.summary) : m.pp.message;
          }
        }
      } catch (e) {
        if (e instanceof HostKeyError) fail(m, 3, e.message);
        else if (e instanceof ConnectError || e instanceof CaptureError || e instanceof PlanError)
          fail(m, 1, e.message);
        else fail(m, 1, `internal error: ${(e as Error).message}`);
      }
    },
  );
  const planned = members.filter((m) => m.state === 'changed');
  if (kind === 'apply' && planned.length > 0 && v.yes !== true) {
    io.out(renderSections(members, path, text));
    const n = planned.reduce((k, m) => k + (m.plan?.view?.steps.reduce((j, s) => j + s.writes.length, 0) ?? 0), 0);
    const answer = await io.ask(
      `\nDo you want to perform these ${n} writes on ${planned.length} host(s) (${planned.map((m) => m.host).join(', ')})? Only 'yes' will be accepted: `,
    );
    if (answer.trim() !== 'yes') {
      for (const m of planned) fail(m, 3, 'apply cancelled; nothing was run');
      await closeAll(members);
      return finish(kind, members, path, text, io, json, t0, untargeted, false);
    }
  }
  if (kind === 'apply') {
    await pool(planned, forks, async (m) => {
      try {
        const t = m.target as Target;
        if ((m.plan?.view?.steps.length ?? 0) > 0) {
          const r = await applyPlan(t, m.plan as PlanResult, { lockTimeoutS });
          m.apply = r;
          m.message = r.message;
          if (r.exitCode !== 0) fail(m, r.exitCode === 3 ? 3 : 1, r.message);
        }
        // the persist step only after writes that all ran and verified (or none): never after a partial apply
        if (m.pp && m.state === 'changed') {
          m.persisted = await runPersist(t, m.pp);
          if (m.persisted.status === 'failed') fail(m, 1, m.persisted.message);
          else if (m.persisted.message)
            m.message = m.apply
              ? `${m.message} ${m.persisted.message[0]?.toUpperCase()}${m.persisted.message.slice(1)}.`
              : m.persisted.message;
        }
      } catch (e) {
        if (e instanceof HostKeyError) fail(m, 3, e.message);
        else fail(m, 1, (e as Error).message);
      }
      // a host where no write ran is not changed (refused before any write, nothing run)
      if (m.state !== 'changed' && (m.apply?.writesRun ?? 0) > 0) m.message += ` (${m.apply?.writesRun} write(s) ran)`;
    });
  }
  await closeAll(members);
  io.onInterrupt?.(undefined);
  return finish(kind, members, path, text, io, json, t0, untargeted, true);
}

async function closeAll(members: readonly Member[]): Promise<void> {
  await Promise.all(members.map((m) => m.target?.close().catch(() => undefined)));
}

function sectionOf(m: Member, path: string, text: string): string {
  const lines: string[] = [];
  const f = m.plan?.capture.facts;
  lines.push(
    `== ${m.host}${m.layoutHost && m.layoutHost.name !== m.host ? ` (layout host ${m.layoutHost.name}${m.layoutHost.pattern ? `, hosts "${m.layoutHost.pattern.value}"` : ''})` : ''} — ${m.description}${f ? `, Linux ${f.kernelRelease ?? '?'}` : ''}${m.plan?.fingerprint ? `, facts ${m.plan.fingerprint}` : ''}`,
  );
  if (m.plan?.view) lines.push(renderPlan(m.plan.view).replace(/\n+$/, ''));
  if (m.plan && m.plan.errors.length > 0) lines.push(diagText(diagnosticsOf(path, text, m.host, m.plan)));
  if (m.pp && m.pp.action !== 'none') lines.push(`persist: ${(m.persisted ?? m.pp).message}`);
  if (m.apply) {
    lines.push(`${m.apply.result}: ${m.apply.message} (${m.apply.writesRun}/${m.apply.writesTotal} writes)`);
  } else if (m.state === 'failed' || m.state === 'refused') lines.push(`${m.state}: ${m.message}`);
  return lines.join('\n') + '\n';
}

function renderSections(members: readonly Member[], path: string, text: string): string {
  return members.map((m) => sectionOf(m, path, text)).join('\n');
}

function finish(
  kind: 'plan' | 'apply',
  members: Member[],
  path: string,
  text: string,
  io: Io,
  json: boolean,
  t0: number,
  untargeted: string[],
  sections: boolean,
): number {
  const count = (s: Member['state']) => members.filter((m) => m.state === s);
  const artifactsChanged = (m: Member) =>
    ['installed', 'updated', 'removed'].includes(m.persisted?.action ?? '') && m.persisted?.status === 'ok';
  const changed =
    kind === 'apply' ? members.filter((m) => (m.apply?.writesRun ?? 0) > 0 || artifactsChanged(m)) : count('changed');
  const failed = count('failed');
  const refused = count('refused');
  const unchanged = members.filter((m) => !changed.includes(m) && m.state !== 'failed' && m.state !== 'refused');
  const exitCode = failed.length > 0 ? 1 : refused.length > 0 ? 3 : 0;
  const verb = kind === 'plan' ? 'to change' : 'changed';
  const summary = `Hosts: ${changed.length} ${verb}, ${unchanged.length} unchanged, ${failed.length + refused.length} failed${failed.length + refused.length ? ` (${[...failed, ...refused].map((m) => m.host).join(', ')})` : ''}.`;
  if (json) {
    io.out(
      JSON.stringify(
        {
          command: kind,
          hosts: members.map((m) => ({
            ...planJsonOf(m, path, text),
            result:
              m.apply?.result ?? (m.state === 'changed' ? 'changes' : m.state === 'unchanged' ? 'no-changes' : m.state),
            changed: kind === 'apply' ? (m.apply?.writesRun ?? 0) > 0 || artifactsChanged(m) : m.state === 'changed',
            persist: m.pp && m.pp.action !== 'none' ? persistJson(m.pp, m.persisted) : null,
            exitCode: m.exitCode,
            message: m.message,
            writesRun: m.apply?.writesRun ?? 0,
            writesTotal: m.apply?.writesTotal ?? 0,
            verification: m.apply?.verification ?? null,
          })),
          summary: { changed: changed.length, unchanged: unchanged.length, failed: failed.length + refused.length },
          summaryLine: summary,
          notTargeted: untargeted,
          exitCode,
          elapsedMs: Date.now() - t0,
        },
        null,
        2,
      ) + '\n',
    );
    return exitCode;
  }
  let out = sections ? renderSections(members, path, text) + '\n' : '';
  if (untargeted.length) out += `note: not in the inventory, not targeted: ${untargeted.join(', ')}\n`;
  out += `${summary} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`;
  io.out(out);
  return exitCode;
}

/** `explain` for a layout with `hosts "…"` blocks: the prediction per member host, from its facts. */
export function renderFleetExplain(path: string, a: Analysis, render: (path: string, a: Analysis) => string): string {
  const members = (a as Partial<FleetAnalysis>).members ?? [];
  if (members.length === 0) return render(path, a);
  const templates = new Set(members.map((m) => m.template));
  const rest = a.hosts.filter((h) => !templates.has(h.name));
  const parts: string[] = [];
  if (rest.length > 0) parts.push(render(path, { ...a, hosts: rest }));
  for (const m of members) {
    const text = render(path, { ...m.analysis, hosts: m.analysis.hosts.filter((h) => h.name === m.template) });
    const pattern = m.analysis.layout.hosts.find((h) => h.name === m.template)?.pattern?.value;
    parts.push(
      text
        .replace(`host ${m.template} — `, `host ${m.host} (${m.template}: hosts "${pattern ?? ''}") — `)
        .replace('{host}', m.host),
    );
  }
  return parts.join('');
}
