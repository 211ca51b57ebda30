// The daxlayout language server: capability negotiation, document sync,
// settings and facts files, and the handlers — each wrapped so that a failure
// answers empty instead of taking the server down. Analyses run in a worker
// (analyses.ts says when, runner.ts how).

import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type ResponseError,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import { Analyses } from './analyses';
import { codeActions, resolveCodeAction } from './code-actions';
import { codeLenses, hosts } from './code-lens';
import { completion } from './completion';
import { definition } from './definition';
import { FactsStore, uriToPath } from './facts-store';
import { foldingRanges } from './folding';
import { formatting } from './formatting';
import { PieceDocument } from './document';
import { describeError, guard, guardNotification } from './guard';
import { hover } from './hover';
import { inlayHints } from './inlay-hints';
import { regionMap } from './map';
import { layoutTreeRequest } from './tree';
import { references } from './references';
import { prepareRename, rename } from './rename';
import { defaultLimits, type Limits } from './limits';
import { InlineRunner, WorkerRunner, workerScript, type AnalyzeFn } from './runner';
import { LEGEND, semanticTokensFull } from './semantic-tokens';
import { clientFeatures, type ClientFeatures, type Session } from './session';
import { documentSymbols } from './symbols';
import { HOSTS_REQUEST, LAYOUT_TREE_REQUEST, REGION_MAP_REQUEST, type HostInfo, type HostsParams } from './protocol';

export const SERVER_VERSION = '0.1.0';

export interface ServerOptions {
  /**
   * An analysis function run on the message loop instead of the worker (tests
   * inject faults with it; a function cannot cross to a worker). Default: the
   * core's analyzeFleet, in the analysis worker.
   */
  readonly analyze?: AnalyzeFn;
  /** Watch the folders of facts files with fs.watch (default true). */
  readonly watchFacts?: boolean;
  /** Limits (default: limits.ts, with the environment's overrides). */
  readonly limits?: Partial<Limits>;
  /** The worker bundle (default: analysis-worker.cjs beside this bundle). */
  readonly workerScript?: string;
  /** The worker's `#!daxlayout-test:` hooks (default: DAXLAYOUT_LSP_TEST_FAULTS=1 in the environment). */
  readonly testFaults?: boolean;
  /** Told when the client sends `shutdown` (main.ts exits 0 rather than 1 when the input ends after it). */
  readonly onShutdown?: () => void;
}

export function capabilities(features: ClientFeatures): ServerCapabilities {
  return {
    positionEncoding: 'utf-16',
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    hoverProvider: true,
    completionProvider: { triggerCharacters: [' ', '"', '/'], resolveProvider: false },
    codeActionProvider: features.codeActionLiterals
      ? { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: features.codeActionResolveEdit }
      : true,
    documentFormattingProvider: true,
    documentSymbolProvider: { label: 'daxlayout' },
    foldingRangeProvider: true,
    semanticTokensProvider: { legend: LEGEND, full: true, range: false },
    definitionProvider: true,
    referencesProvider: true,
    renameProvider: features.prepareRename ? { prepareProvider: true } : true,
    inlayHintProvider: { resolveProvider: false },
    codeLensProvider: { resolveProvider: false },
    workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
  };
}

/** `daxlayout.factsSearchPaths`: extra folders to look for facts files in. */
function searchPaths(settings: unknown): string[] {
  const s = (settings ?? {}) as { factsSearchPaths?: unknown };
  return Array.isArray(s.factsSearchPaths)
    ? s.factsSearchPaths.filter((x): x is string => typeof x === 'string' && x.trim() !== '')
    : [];
}

