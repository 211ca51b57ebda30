// Who runs an analysis for the scheduler (analyses.ts): the analysis worker
// (WorkerRunner, the default) or, when a test injects its own analysis
// function, the message loop itself (InlineRunner).
//
// The worker is a worker_threads thread with a V8 heap limit
// (resourceLimits.maxOldGenerationSizeMb), a time budget per analysis and a
// memory watchdog. Past the budget, or when the process has grown by more than
// the worker may hold, the worker is terminated (Worker.terminate interrupts
// even a tight loop) and the analysis is reported as stopped; the next
// analysis starts a new worker. A worker that dies (an uncaught error, V8's
// ERR_WORKER_OUT_OF_MEMORY) is reported the same way. The watchdog exists
// because a thread is not a process: when V8 itself gives up on a worker's heap
// in one large allocation (more than the 16 MB grace Node gives a worker at its
// limit, or an array past V8's maximum length), it aborts the whole process.
// Stopping the worker while it is still well under its limit keeps that from
// happening to the analyses we know of (a `memory-block` of a few bytes makes
// today's kernel model allocate per block, by the billion).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Analysis, AnalyzeOptions, Finding } from '../core/index';
import { describeError } from './errors';
import type { FactsStore } from './facts-store';
import type { Limits } from './limits';
import { internalErrorFinding, type FromWorker, type ToWorker, type WorkerData } from './worker-protocol';

export type AnalyzeFn = (text: string, options: AnalyzeOptions) => Analysis;

export interface Job {
  readonly uri: string;
  readonly version: number;
  readonly gen: number;
  readonly text: string;
  readonly searchPaths: readonly string[];
  readonly workspaceFolders: readonly string[];
}

export type Outcome =
  | {
      readonly kind: 'done';
      readonly findings: Finding[];
      readonly seen: [string, string][];
      readonly ms: number;
      /** The core threw; the findings say so. */
      readonly error?: string;
      /** The analysis itself, when it ran on the message loop (InlineRunner). */
      readonly analysis?: Analysis;
    }
  /** Stopped past a budget, or the worker died: `reason` says which. */
  | { readonly kind: 'stopped'; readonly reason: string }
  /** Stopped because a newer version of the document is waiting: nothing to report. */
  | { readonly kind: 'superseded' };

export interface AnalysisRunner {
  readonly busy: boolean;
  /** Runs one job (only when not busy); `done` is called exactly once. */
  run(job: Job, done: (o: Outcome) => void): void;
  /** A newer version of `uri` waits (or it closed): stop its running analysis (at once where it can stop cleanly; at the latest once it has run `afterMs`). */
  supersede(uri: string, afterMs: number): void;
  /** The document closed. */
  forget(uri: string): void;
  /** These facts files changed on disk. */
  invalidate(paths: readonly string[]): void;
  dispose(): void;
}

/**
 * The worker's script: analysis-worker.cjs beside server.cjs in server/dist (or
 * there when running from source, in tests); else this bundle itself, which
 * runs as the worker when started as one (the VS Code extension ships the
 * server as one file, client/dist/server.js).
 */
export function workerScript(): string | undefined {
  for (const c of [join(__dirname, 'analysis-worker.cjs'), join(__dirname, '../dist/analysis-worker.cjs')])
    if (existsSync(c)) return c;
  if (/\.c?js$/.test(__filename) && existsSync(__filename)) return __filename;
  return undefined;
}

const MB = 1024 * 1024;

interface Running {
  readonly id: number;
  readonly job: Job;
  readonly done: (o: Outcome) => void;
  readonly started: number;
  readonly timers: ReturnType<typeof setTimeout>[];
  /** When a newer version started waiting, the running one is stopped at this time (performance.now()). */
  supersedeAt?: number;
}

export class WorkerRunner implements AnalysisRunner {
  private worker: Worker | undefined;
  private running: Running | undefined;
  private nextId = 1;
  /** The worker's heap after its last analysis (what it keeps: its caches). */
  private lastHeap = 0;
  /** Shared with the worker: the id of the analysis the server cancels (WorkerData.cancel). */
  private cancel: Int32Array | undefined;

