// The built server over its real stdio transport, started both ways a client
// starts it: `node server/dist/server.cjs --stdio` and `daxlayout lsp --stdio`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { ROOT, sampleUri, SAMPLES } from './harness';

async function session(args: string[]) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const c = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const diagnostics = new Promise<PublishDiagnosticsParams>((res) =>
    c.onNotification(PublishDiagnosticsNotification.type, res),
  );
  c.listen();
  const init = await c.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {} });
  await c.sendNotification(InitializedNotification.type, {});
  const uri = sampleUri('mistakes.dax');
  await c.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'dax', version: 1, text: readFileSync(join(SAMPLES, 'mistakes.dax'), 'utf8') },
  });
  const d = await diagnostics;
  await c.sendRequest(ShutdownRequest.type);
  await c.sendNotification(ExitNotification.type);
  const code = await exited;
  c.dispose();
  return { init, d, code };
}

describe('stdio', () => {
  for (const [name, args] of [
    ['server.cjs --stdio', [join(ROOT, 'server/dist/server.cjs'), '--stdio']],
    ['daxlayout lsp --stdio', [join(ROOT, 'server/bin/daxlayout.cjs'), 'lsp', '--stdio']],
  ] as const) {
    it(`${name}: initializes, publishes diagnostics, and exits 0 after shutdown`, async () => {
      const { init, d, code } = await session([...args]);
      expect(init.serverInfo?.name).toBe('daxlayout');
      expect(d.diagnostics.map((x) => x.code)).toContain('DAX010');
      expect(code).toBe(0);
    });
  }
});
