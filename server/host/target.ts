// Where a plan is made and applied: a real host over SSH, or the simulated
// target (`--target sim:FACTS`): the kernel model seeded from a facts file,
// whose state is that file (apply writes the new state back).

import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic';
import {
  detectFactsInput,
  factsCanonical,
  KernelModel,
  readFacts,
  snapshotHost,
  writeFacts,
  type FactsInputKind,
  type FactsProblem,
  type HostFacts,
  type Settle,
} from '../core/index';
import { captureFacts, type Captured } from './capture';
import { applyProgram, cancelProgram, parseProgramOutput, type ProgramReport, type Root } from './shell';
import type { RemoteResult, Transport } from './transport';

export interface TargetCapture {
  readonly facts?: HostFacts;
  readonly kind: FactsInputKind;
  readonly problems: readonly FactsProblem[];
  /** What the apply's guard compares (the host's state text, or the sim file's canonical facts). */
  readonly state: string | undefined;
  readonly unreadable: readonly string[];
  readonly uid?: number;
  readonly text?: string;
  /** The persist artifacts present on the host (ssh targets; a simulated host has no files). */
  readonly persistFiles?: readonly string[];
}

/** A write as apply sends it. */
export interface PlanWrite {
  readonly path: string;
  readonly value: string;
  readonly settle?: Settle;
}

export interface RunOptions {
  readonly lockTimeoutS: number;
  /** Test hook: the remote program pauses after write K until the connection is gone. */
  readonly pauseAfter?: number;
  readonly onOutcome?: (o: { index: number; ok: boolean; error?: string }) => void;
  readonly onLine?: (line: string) => void;
}

export interface RunResult {
  readonly report: ProgramReport;
  /** Exit status of the program (255: the connection failed). */
  readonly code: number;
  readonly stderr: string;
}

export interface Target {
  readonly kind: 'ssh' | 'sim';
  /** `ssh root@db1 port 2222`, `sim samples/x.facts.json` */
  readonly description: string;
  capture(): Promise<TargetCapture>;
  /** Runs the writes; after a write with a `settle`, a host waits for it (the model has it at once). */
  run(writes: readonly PlanWrite[], from: TargetCapture, o: RunOptions): Promise<RunResult>;
  /** Asks the running apply to stop before its next write; false when there is none to ask. */
  requestCancel(): Promise<boolean>;
  /**
   * Runs one of the core's persist programs (install, verify, remove; docs/persist.md) on the
   * host, fed to \`sh -s\`: one round trip. Only hosts with a filesystem have it (not sim).
   */
  runProgram?(program: string, o?: { onLine?: (line: string) => void }): Promise<RemoteResult>;
  close(): Promise<void>;
  readonly roundTrips: number;
  readonly connections: number;
}

export class SshTarget implements Target {
  readonly kind = 'ssh';
  constructor(
    readonly transport: Transport,
    private readonly extra: { root?: Root; lockDir?: string } = {},
  ) {}

  get description(): string {
    return `ssh ${this.transport.description}`;
  }
  get roundTrips(): number {
    return this.transport.roundTrips;
  }
  get connections(): number {
    return this.transport.connections;
  }

  async capture(): Promise<TargetCapture> {
    return targetCapture(
      await captureFacts(this.transport, `ssh ${this.transport.description}`, this.extra.root ?? ''),
    );
  }

  async runProgram(program: string, o: { onLine?: (line: string) => void } = {}): Promise<RemoteResult> {
    // the install restarts the restore unit, which may wait up to 20 s per region for its devices
    return this.transport.run(program, { timeoutMs: 300_000, ...(o.onLine ? { onLine: o.onLine } : {}) });
  }

  async run(writes: readonly PlanWrite[], from: TargetCapture, o: RunOptions): Promise<RunResult> {
    const program = applyProgram(writes, {
      expectedState: from.state ?? '',
      lockTimeoutS: o.lockTimeoutS,
      ...(this.extra.root ? { root: this.extra.root } : {}),
      ...(this.extra.lockDir ? { lockDir: this.extra.lockDir } : {}),
      ...(o.pauseAfter !== undefined ? { pauseAfter: o.pauseAfter } : {}),
    });
    this.remotePid = undefined;
    this.running = true;
    const r = await this.transport.run(program, {
      onLine: (line) => {
        const pid = /^@@ pid (\d+)$/.exec(line);
        if (pid) this.remotePid = Number(pid[1]);
        o.onLine?.(line);
        const m = /^@@ step (\d+) (ok|fail) ?(.*)$/.exec(line);
        if (m && o.onOutcome)
          o.onOutcome({
            index: Number(m[1]),
            ok: m[2] === 'ok',
            ...(m[2] === 'fail' ? { error: m[3] as string } : {}),
          });
      },
    });
    this.running = false;
    return { report: parseProgramOutput(r.stdout), code: r.code, stderr: r.stderr };
  }

  private remotePid: number | undefined;
  private running = false;

