// Text → LayoutFile: lexing, parsing, AST building. Never throws.

import { EOF, type ILexingError, type IRecognitionException, type IToken } from 'chevrotain';
import type { Comment, LayoutFile, Span, SyntaxProblem } from './ast';
import { buildDeclarations, endOf, missingAfter, type BuildContext } from './build-ast';
import { readString } from './literals';
import { parseTokens } from './parser';
import { StringLiteral, tokenize } from './tokens';

export interface Analysis {
  readonly file: LayoutFile;
  /** The tokens the parser saw (comments and blanks excluded). */
  readonly tokens: readonly IToken[];
  /** Comment tokens, in order. */
  readonly comments: readonly IToken[];
}

const MAX_SHOWN = 20;
/** More errors than this are not worth reporting one by one. */
const MAX_ERRORS = 1000;

function showChars(s: string): string {
  let out = '';
  for (const ch of s.length > MAX_SHOWN ? s.slice(0, MAX_SHOWN) : s) {
    const c = ch.codePointAt(0) ?? 0;
    out +=
      c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0xfeff || (c >= 0x2000 && c <= 0x200f)
        ? `\\u{${c.toString(16)}}`
        : ch;
  }
  return s.length > MAX_SHOWN ? out + '…' : out;
}

function lexErrorMessage(text: string, e: ILexingError): string {
  const chars = text.slice(e.offset, e.offset + e.length);
  const first = chars.charAt(0);
  const what =
    chars.length === 1 || (chars.length === 2 && chars.codePointAt(0)! > 0xffff)
      ? `unexpected character '${showChars(chars)}'`
      : `unexpected characters '${showChars(chars)}'`;
  switch (first) {
    case '@':
    case '/':
    case ':':
    case '~':
      return `${what}; an SSH destination or a path is a string: put it in double quotes`;
    case ';':
      return `${what}; properties need no separator`;
    case '=':
      return `${what}; a property is written \`key value\`, such as \`size 48G\``;
    case "'":
      return `${what}; strings use double quotes`;
    case '-':
      return /[0-9]/.test(text.charAt(e.offset + e.length)) ? `${what}; numbers cannot be negative` : what;
    default:
      return what;
  }
}

function recognitionSpan(ctx: BuildContext, e: IRecognitionException): Span {
  const t = e.token;
  const inserted = t.isInsertedInRecovery === true || Number.isNaN(t.startOffset);
  if (t.tokenType === EOF || inserted) {
    // Anchor at the end of the previous real token (as Langium does).
    const prev = (e as { previousToken?: IToken }).previousToken;
    if (t.tokenType !== EOF && prev && !Number.isNaN(endOf(prev))) return missingAfter(ctx, endOf(prev));
    return { start: ctx.text.length, end: ctx.text.length };
  }
  return { start: t.startOffset, end: endOf(t) + 1 };
}

function byStart(a: { readonly span: Span }, b: { readonly span: Span }): number {
  return a.span.start - b.span.start || a.span.end - b.span.end;
}

function clampSpan(span: Span, length: number): Span {
  let start = Math.max(0, Math.min(span.start, length));
  let end = Math.max(start, Math.min(span.end, length));
  if (end === start && start < length) end = start + 1;
  if (Number.isNaN(start) || Number.isNaN(end)) {
    start = length;
    end = length;
  }
  return { start, end };
}

/**
 * Which errors lie inside a span some other problem covers (an unquoted string reported once,
 * not as a word, a stray `@`, …). The covers are sorted by start with a running maximum of
 * their ends (the two largest, as a problem is never hidden by its own cover), so each error is
 * one binary search: thousands of unquoted strings stay linear-logarithmic, not quadratic.
 */
function coveredTest(ctx: BuildContext): (span: Span, e: SyntaxProblem | undefined) => boolean {
  const covers = [...ctx.covered].sort((a, b) => a.span.start - b.span.start);
  const n = covers.length;
  const starts: number[] = new Array<number>(n);
  const best: number[] = new Array<number>(n); // index of the cover with the largest end in [0, i]
  const second: number[] = new Array<number>(n); // its largest end among the others, -1 when none
  for (let i = 0; i < n; i++) {
    const c = covers[i]!;
    starts[i] = c.span.start;
    if (i === 0) {
      best[0] = 0;
      second[0] = -1;
      continue;
    }
    const b = best[i - 1]!;
    const bEnd = covers[b]!.span.end;
    if (c.span.end > bEnd) {
      best[i] = i;
      second[i] = bEnd;
    } else {
      best[i] = b;
      second[i] = Math.max(second[i - 1]!, c.span.end);
    }
  }
  return (span, e) => {
    let lo = 0;
    let hi = n; // the first cover starting after e
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= span.start) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return false;
    const top = covers[best[lo - 1]!]!;
    const end = top.by !== e ? top.span.end : second[lo - 1]!;
    return span.end <= end;
  };
}

