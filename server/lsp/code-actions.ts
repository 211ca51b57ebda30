// textDocument/codeAction (+ codeAction/resolve): the quick fixes of the
// findings in the range. A fix applied to a formatted document leaves it
// formatted: the fixed text is run through the formatter and sent as one
// minimal edit. Formatting a large file costs tens of milliseconds, so when the
// client can resolve edits lazily the edit is computed only for the chosen action.

import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import { format, type Analysis, type Finding, type Fix } from '../core/index';
import { applySpans, minimalEdit, toDiagnostic, toRange, toSpan } from './convert';
import type { Analysed, Session } from './session';

interface ActionData {
  readonly uri: string;
  readonly version: number;
  readonly finding: number;
  readonly fix: number;
}

const formattedCache = new WeakMap<Analysis, boolean>();

function isFormatted(a: Analysis): boolean {
  let v = formattedCache.get(a);
  if (v === undefined) formattedCache.set(a, (v = format(a.text) === a.text));
  return v;
}

function sameDiagnostic(d: Diagnostic, f: Finding, s: Analysed): boolean {
  if (d.code !== f.code) return false;
  const r = toSpan(s.doc, d.range);
  return r.start === f.span.start && r.end === f.span.end;
}

function fixEdits(s: Analysed, fix: Fix): TextEdit[] {
  const text = s.analysis.text;
  if (isFormatted(s.analysis)) {
    const after = format(applySpans(text, fix.edits));
    if (after !== undefined) {
      const edit = minimalEdit(s.doc, text, after);
      return edit ? [edit] : [];
    }
  }
  return fix.edits.map((e) => ({ range: toRange(s.doc, e.span), newText: e.newText }));
}

export function codeActions(session: Session, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  if (only && !only.some((k) => k === CodeActionKind.Empty || k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.'))) return [];
  const s = session.analysed(params.textDocument.uri);
  if (!s) return [];
  const lazy = session.client().codeActionResolveEdit;
  const range = toSpan(s.doc, params.range);
  const out: CodeAction[] = [];
  s.analysis.findings.forEach((f, i) => {
    if (!f.fixes?.length || f.span.end < range.start || f.span.start > range.end) return;
    const diagnostic = params.context.diagnostics.find((d) => sameDiagnostic(d, f, s)) ?? toDiagnostic(s.doc, f, { relatedInformation: session.client().relatedInformation });
    f.fixes.forEach((fix, j) => {
      const data: ActionData = { uri: s.doc.uri, version: s.doc.version, finding: i, fix: j };
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        ...(f.fixes?.length === 1 ? { isPreferred: true } : {}),
        ...(lazy ? { data } : { edit: { changes: { [s.doc.uri]: fixEdits(s, fix) } } }),
      });
    });
  });
  return out;
}

/** Fills in the edit of an action chosen from a lazy list (nothing when the document has changed since). */
export function resolveCodeAction(session: Session, action: CodeAction): CodeAction {
  const d = action.data as ActionData | undefined;
  if (!d || typeof d.uri !== 'string') return action;
  const s = session.analysed(d.uri);
  if (!s || s.doc.version !== d.version) return action;
  const fix = s.analysis.findings[d.finding]?.fixes?.[d.fix];
  if (!fix || fix.title !== action.title) return action;
  return { ...action, edit: { changes: { [s.doc.uri]: fixEdits(s, fix) } } };
}
