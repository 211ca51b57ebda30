// The built language server as its own process (node server/dist/server.cjs --stdio),
// driven over stdio by a protocol connection, for the stress suite.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { ROOT } from './harness';

export const SERVER = join(ROOT, 'server/dist/server.cjs');

export interface Spawned {
  readonly child: ChildProcess;
  readonly connection: ProtocolConnection;
  /** Every publishDiagnostics, in arrival order, with when it arrived (performance.now()). */
  readonly published: (PublishDiagnosticsParams & { at: number })[];
  readonly logs: string[];
  /** Resolves with the exit code (or the signal) when the process ends. */
  readonly exited: Promise<number | string | null>;
  /** The diagnostics of `uri` at `version` (waits up to `timeoutMs`). */
  diagnostics(uri: string, version: number, timeoutMs?: number): Promise<PublishDiagnosticsParams & { at: number }>;
  open(uri: string, text: string): Promise<PublishDiagnosticsParams>;
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void;
  /** shutdown + exit; resolves with the exit code. */
  stop(): Promise<number | string | null>;
}

export async function spawnServer(env: Record<string, string> = {}, server = SERVER): Promise<Spawned> {
  const child = spawn(process.execPath, [server, '--stdio'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  child.stderr?.resume();
  const exited = new Promise<number | string | null>((res) => child.on('exit', (code, signal) => res(code ?? signal)));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const published: (PublishDiagnosticsParams & { at: number })[] = [];
  const logs: string[] = [];
  const waiters: { uri: string; version: number; resolve: (p: PublishDiagnosticsParams & { at: number }) => void }[] =
    [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    const entry = { ...p, at: performance.now() };
    published.push(entry);
    for (const w of waiters.filter((x) => x.uri === p.uri && x.version === p.version)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(entry);
    }
  });
  connection.onNotification(LogMessageNotification.type, (p) => void logs.push(p.message));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      textDocument: {
        hover: { contentFormat: ['markdown'] },
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
      },
    },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  const s: Spawned = {
    child,
    connection,
    published,
    logs,
    exited,
    diagnostics(uri, version, timeoutMs = 30_000) {
      const hit = published.find((p) => p.uri === uri && p.version === version);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = {
          uri,
          version,
          resolve: (p: PublishDiagnosticsParams & { at: number }) => {
            clearTimeout(t);
            resolve(p);
          },
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(
            new Error(
              `no diagnostics for ${uri} version ${version} within ${timeoutMs} ms (got versions ${published
                .filter((p) => p.uri === uri)
                .map((p) => p.version)
                .join(', ')})`,
            ),
          );
        }, timeoutMs);
        waiters.push(w);
      });
    },
    open(uri, text) {
      void connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'dax', version: 1, text },
      });
      return s.diagnostics(uri, 1);
    },
    change(uri, version, contentChanges) {
      void connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges,
      });
    },
    async stop() {
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
  return s;
}

/** Writes raw bytes to a fresh server's stdin (optionally closing it) and resolves with its exit code, or 'alive' after `waitMs`. */
export async function feedRaw(bytes: Buffer, close: boolean, waitMs = 10_000): Promise<number | string | null> {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout.resume();
  child.stderr.resume();
  const exited = new Promise<number | string | null>((res) => child.on('exit', (code, signal) => res(code ?? signal)));
  child.stdin.on('error', () => undefined);
  child.stdin.write(bytes);
  if (close) child.stdin.end();
  const timer = new Promise<'alive'>((res) => setTimeout(() => res('alive'), waitMs));
  const r = await Promise.race([exited, timer]);
  if (r === 'alive') child.kill('SIGKILL');
  return r;
}
