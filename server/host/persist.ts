// The persist step of plan and apply (docs/persist.md, "Apply contract"): what the host's
// boot-time restorer and its files need (install, update, remove, nothing), and running the
// core's install / verify / remove programs over the target, each fed to `sh -s`.
//
// Round trips: the capture already says which artifact files exist, so a host whose layout
// does not persist and that has none costs nothing extra. A persisted host costs one verify
// (plus one install when it reports `bad`), or one install when nothing is there yet.

import {
  installProgram,
  parseChecks,
  persistArtifacts,
  removeProgram,
  verifyProgram,
  type CheckLine,
  type PersistArtifacts,
} from '../core/index';
import type { PlanResult } from './apply';
import type { Target } from './target';

/**
 * - `none`: nothing persists and nothing is installed
 * - `install`: nothing installed yet
 * - `update`: installed, but a check fails (a file differs, a unit is not enabled, a name is wrong)
 * - `verify`: installed; checked after the writes (an apply with writes), updated if it differs
 * - `up-to-date`: installed, every check passes
 * - `remove`: installed, but the layout no longer persists
 * - `problems`: the layout persists but no restorer can be made (`art.problems`)
 * - `sim`: the layout persists, but the target is simulated (no filesystem)
 */
export type PersistAction = 'none' | 'install' | 'update' | 'verify' | 'up-to-date' | 'remove' | 'problems' | 'sim';

export interface PersistPlan {
  readonly action: PersistAction;
  readonly art?: PersistArtifacts;
  /** Artifact files the capture found on the host. */
  readonly present: readonly string[];
  /** The checks of a verify that ran while planning. */
  readonly checks?: readonly CheckLine[];
  /** One sentence for people. */
  readonly message: string;
}

const what = (art: PersistArtifacts | undefined) => {
  const regions = art?.regions ?? [];
  const restorer = `the boot-time restorer${regions.length === 0 ? '' : regions.length === 1 ? ` of region ${regions[0]}` : ` of regions ${regions.join(', ')}`} (daxlayout-restore.service, /dev/dax/by-label names)`;
  const access =
    art && art.access.length > 0
      ? `the access rules of ${art.access.map((r) => r.label).join(', ')} (owner, group, mode of /dev/daxR.N)`
      : '';
  return art?.persist ? (access ? `${restorer} with ${access}` : restorer) : access || restorer;
};

/**
 * What the persist step will do for a plan. With `verify`, an installed restorer is checked now
 * (one read-only round trip: `plan`, and an apply that has no writes); without, an installed one is
 * left to be verified after the writes (`verify`).
 */
export async function persistPlan(target: Target, p: PlanResult, o: { verify: boolean }): Promise<PersistPlan> {
  const present = p.capture.persistFiles ?? [];
  if (!p.analysis || !p.host || p.errors.length > 0) return { action: 'none', present, message: '' };
  const art = persistArtifacts(p.analysis, p.host);
  if (target.kind === 'sim' || !target.runProgram) {
    return art.managed
      ? {
          action: 'sim',
          art,
          present,
          message: `persistence artifacts are not installed on a simulated host (${target.description}): ${what(art)} is for a real host`,
        }
      : { action: 'none', art, present, message: '' };
  }
  if (!art.managed) {
    return present.length > 0
      ? {
          action: 'remove',
          art,
          present,
          message: `the layout no longer persists (nor sets device access): the restorer and its files will be removed (${present.length} file(s); the regions stay as they are until the next boot)`,
        }
      : { action: 'none', art, present, message: '' };
  }
  if (art.problems.length > 0) {
    return {
      action: 'problems',
      art,
      present,
      message: `${art.persist ? 'no restorer can be made' : 'the access rules cannot be made'}, so nothing will be installed (${art.problems.length} problem(s))`,
    };
  }
  if (present.length === 0)
    return {
      action: 'install',
      art,
      present,
      message: `${what(art)} will be installed (${art.files.length} file${art.files.length === 1 ? '' : 's'}, checksum sha256:${art.checksum.slice(0, 16)})`,
    };
  if (!o.verify)
    return {
      action: 'verify',
      art,
      present,
      message: `${what(art)} is installed; it will be verified after the writes and updated if it differs`,
    };
  const checks = await runChecks(target, verifyProgram(art));
  if (checks.ok)
    return {
      action: 'up-to-date',
      art,
      present,
      checks: checks.checks,
      message: `${what(art)} is installed and up to date (checksum sha256:${art.checksum.slice(0, 16)})`,
    };
  const bad = checks.checks.filter((c) => !c.ok).map((c) => c.text);
  return {
    action: 'update',
    art,
    present,
    checks: checks.checks,
    message: `${what(art)} will be updated: ${bad.length ? bad.join('; ') : checks.why}`,
  };
}

