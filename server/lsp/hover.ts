// textDocument/hover: the core's HoverInfo, rendered as Markdown.

import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { hoverAt } from '../core/index';
import { toRange } from './convert';
import { renderHover } from './markdown';
import type { Session } from './session';

export function hover(session: Session, params: HoverParams): Hover | null {
  const s = session.analysed(params.textDocument.uri);
  if (!s) return null;
  const info = hoverAt(s.analysis, s.doc.offsetAt(params.position));
  if (!info) return null;
  const value = renderHover(info);
  return {
    contents: { kind: session.client().markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value },
    range: toRange(s.doc, info.span),
  };
}
