// The fuzz loop shared by `npm run fuzz` (cli.ts) and the unit test: run a
// stream of cases through the pool, count outcomes, time them, keep the slowest,
// group failures by signature, minimise one case of each group and describe it.

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

/**
 * Times in ms as a histogram of buckets 1 % wide (from 1 µs up): percentiles to within 1 %, in
 * constant memory whatever the number of inputs, and small enough for the progress file of a long run.
 */
export class Histogram {
  private static readonly STEP = Math.log(1.01);
  buckets: Record<number, number> = {};
  count = 0;
  sum = 0;
  max = 0;

  add(ms: number): void {
    const b = Math.max(0, Math.ceil(Math.log(Math.max(ms, 0.001) / 0.001) / Histogram.STEP));
    this.buckets[b] = (this.buckets[b] ?? 0) + 1;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** The upper bound of the bucket that holds the p-th percentile (NaN when empty). */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.min(this.count, Math.max(1, Math.ceil((p / 100) * this.count)));
    let seen = 0;
    for (const b of Object.keys(this.buckets)
      .map(Number)
      .sort((x, y) => x - y)) {
      seen += this.buckets[b] as number;
      if (seen >= rank) return Math.min(this.max, 0.001 * Math.exp(b * Histogram.STEP));
    }
    return this.max;
  }

  static from(x: { buckets: Record<number, number>; count: number; sum: number; max: number }): Histogram {
    return Object.assign(new Histogram(), { buckets: x.buckets, count: x.count, sum: x.sum, max: x.max });
  }
}

/** One of the slowest inputs of a run. */
export interface Slow {
  readonly case: FuzzCase;
  readonly ms: number;
  readonly cpuMs?: number;
  readonly wholeCpuMs?: number;
  /** Its index in the seed's stream (`--from INDEX --inputs 1` runs it again). */
  readonly index: number;
}

export interface Stats {
  inputs: number;
  /** Cases not run: the rest of a typing sequence that hung twice (it would hang on every keystroke). */
  skipped: number;
  readonly counts: Record<Kind, number>;
  /** ms per input, for inputs under 100 KB that finished. */
  times: Histogram;
  /** CPU ms per input (Outcome.cpuMs), for the same inputs. */
  cpuTimes: Histogram;
  /** CPU ms of all the work per input, dense probing included (Outcome.wholeCpuMs), for the same inputs. */
  wholeCpuTimes: Histogram;
  readonly failures: Map<string, Failure>;
  /** The `top` slowest inputs that finished, by CPU time (wall time where there is none), slowest first. */
  slowest: Slow[];
  top: number;
  elapsedMs: number;
  /** CPU ms of all inputs that reported one, whatever their size. */
  cpuTotalMs: number;
  /** Every input of the stream before this index has finished: where a stopped run resumes (`--from`). */
  resumeAt: number;
}

export function newStats(top = 5): Stats {
  return {
    inputs: 0,
    skipped: 0,
    counts: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>,
    times: new Histogram(),
    cpuTimes: new Histogram(),
    wholeCpuTimes: new Histogram(),
    failures: new Map(),
    slowest: [],
    top,
    elapsedMs: 0,
    cpuTotalMs: 0,
    resumeAt: 0,
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

const cost = (x: { ms: number; cpuMs?: number }) => x.cpuMs ?? x.ms;

export function record(stats: Stats, c: FuzzCase, r: Result, index = stats.inputs): void {
  stats.inputs++;
  stats.counts[r.kind]++;
  if (r.wholeCpuMs !== undefined || r.cpuMs !== undefined) stats.cpuTotalMs += r.wholeCpuMs ?? r.cpuMs ?? 0;
  if (
    r.kind !== 'hang' &&
    r.kind !== 'abort' &&
    c.layout.length + Object.values(c.files).reduce((n, f) => n + f.length, 0) < 100_000
  ) {
    stats.times.add(r.ms);
    if (r.cpuMs !== undefined) stats.cpuTimes.add(r.cpuMs);
    if (r.wholeCpuMs !== undefined) stats.wholeCpuTimes.add(r.wholeCpuMs);
  }
  if (
    (r.kind === 'slow' || r.kind === 'ok') &&
    stats.top > 0 &&
    (stats.slowest.length < stats.top || cost(r) > cost(stats.slowest.at(-1) as Slow))
  ) {
    stats.slowest.push({
      case: c,
      ms: r.ms,
      ...(r.cpuMs !== undefined ? { cpuMs: r.cpuMs } : {}),
      ...(r.wholeCpuMs !== undefined ? { wholeCpuMs: r.wholeCpuMs } : {}),
      index,
    });
    stats.slowest.sort((x, y) => cost(y) - cost(x));
    stats.slowest.length = Math.min(stats.top, stats.slowest.length);
  }
  if (!FAILURES.includes(r.kind)) return;
  const { signature: sig, owner } = failureOf(c, r);
  const f = stats.failures.get(sig);
  if (f) f.count++;
  else stats.failures.set(sig, { signature: sig, owner, first: c, result: r, count: 1 });
}

/**
 * Runs cases from `stream` until `count` inputs or the deadline, `inFlight` at a time. With
 * `from`, the first `from` cases of the stream are made but not run (a stopped run resumed: the
 * stream of a seed is always the same), and `stats` carries on the figures of that run.
 */
export async function fuzz(
  pool: Pool,
  stream: Iterator<FuzzCase>,
  opts: {
    count: number;
    until: number;
    inFlight: number;
    from?: number;
    stats?: Stats;
    onResult?: (c: FuzzCase, r: Result, stats: Stats) => void;
  },
): Promise<Stats> {
  const stats = opts.stats ?? newStats();
  const t0 = Date.now();
  const elapsed0 = stats.elapsedMs;
  let index = 0;
  while (index < (opts.from ?? 0) && !stream.next().done) index++;
  stats.resumeAt = index;
  let started = 0;
  const running = new Set<number>();
  const hungGroups = new Map<number, number>();
  const lane = async () => {
    while (started < opts.count && Date.now() < opts.until) {
      const n = stream.next();
      if (n.done) return;
      const at = index++;
      const group = n.value.group;
      if (group !== undefined && (hungGroups.get(group) ?? 0) >= 2) {
        stats.skipped++;
        continue;
      }
      started++;
      running.add(at);
      const r = await pool.run(n.value);
      running.delete(at);
      stats.resumeAt = running.size ? Math.min(...running) : index;
      if (group !== undefined && (r.kind === 'hang' || r.kind === 'abort'))
        hungGroups.set(group, (hungGroups.get(group) ?? 0) + 1);
      record(stats, n.value, r, at);
      opts.onResult?.(n.value, r, stats);
    }
  };
  await Promise.all(Array.from({ length: opts.inFlight }, lane));
  stats.elapsedMs = elapsed0 + Date.now() - t0;
  return stats;
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
