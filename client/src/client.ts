// Starts the bundled language server (dist/server.js) over stdio and keeps a status item in
// step with it. A restart builds a fresh LanguageClient, so it works from any state,
// including after a failed start.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CodeLensRequest,
  InlayHintRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { HOSTS_REQUEST, type HostInfo, type HostsParams } from '../../server/lsp/protocol';
import { ServerStatus } from './status';

const SECTION = 'daxlayout';

/** Sent as `initializationOptions`; the server also reads the `daxlayout` settings section. */
export interface InitializationOptions {
  /** `daxlayout.factsSearchPaths`, resolved to absolute folders. */
  factsSearchPaths: string[];
}

export class DaxClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private clientSubscriptions: vscode.Disposable[] = [];
  private readonly status = new ServerStatus();
  private readonly configWatch: vscode.Disposable;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {
    // Facts search paths outside the workspace are watched through the client's file
    // events, which are fixed when a client is built: a change restarts the server.
    this.configWatch = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.factsSearchPaths`)) void this.restart();
      if (
        e.affectsConfiguration(`${SECTION}.codeLens.enabled`) ||
        e.affectsConfiguration(`${SECTION}.inlayHints.enabled`)
      )
        this.refreshLensesAndHints();
    });
  }

  async start(): Promise<void> {
    if (this.client) return;
    const client = this.create();
    this.client = client;
    try {
      await client.start();
    } catch (err) {
      this.status.set('error', err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    for (const d of this.clientSubscriptions.splice(0)) d.dispose();
    if (!client) return;
    try {
      if (client.needsStop()) await client.stop();
    } catch (err) {
      this.output.warn(`stopping the language server failed: ${String(err)}`);
    } finally {
      await client.dispose().catch(() => undefined);
    }
  }

  /** Asks VS Code to ask again for code lenses and inlay hints (a setting turned them on or off). */
  private refreshLensesAndHints(): void {
    const client = this.client;
    if (!client?.isRunning()) return;
    for (const doc of vscode.workspace.textDocuments.filter((d) => d.languageId === 'dax')) {
      client.getFeature(CodeLensRequest.method)?.getProvider(doc)?.onDidChangeCodeLensEmitter.fire();
      client.getFeature(InlayHintRequest.method)?.getProvider(doc)?.onDidChangeInlayHints.fire();
    }
  }

  /** The host blocks of an open layout, from the server (`daxlayout/hosts`). */
  async hosts(doc: vscode.TextDocument): Promise<HostInfo[]> {
    if (!this.client) await this.start();
    const client = this.client;
    if (!client) return [];
    if (!client.isRunning()) await client.start();
    const params: HostsParams = { uri: client.code2ProtocolConverter.asUri(doc.uri) };
    return client.sendRequest<HostInfo[]>(HOSTS_REQUEST, params);
  }

  async restart(): Promise<void> {
    this.output.info('restarting the language server');
    await this.stop();
    await this.start();
  }

  /**
   * Sends a custom request (`daxlayout/regionMap`, `daxlayout/layoutTree`) once the server runs;
   * undefined when it does not start within `waitMs` (the views ask again on the next event).
   */
  async request<R>(method: string, params: unknown, waitMs = 10_000): Promise<R | undefined> {
    const client = this.client;
    if (!client) return undefined;
    if (!client.isRunning()) {
      const running = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => (sub.dispose(), resolve(false)), waitMs);
        const sub = client.onDidChangeState(({ newState }) => {
          if (newState === State.Starting) return;
          clearTimeout(timer);
          sub.dispose();
          resolve(newState === State.Running);
        });
      });
      if (!running || client !== this.client) return undefined;
    }
    return client.sendRequest<R>(method, params);
  }

  dispose(): void {
    void this.stop();
    this.configWatch.dispose();
    this.status.dispose();
  }

  private create(): LanguageClient {
    const module = this.context.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.stdio },
      debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };

    const factsSearchPaths = resolvedSearchPaths();
    const watchers = [
      vscode.workspace.createFileSystemWatcher('**/*.json'),
      ...factsSearchPaths.map((dir) =>
        vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '**/*.json')),
      ),
    ];
    this.clientSubscriptions.push(...watchers);

    const initializationOptions: InitializationOptions = { factsSearchPaths };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: 'dax' }],
      synchronize: { fileEvents: watchers, configurationSection: SECTION },
      initializationOptions,
      outputChannel: this.output,
      // daxlayout.codeLens.enabled / daxlayout.inlayHints.enabled turn them off for .dax files
      middleware: {
        provideCodeLenses: (doc, token, next) => (setting(doc.uri, 'codeLens.enabled') ? next(doc, token) : []),
        provideInlayHints: (doc, range, token, next) =>
          setting(doc.uri, 'inlayHints.enabled') ? next(doc, range, token) : [],
      },
    };

    const client = new LanguageClient(SECTION, 'daxlayout', serverOptions, clientOptions);
    this.clientSubscriptions.push(
      client.onDidChangeState(({ newState }) => {
        if (client !== this.client) return;
        if (newState === State.Starting) this.status.set('starting');
        else if (newState === State.Running) this.status.set('ready');
        // stop() forgets the client first, so a stop seen here was not asked for: the server
        // died more often than the client's restart policy allows.
        else this.status.set('error', 'the server stopped');
      }),
    );
    this.status.set('starting');
    return client;
  }
}

function setting(uri: vscode.Uri, key: string): boolean {
  return vscode.workspace.getConfiguration(SECTION, uri).get<boolean>(key) !== false;
}

function resolvedSearchPaths(): string[] {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const base = folders[0]?.uri.scheme === 'file' ? folders[0].uri.fsPath : undefined;
  const raw = vscode.workspace.getConfiguration(SECTION).get<string[]>('factsSearchPaths') ?? [];
  return raw
    .filter((p) => typeof p === 'string' && p.trim() !== '')
    .map((p) => (path.isAbsolute(p) || !base ? p : path.resolve(base, p)));
}
