// Semantic tokens as offsets and kinds: keywords, names, numbers, strings, comments.

import type { Property, Span, Value } from '../../../grammar/src/ast';
import type { Analysis } from '../analysis/types';
import { onKeywordSpan } from './locate';

export const TOKEN_TYPES = ['keyword', 'namespace', 'variable', 'enumMember', 'number', 'string', 'comment'] as const;
export const TOKEN_MODIFIERS = ['declaration'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export interface SemanticToken {
  readonly span: Span;
  readonly type: TokenType;
  readonly modifiers?: readonly TokenModifier[];
}

/** Word values that are part of the language rather than names. */
const ENUM_KEYS = new Set(['mode', 'arch', 'auto-online', 'size', 'colours', 'colors', 'expect']);

function value(out: SemanticToken[], key: string, v: Value): void {
  switch (v.kind) {
    case 'number':
      out.push({ span: v.span, type: 'number' });
      break;
    case 'string':
      out.push({ span: v.span, type: 'string' });
      break;
    case 'range':
      for (const n of [v.start, v.end, v.length]) if (n) out.push({ span: n.span, type: 'number' });
      break;
    case 'word':
      out.push({ span: v.span, type: ENUM_KEYS.has(key) ? 'enumMember' : 'variable' });
      break;
  }
}

function properties(out: SemanticToken[], props: readonly Property[]): void {
  for (const p of props) {
    out.push({ span: p.key.span, type: 'keyword' });
    for (const v of p.values) value(out, p.key.text, v);
  }
}

/** All tokens, sorted by offset, none overlapping. */
export function semanticTokens(a: Analysis): SemanticToken[] {
  const out: SemanticToken[] = [];
  for (const d of a.file.declarations) {
    out.push({ span: d.keyword, type: 'keyword' });
    if (d.kind === 'host') {
      if (d.name) out.push({ span: d.name.span, type: 'namespace', modifiers: ['declaration'] });
      properties(out, d.properties);
      continue;
    }
    if (d.cxl) out.push({ span: d.cxl, type: 'keyword' });
    if (d.label) out.push({ span: d.label.span, type: 'variable', modifiers: ['declaration'] });
    if (d.id) out.push({ span: d.id.span, type: 'number' });
    const on = onKeywordSpan(a.text, d);
    if (on) out.push({ span: on, type: 'keyword' });
    if (d.host) out.push({ span: d.host.span, type: 'namespace' });
    properties(out, d.properties);
    for (const dev of d.devices) {
      out.push({ span: dev.keyword, type: 'keyword' });
      if (dev.label) out.push({ span: dev.label.span, type: 'variable', modifiers: ['declaration'] });
      properties(out, dev.properties);
    }
  }
  for (const c of a.file.comments) out.push({ span: c.span, type: 'comment' });
  out.sort((x, y) => x.span.start - y.span.start);
  // A recovering parser may hand back overlapping spans; keep the first of each overlap.
  const clean: SemanticToken[] = [];
  let end = -1;
  for (const t of out) {
    if (t.span.start < end || t.span.end <= t.span.start) continue;
    clean.push(t);
    end = t.span.end;
  }
  return clean;
}
