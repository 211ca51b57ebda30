// Child processes that run cases (worker.ts, bundled): each under a memory
// limit, each case under a hard timeout. A case that outlives the timeout is a
// hang (the child is killed and replaced); a child that dies while running a
// case is an abort (out of memory, a fatal error). Neither stops the caller.
// With `cpuTimeout`, the timeout counts the child's CPU time (read from /proc), so
// that on a machine loaded by other work a child that merely waits for a core is not
// taken for a hang; past WALL_CAP times the timeout of wall time, a child that is not
// even runnable (asleep, blocked, stopped) is given up too.

import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { FuzzCase, Outcome } from './case';
import { commonFrames, framesOfSample, framesOfStack, isProject, type Frame } from './frames';
import type { Job, Reply } from './worker';

export interface PoolOptions {
  /** The bundled worker (bundle.ts). */
  readonly script: string;
  readonly workers: number;
  /** A case running longer is a hang. */
  readonly timeoutMs: number;
  /** --max-old-space-size of each child. */
  readonly memoryMb: number;
  /** A case slower than this (but finishing) is `slow`. */
  readonly slowMs: number;
  /** When the watchdog samples where a long case is (0: never). */
  readonly sampleMs?: number;
  /** Extra environment of the children. */
  readonly env?: Readonly<Record<string, string>>;
  /** The timeout counts CPU time, not wall time (Linux; elsewhere, wall time). */
  readonly cpuTimeout?: boolean;
  /** Each child writes a V8 CPU profile there when it ends (node --cpu-prof). */
  readonly cpuProfileDir?: string;
}

/** With `cpuTimeout`, a case is given up after this many times its timeout of wall time whatever its CPU time. */
const WALL_CAP = 10;

/** Fields of /proc/PID/stat from the state on (field 3), or undefined where /proc cannot say. */
function statOf(pid: number | undefined): string[] | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after the command name, which may hold spaces and parentheses: state is field 3, utime 14, stime 15
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU milliseconds a process has used (user + system, all its threads), or NaN where /proc cannot say. */
function cpuMsOf(pid: number | undefined): number {
  const fields = statOf(pid);
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 : NaN; // ticks of 1/100 s (USER_HZ)
}

/** Whether the process's main thread is running or waiting for a core (not asleep, blocked or stopped). */
function runnable(pid: number | undefined): boolean {
  return statOf(pid)?.[0] === 'R';
}

export interface Result extends Outcome {
  readonly frameList: readonly Frame[];
}

/**
 * Where a long input was: the frames all the watchdog's samples share (innermost
 * first), or the first sample when they share no frame of the project's code.
 */
function sampled(samples: Frame[][] | undefined): Frame[] {
  if (!samples || samples.length === 0) return [];
  const common = commonFrames(samples);
  return common.some(isProject) ? common : (samples[0] as Frame[]);
}

interface Pending {
  readonly job: Job;
  readonly timeoutMs: number;
  readonly resolve: (r: Result) => void;
}

class Slot {
  child?: ChildProcess;
  current?: Pending;
  timer?: ReturnType<typeof setTimeout>;
  started = 0;
  /** The child's CPU milliseconds when the current case started (cpuTimeout). */
  cpuAtStart = NaN;
  stderr = '';
  /** The watchdog's samples, by job id. */
  readonly samples = new Map<number, Frame[][]>();
}

