// The language server's entry point, bundled as server/dist/server.cjs:
// `node server/dist/server.cjs --stdio`, or `daxlayout lsp --stdio` (the CLI requires this bundle).

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { describeError } from './guard';
import { createServer } from './server';

export function start(): void {
  // stdio unless the client asked for another transport (the library reads these flags).
  if (!process.argv.some((a) => /^--(stdio|node-ipc|socket|pipe)/.test(a))) process.argv.push('--stdio');
  const connection = createConnection(ProposedFeatures.all);
  // Whatever happens, the server keeps serving: an escaped error is logged, not fatal.
  process.on('uncaughtException', (e) => connection.console.error(`daxlayout: uncaught error: ${describeError(e)}`));
  process.on('unhandledRejection', (e) => connection.console.error(`daxlayout: unhandled rejection: ${describeError(e)}`));
  createServer(connection);
  connection.listen();
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) start();
