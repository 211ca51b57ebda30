// A finding is what a rule reports: a stable code, a severity, a message that
// states the fact and the fix, the span it is about, and optional related
// places and fixes. Plain data: the LSP layer turns it into a Diagnostic.

import type { Span } from '../../../grammar/src/ast';

export type Severity = 'error' | 'warning' | 'info';

export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
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
