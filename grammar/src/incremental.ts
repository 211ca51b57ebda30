// Re-parsing after an edit: only the top-level declarations the edit touches.
//
// `reparse(old, oldText, newText)` returns what `parse(newText)` returns, but
// lexes and parses only the part of the text between the last declaration that
// ends before the edit and the first one that starts after it. The declarations
// before that part are the old objects themselves (same identity: consumers that
// cache by declaration, such as the core's lowering and its per-host analysis
// cache, reuse their work); those after it are the old ones moved by the edit's
// length (the same objects when the length did not change).
//
// Why the result equals a full parse: the lexer matches at a position without
// looking back (except the byte-order mark, only at offset 0), and a `}` ends a
// token, so lexing from the end of a declaration gives the tokens a full lex
// gives from there; the part ends where a kept declaration starts, right after
// a blank or a `}` that no comment of the part runs through, so its last token
// ends there in a full lex too (a string ends at its line's end; an
// unterminated one is a syntax error). The file
// rule is a sequence of declarations chosen by their first token, so a
// sequence of complete declarations parses to the same declarations wherever
// it stands. Whenever that reasoning could fail — the old text or the re-parsed
// part has a syntax error (recovery looks across declarations), a declaration
// does not end with `}`, the part would start with a byte-order mark — this
// falls back to a full parse. test/grammar/incremental.test.ts compares the two
// along random edits of every sample.

import type { Comment, Declaration, DeviceDecl, HostDecl, LayoutFile, Property, RegionDecl, Span, Value } from './ast';
import { parse } from './parse';

const blankOrClose = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 125;

/** The parse of `text`, reusing `old`, the parse of `oldText`, where the edit leaves it unchanged. Never throws. */
export function reparse(old: LayoutFile, oldText: string, text: string): LayoutFile {
  try {
    return reparseUnsafe(old, oldText, text) ?? parse(text);
  } catch {
    return parse(text);
  }
}

function reparseUnsafe(old: LayoutFile, oldText: string, text: string): LayoutFile | undefined {
  if (old.errors.length > 0 || old.span.end !== oldText.length) return undefined;
  if (oldText === text) return old;
  const min = Math.min(oldText.length, text.length);
  let p = 0;
  while (p < min && oldText.charCodeAt(p) === text.charCodeAt(p)) p++;
  let s = 0;
  while (s < min - p && oldText.charCodeAt(oldText.length - 1 - s) === text.charCodeAt(text.length - 1 - s)) s++;
  const delta = text.length - oldText.length;
  const changedEnd = oldText.length - s; // old offsets [p, changedEnd) changed

  const decls = old.declarations;
  let before = 0; // decls[0, before) end at or before the edit
  while (before < decls.length && (decls[before] as Declaration).span.end <= p) before++;
  let after = decls.length; // decls[after, …) start at or after its end
  while (after > before && (decls[after - 1] as Declaration).span.start >= changedEnd) after--;
  for (const d of decls) if (oldText.charCodeAt(d.span.end - 1) !== 125) return undefined;

  const from = before > 0 ? (decls[before - 1] as Declaration).span.end : 0; // same in both texts
  const oldTo = after < decls.length ? (decls[after] as Declaration).span.start : oldText.length;
  const to = oldTo + delta;
  if (to < from) return undefined;
  if (to < text.length && to > from && !blankOrClose(text.charCodeAt(to - 1))) return undefined;
  if (from > 0 && text.charCodeAt(from) === 0xfeff) return undefined;

  const part = parse(text.slice(from, to));
  if (part.errors.length > 0) return undefined;
  // a comment runs to the end of its line: one that ends where the kept part starts would run on into it
  const lastComment = part.comments[part.comments.length - 1];
  if (to < text.length && lastComment && lastComment.span.end === to - from) return undefined;

  const declarations: Declaration[] = decls.slice(0, before);
  for (const d of part.declarations) declarations.push(moveDecl(d, from));
  for (let i = after; i < decls.length; i++) declarations.push(moveDecl(decls[i] as Declaration, delta));

  const comments: Comment[] = [];
  for (const c of old.comments) if (c.span.end <= from) comments.push(c);
  for (const c of part.comments) comments.push(move(c, from));
  for (const c of old.comments) if (c.span.start >= oldTo) comments.push(move(c, delta));

  return { kind: 'file', span: { start: 0, end: text.length }, declarations, comments, errors: [] };
}

const sp = (s: Span, d: number): Span => ({ start: s.start + d, end: s.end + d });

function move<T extends { readonly span: Span }>(x: T, d: number): T {
  return d === 0 ? x : { ...x, span: sp(x.span, d) };
}

function moveValue(v: Value, d: number): Value {
  if (v.kind !== 'range') return move(v, d);
  const r = { ...v, span: sp(v.span, d), start: move(v.start, d) };
  if (v.end) r.end = move(v.end, d);
  if (v.length) r.length = move(v.length, d);
  return r;
}

function moveProperty(p: Property, d: number): Property {
  return { ...p, span: sp(p.span, d), key: move(p.key, d), values: p.values.map((v) => moveValue(v, d)) };
}

function moveDevice(x: DeviceDecl, d: number): DeviceDecl {
  const r = {
    ...x,
    span: sp(x.span, d),
    keyword: sp(x.keyword, d),
    properties: x.properties.map((p) => moveProperty(p, d)),
  };
  if (x.label) r.label = move(x.label, d);
  if (x.body) r.body = sp(x.body, d);
  return r;
}

function moveDecl(x: Declaration, d: number): Declaration {
  if (d === 0) return x;
  if (x.kind === 'host') {
    const r: { -readonly [K in keyof HostDecl]: HostDecl[K] } = {
      ...x,
      span: sp(x.span, d),
      keyword: sp(x.keyword, d),
      properties: x.properties.map((p) => moveProperty(p, d)),
    };
    if (x.name) r.name = move(x.name, d);
    if (x.body) r.body = sp(x.body, d);
    return r;
  }
  const r: { -readonly [K in keyof RegionDecl]: RegionDecl[K] } = {
    ...x,
    span: sp(x.span, d),
    keyword: sp(x.keyword, d),
    properties: x.properties.map((p) => moveProperty(p, d)),
    devices: x.devices.map((v) => moveDevice(v, d)),
  };
  if (x.id) r.id = move(x.id, d);
  if (x.cxl) r.cxl = sp(x.cxl, d);
  if (x.label) r.label = move(x.label, d);
  if (x.host) r.host = move(x.host, d);
  if (x.body) r.body = sp(x.body, d);
  return r;
}
