// The `daxlayout` process around a command (main.ts's run()): its Io on stdin/stdout/stderr,
// questions on the terminal, SIGINT/SIGTERM/SIGHUP, output to a reader that went away (EPIPE),
// and the last resort for an exception nothing caught (one line, exit 70).

import { EXIT, internalError } from './io';
import type { Io } from './host-io';
import { isatty } from 'node:tty';

/**
 * The last resort: an exception nothing caught, or a rejected promise nobody awaited, ends
 * the process with one line and exit 70 (the stack with DAXLAYOUT_DEBUG=1).
 */
export const lastResort = (() => {
  let installed: ((e: unknown) => void) | undefined;
  return {
    install(debug: boolean, err: (s: string) => void): void {
      if (installed) return;
      installed = (e: unknown) => {
        try {
          err(internalError(e, debug));
        } finally {
          process.exit(EXIT.internal);
        }
      };
      process.on('uncaughtException', installed);
      process.on('unhandledRejection', installed);
    },
    uninstall(): void {
      if (!installed) return;
      process.removeListener('uncaughtException', installed);
      process.removeListener('unhandledRejection', installed);
      installed = undefined;
    },
  };
})();

/**
 * A stream whose reader went away (`daxlayout apply --events | head -1`): EPIPE. Output to it
 * is dropped from then on, quietly; the command runs to its end (an apply is never cut between
 * its writes and its verification) and exits with its own code.
 */
export function guardedStream(stream: NodeJS.WriteStream): { write(s: string): void; closed(): boolean } {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || e.code === 'ECONNRESET') {
      closed = true;
      return;
    }
    throw e;
  });
  return {
    write(s: string): void {
      if (closed || s === '') return;
      try {
        stream.write(s);
      } catch (e) {
        if (
          (e as NodeJS.ErrnoException).code === 'EPIPE' ||
          (e as NodeJS.ErrnoException).code === 'ERR_STREAM_DESTROYED'
        )
          closed = true;
        else throw e;
      }
    },
    closed: () => closed,
  };
}

export function processIo(out: (s: string) => void, err: (s: string) => void): Io {
  let cleanup: (() => void) | undefined;
  let cancel: ((signal: string) => void) | undefined;
  let hooked = false;
  const hook = (): void => {
    if (hooked) return;
    hooked = true;
    for (const [sig, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      process.on(sig, () => {
        if (cancel && sig !== 'SIGHUP') {
          // the first signal during the writes: the host stops before its next write, and we report
          const c = cancel;
          cancel = undefined;
          c(sig);
          return;
        }
        err(
          `\ndaxlayout: interrupted (${sig}); if writes were already on their way, they run to the end on the host — run \`daxlayout plan\` to see its state\n`,
        );
        try {
          cleanup?.();
        } finally {
          process.exit(code);
        }
      });
    }
  };
  return {
    out,
    err,
    // isatty, not process.stdin.isTTY: making the stdin stream loads net and tty for nothing
    isTTY: isatty(0),
    stdoutIsTTY: process.stdout.isTTY === true,
    env: process.env,
    ask: async (q) => {
      const { createInterface } = await import('node:readline');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await new Promise<string>((resolve) => {
          rl.question(q, resolve);
          rl.on('SIGINT', () => rl.close());
          rl.on('close', () => resolve(''));
        });
      } finally {
        rl.close();
      }
    },
    onInterrupt: (c) => {
      cleanup = c;
      hook();
    },
    onCancel: (h) => {
      cancel = h;
      hook();
    },
  };
}
