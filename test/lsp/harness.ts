// An in-process language client: the server and a protocol connection joined by
// two in-memory streams, with the notifications the server sends collected.

import { PassThrough } from 'node:stream';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { createConnection } from 'vscode-languageserver/node';
import { createServer, type ServerOptions } from '../../server/lsp/server';

export const ROOT = resolve(__dirname, '../..');
export const SAMPLES = resolve(ROOT, 'samples');

export const uriOf = (path: string) => pathToFileURL(path).toString();
export const sampleUri = (name: string) => uriOf(resolve(SAMPLES, name));

export const FULL_CAPABILITIES: ClientCapabilities = {
  textDocument: {
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { snippetSupport: true } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: true,
      codeDescriptionSupport: true,
      dataSupport: true,
    },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, dataSupport: true },
    rename: { prepareSupport: true },
    foldingRange: { lineFoldingOnly: true },
  },
  workspace: {
    configuration: true,
    workspaceFolders: true,
    didChangeWatchedFiles: { dynamicRegistration: true },
    didChangeConfiguration: { dynamicRegistration: true },
  },
};

export interface Client {
  readonly connection: ProtocolConnection;
  readonly initialize: InitializeResult;
  readonly logs: string[];
  /** Settings the client answers workspace/configuration with. */
  settings: Record<string, unknown>;
  open(uri: string, text: string): Promise<PublishDiagnosticsParams>;
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams>;
  /** The next diagnostics for `uri` (with at least `version`, when given). */
  diagnostics(uri: string, version?: number, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  close(): void;
}

export async function startClient(
  options: ServerOptions = {},
  capabilities: ClientCapabilities = FULL_CAPABILITIES,
  init: { workspaceFolders?: string[]; initializationOptions?: unknown } = {},
): Promise<Client> {
  const up = new PassThrough();
  const down = new PassThrough();
  const server = createConnection(new StreamMessageReader(up), new StreamMessageWriter(down));
  const handle = createServer(server, { watchFacts: false, ...options });
  server.listen();
  const connection = createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const logs: string[] = [];
  const published: PublishDiagnosticsParams[] = [];
  const waiters: { uri: string; version: number | undefined; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  connection.onNotification(LogMessageNotification.type, (p) => {
    logs.push(p.message);
  });
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    const w = waiters.findIndex((x) => x.uri === p.uri && (x.version === undefined || (p.version ?? 0) >= x.version));
    if (w >= 0) waiters.splice(w, 1)[0]?.resolve(p);
    else published.push(p);
  });
  const client: Client = {
    connection,
    initialize: undefined as unknown as InitializeResult,
    logs,
    settings: {},
    diagnostics(uri, version, timeoutMs = 5000) {
      const i = published.findIndex((p) => p.uri === uri && (version === undefined || (p.version ?? 0) >= version));
      if (i >= 0) return Promise.resolve(published.splice(i, 1)[0] as PublishDiagnosticsParams);
      return new Promise((res, rej) => {
        const waiter = { uri, version, resolve: (p: PublishDiagnosticsParams) => (clearTimeout(t), res(p)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          rej(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    open(uri, text) {
      void connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'dax', version: 1, text },
      });
      return client.diagnostics(uri, 1);
    },
    change(uri, version, contentChanges) {
      void connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges,
      });
      return client.diagnostics(uri, version);
    },
    close() {
      handle.dispose();
      connection.dispose();
      server.dispose();
    },
  };
  connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
    p.items.map((i) => (i.section === 'daxlayout' ? client.settings : null)),
  );
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const result = await connection.sendRequest(InitializeRequest.type, {
    processId: null,
    rootUri: null,
    capabilities,
    workspaceFolders: (init.workspaceFolders ?? []).map((f) => ({ uri: uriOf(f), name: f })),
    ...(init.initializationOptions !== undefined ? { initializationOptions: init.initializationOptions } : {}),
  });
  (client as { initialize: InitializeResult }).initialize = result;
  await connection.sendNotification(InitializedNotification.type, {});
  return client;
}
