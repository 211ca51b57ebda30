// textDocument/semanticTokens/full: the core's tokens, delta-encoded by line and character.

import type { SemanticTokens, SemanticTokensLegend, SemanticTokensParams } from 'vscode-languageserver/node';
import { semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from '../core/index';
import type { Session } from './session';

export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

export function semanticTokensFull(session: Session, params: SemanticTokensParams): SemanticTokens {
  const s = session.syntax(params.textDocument.uri);
  if (!s) return { data: [] };
  const data: number[] = [];
  let line = 0;
  let char = 0;
  for (const t of semanticTokens(s.analysis)) {
    const p = s.doc.positionAt(t.span.start);
    const e = s.doc.positionAt(t.span.end);
    if (e.line !== p.line) continue; // tokens never span lines; be safe
    const mods = (t.modifiers ?? []).reduce((m, x) => m | (1 << TOKEN_MODIFIERS.indexOf(x)), 0);
    data.push(
      p.line - line,
      p.line === line ? p.character - char : p.character,
      e.character - p.character,
      TOKEN_TYPES.indexOf(t.type),
      mods,
    );
    line = p.line;
    char = p.character;
  }
  return { data };
}
