// textDocument/inlayHint: `→ dax0.1 @ 0x140000000` after each device label; `= 256 MiB` after `size rest`.

import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver/node';
import { inlayHints as hintsOf } from '../core/index';
import { toSpan } from './convert';
import type { Session } from './session';

export function inlayHints(session: Session, params: InlayHintParams): InlayHint[] {
  const s = session.analysed(params.textDocument.uri);
  if (!s) return [];
  return hintsOf(s.analysis, toSpan(s.doc, params.range)).map((h) => ({
    position: s.doc.positionAt(h.offset),
    label: h.label,
    kind: InlayHintKind.Type,
    paddingLeft: true,
    ...(h.tooltip ? { tooltip: h.tooltip } : {}),
  }));
}
