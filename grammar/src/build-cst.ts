// What the CST → AST builders share: the build context, CST access, spans, the words
// problems are reported in, and literal values (build-ast.ts, build-items.ts).

import { tokenMatcher, type CstElement, type CstNode, type IToken } from 'chevrotain';
import type { NumberValue, Span, StringValue, SyntaxProblem, Word } from './ast';
import { readNumber, readString } from './literals';
import * as T from './tokens';

export interface BuildContext {
  readonly text: string;
  /** End offset (inclusive) of the last real token, -1 when there is none. */
  readonly lastTokenEnd: number;
  readonly errors: SyntaxProblem[];
  /**
   * Spans whose other errors are noise: an unquoted string such as
   * `root@hbm01.lab` is reported once, not as a word, a stray `@`, and so on.
   */
  readonly covered: { readonly span: Span; readonly by: SyntaxProblem }[];
}

// ---------------------------------------------------------------------------
// CST access

export const NO_TOKENS: readonly IToken[] = [];
export const NO_NODES: readonly CstNode[] = [];

export function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

/** A token that really is in the text (not one inserted by recovery). */
export function isReal(t: IToken | undefined): t is IToken {
  return t !== undefined && t.isInsertedInRecovery !== true && !Number.isNaN(t.startOffset);
}

export function tok(node: CstNode, label: string): IToken | undefined {
  const e = node.children[label]?.[0];
  return e !== undefined && isToken(e) && isReal(e) ? e : undefined;
}

export function toks(node: CstNode, label: string): readonly IToken[] {
  const list = node.children[label] as IToken[] | undefined;
  if (list === undefined) return NO_TOKENS;
  for (const e of list) {
    // Only copy in the (unexpected) case of a recovery-inserted token.
    if (!isToken(e) || !isReal(e)) return list.filter((t) => isToken(t) && isReal(t));
  }
  return list;
}

export function nodes(node: CstNode, label: string): readonly CstNode[] {
  const list = node.children[label] as CstNode[] | undefined;
  if (list === undefined) return NO_NODES;
  for (const e of list) if (isToken(e)) return list.filter((n) => !isToken(n));
  return list;
}

// ---------------------------------------------------------------------------
// Spans and errors

/** Inclusive end offset of a token (always known with full position tracking). */
export function endOf(t: IToken): number {
  return t.endOffset ?? t.startOffset + t.image.length - 1;
}

export function spanOf(t: IToken): Span {
  return { start: t.startOffset, end: endOf(t) + 1 };
}

export function report(ctx: BuildContext, message: string, span: Span): void {
  ctx.errors.push({ message, span });
}

/**
 * Where to put an error about something missing after the token ending at
 * `endInclusive`: the last character of that token, or a zero-width span at
 * the end of the text when nothing follows it.
 */
export function missingAfter(ctx: BuildContext, endInclusive: number): Span {
  if (endInclusive >= ctx.lastTokenEnd || endInclusive < 0) {
    return { start: ctx.text.length, end: ctx.text.length };
  }
  return { start: endInclusive, end: endInclusive + 1 };
}

export function nodeEnd(node: CstNode, fallback: IToken): number {
  const end = node.location?.endOffset;
  return end !== undefined && !Number.isNaN(end) ? end : endOf(fallback);
}

export const MAX_SHOWN = 40;

/** How a token is named in a message: `48G`, `foo`, "a string". */
export function describe(t: IToken): string {
  let image = t.image;
  if (image.length > MAX_SHOWN) image = image.slice(0, MAX_SHOWN - 1) + '…';
  if (t.tokenType === T.StringLiteral) return `the string ${image}`;
  return '`' + image + '`';
}

/** A word as shown in a message, cut when it is very long. */
export function clip(word: string): string {
  return word.length > MAX_SHOWN ? word.slice(0, MAX_SHOWN - 1) + '…' : word;
}

/** How a stray token is named after "unexpected": `4G`, string "x". */
export function stray(t: IToken): string {
  return t.tokenType === T.StringLiteral ? `string ${describe(t).slice('the string '.length)}` : describe(t);
}

export function listWords(words: readonly string[]): string {
  return words.join(', ');
}

// ---------------------------------------------------------------------------
// Values

export function word(t: IToken): Word {
  return { kind: 'word', span: spanOf(t), text: t.image };
}

export function numberValue(t: IToken): NumberValue {
  const parts = readNumber(t.image);
  const span = spanOf(t);
  const { value, unit, radix, error } = parts;
  return error === undefined
    ? { kind: 'number', span, text: t.image, value, unit, radix }
    : { kind: 'number', span, text: t.image, value, unit, radix, error };
}

export function stringValue(t: IToken): StringValue {
  const { value, terminated } = readString(t.image);
  const span = spanOf(t);
  return terminated
    ? { kind: 'string', span, text: t.image, value }
    : { kind: 'string', span, text: t.image, value, unterminated: true };
}

export const isNumber = (t: IToken): boolean => t.tokenType === T.NumberLiteral;
export const isString = (t: IToken): boolean => t.tokenType === T.StringLiteral;
export const isName = (t: IToken): boolean => tokenMatcher(t, T.Name);