/** An error to report: a lexing error (its message made only if it is reported) or a problem. */
interface Candidate {
  readonly span: Span;
  readonly problem?: SyntaxProblem;
  readonly lex?: ILexingError;
}

/**
 * The problems to report, by position: lexing errors and `ctx.errors`, those inside a span another
 * problem covers left out, duplicates (same span and message) once, and no more than
 * MAX_ERRORS + 1 of them — so that text with 200 000 stray characters costs a sort of their
 * positions, not 200 000 messages.
 */
function reportable(ctx: BuildContext, lexErrors: readonly ILexingError[]): SyntaxProblem[] {
  const length = ctx.text.length;
  const candidates: Candidate[] = [];
  for (const e of lexErrors) {
    candidates.push({ span: { start: e.offset, end: e.offset + Math.max(1, e.length) }, lex: e });
  }
  for (const e of ctx.errors) candidates.push({ span: e.span, problem: e });
  const isCovered = ctx.covered.length > 0 ? coveredTest(ctx) : undefined;
  const kept: { span: Span; c: Candidate }[] = [];
  for (const c of candidates) {
    if (isCovered?.(c.span, c.problem)) continue;
    kept.push({ span: clampSpan(c.span, length), c });
  }
  kept.sort(byStart); // stable: among equal spans, the order they were found in
  const problems: SyntaxProblem[] = [];
  let groupStart = -1;
  let groupEnd = -1;
  const groupMessages = new Set<string>(); // of the problems kept with the current span
  for (const { span, c } of kept) {
    if (problems.length > MAX_ERRORS) break;
    if (span.start !== groupStart || span.end !== groupEnd) {
      groupStart = span.start;
      groupEnd = span.end;
      groupMessages.clear();
    }
    const message = c.lex ? lexErrorMessage(ctx.text, c.lex) : c.problem!.message;
    if (groupMessages.has(message)) continue;
    groupMessages.add(message);
    problems.push({ message, span });
  }
  return problems;
}

function analyzeUnsafe(text: string): Analysis {
  const lexed = tokenize(text);
  const tokens = lexed.tokens;
  const commentTokens = lexed.groups['comments'] ?? [];
  const last = tokens[tokens.length - 1];
  const ctx: BuildContext = { text, lastTokenEnd: last ? endOf(last) : -1, errors: [], covered: [] };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as IToken;
    if (t.tokenType === StringLiteral && !readString(t.image).terminated) {
      ctx.errors.push({
        message: 'unterminated string: add a closing `"` before the end of the line',
        span: { start: t.startOffset, end: t.startOffset + 1 },
      });
    }
  }

  const { cst, errors } = parseTokens(tokens);
  for (const e of errors) ctx.errors.push({ message: e.message, span: recognitionSpan(ctx, e) });
  const declarations = buildDeclarations(ctx, cst);

  const comments: Comment[] = commentTokens.map((t) => ({
    span: { start: t.startOffset, end: endOf(t) + 1 },
    text: t.image,
  }));
  const problems = reportable(ctx, lexed.errors);
  if (problems.length > MAX_ERRORS) {
    const first = problems[MAX_ERRORS]!;
    problems.length = MAX_ERRORS;
    problems.push({
      message: `too many syntax errors: only the first ${MAX_ERRORS} are reported (is this a .dax file?)`,
      span: first.span,
    });
  }
  return {
    file: { kind: 'file', span: { start: 0, end: text.length }, declarations, comments, errors: problems },
    tokens,
    comments: commentTokens,
  };
}

/** Lexes, parses and builds the AST of `text`, keeping the tokens for the formatter. Never throws. */
export function analyze(text: string): Analysis {
  const source = typeof text === 'string' ? text : String(text ?? '');
  try {
    return analyzeUnsafe(source);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const end = Math.min(1, source.length);
    return {
      file: {
        kind: 'file',
        span: { start: 0, end: source.length },
        declarations: [],
        comments: [],
        errors: [{ message: `internal error in the daxlayout parser: ${reason}`, span: { start: 0, end } }],
      },
      tokens: [],
      comments: [],
    };
  }
}

/** Parses a .dax file. Never throws; syntax errors are in `errors`. */
export function parse(text: string): LayoutFile {
  return analyze(text).file;
}