async function runChecks(
  target: Target,
  program: string,
): Promise<{ ok: boolean; checks: CheckLine[]; why: string; code: number }> {
  if (!target.runProgram) return { ok: false, checks: [], why: 'the target cannot run programs', code: -1 };
  const r = await target.runProgram(program);
  const c = parseChecks(r.stdout);
  const why =
    r.code === 255
      ? `the connection failed (${r.stderr.trim().split('\n').pop() ?? ''})`
      : `exit ${r.code}${c.checks.length === 0 ? ' and no check printed' : ''}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-2).join(' / ')}` : ''}`;
  return { ok: r.code === 0 && c.ok, checks: c.checks, why, code: r.code };
}

export interface PersistResult {
  /** What was done: `installed` (first time), `updated`, `up-to-date` (a verify passed), `removed`, or nothing (`none`, `sim`). */
  readonly action: 'none' | 'installed' | 'updated' | 'up-to-date' | 'removed' | 'sim' | 'problems';
  readonly status: 'ok' | 'failed' | 'not-run';
  readonly message: string;
  readonly checks: readonly CheckLine[];
  readonly checksum?: string;
}

/**
 * Runs the persist step after an apply whose writes all ran and verified (or had none): install,
 * verify then install when it reports bad, or remove. Never call it after a failed or partial
 * apply: the restorer would find the region in neither state it knows and refuse at boot.
 */
export async function runPersist(
  target: Target,
  pp: PersistPlan,
  o: { onStart?: (action: string) => void } = {},
): Promise<PersistResult> {
  const art = pp.art;
  const checksum = art?.checksum ? { checksum: art.checksum } : {};
  switch (pp.action) {
    case 'none':
      return { action: 'none', status: 'ok', message: '', checks: [] };
    case 'sim':
      return { action: 'sim', status: 'not-run', message: pp.message, checks: [] };
    case 'problems':
      return { action: 'problems', status: 'failed', message: pp.message, checks: [] };
    case 'up-to-date':
      return { action: 'up-to-date', status: 'ok', message: pp.message, checks: pp.checks ?? [], ...checksum };
    case 'remove': {
      o.onStart?.('remove');
      if (!target.runProgram)
        return { action: 'removed', status: 'failed', message: 'the target cannot run programs', checks: [] };
      const r = await target.runProgram(removeProgram());
      const c = parseChecks(r.stdout);
      const ok = r.code === 0 && /^ok removed$/m.test(r.stdout);
      return {
        action: 'removed',
        status: ok ? 'ok' : 'failed',
        message: ok
          ? 'the restorer and its files were removed; the regions stay as they are until the next boot'
          : `removing the restorer failed (exit ${r.code}): ${[...c.checks.filter((x) => !x.ok).map((x) => x.text), r.stderr.trim()].filter((x) => x).join('; ')}`,
        checks: c.checks,
      };
    }
    case 'verify':
    case 'install':
    case 'update': {
      if (!art) return { action: 'installed', status: 'failed', message: 'no artifacts', checks: [] };
      let first = pp.action === 'install';
      if (pp.action === 'verify') {
        o.onStart?.('verify');
        const v = await runChecks(target, verifyProgram(art));
        if (v.ok)
          return {
            action: 'up-to-date',
            status: 'ok',
            message: `${what(art)} is installed and up to date (checksum sha256:${art.checksum.slice(0, 16)})`,
            checks: v.checks,
            ...checksum,
          };
        if (v.code === 255)
          return {
            action: 'updated',
            status: 'failed',
            message: `verifying the restorer failed: ${v.why}`,
            checks: v.checks,
            ...checksum,
          };
        first = false;
      }
      o.onStart?.(first ? 'install' : 'update');
      const r = await runChecks(target, installProgram(art));
      const action = first ? 'installed' : 'updated';
      if (r.ok)
        return {
          action,
          status: 'ok',
          message: `${what(art)} was ${action} and verified (checksum sha256:${art.checksum.slice(0, 16)})`,
          checks: r.checks,
          ...checksum,
        };
      const bad = r.checks.filter((c) => !c.ok).map((c) => c.text);
      return {
        action,
        status: 'failed',
        message: `${first ? 'installing' : 'updating'} the restorer failed: ${bad.length ? bad.join('; ') : r.why}`,
        checks: r.checks,
        ...checksum,
      };
    }
  }
}

/** JSON of a persist plan or result (plan --json, apply --json, --events). */
export function persistJson(pp: PersistPlan, res?: PersistResult) {
  return {
    action: res ? res.action : pp.action,
    ...(res ? { status: res.status } : {}),
    message: res ? res.message : pp.message,
    checksum: pp.art?.checksum ? `sha256:${pp.art.checksum}` : null,
    files: pp.art?.files.map((f) => ({ path: f.path, mode: f.mode.toString(8), sha256: f.sha256 })) ?? [],
    names: pp.art?.names.map((n) => ({ label: n.label, kernelName: n.kernelName, path: n.path })) ?? [],
    present: pp.present,
    checks: (res ? res.checks : (pp.checks ?? [])).map((c) => ({ ok: c.ok, text: c.text })),
    problems: pp.art?.problems ?? [],
    notes: pp.art?.notes ?? [],
  };
}