export class Pool {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];
  private next = 1;
  private closed = false;
  /** Children started (the first of each slot included). */
  spawned = 0;
  /** CPU ms of the children that were killed (read just before). */
  private endedCpuMs = 0;

  constructor(private readonly options: PoolOptions) {
    this.slots = Array.from({ length: Math.max(1, options.workers) }, () => new Slot());
  }

  /** Runs one case; never rejects. */
  run(c: FuzzCase, timeoutMs = this.options.timeoutMs): Promise<Result> {
    return new Promise((resolve) => {
      this.queue.push({ job: { id: this.next++, case: c, slowMs: this.options.slowMs }, timeoutMs, resolve });
      this.pump();
    });
  }

  private spawn(slot: Slot): ChildProcess {
    const child = fork(this.options.script, [], {
      execArgv: [
        `--max-old-space-size=${this.options.memoryMb}`,
        ...(this.options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${this.options.cpuProfileDir}`] : []),
      ],
      env: { ...process.env, FUZZ_SAMPLE_MS: String(this.options.sampleMs ?? 1000), ...this.options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.spawned++;
    slot.stderr = '';
    child.stderr?.setEncoding('utf8');
    let partial = '';
    child.stderr?.on('data', (chunk: string) => {
      slot.stderr = (slot.stderr + chunk).slice(-200_000);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^FUZZSTACK (\d+) (.*)$/.exec(line);
        if (!m) continue;
        const id = Number(m[1]);
        slot.samples.set(id, [
          ...(slot.samples.get(id) ?? []),
          framesOfSample(JSON.parse(m[2] as string) as [string, string, number][]),
        ]);
      }
    });
    child.on('message', (reply: Reply) => {
      if (slot.child !== child || !slot.current || slot.current.job.id !== reply.id) return;
      const p = slot.current;
      this.finish(slot, {
        kind: reply.kind,
        ms: reply.ms,
        ...(reply.cpuMs !== undefined ? { cpuMs: reply.cpuMs } : {}),
        ...(reply.wholeMs !== undefined ? { wholeMs: reply.wholeMs } : {}),
        ...(reply.wholeCpuMs !== undefined ? { wholeCpuMs: reply.wholeCpuMs } : {}),
        stage: reply.stage,
        ...(reply.message !== undefined ? { message: reply.message } : {}),
        frameList: reply.stack ? framesOfStack(reply.stack) : sampled(slot.samples.get(p.job.id)),
      });
    });
    // 'close', not 'exit': after the child's stderr has been read to the end
    child.on('close', (code, signal) => {
      if (slot.child !== child) return;
      slot.child = undefined;
      if (!Number.isNaN(slot.cpuAtStart)) this.endedCpuMs += slot.cpuAtStart;
      const p = slot.current;
      if (p) {
        const oom = new RegExp(`^FUZZOOM ${p.job.id}$`, 'm').test(slot.stderr)
          ? `JavaScript heap out of memory (--max-old-space-size=${this.options.memoryMb})`
          : undefined;
        // V8's fatal errors (SIGTRAP or SIGABRT) write a line first: `Fatal process out of memory: Zone`,
        // `Fatal JavaScript invalid size error`, `# Fatal error in …` with the failed `Check failed: …`
        const fatal =
          oom ??
          /FATAL ERROR[^\n]*|Fatal JavaScript[^\n]*|Fatal process out of memory[^\n]*|JavaScript heap out of memory|Maximum call stack[^\n]*|Segmentation fault[^\n]*|# Fatal error in[^\n]*(?:\n#[^\n]*){0,3}/.exec(
            slot.stderr,
          )?.[0];
        // otherwise the end of what the child wrote (not the watchdog's samples), to say what it was
        const tail = slot.stderr
          .split('\n')
          .filter((l) => l.trim() && !l.startsWith('FUZZSTACK '))
          .slice(-3)
          .join(' | ')
          .slice(-300);
        this.finish(slot, {
          kind: 'abort',
          ms: Date.now() - slot.started,
          stage: 'unknown',
          message: fatal ?? `the process exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`,
          frameList: sampled(slot.samples.get(p.job.id)),
        });
      }
      this.pump();
    });
    child.on('error', () => {
      // reported through 'close'
    });
    slot.child = child;
    return child;
  }

  private finish(slot: Slot, r: Result): void {
    if (slot.timer) clearTimeout(slot.timer);
    const p = slot.current;
    slot.current = undefined;
    slot.timer = undefined;
    if (p) slot.samples.delete(p.job.id);
    p?.resolve(r);
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.current || this.queue.length === 0) continue;
      const p = this.queue.shift() as Pending;
      const child = slot.child ?? this.spawn(slot);
      slot.current = p;
      slot.started = Date.now();
      slot.cpuAtStart = this.options.cpuTimeout ? cpuMsOf(child.pid) : NaN;
      const giveUp = (): void => {
        if (slot.current !== p) return;
        const wall = Date.now() - slot.started;
        const cpu = cpuMsOf(child.pid) - slot.cpuAtStart;
        // Under the CPU timeout the child is waiting for a core, not working: look again when it could
        // have used up its time. Past WALL_CAP times the timeout of wall time it is given up only when
        // it is not even runnable (asleep, blocked, stopped): a child starved by a loaded machine is still
        // 'R' and its input is not a hang (two such give-ups were once reported as hangs).
        if (cpu < p.timeoutMs && (wall < p.timeoutMs * WALL_CAP || runnable(child.pid))) {
          slot.timer = setTimeout(giveUp, Math.max(250, p.timeoutMs - cpu));
          return;
        }
        const frames = sampled(slot.samples.get(p.job.id));
        this.endedCpuMs += cpuMsOf(child.pid) || 0;
        slot.child = undefined;
        child.kill('SIGKILL');
        this.finish(slot, {
          kind: 'hang',
          ms: wall,
          ...(Number.isNaN(cpu) ? {} : { cpuMs: cpu }),
          stage: 'unknown',
          message: Number.isNaN(cpu)
            ? `still running after ${p.timeoutMs} ms`
            : cpu < p.timeoutMs
              ? `not running for ${wall} ms (${cpu.toFixed(0)} ms of CPU): asleep or blocked`
              : `still running after ${wall} ms (${cpu.toFixed(0)} ms of CPU)`,
          frameList: frames,
        });
      };
      slot.timer = setTimeout(giveUp, p.timeoutMs);
      child.send(p.job, (err) => {
        if (err && slot.current === p) {
          // the child went away before the case reached it: try again on a fresh one
          slot.current = undefined;
          if (slot.timer) clearTimeout(slot.timer);
          if (slot.child === child) slot.child = undefined;
          child.kill('SIGKILL');
          this.queue.unshift(p);
          setImmediate(() => this.pump());
        }
      });
    }
  }

  /**
   * CPU ms the children have used so far, those killed included (from /proc; a child that died by
   * itself is counted up to its last case). With the parent's process.cpuUsage(), what a run costs.
   */
  childrenCpuMs(): number {
    return this.endedCpuMs + this.slots.reduce((n, s) => n + (s.child ? cpuMsOf(s.child.pid) || 0 : 0), 0);
  }

  /** Stops every child. */
  close(): void {
    this.closed = true;
    for (const slot of this.slots) {
      if (slot.child) this.endedCpuMs += cpuMsOf(slot.child.pid) || 0;
      if (slot.timer) clearTimeout(slot.timer);
      // with --cpu-prof a child ends by itself on the disconnect, to write its profile
      if (this.options.cpuProfileDir) slot.child?.disconnect();
      else slot.child?.kill('SIGKILL');
      slot.child = undefined;
    }
  }
}
