// Runs the daxlayout CLI: the copy bundled with the extension (dist/cli.js, run by the
// extension host's own Node), or the one `daxlayout.cliPath` names. Always an argv array,
// never a shell string; stdout can be read line by line as it arrives (apply --events).
import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';

export interface CliResult {
  /** The exit code, or undefined when the process was ended by a signal. */
  readonly code: number | undefined;
  readonly signal: NodeJS.Signals | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** The process was stopped through the cancellation token. */
  readonly cancelled: boolean;
}

export interface CliRun {
  readonly cwd: string;
  /** Each complete line of stdout, as it arrives. */
  readonly onLine?: (line: string) => void;
  /** Cancelling sends SIGTERM (the CLI stops between writes and reports what ran), then SIGKILL after `killAfterMs`. */
  readonly token?: vscode.CancellationToken;
  readonly killAfterMs?: number;
  /** Variables added to the CLI's environment (DAXLAYOUT_FACTS_PATH). */
  readonly env?: Readonly<Record<string, string>>;
}

export class Cli {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** The program and the arguments before the CLI's own. */
  command(): { program: string; prefix: string[]; description: string } {
    const configured = vscode.workspace.getConfiguration('daxlayout').get<string>('cliPath')?.trim();
    if (configured) {
      // a JavaScript file runs under the extension host's Node; anything else is executed as is
      if (/\.(c|m)?js$/i.test(configured))
        return { program: process.execPath, prefix: [configured], description: configured };
      return { program: configured, prefix: [], description: configured };
    }
    const bundled = this.context.asAbsolutePath('dist/cli.js');
    return { program: process.execPath, prefix: [bundled], description: 'the bundled daxlayout CLI' };
  }

  run(args: readonly string[], o: CliRun): Promise<CliResult> {
    const { program, prefix } = this.command();
    const argv = [...prefix, ...args];
    this.output.info(`$ ${[program, ...argv].map(quoteForLog).join(' ')}   (in ${o.cwd})`);
    return new Promise<CliResult>((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn(program, argv, {
          cwd: o.cwd,
          // under desktop VS Code process.execPath is Electron: this makes it plain Node
          env: { ...process.env, ...o.env, ELECTRON_RUN_AS_NODE: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
          windowsHide: true,
        });
      } catch (err) {
        resolve({
          code: 127,
          signal: undefined,
          stdout: '',
          stderr: `cannot start ${program}: ${String(err)}`,
          cancelled: false,
        });
        return;
      }
      let stdout = '';
      let stderr = '';
      let partial = '';
      let cancelled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const cancelSub = o.token?.onCancellationRequested(() => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        cancelled = true;
        this.output.info(`cancelling: SIGTERM to pid ${child.pid}`);
        child.kill('SIGTERM');
        killTimer = setTimeout(() => {
          this.output.warn(`pid ${child.pid} did not stop within ${(o.killAfterMs ?? 30_000) / 1000} s: SIGKILL`);
          child.kill('SIGKILL');
        }, o.killAfterMs ?? 30_000);
      });
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (!o.onLine) return;
        partial += d;
        let nl: number;
        while ((nl = partial.indexOf('\n')) >= 0) {
          const line = partial.slice(0, nl);
          partial = partial.slice(nl + 1);
          o.onLine(line);
        }
      });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      let settled = false;
      const finish = (r: CliResult) => {
        if (settled) return;
        settled = true;
        cancelSub?.dispose();
        if (killTimer) clearTimeout(killTimer);
        if (partial && o.onLine) o.onLine(partial);
        partial = '';
        resolve(r);
      };
      child.on('error', (err) => {
        finish({
          code: 127,
          signal: undefined,
          stdout,
          stderr: `${stderr}cannot start ${program}: ${err.message}\n`,
          cancelled,
        });
      });
      child.on('close', (code, signal) => {
        finish({ code: code ?? undefined, signal: signal ?? undefined, stdout, stderr, cancelled });
      });
    });
  }
}

function quoteForLog(a: string): string {
  return /^[A-Za-z0-9_./:=@+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
