// textDocument/inlayHint: `→ dax0.1 @ 0x140000000` after each device label; `= 256 MiB` after `size rest`.

// From the last finished analysis; hints in a part changed since it are left out.

import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver/node';
import { inlayHints as hintsOf } from '../core/index';
import { toSpan } from './convert';
import type { Session } from './session';

export async function inlayHints(session: Session, params: InlayHintParams): Promise<InlayHint[]> {
  const v = await session.view(params.textDocument.uri, 'settled');
  if (!v) return [];
  const range = toSpan(v.doc, params.range);
  const out: InlayHint[] = [];
  for (const h of hintsOf(v.analysis, v.current ? range : undefined)) {
    const at = v.toCurrent({ start: h.offset, end: h.offset });
    if (!at || at.start < range.start || at.start > range.end) continue;
    out.push({
      position: v.doc.positionAt(at.start),
      label: h.label,
      kind: InlayHintKind.Type,
      paddingLeft: true,
      ...(h.tooltip ? { tooltip: h.tooltip } : {}),
    });
  }
  return out;
}
