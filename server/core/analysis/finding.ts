// A finding is what a rule reports: a stable code, a severity, a message that
// states the fact and the fix, the span it is about, and optional related
// places and fixes. Plain data: the LSP layer turns it into a Diagnostic.

import type { Span } from '../../../grammar/src/ast';

export type Severity = 'error' | 'warning' | 'info';

export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

/**
 * `text` with `edits` applied (offsets into `text`; edits do not overlap). Linear in the text and
 * the edits: one pass over the edits in order, the pieces joined once (rewriting the text per edit
 * was quadratic: renaming a host used in 10 000 regions took seconds).
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((x, y) => x.span.start - y.span.start || x.span.end - y.span.end);
  const parts: string[] = [];
  let at = 0;
  for (const e of sorted) {
    const start = Math.max(at, e.span.start);
    parts.push(text.slice(at, start), e.newText);
    at = Math.max(start, e.span.end);
  }
  parts.push(text.slice(at));
  return parts.join('');
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
}

export interface Related {
  readonly span: Span;
  readonly message: string;
}

export interface Finding {
  /** `DAXnnn` — stable, documented in docs/rules/DAXnnn.md. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly related?: readonly Related[];
  readonly fixes?: readonly Fix[];
}

/** Where the rule pages are in the repository (and in the extension's package). */
export const RULE_DOCS_BASE = 'docs/rules/';

/** A rule's page under `base` (default: its path in the repository; the CLI and the server pass a `file:` URL). */
export function ruleHref(code: string, base: string = RULE_DOCS_BASE): string {
  return `${base}${code}.md`;
}
