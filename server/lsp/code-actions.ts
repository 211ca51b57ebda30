// textDocument/codeAction: the quick fixes of the findings in the range. A fix
// applied to a formatted document leaves it formatted: the fixed text is run
// through the formatter and sent as one minimal edit.

import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import { format, type Finding, type Fix } from '../core/index';
import { applySpans, minimalEdit, toDiagnostic, toRange, toSpan } from './convert';
import type { Analysed, Session } from './session';

function sameDiagnostic(d: Diagnostic, f: Finding, s: Analysed): boolean {
  if (d.code !== f.code) return false;
  const r = toSpan(s.doc, d.range);
  return r.start === f.span.start && r.end === f.span.end;
}

function fixEdits(s: Analysed, fix: Fix, formatted: () => boolean): TextEdit[] {
  const text = s.analysis.text;
  if (formatted()) {
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
  if (only && !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.') || k === CodeActionKind.Empty)) return [];
  const s = session.analysed(params.textDocument.uri);
  if (!s) return [];
  const range = toSpan(s.doc, params.range);
  let isFormatted: boolean | undefined;
  const formatted = () => (isFormatted ??= format(s.analysis.text) === s.analysis.text);
  const out: CodeAction[] = [];
  for (const f of s.analysis.findings) {
    if (!f.fixes?.length || f.span.end < range.start || f.span.start > range.end) continue;
    const diagnostic = params.context.diagnostics.find((d) => sameDiagnostic(d, f, s)) ?? toDiagnostic(s.doc, f, { relatedInformation: session.client().relatedInformation });
    for (const fix of f.fixes) {
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        ...(f.fixes.length === 1 ? { isPreferred: true } : {}),
        edit: { changes: { [s.doc.uri]: fixEdits(s, fix, formatted) } },
      });
    }
  }
  return out;
}
