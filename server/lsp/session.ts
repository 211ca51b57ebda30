// What the handlers share: the connection, the open documents, their analyses
// (cached per version) and what the client said it supports.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ClientCapabilities, Connection, TextDocuments } from 'vscode-languageserver/node';
import type { Analysis } from '../core/index';

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
  /** The analysis of the document's current version (computed now if stale), or undefined when it is not open. */
  analysed(uri: string): Analysed | undefined;
  /** Where a facts path written in the document resolves to, when the file exists. */
  factsFile(uri: string, path: string): string | undefined;
  log(message: string): void;
}