  constructor(
    private readonly script: string | undefined,
    private readonly limits: Limits,
    private readonly testFaults: boolean,
    private readonly log: (message: string) => void,
  ) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  private spawn(): Worker {
    this.cancel = new Int32Array(new SharedArrayBuffer(4));
    const data: WorkerData = {
      role: 'analysis',
      testFaults: this.testFaults,
      cancel: this.cancel.buffer as SharedArrayBuffer,
    };
    const w = new Worker(this.script as string, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.workerHeapMb, stackSizeMb: 8 },
      // never onto the server's stdout, which is the protocol channel
      stdout: true,
      stderr: true,
    });
    w.stdout.on('data', (d: Buffer) => this.log(`daxlayout analysis worker: ${d.toString().trimEnd()}`));
    w.stderr.on('data', (d: Buffer) => this.log(`daxlayout analysis worker: ${d.toString().trimEnd()}`));
    w.on('message', (m: FromWorker) => this.onMessage(w, m));
    w.on('error', (e: Error & { code?: string }) =>
      this.onGone(
        w,
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `it ran out of memory (the analysis may use ${this.limits.workerHeapMb} MiB)`
          : `the analysis worker failed: ${e.message}`,
      ),
    );
    w.on('exit', (code) => this.onGone(w, `the analysis worker exited (code ${code})`));
    w.unref();
    return w;
  }

  private post(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  run(job: Job, done: (o: Outcome) => void): void {
    if (this.running) throw new Error('the analysis worker is busy');
    if (!this.script) {
      done({
        kind: 'stopped',
        reason: 'the analysis worker is missing (server/dist/analysis-worker.cjs; `npm run build` makes it)',
      });
      return;
    }
    let w: Worker;
    try {
      w = this.worker ??= this.spawn();
    } catch (e) {
      done({ kind: 'stopped', reason: `the analysis worker cannot start: ${describeError(e)}` });
      return;
    }
    const r: Running = { id: this.nextId++, job, done, started: performance.now(), timers: [] };
    this.running = r;
    const budget = this.limits.analysisBudgetMs;
    r.timers.push(
      setTimeout(
        () =>
          this.stop(r, {
            kind: 'stopped',
            reason: `it ran for more than ${budget / 1000} s, the time budget of an analysis`,
          }),
        budget,
      ),
    );
    // The memory watchdog: the process may grow by what the worker may still take, less a margin.
    const m0 = process.memoryUsage();
    const allowance = Math.max(64 * MB, 0.75 * this.limits.workerHeapMb * MB - this.lastHeap);
    const watch = setInterval(() => {
      const m = process.memoryUsage();
      const growth = m.rss - m0.rss - Math.max(0, m.heapTotal - m0.heapTotal);
      if (growth > allowance) {
        this.stop(r, {
          kind: 'stopped',
          reason: `it used more than ${Math.round((this.lastHeap + allowance) / MB)} MiB, the memory budget of an analysis (a layout can make the kernel model allocate per memory block: check \`memory-block\` and the sizes)`,
        });
      }
    }, 50);
    r.timers.push(watch as unknown as ReturnType<typeof setTimeout>);
    w.postMessage({
      type: 'analyse',
      id: r.id,
      uri: job.uri,
      text: job.text,
      searchPaths: job.searchPaths,
      workspaceFolders: job.workspaceFolders,
    } satisfies ToWorker);
  }

  private finish(r: Running, o: Outcome): void {
    if (this.running !== r) return;
    for (const t of r.timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    this.running = undefined;
    r.done(o);
  }

  /** Terminates the worker (its next job starts a new one) and ends `r` with `o`. */
  private stop(r: Running, o: Outcome): void {
    if (this.running !== r) return;
    const w = this.worker;
    this.worker = undefined;
    this.lastHeap = 0;
    if (w) void w.terminate().catch(() => undefined);
    if (o.kind === 'stopped')
      this.log(`daxlayout: analysis of ${r.job.uri} (version ${r.job.version}) stopped: ${o.reason}`);
    this.finish(r, o);
  }

  private onMessage(w: Worker, m: FromWorker): void {
    if (w !== this.worker) return;
    if (m.type === 'log') {
      this.log(m.message);
      return;
    }
    const r = this.running;
    if (!r || r.id !== m.id) return;
    if (m.type === 'cancelled') {
      this.finish(r, { kind: 'superseded' });
      return;
    }
    this.lastHeap = m.heapUsed;
    this.finish(r, {
      kind: 'done',
      findings: m.findings,
      seen: m.seen,
      ms: m.ms,
      ...(m.error ? { error: m.error } : {}),
    });
  }

  private onGone(w: Worker, reason: string): void {
    if (w !== this.worker) return; // a worker we stopped ourselves
    this.worker = undefined;
    this.lastHeap = 0;
    const r = this.running;
    this.log(
      `daxlayout: ${reason}${r ? ` (analysing ${r.job.uri}, version ${r.job.version})` : ''}; a new worker starts with the next analysis`,
    );
    if (r) this.finish(r, { kind: 'stopped', reason });
  }

  supersede(uri: string, afterMs: number): void {
    const r = this.running;
    if (!r || r.job.uri !== uri) return;
    // The worker stops at its next host (keeping its cache); if one host takes longer than
    // `afterMs`, the worker is terminated.
    if (this.cancel) Atomics.store(this.cancel, 0, r.id);
    const at = r.started + afterMs;
    if (r.supersedeAt !== undefined && r.supersedeAt <= at) return; // one timer per job, whatever the number of edits
    r.supersedeAt = at;
    const left = at - performance.now();
    if (left <= 0) this.stop(r, { kind: 'superseded' });
    else r.timers.push(setTimeout(() => this.stop(r, { kind: 'superseded' }), left));
  }

  forget(uri: string): void {
    this.post({ type: 'forget', uri });
  }

  invalidate(paths: readonly string[]): void {
    this.post({ type: 'invalidate', paths });
  }

  dispose(): void {
    const r = this.running;
    if (r) this.finish(r, { kind: 'superseded' });
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate().catch(() => undefined);
  }
}

/** Analysis on the message loop, for tests that inject an analysis function (it cannot cross to a worker). */
export class InlineRunner implements AnalysisRunner {
  busy = false;
  private disposed = false;

  constructor(
    private readonly analyze: AnalyzeFn,
    private readonly facts: FactsStore,
  ) {}

  run(job: Job, done: (o: Outcome) => void): void {
    this.busy = true;
    setImmediate(() => {
      this.busy = false;
      if (this.disposed) return;
      const seen = new Map<string, string>();
      const t0 = performance.now();
      let analysis: Analysis;
      try {
        analysis = this.analyze(job.text, { readFacts: (p) => this.facts.read(job.uri, p, seen) });
      } catch (e) {
        done({
          kind: 'done',
          findings: [internalErrorFinding(job.text, e)],
          seen: [...seen],
          ms: performance.now() - t0,
          error: describeError(e),
        });
        return;
      }
      done({ kind: 'done', findings: analysis.findings, seen: [...seen], ms: performance.now() - t0, analysis });
    });
  }

  supersede(): void {}
  forget(): void {}
  invalidate(paths: readonly string[]): void {
    this.facts.invalidate(paths);
  }
  dispose(): void {
    this.disposed = true;
  }
}
