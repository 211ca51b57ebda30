// textDocument/codeAction (+ codeAction/resolve): the quick fixes of the
// findings in the range. A fix applied to a formatted document leaves it
// formatted: the fixed text is run through the formatter and sent as one
// minimal edit. Formatting a large file costs tens of milliseconds, so when the
// client can resolve edits lazily the edit is computed only for the chosen action.
//
// Fixes come from the last finished analysis. When it is of an older text, a
// finding is offered only when it and every edit of its fix lie in a part of
// the text unchanged since (they are moved to where that part is now).

import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { applyEdits, format, type Finding, type Fix } from '../core/index';
import { minimalEdit, toDiagnostic, toRange, toSpan } from './convert';
import type { Session, View } from './session';

interface ActionData {
  readonly uri: string;
  readonly version: number;
  readonly finding: number;
  readonly fix: number;
}

/** Whether the current text of a document is formatted, remembered for its latest version. */
const formattedCache = new Map<string, { version: number; text: string; formatted: boolean }>();

function isFormatted(doc: TextDocument): boolean {
  const text = doc.getText();
  const hit = formattedCache.get(doc.uri);
  if (hit && hit.version === doc.version && hit.text === text) return hit.formatted;
  const formatted = format(text) === text;
  formattedCache.set(doc.uri, { version: doc.version, text, formatted });
  // only open documents' entries are worth keeping; a handful at most
  if (formattedCache.size > 16) formattedCache.delete(formattedCache.keys().next().value as string);
  return formatted;
}

/** The view's findings with fixes, in offsets of the current text; those touching a changed part are left out. */
function currentFindings(v: View): Finding[] {
  if (v.current) return v.analysis.findings;
  const out: Finding[] = [];
  for (const f of v.analysis.findings) {
    const span = v.toCurrent(f.span);
    if (!span) continue;
    const fixes: Fix[] = [];
    for (const x of f.fixes ?? []) {
      const edits = x.edits.map((e) => ({ span: v.toCurrent(e.span), newText: e.newText }));
      if (edits.every((e) => e.span)) fixes.push({ title: x.title, edits: edits as Fix['edits'] });
    }
    const related = (f.related ?? []).flatMap((r) => {
      const s = v.toCurrent(r.span);
      return s ? [{ span: s, message: r.message }] : [];
    });
    out.push({ ...f, span, fixes, related });
  }
  return out;
}

function sameDiagnostic(d: Diagnostic, f: Finding, doc: TextDocument): boolean {
  if (d.code !== f.code) return false;
  const r = toSpan(doc, d.range);
  return r.start === f.span.start && r.end === f.span.end;
}

function fixEdits(doc: TextDocument, fix: Fix): TextEdit[] {
  const text = doc.getText();
  if (isFormatted(doc)) {
    const after = format(applyEdits(text, fix.edits));
    if (after !== undefined) {
      const edit = minimalEdit(doc, text, after);
      return edit ? [edit] : [];
    }
  }
  return fix.edits.map((e) => ({ range: toRange(doc, e.span), newText: e.newText }));
}

export async function codeActions(session: Session, params: CodeActionParams): Promise<CodeAction[]> {
  const only = params.context.only;
  if (
    only &&
    !only.some(
      (k) => k === CodeActionKind.Empty || k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.'),
    )
  )
    return [];
  const v = await session.view(params.textDocument.uri, 'settled');
  if (!v) return [];
  const doc = v.doc;
  const lazy = session.client().codeActionResolveEdit;
  const range = toSpan(doc, params.range);
  const out: CodeAction[] = [];
  currentFindings(v).forEach((f, i) => {
    if (!f.fixes?.length || f.span.end < range.start || f.span.start > range.end) return;
    const diagnostic =
      params.context.diagnostics.find((d) => sameDiagnostic(d, f, doc)) ??
      toDiagnostic(doc, f, { relatedInformation: session.client().relatedInformation });
    f.fixes.forEach((fix, j) => {
      const data: ActionData = { uri: doc.uri, version: doc.version, finding: i, fix: j };
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        ...(f.fixes?.length === 1 ? { isPreferred: true } : {}),
        ...(lazy ? { data } : { edit: { changes: { [doc.uri]: fixEdits(doc, fix) } } }),
      });
    });
  });
  return out;
}

/** Fills in the edit of an action chosen from a lazy list (nothing when the document has changed since). */
export async function resolveCodeAction(session: Session, action: CodeAction): Promise<CodeAction> {
  const d = action.data as ActionData | undefined;
  if (!d || typeof d.uri !== 'string') return action;
  const v = await session.view(d.uri, 'none');
  if (!v || v.doc.version !== d.version) return action;
  const fix = currentFindings(v)[d.finding]?.fixes?.[d.fix];
  if (!fix || fix.title !== action.title) return action;
  return { ...action, edit: { changes: { [v.doc.uri]: fixEdits(v.doc, fix) } } };
}
