// textDocument/references: a host's declaration and every `on HOST`.

import type { Location, ReferenceParams } from 'vscode-languageserver/node';
import { referencesAt } from '../core/index';
import { toRange } from './convert';
import type { Session } from './session';

export function references(session: Session, params: ReferenceParams): Location[] {
  const s = session.syntax(params.textDocument.uri);
  if (!s) return [];
  return referencesAt(s.analysis, s.doc.offsetAt(params.position), params.context.includeDeclaration).map((span) => ({
    uri: s.doc.uri,
    range: toRange(s.doc, span),
  }));
}
