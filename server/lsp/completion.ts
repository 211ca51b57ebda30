// textDocument/completion: the core's entries, replacing the partial word.

import {
  CompletionItemKind,
  CompletionTriggerKind,
  InsertTextFormat,
  type CompletionItem,
  type CompletionList,
  type CompletionParams,
} from 'vscode-languageserver/node';
import { completeAt, type CompletionKind } from '../core/index';
import { toRange } from './convert';
import { pathCompletion } from './paths';
import type { Session } from './session';

const KIND: Readonly<Record<CompletionKind, CompletionItemKind>> = {
  keyword: CompletionItemKind.Keyword,
  enum: CompletionItemKind.EnumMember,
  value: CompletionItemKind.Value,
  host: CompletionItemKind.Module,
  region: CompletionItemKind.Struct,
};

/**
 * Completion reads the text around the cursor, which is what was just typed: it
 * needs an analysis of the current text. It waits a little for it (the worker
 * usually finishes a small layout in a few milliseconds), else completes from
 * the syntax of the current text (keywords and values; no facts-derived sizes).
 */
export async function completion(session: Session, params: CompletionParams): Promise<CompletionList | null> {
  const uri = params.textDocument.uri;
  const v = await session.view(uri, 'completion');
  const s = v?.current ? v : session.syntax(uri);
  if (!s) return null;
  const offset = s.doc.offsetAt(params.position);
  // inside `facts "…"` or `inventory "…"`: the files there
  const files = pathCompletion(session, s.doc, s.analysis, offset);
  if (files) return { isIncomplete: false, items: files };
  if (
    params.context?.triggerKind === CompletionTriggerKind.TriggerCharacter &&
    (params.context.triggerCharacter === '"' || params.context.triggerCharacter === '/')
  )
    return null;
  const c = completeAt(s.analysis, offset);
  // A space opens the list only where a value or a header word is expected (`mode `, `region 0 on `).
  if (
    params.context?.triggerKind === CompletionTriggerKind.TriggerCharacter &&
    c.position !== 'value' &&
    c.position !== 'header'
  )
    return null;
  const range = toRange(s.doc, c.span);
  const snippets = session.client().snippets;
  const items: CompletionItem[] = c.items.map((e, i) => {
    const snippet = snippets && e.snippet !== undefined;
    return {
      label: e.label,
      kind: KIND[e.kind],
      ...(e.detail ? { detail: e.detail } : {}),
      ...(e.documentation ? { documentation: e.documentation } : {}),
      sortText: `${e.preferred ? '0' : '1'}${String(i).padStart(4, '0')}`,
      ...(e.preferred ? { preselect: true } : {}),
      textEdit: { range, newText: snippet ? (e.snippet as string) : (e.insertText ?? e.label) },
      insertTextFormat: snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    };
  });
  return { isIncomplete: false, items };
}
