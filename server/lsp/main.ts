// The language server's entry point, bundled as server/dist/server.cjs:
// `node server/dist/server.cjs --stdio`, or `daxlayout lsp --stdio` (the CLI requires this bundle).

import { isMainThread } from 'node:worker_threads';
import {
  createConnection,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  type Connection,
} from 'vscode-languageserver/node';
// The analysis worker, in this bundle too: it runs (and only it) when this file is started as the server's worker.
import './analysis-worker';
import { describeError } from './errors';
import { FrameGuard } from './framing';
import { createServer } from './server';

/** Exits at once, saying why on stderr (the client shows it, and restarts the server). */
function die(why: string): never {
  try {
    process.stderr.write(`daxlayout: ${why}; the language server exits so that the client can start a new one\n`);
  } finally {
    process.exit(1);
  }
}

/**
 * stdio, with the framing checked (framing.ts): any framing error, an
 * unreadable message, or input that ends inside a message ends the process
 * with a non-zero code. The library's own stdio mode would also patch the
 * console so that nothing else reaches stdout; done here the same way.
 */
function stdioConnection(shutdown: () => boolean): Connection {
  const guard = new FrameGuard((why) => die(`malformed LSP input on stdin: ${why}`));
  process.stdin.on('data', (chunk: Buffer) => guard.push(chunk));
  process.stdin.on('end', () => guard.end());
  const reader = new StreamMessageReader(process.stdin);
  const writer = new StreamMessageWriter(process.stdout);
  reader.onError((e) => die(`unreadable LSP message on stdin: ${e.message}`));
  reader.onClose(() => process.exit(shutdown() ? 0 : 1));
  writer.onClose(() => process.exit(shutdown() ? 0 : 1));
  const connection = createConnection(ProposedFeatures.all, reader, writer);
  const toLog = (...args: unknown[]) =>
    connection.console.log(args.map((a) => (typeof a === 'string' ? a : describeError(a))).join(' '));
  console.log = console.info = console.warn = console.error = console.debug = console.trace = toLog;
  return connection;
}

export function start(): void {
  const other = process.argv.some((a) => /^--(node-ipc|socket|pipe)/.test(a));
  let shutdown = false;
  // stdio unless the client asked for another transport (the library reads those flags).
  const connection = other ? createConnection(ProposedFeatures.all) : stdioConnection(() => shutdown);
  // Whatever happens, the server keeps serving: an escaped error is logged, not fatal.
  process.on('uncaughtException', (e) => connection.console.error(`daxlayout: uncaught error: ${describeError(e)}`));
  process.on('unhandledRejection', (e) =>
    connection.console.error(`daxlayout: unhandled rejection: ${describeError(e)}`),
  );
  createServer(connection, { onShutdown: () => (shutdown = true) });
  connection.listen();
}

if (isMainThread && typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) start();
