// The child process that runs inputs (bundled by bundle.ts; run by pool.ts
// under --max-old-space-size, killed after a hard timeout). It answers each
// case with its outcome: ok, slow, throws (with the stack), dax099 (a rule
// crash the core caught; the rule is run again to get its stack), internal
// (an "internal error" finding: the model or a reader caught a crash) or
// badspan (a view answered with a span outside the text).
//
// A watchdog thread, connected to this thread through the inspector, pauses an
// input that runs longer than `sampleMs` (and again every sampleMs / 2, up to
// six times) and writes where it is to stderr (`FUZZSTACK id [frames]`), so that
// hangs have a place too: the frames every sample shares. Running out of
// memory is caught the same way (V8 pauses there when a debugger is attached):
// the stack is written with `FUZZOOM id` and the process ends.

import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { RULES, type Analysis } from '../../server/core/index';
import type { FuzzCase } from './case';
import { serverWork, type Work } from './server-work';

export interface Job {
  readonly id: number;
  readonly case: FuzzCase;
  readonly slowMs: number;
}

export interface Reply {
  readonly id: number;
  readonly kind: 'ok' | 'slow' | 'throws' | 'dax099' | 'internal' | 'badspan';
  readonly ms: number;
  /** CPU milliseconds of the child process over the work (Outcome.cpuMs). */
  readonly cpuMs?: number;
  /** Outcome.wholeMs and wholeCpuMs. */
  readonly wholeMs?: number;
  readonly wholeCpuMs?: number;
  readonly stage: string;
  readonly message?: string;
  /** Raw V8 stack text of the error, when there is one. */
  readonly stack?: string;
}

Error.stackTraceLimit = 60;

// analyze() turns a crash of the kernel model into a message with String(e): keep that error's stack.
const stringified: Error[] = [];
const errorToString = Error.prototype.toString;
Error.prototype.toString = function (this: Error): string {
  if (this instanceof Error && stringified.length < 50) stringified.push(this);
  return errorToString.call(this);
};

const sampleMs = Number(process.env.FUZZ_SAMPLE_MS ?? 1000);
const shared = new Int32Array(new SharedArrayBuffer(4));
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const inspector = require('node:inspector');
const fs = require('node:fs');
const shared = new Int32Array(workerData.buffer);
const session = new inspector.Session();
session.connectToMainThread();
// enabled once, while the heap is small (enabling it under a big heap takes seconds)
const urls = new Map();
session.on('Debugger.scriptParsed', (m) => urls.set(m.params.scriptId, m.params.url));
session.post('Debugger.enable');
let seen = 0, since = 0;
const framesOf = (m) => m.params.callFrames.slice(0, 40).map((f) => [f.functionName, urls.get(f.location.scriptId) || f.url || '', f.location.lineNumber + 1]);
session.on('Debugger.paused', (m) => {
  const id = Atomics.load(shared, 0);
  fs.writeSync(2, 'FUZZSTACK ' + id + ' ' + JSON.stringify(framesOf(m)) + '\\n');
  if (m.params.reason === 'OOM') {
    // With a debugger attached, V8 pauses before running out of memory and raises the
    // limit; the process is ended here instead, as it would have been without us.
    fs.writeSync(2, 'FUZZOOM ' + id + '\\n');
    process.kill(process.pid, 'SIGKILL');
    return;
  }
  session.post('Debugger.resume');
});
// samples at sampleMs, then every sampleMs / 2, at most 6 per input: what they share is the loop
let taken = 0;
setInterval(() => {
  const id = Atomics.load(shared, 0);
  if (id === 0 || id !== seen) { seen = id; since = Date.now(); taken = 0; return; }
  if (taken >= 6 || Date.now() - since < workerData.sampleMs * (1 + taken / 2)) return;
  taken++;
  session.post('Debugger.pause');
}, 50);
`;
if (sampleMs > 0) new Worker(WATCHDOG, { eval: true, workerData: { buffer: shared.buffer, sampleMs } }).unref();

/** Runs the rules again on the analyses to find the one that crashed, with its stack. */
function ruleCrash(a: Analysis & { members?: readonly { analysis: Analysis }[] }, message: string): Error | undefined {
  for (const x of [a, ...(a.members ?? []).map((m) => m.analysis)]) {
    for (const rule of RULES) {
      if (!message.includes(`rule ${rule.code} `)) continue;
      try {
        rule.check(x);
      } catch (e) {
        if (e instanceof Error) return e;
        return new Error(String(e));
      }
    }
  }
  return undefined;
}

/**
 * With FUZZ_SELFTEST=1 (the unit test's check of the harness itself, never a fuzz run),
 * a layout `#selftest:KIND` fails that way instead of running: throw, dax099, hang, abort
 * (out of memory), or spins for 1.5 s and answers (spin: a sample must not stop it).
 */
