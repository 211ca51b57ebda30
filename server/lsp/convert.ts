// Offsets ↔ LSP positions (UTF-16, through TextDocument), and findings → diagnostics.
// The only place where spans become ranges.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Range,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { Finding, Fix, Severity } from '../core/index';
import { rulePage } from '../cli/rule-pages';

export interface Span {
  readonly start: number;
  readonly end: number;
}

export function toRange(doc: TextDocument, span: Span): Range {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}

export function toSpan(doc: TextDocument, range: Range): Span {
  return { start: doc.offsetAt(range.start), end: doc.offsetAt(range.end) };
}

const SEVERITY: Readonly<Record<Severity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export interface LspFix {
  readonly title: string;
  readonly edits: TextEdit[];
}

/** What a diagnostic carries in `data`: its fixes, as LSP edits of the version it was computed for. */
export interface DiagnosticData {
  readonly fixes: LspFix[];
}

export function toLspFix(doc: TextDocument, fix: Fix): LspFix {
  return { title: fix.title, edits: fix.edits.map((e) => ({ range: toRange(doc, e.span), newText: e.newText })) };
}

export interface DiagnosticOptions {
  /** The client shows relatedInformation; otherwise the notes go into the message. */
  readonly relatedInformation: boolean;
}

export function toDiagnostic(doc: TextDocument, f: Finding, options: DiagnosticOptions): Diagnostic {
  const related: DiagnosticRelatedInformation[] = (f.related ?? []).map((r) => ({
    location: { uri: doc.uri, range: toRange(doc, r.span) },
    message: r.message,
  }));
  let message = f.message;
  if (!options.relatedInformation && f.related?.length) {
    message += f.related.map((r) => `\n  line ${doc.positionAt(r.span.start).line + 1}: ${r.message}`).join('');
  }
  const data: DiagnosticData = { fixes: (f.fixes ?? []).map((x) => toLspFix(doc, x)) };
  return {
    range: toRange(doc, f.span),
    // what had to be assumed (DAX007) is a hint (faint dots, no squiggle): the host's hover says it too
    severity: f.code === 'DAX007' && f.severity === 'info' ? DiagnosticSeverity.Hint : SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: rulePage(f.code) },
    source: 'daxlayout',
    message,
    ...(options.relatedInformation && related.length > 0 ? { relatedInformation: related } : {}),
    data,
  };
}

/** One edit turning `before` into `after`: the differing middle, common prefix and suffix kept. */
export function minimalEdit(doc: TextDocument, before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let p = 0;
  const max = Math.min(before.length, after.length);
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  // do not split a surrogate pair
  if (p > 0 && isHighSurrogate(before.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  if (s > 0 && isLowSurrogate(before.charCodeAt(before.length - s))) s--;
  return { range: toRange(doc, { start: p, end: before.length - s }), newText: after.slice(p, after.length - s) };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
