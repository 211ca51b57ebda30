// textDocument/hover: the core's HoverInfo, rendered as Markdown. From the last
// finished analysis (a short wait when the worker has just finished the current
// version); while a newer version is being analysed, from the older analysis
// where the text has not been edited since (elsewhere: no hover). Without any
// analysis (the core failed on the document), from the syntax of the current text.

import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { hoverAt, type HoverInfo } from '../core/index';
import { toRange, type Span } from './convert';
import { renderHover } from './markdown';
import type { Session } from './session';

export async function hover(session: Session, params: HoverParams): Promise<Hover | null> {
  const uri = params.textDocument.uri;
  const v = await session.view(uri, 'settled');
  const doc = session.documents.get(uri);
  if (!doc) return null;
  const offset = doc.offsetAt(params.position);
  let found: { info: HoverInfo; span: Span } | undefined;
  if (v && v.doc === doc) {
    // from the analysis, only what lies in a part of the text not edited since
    const o = v.toAnalysis(offset);
    const info = o === undefined ? undefined : hoverAt(v.analysis, o);
    const span = info && v.toCurrent(info.span);
    if (!info || !span) return null;
    found = { info, span };
  } else {
    // no analysis at all (the core failed on this document): the syntax of the current text
    const s = session.syntax(uri);
    const info = s ? hoverAt(s.analysis, offset) : undefined;
    if (info) found = { info, span: info.span };
  }
  if (!found) return null;
  return {
    contents: {
      kind: session.client().markdown ? MarkupKind.Markdown : MarkupKind.PlainText,
      value: renderHover(found.info),
    },
    range: toRange(doc, found.span),
  };
}
