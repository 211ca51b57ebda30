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

export const RULE_DOCS_BASE = 'https://github.com/daxlayout/daxlayout/blob/main/docs/rules/';

export function ruleHref(code: string): string {
  return `${RULE_DOCS_BASE}${code}.md`;
}