export function createServer(connection: Connection, options: ServerOptions = {}): { dispose(): void } {
  // The documents' own update (document.ts: no copy of the text per change), one change at a
  // time, telling the analyses where each edit was (they map an older analysis onto the current
  // text through them: edit-log.ts).
  const documents = new TextDocuments<TextDocument>({
    create: (uri, languageId, version, content) => new PieceDocument(uri, languageId, version, content),
    update(doc, changes, version) {
      const d = doc as unknown as PieceDocument;
      if (changes.length === 0) {
        d.update(changes, version);
        return d;
      }
      for (const c of changes) {
        if ('range' in c) {
          const a = d.offsetAt(c.range.start);
          const b = d.offsetAt(c.range.end);
          d.update([c], version);
          analyses.edited(d.uri, version, Math.min(a, b), Math.max(a, b), c.text.length);
        } else {
          d.update([c], version);
          analyses.replaced(d.uri, version);
        }
      }
      return doc;
    },
  });
  let features = clientFeatures({});
  const log = (message: string) => {
    try {
      connection.console.error(message);
    } catch {
      // the connection is gone: nothing to log to
    }
  };
  const facts = new FactsStore((path) => analyses.factsChanged([path]), options.watchFacts ?? true);
  const limits: Limits = { ...defaultLimits(), ...options.limits };
  const runner = options.analyze
    ? new InlineRunner(options.analyze, facts)
    : new WorkerRunner(
        options.workerScript ?? workerScript(),
        limits,
        options.testFaults ?? process.env.DAXLAYOUT_LSP_TEST_FAULTS === '1',
        log,
      );
  const analyses = new Analyses(connection, documents, facts, runner, limits, () => features.relatedInformation, log);

  const session: Session = {
    connection,
    documents,
    client: () => features,
    limits,
    syntax: (uri) => analyses.syntax(uri),
    view: (uri, wait) => analyses.view(uri, wait),
    factsFile: (uri, path) => facts.locate(uri, path),
    pathBases: (uri) => facts.candidates(uri, '.'),
    log,
  };

  function applySettings(settings: unknown): void {
    const paths = searchPaths(settings);
    if (paths.join('\n') === facts.searchPaths.join('\n')) return;
    facts.searchPaths = paths;
    analyses.revalidateAll();
  }

  async function pullSettings(): Promise<void> {
    try {
      applySettings(await connection.workspace.getConfiguration('daxlayout'));
    } catch (e) {
      log(`daxlayout: cannot read the settings: ${describeError(e)}`);
    }
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    features = clientFeatures(params.capabilities ?? {});
    const folders = (params.workspaceFolders ?? [])
      .map((f) => uriToPath(f.uri))
      .filter((x): x is string => x !== undefined);
    const root = params.rootUri ? uriToPath(params.rootUri) : undefined;
    facts.workspaceFolders = folders.length > 0 ? folders : root ? [root] : [];
    if (params.initializationOptions) applySettings(params.initializationOptions);
    return { capabilities: capabilities(features), serverInfo: { name: 'daxlayout', version: SERVER_VERSION } };
  });

  connection.onInitialized(() => {
    const register = (p: Promise<unknown>) =>
      void p.catch((e) => log(`daxlayout: registration refused: ${describeError(e)}`));
    if (features.configurationChangeDynamic)
      register(connection.client.register(DidChangeConfigurationNotification.type, { section: 'daxlayout' }));
    if (features.watchedFilesDynamic) {
      // Facts files are JSON (facts, daxctl output) or text (capture dumps); the server keeps the ones its layouts read.
      register(
        connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/*.json' }, { globPattern: '**/*.txt' }],
        }),
      );
    }
    if (features.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(
        guardNotification(session, 'workspace folders', (e) => {
          const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
          const added = e.added.map((f) => uriToPath(f.uri)).filter((x): x is string => x !== undefined);
          facts.workspaceFolders = [...facts.workspaceFolders.filter((f) => !removed.has(f)), ...added];
          analyses.revalidateAll();
        }),
      );
    }
    if (features.configuration) void pullSettings();
  });

  connection.onDidChangeConfiguration(
    guardNotification(session, 'configuration', (params) => {
      if (features.configuration) void pullSettings();
      else applySettings((params.settings as { daxlayout?: unknown } | null)?.daxlayout);
    }),
  );

  connection.onDidChangeWatchedFiles(
    guardNotification(session, 'watched files', (params) => {
      analyses.factsChanged(params.changes.map((c) => uriToPath(c.uri)).filter((x): x is string => x !== undefined));
    }),
  );

  documents.onDidChangeContent(guardNotification(session, 'document change', (e) => analyses.schedule(e.document.uri)));
  documents.onDidClose(guardNotification(session, 'document close', (e) => analyses.closed(e.document.uri)));

  const h = <P, R>(
    name: string,
    empty: R,
    fn: (s: Session, p: P) => R | ResponseError<void> | Promise<R | ResponseError<void>>,
  ) => guard<P, R>(session, name, empty, (p) => fn(session, p));
  connection.onHover(h('hover', null, hover));
  connection.onCompletion(h('completion', null, completion));
  connection.onCodeAction(h('codeAction', [], codeActions));
  // a failed resolve answers the action as it came (without an edit)
  connection.onCodeActionResolve((action) =>
    guard(session, 'codeAction/resolve', action, () => resolveCodeAction(session, action))(action),
  );
  connection.onDocumentFormatting(h('formatting', [], formatting));
  connection.onDocumentSymbol(h('documentSymbol', [], documentSymbols));
  connection.onFoldingRanges(h('foldingRange', [], foldingRanges));
  connection.languages.semanticTokens.on(h('semanticTokens', { data: [] }, semanticTokensFull));
  connection.onDefinition(h('definition', [], definition));
  connection.onReferences(h('references', [], references));
  connection.onPrepareRename(h('prepareRename', null, prepareRename));
  connection.onRenameRequest(h('rename', null, rename));
  connection.languages.inlayHint.on(h('inlayHint', [], inlayHints));
  connection.onCodeLens(h('codeLens', [], codeLenses));
  connection.onRequest(HOSTS_REQUEST, h<HostsParams, HostInfo[]>('hosts', [], hosts));
  // the editor's region map (map.ts) and tree (tree.ts)
  connection.onRequest(REGION_MAP_REQUEST, h('regionMap', null, regionMap));
  connection.onRequest(LAYOUT_TREE_REQUEST, h('layoutTree', null, layoutTreeRequest));

  const dispose = () => {
    analyses.dispose();
    facts.dispose();
  };
  connection.onShutdown(() => {
    options.onShutdown?.();
    dispose();
  });
  documents.listen(connection);
  return { dispose };
}
