// textDocument/formatting: the grammar's formatter. No edits when the text has syntax errors,
// or is too large to parse on the message loop (limits.ts).

import type { DocumentFormattingParams, TextEdit } from 'vscode-languageserver/node';
import { format } from '../core/index';
import { minimalEdit } from './convert';
import type { Session } from './session';

export function formatting(session: Session, params: DocumentFormattingParams): TextEdit[] {
  const doc = session.documents.get(params.textDocument.uri);
  if (!doc) return [];
  const text = doc.getText();
  if (text.length > session.limits.mainThreadBytes) return [];
  const out = format(text);
  if (out === undefined) return [];
  const edit = minimalEdit(doc, text, out);
  return edit ? [edit] : [];
}
