// textDocument/prepareRename and rename: host names (declaration and every
// `on HOST`) and device labels. Invalid or clashing names are refused with a message.

import {
  ErrorCodes,
  ResponseError,
  type PrepareRenameParams,
  type Range,
  type RenameParams,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { prepareRenameAt, renameAt } from '../core/index';
import { toRange } from './convert';
import type { Session } from './session';

export function prepareRename(
  session: Session,
  params: PrepareRenameParams,
): { range: Range; placeholder: string } | ResponseError<void> | null {
  const s = session.syntax(params.textDocument.uri);
  if (!s) return null;
  const r = prepareRenameAt(s.analysis, s.doc.offsetAt(params.position));
  if ('error' in r) return new ResponseError(ErrorCodes.InvalidRequest, r.error);
  return { range: toRange(s.doc, r.span), placeholder: r.placeholder };
}

export function rename(session: Session, params: RenameParams): WorkspaceEdit | ResponseError<void> | null {
  const s = session.syntax(params.textDocument.uri);
  if (!s) return null;
  const r = renameAt(s.analysis, s.doc.offsetAt(params.position), params.newName);
  if ('error' in r) return new ResponseError(ErrorCodes.InvalidParams, r.error);
  return { changes: { [s.doc.uri]: r.edits.map((e) => ({ range: toRange(s.doc, e.span), newText: e.newText })) } };
}
