// What the handlers share: the connection, the open documents, their analyses
// (analyses.ts: the syntax of the current text, and the last finished analysis
// as a view of it) and what the client said it supports.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ClientCapabilities, Connection, TextDocuments } from 'vscode-languageserver/node';
import type { Analysis } from '../core/index';
import type { View, Wait } from './analyses';
import type { Limits } from './limits';

export type { View, Wait };

export interface ClientFeatures {
  readonly markdown: boolean;
  readonly snippets: boolean;
  readonly hierarchicalSymbols: boolean;
  readonly relatedInformation: boolean;
  readonly configuration: boolean;
  readonly workspaceFolders: boolean;
  readonly watchedFilesDynamic: boolean;
  readonly foldingRangeLimit?: number;
  readonly codeActionLiterals: boolean;
  /** The client resolves a code action's edit on demand (codeAction/resolve). */
  readonly codeActionResolveEdit: boolean;
  readonly prepareRename: boolean;
  readonly configurationChangeDynamic: boolean;
}

export function clientFeatures(c: ClientCapabilities): ClientFeatures {
  const td = c.textDocument;
  const limit = td?.foldingRange?.rangeLimit;
  return {
    markdown: td?.hover?.contentFormat?.includes('markdown') ?? false,
    snippets: td?.completion?.completionItem?.snippetSupport ?? false,
    hierarchicalSymbols: td?.documentSymbol?.hierarchicalDocumentSymbolSupport ?? false,
    relatedInformation: td?.publishDiagnostics?.relatedInformation ?? false,
    configuration: c.workspace?.configuration ?? false,
    workspaceFolders: c.workspace?.workspaceFolders ?? false,
    watchedFilesDynamic: c.workspace?.didChangeWatchedFiles?.dynamicRegistration ?? false,
    ...(limit !== undefined ? { foldingRangeLimit: limit } : {}),
    codeActionLiterals: td?.codeAction?.codeActionLiteralSupport !== undefined,
    codeActionResolveEdit: td?.codeAction?.resolveSupport?.properties.includes('edit') ?? false,
    prepareRename: td?.rename?.prepareSupport ?? false,
    configurationChangeDynamic: c.workspace?.didChangeConfiguration?.dynamicRegistration ?? false,
  };
}

export interface Analysed {
  readonly doc: TextDocument;
  readonly analysis: Analysis;
}

export interface Session {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  readonly client: () => ClientFeatures;
  readonly limits: Limits;
  /**
   * The current text's syntax (outline, folding, tokens, names): never waits.
   * The full analysis when it is of the current version. Undefined when the
   * document is not open or too large to parse on the message loop.
   */
  syntax(uri: string): Analysed | undefined;
  /**
   * The last finished analysis as a view of the current text: offsets map
   * through the view, and what lies in a part changed since does not map.
   * `settled` waits briefly for the current version once the worker has
   * finished it; `completion` also while the worker is at it; `none` never.
   */
  view(uri: string, wait: Wait): Promise<View | undefined>;
  /** Where a facts path written in the document resolves to, when the file exists. */
  factsFile(uri: string, path: string): string | undefined;
  /** The folders a relative facts or inventory path is looked up in, in order. */
  pathBases(uri: string): string[];
  log(message: string): void;
}