  async requestCancel(): Promise<boolean> {
    if (!this.running || this.remotePid === undefined) return false;
    const r = await this.transport.run(
      cancelProgram(this.remotePid, this.extra.lockDir ? { lockDir: this.extra.lockDir } : {}),
      { timeoutMs: 20_000 },
    );
    return r.stdout.includes('@@ cancel requested');
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}

/** The simulated host: a facts file is its state; the kernel model is its kernel. */
export class SimTarget implements Target {
  readonly kind = 'sim';
  private rt = 0;
  /** The state after an apply, when it is not saved to the file. */
  private memory: string | undefined;
  /**
   * `save`: an apply writes the new state back to the file (`--target sim:FACTS`, a simulated
   * host whose state is that file); otherwise it stays in memory for the apply's own
   * verification, and the file keeps describing the real host (`--target facts`).
   */
  constructor(
    readonly file: string,
    readonly save = true,
    private readonly shownAs = file,
  ) {}

  get description(): string {
    return this.save ? `sim ${this.file}` : `simulated from ${this.shownAs}; nothing is saved`;
  }
  get roundTrips(): number {
    return this.rt;
  }
  get connections(): number {
    return 0;
  }

  private load(): TargetCapture {
    let text: string;
    try {
      text = this.memory ?? readFileSync(this.file, 'utf8');
    } catch (e) {
      return {
        kind: 'unknown',
        problems: [{ severity: 'error', message: `cannot read ${this.file}: ${(e as Error).message}` }],
        state: undefined,
        unreadable: [],
      };
    }
    const r = readFacts(text, this.file);
    return {
      ...(r.facts ? { facts: r.facts } : {}),
      kind: detectFactsInput(text),
      problems: r.problems,
      state: r.facts ? factsCanonical(r.facts) : undefined,
      unreadable: [],
      text,
    };
  }

  async capture(): Promise<TargetCapture> {
    this.rt++;
    return this.load();
  }

  async run(writes: readonly PlanWrite[], from: TargetCapture, o: RunOptions): Promise<RunResult> {
    this.rt++;
    const now = this.load();
    const lines: string[] = [];
    const say = (l: string) => {
      lines.push(l);
      o.onLine?.(l);
    };
    say('@@ locked mkdir');
    if (!now.facts || now.state !== from.state) {
      say('@@ changed');
      say('@@ end');
      return { report: parseProgramOutput(lines.join('\n')), code: 3, stderr: '' };
    }
    say('@@ guard ok');
    const model = KernelModel.fromFacts(now.facts);
    let code = 0;
    this.cancelled = false;
    this.running = true;
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i] as { path: string; value: string };
      // let a signal handler in between writes (a cancel stops before the next one)
      await new Promise((r) => setImmediate(r));
      if (this.cancelled) {
        say(`@@ cancelled before step ${i + 1}`);
        code = 5;
        break;
      }
      const r = model.write(w.path, w.value + '\n');
      if (r.kind === 'ok') {
        say(`@@ step ${i + 1} ok`);
        o.onOutcome?.({ index: i + 1, ok: true });
        if (o.pauseAfter === i + 1) {
          // test hook: wait here until cancelled
          say(`@@ paused after step ${i + 1}`);
          while (!this.cancelled) await new Promise((res) => setTimeout(res, 20));
        }
        continue;
      }
      const error = r.kind === 'errno' ? `sim: write error: ${r.errno}` : `sim: cannot model this write: ${r.reason}`;
      say(`@@ step ${i + 1} fail ${error}`);
      o.onOutcome?.({ index: i + 1, ok: false, error });
      code = 1;
      break;
    }
    this.running = false;
    if (code === 0) say('@@ done');
    // a temporary file created exclusively under a random name beside it, then renamed over it
    // (never a fixed name another user could have put a symlink at)
    const after = writeFacts(snapshotHost(model, now.facts.source));
    if (this.save) writeFileAtomic(this.file, after);
    else this.memory = after;
    const report = parseProgramOutput(lines.join('\n'));
    // the simulated kernel names its errors by errno already
    const outcomes = report.outcomes.map((x) =>
      x.ok ? x : { ...x, errno: /write error: (E[A-Z]+)$/.exec(x.error ?? '')?.[1] ?? 'unmodelled' },
    );
    return { report: { ...report, outcomes }, code, stderr: '' };
  }

  private cancelled = false;
  private running = false;

  async requestCancel(): Promise<boolean> {
    if (!this.running) return false;
    this.cancelled = true;
    return true;
  }

  async close(): Promise<void> {}
}

/** A capture as a target reports it (SSH targets, and the Ansible hooks that read a dump). */
export function targetCapture(c: Captured): TargetCapture {
  return {
    ...(c.facts ? { facts: c.facts } : {}),
    kind: 'capture',
    problems: c.problems,
    state: c.state,
    unreadable: c.unreadable,
    ...(c.uid !== undefined ? { uid: c.uid } : {}),
    text: c.text,
    ...(c.persistFiles ? { persistFiles: c.persistFiles } : {}),
  };
}
