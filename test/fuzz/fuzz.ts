// The fuzz loop shared by `npm run fuzz` (cli.ts) and the unit test: run a
// stream of cases through the pool, count outcomes, time them, group failures
// by signature, minimise one case of each group and describe it.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILURES, type FuzzCase, type Kind, type StoredCase } from './case';
import { blame, formatFrame, ownerOf, signature } from './frames';
import type { Pool, Result } from './pool';
import { shrink } from './shrink';

export const KINDS: readonly Kind[] = ['ok', 'slow', 'throws', 'dax099', 'internal', 'badspan', 'hang', 'abort'];

export interface Failure {
  readonly signature: string;
  readonly owner: string;
  readonly first: FuzzCase;
  readonly result: Result;
  count: number;
}

export interface Stats {
  inputs: number;
  /** Cases not run: the rest of a typing sequence that hung twice (it would hang on every keystroke). */
  skipped: number;
  readonly counts: Record<Kind, number>;
  /** ms per input, for inputs under 100 KB that finished. */
  readonly times: number[];
  /** CPU ms per input (Outcome.cpuMs), for the same inputs. */
  readonly cpuTimes: number[];
  readonly failures: Map<string, Failure>;
  /** The slowest inputs that finished (at most 5), slowest first. */
  readonly slowest: { case: FuzzCase; ms: number }[];
  elapsedMs: number;
}

export function newStats(): Stats {
  return {
    inputs: 0,
    skipped: 0,
    counts: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>,
    times: [],
    cpuTimes: [],
    failures: new Map(),
    slowest: [],
    elapsedMs: 0,
  };
}

export function failureOf(c: FuzzCase, r: Result): { signature: string; owner: string } {
  const sig = signature(r.kind, r.frameList, r.message);
  let owner = ownerOf(blame(r.frameList, r.message, r.kind)?.file);
  if (owner === 'unknown' && r.kind === 'dax099')
    owner = /rule DAX004 /.test(r.message ?? '')
      ? 'cli/host/persist/inventory'
      : 'fuzz (grammar/explain/rules/facts/colour/layout/units)';
  void c;
  return { signature: sig, owner };
}

export function record(stats: Stats, c: FuzzCase, r: Result): void {
  stats.inputs++;
  stats.counts[r.kind]++;
  if (
    r.kind !== 'hang' &&
    r.kind !== 'abort' &&
    c.layout.length + Object.values(c.files).reduce((n, f) => n + f.length, 0) < 100_000
  ) {
    stats.times.push(r.ms);
    if (r.cpuMs !== undefined) stats.cpuTimes.push(r.cpuMs);
  }
  if (r.kind === 'slow' && (stats.slowest.length < 5 || r.ms > (stats.slowest[4] as { ms: number }).ms)) {
    stats.slowest.push({ case: c, ms: r.ms });
    stats.slowest.sort((x, y) => y.ms - x.ms);
    stats.slowest.length = Math.min(5, stats.slowest.length);
  }
  if (!FAILURES.includes(r.kind)) return;
  const { signature: sig, owner } = failureOf(c, r);
  const f = stats.failures.get(sig);
  if (f) f.count++;
  else stats.failures.set(sig, { signature: sig, owner, first: c, result: r, count: 1 });
}

/** Runs cases from `stream` until `count` inputs or the deadline, `inFlight` at a time. */
export async function fuzz(
  pool: Pool,
  stream: Iterator<FuzzCase>,
  opts: { count: number; until: number; inFlight: number; onResult?: (c: FuzzCase, r: Result, stats: Stats) => void },
): Promise<Stats> {
  const stats = newStats();
  const t0 = Date.now();
  let started = 0;
  const hungGroups = new Map<number, number>();
  const lane = async () => {
    while (started < opts.count && Date.now() < opts.until) {
      const n = stream.next();
      if (n.done) return;
      const group = n.value.group;
      if (group !== undefined && (hungGroups.get(group) ?? 0) >= 2) {
        stats.skipped++;
        continue;
      }
      started++;
      const r = await pool.run(n.value);
      if (group !== undefined && (r.kind === 'hang' || r.kind === 'abort'))
        hungGroups.set(group, (hungGroups.get(group) ?? 0) + 1);
      record(stats, n.value, r);
      opts.onResult?.(n.value, r, stats);
    }
  };
  await Promise.all(Array.from({ length: opts.inFlight }, lane));
  stats.elapsedMs = Date.now() - t0;
  return stats;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Does `r` fail the way `f` did? (hangs and aborts: either, in the same code when both were sampled) */
export function sameFailure(f: { signature: string; result: Result }, c: FuzzCase, r: Result): boolean {
  if (f.result.kind === 'hang' || f.result.kind === 'abort') {
    if (r.kind !== 'hang' && r.kind !== 'abort') return false;
    const a = blame(f.result.frameList, '', f.result.kind);
    const b = blame(r.frameList, '', r.kind);
    return a === undefined || b === undefined || ownerOf(a.file) === ownerOf(b.file);
  }
  return failureOf(c, r).signature === f.signature;
}

export function describe(f: { owner: string; result: Result }, c: FuzzCase): string {
  const r = f.result;
  const at = blame(r.frameList, r.message, r.kind);
  const what = (r.message ?? '').replace(/\s+/g, ' ').slice(0, 160);
  return `${r.kind} in ${r.stage ?? 'analysis'}: ${what}${at ? ` at ${formatFrame(at)}` : ''} [owner: ${f.owner}] (${c.layout.length} chars${Object.keys(c.files).length ? `, files: ${Object.keys(c.files).join(', ')}` : ''})`;
}

/** Minimises a failure's first case and writes it to `dir`; returns the stored case and its file. */
export async function minimiseAndStore(
  pool: Pool,
  f: Failure,
  dir: string,
  opts: { tries: number; ms: number; hangTimeoutMs: number; name?: string },
): Promise<{ stored: StoredCase; file: string; tries: number }> {
  const hangish = f.result.kind === 'hang' || f.result.kind === 'abort';
  const fails = async (c: FuzzCase) => sameFailure(f, c, await pool.run(c, hangish ? opts.hangTimeoutMs : undefined));
  const { case: small, tries } =
    opts.tries > 0
      ? await shrink(f.first, fails, { tries: opts.tries, until: Date.now() + opts.ms })
      : { case: f.first, tries: 0 };
  const again = await pool.run(small, hangish ? opts.hangTimeoutMs : undefined);
  const shown = sameFailure(f, small, again) && again.frameList.length ? { owner: f.owner, result: again } : f;
  const stored: StoredCase = {
    description: describe(shown, small),
    kind: f.result.kind,
    signature: f.signature,
    owner: f.owner,
    frames: shown.result.frameList.slice(0, 25).map(formatFrame),
    layout: small.layout,
    files: small.files,
    ...(small.cursor !== undefined ? { cursor: small.cursor } : {}),
    ...(small.origin !== undefined ? { origin: small.origin } : {}),
  };
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    opts.name ?? `${f.result.kind}-${createHash('sha256').update(f.signature).digest('hex').slice(0, 10)}.json`,
  );
  writeFileSync(file, JSON.stringify(stored, null, 2) + '\n');
  return { stored, file, tries };
}