const SELFTEST = process.env.FUZZ_SELFTEST === '1';
function selftest(kind: string, job: Job): Reply | undefined {
  switch (kind) {
    case 'throw':
      throw new RangeError('self-test');
    case 'dax099':
      return {
        id: job.id,
        kind: 'dax099',
        ms: 0,
        stage: 'analysis',
        message: 'internal error in rule DAX000 (self-test): self-test — please report it',
      };
    case 'hang':
      for (;;) Atomics.wait(shared, 0, Atomics.load(shared, 0), 10);
    case 'abort': {
      const hog: unknown[][] = [];
      for (;;) hog.push(new Array(1 << 20).fill(hog.length));
    }
    case 'spin': {
      const t = Date.now();
      while (Date.now() - t < 1500);
      return { id: job.id, kind: 'ok', ms: Date.now() - t, stage: 'selftest' };
    }
    default:
      return undefined;
  }
}

function run(job: Job): Reply {
  const work: Work = { stage: 'start', badSpans: [] };
  if (SELFTEST && job.case.layout.startsWith('#selftest:')) {
    Atomics.store(shared, 0, job.id);
    try {
      const r = selftest(job.case.layout.slice('#selftest:'.length), job);
      if (r) return r;
    } catch (e) {
      return {
        id: job.id,
        kind: 'throws',
        ms: 0,
        stage: 'selftest',
        message: String(e),
        ...(e instanceof Error && e.stack ? { stack: e.stack } : {}),
      };
    }
  }
  stringified.length = 0;
  Atomics.store(shared, 0, job.id);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let edit: { ms: number; cpuMs: number } | undefined;
  work.mark = () => {
    const u = process.cpuUsage(cpu0);
    edit = { ms: performance.now() - t0, cpuMs: (u.user + u.system) / 1000 };
  };
  try {
    serverWork(job.case, work);
  } catch (e) {
    const ms = performance.now() - t0;
    Atomics.store(shared, 0, 0);
    const err = e instanceof Error ? e : new Error(`non-Error thrown: ${String(e)}`);
    return {
      id: job.id,
      kind: 'throws',
      ms,
      stage: work.stage,
      message: `${err.name}: ${err.message}`,
      ...(err.stack ? { stack: err.stack } : {}),
    };
  }
  const cpu = process.cpuUsage(cpu0);
  const whole = { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  // the edit's own work (the dense probing of some inputs after it is reported apart)
  const { ms, cpuMs } = edit ?? whole;
  const times = { ms, cpuMs, wholeMs: whole.ms, wholeCpuMs: whole.cpuMs };
  Atomics.store(shared, 0, 0);
  const a = work.analysis as Analysis;
  const all = [a, ...((a as { members?: { analysis: Analysis }[] }).members ?? []).map((m) => m.analysis)];
  for (const x of all) {
    const crash = x.findings.find((f) => f.code === 'DAX099');
    if (crash) {
      const e = ruleCrash(a, crash.message);
      return {
        id: job.id,
        kind: 'dax099',
        ...times,
        stage: 'analysis',
        message: crash.message,
        ...(e?.stack ? { stack: e.stack } : {}),
      };
    }
  }
  for (const x of all) {
    const internal = x.findings.find((f) => /internal error/i.test(f.message));
    if (internal) {
      const e = stringified.find((x) => internal.message.includes(errorToString.call(x)));
      return {
        id: job.id,
        kind: 'internal',
        ...times,
        stage: 'analysis',
        message: `${internal.code}: ${internal.message}`,
        ...(e?.stack ? { stack: e.stack } : {}),
      };
    }
  }
  if (work.badSpans.length)
    return { id: job.id, kind: 'badspan', ...times, stage: 'views', message: work.badSpans.join('; ') };
  return { id: job.id, kind: ms > job.slowMs ? 'slow' : 'ok', ...times, stage: 'done' };
}

process.on('message', (job: Job) => {
  const reply = run(job);
  process.send?.(reply);
});
process.on('disconnect', () => process.exit(0));
