// textDocument/documentSymbol: hosts, regions, and their devices as children.

import {
  SymbolKind,
  type DocumentSymbol,
  type DocumentSymbolParams,
  type SymbolInformation,
} from 'vscode-languageserver/node';
import { outline, type OutlineSymbol } from '../core/index';
import { toRange } from './convert';
import type { Session } from './session';

const KIND: Readonly<Record<OutlineSymbol['kind'], SymbolKind>> = {
  host: SymbolKind.Module,
  region: SymbolKind.Struct,
  device: SymbolKind.Field,
};

/** Of the current text: with the kernel names and sizes when its analysis is there (a short wait once the worker has finished it), else without. */
export async function documentSymbols(
  session: Session,
  params: DocumentSymbolParams,
): Promise<DocumentSymbol[] | SymbolInformation[]> {
  const uri = params.textDocument.uri;
  const v = await session.view(uri, 'settled');
  const s = v?.current ? v : session.syntax(uri);
  if (!s) return [];
  const symbols = outline(s.analysis);
  if (!session.client().hierarchicalSymbols) {
    const flat: SymbolInformation[] = [];
    const add = (x: OutlineSymbol, container?: string) => {
      flat.push({
        name: x.name,
        kind: KIND[x.kind],
        location: { uri: s.doc.uri, range: toRange(s.doc, x.span) },
        ...(container ? { containerName: container } : {}),
      });
      for (const c of x.children) add(c, x.name);
    };
    symbols.forEach((x) => add(x));
    return flat;
  }
  const convert = (x: OutlineSymbol): DocumentSymbol => ({
    name: x.name,
    kind: KIND[x.kind],
    ...(x.detail ? { detail: x.detail } : {}),
    range: toRange(s.doc, x.span),
    selectionRange: toRange(s.doc, x.selectionSpan),
    children: x.children.map(convert),
  });
  return symbols.map(convert);
}
