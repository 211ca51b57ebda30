// textDocument/foldingRange: blocks (the closing brace stays visible) and runs of comment lines.

import { FoldingRangeKind, type FoldingRange, type FoldingRangeParams } from 'vscode-languageserver/node';
import { folds } from '../core/index';
import type { Session } from './session';

export function foldingRanges(session: Session, params: FoldingRangeParams): FoldingRange[] {
  const s = session.syntax(params.textDocument.uri);
  if (!s) return [];
  const text = s.analysis.text;
  const out: FoldingRange[] = [];
  for (const f of folds(s.analysis)) {
    const startLine = s.doc.positionAt(f.span.start).line;
    const end = s.doc.positionAt(f.span.end);
    let endLine = end.line;
    // `}` first on its line: fold up to the line before, so it stays visible.
    if (f.kind === 'block' && text.slice(f.span.end - end.character, f.span.end).trim() === '') endLine--;
    if (endLine <= startLine) continue;
    out.push({ startLine, endLine, ...(f.kind === 'comment' ? { kind: FoldingRangeKind.Comment } : {}) });
  }
  const limit = session.client().foldingRangeLimit;
  return limit !== undefined ? out.slice(0, limit) : out;
}
