// The lexer every parse uses: one pass over the text by character code, giving exactly what
// chevrotain's lexer built from the token definitions in tokens.ts gives (the same tokens with
// the same types, offsets, lines and columns, the same comments and the same lexing errors), and
// each name that is a keyword typed as that keyword as it is made.
//
// Why not chevrotain's own: it tries each token's pattern in turn (regular expressions, a custom
// matcher for numbers), then `tokenize` walked the tokens again for keywords. Here the first
// character decides the token, as the definitions allow: no two of them start with the same
// character (tokens.ts, LEXER_TOKENS). test/grammar/lexer.test.ts checks that both lexers agree on
// the samples, the fixtures, the fuzz regressions and thousands of generated texts.
//
// What it reproduces of chevrotain (11.x, `positionTracking: 'full'`, recovery on):
// - a token is { image, startOffset, endOffset, startLine, endLine, startColumn, endColumn,
//   tokenTypeIdx, tokenType }, lines and columns from 1, ends inclusive;
// - white space is skipped; its line breaks are `\n`, `\r\n` and a lone `\r` (chevrotain's default
//   line terminators), after which the column restarts at 1;
// - a byte-order mark is skipped at offset 0 only;
// - characters no token can start are dropped up to the next character one can start (where a
//   `.` counts only before another `.`), as one error at the first of them.

import type { ILexingError, ILexingResult, IToken, TokenType } from 'chevrotain';

/** The token types the lexer makes (tokens.ts passes its own, which keeps this file free of them). */
export interface LexerTypes {
  readonly comment: TokenType;
  readonly string: TokenType;
  readonly number: TokenType;
  readonly dotDot: TokenType;
  readonly plus: TokenType;
  readonly comma: TokenType;
  readonly lCurly: TokenType;
  readonly rCurly: TokenType;
  readonly identifier: TokenType;
  /** Keyword types by their word. */
  readonly keywords: ReadonlyMap<string, TokenType>;
  /** tokens.ts's matcher of a number (with its unit) at an offset: the end, or -1. */
  readonly matchNumber: (text: string, offset: number) => number;
}

const enum C {
  Tab = 9,
  LF = 10,
  VT = 11,
  FF = 12,
  CR = 13,
  Space = 32,
  Quote = 34,
  Hash = 35,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Backslash = 92,
  Underscore = 95,
  LCurly = 123,
  RCurly = 125,
  BOM = 0xfeff,
}

// Character classes as bits of one table lookup (a call per character costs in V8's interpreter,
// where a one-shot `check` runs most of its parse).
const SPACE = 1;
const NAME_START = 2;
const NAME_CHAR = 4;
const DIGIT = 8;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const digit = c >= C.Zero && c <= C.Nine;
  const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === C.Underscore;
  CLASS[c] =
    (c === C.Space || (c >= C.Tab && c <= C.CR) ? SPACE : 0) |
    (letter ? NAME_START : 0) |
    (letter || digit || c === C.Dot || c === C.Minus ? NAME_CHAR : 0) |
    (digit ? DIGIT : 0);
}
const is = (c: number, bits: number): boolean => c < 128 && (CLASS[c]! & bits) !== 0;

/** Whether some token can start at `i` (where the lexer resumes after characters it dropped). */
function canStart(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (is(c, SPACE | DIGIT | NAME_START)) return true;
  switch (c) {
    case C.Hash:
    case C.Quote:
    case C.Plus:
    case C.Comma:
    case C.LCurly:
    case C.RCurly:
      return true;
    case C.Dot:
      return text.charCodeAt(i + 1) === C.Dot;
    default:
      return false;
  }
}

/** Makes the lexer for these token types. */
export function makeLex(types: LexerTypes): (text: string) => ILexingResult {
  const single = new Map<number, TokenType>([
    [C.Plus, types.plus],
    [C.Comma, types.comma],
    [C.LCurly, types.lCurly],
    [C.RCurly, types.rCurly],
  ]);
  return (text: string): ILexingResult => {
    const tokens: IToken[] = [];
    const comments: IToken[] = [];
    const errors: ILexingError[] = [];
    const len = text.length;
    let offset = 0;
    let line = 1;
    let column = 1;
    if (len > 0 && text.charCodeAt(0) === C.BOM) {
      offset = 1;
      column = 2;
    }
    while (offset < len) {
      const c = text.charCodeAt(offset);
      const cls = c < 128 ? CLASS[c]! : 0;
      if ((cls & SPACE) !== 0) {
        let i = offset;
        for (; i < len; i++) {
          const d = text.charCodeAt(i);
          if (d >= 128 || (CLASS[d]! & SPACE) === 0) break;
          if (d === C.LF) {
            line++;
            column = 1;
          } else if (d === C.CR) {
            // `\r\n` is one line break, counted at its `\n`
            if (text.charCodeAt(i + 1) !== C.LF) {
              line++;
              column = 1;
            }
          } else column++;
        }
        offset = i;
        continue;
      }
      let end = -1;
      let type: TokenType | undefined;
      if ((cls & NAME_START) !== 0) {
        end = offset + 1;
        for (; end < len; end++) {
          const d = text.charCodeAt(end);
          if (d >= 128 || (CLASS[d]! & NAME_CHAR) === 0) break;
        }
        type = types.identifier;
      } else if ((cls & DIGIT) !== 0) {
        end = types.matchNumber(text, offset);
        type = types.number;
      } else if (c === C.Quote) {
        end = offset + 1;
        while (end < len) {
          const d = text.charCodeAt(end);
          if (d === C.Quote) {
            end++;
            break;
          }
          if (d === C.LF || d === C.CR) break;
          end++;
          if (d === C.Backslash && end < len) {
            const e = text.charCodeAt(end);
            if (e !== C.LF && e !== C.CR) end++;
          }
        }
        type = types.string;
      } else if (c === C.Hash) {
        end = offset + 1;
        while (end < len) {
          const d = text.charCodeAt(end);
          if (d === C.LF || d === C.CR) break;
          end++;
        }
        type = types.comment;
      } else if (c === C.Dot) {
        if (text.charCodeAt(offset + 1) === C.Dot) {
          end = offset + 2;
          type = types.dotDot;
        }
      } else {
        type = single.get(c);
        if (type) end = offset + 1;
      }
      if (type === undefined || end <= offset) {
        const start = offset;
        offset++;
        while (offset < len && !canStart(text, offset)) offset++;
        const length = offset - start;
        errors.push({
          offset: start,
          line,
          column,
          length,
          message: `unexpected character: ->${text.charAt(start)}<- at offset: ${start}, skipped ${length} characters.`,
        });
        column += length;
        continue;
      }
      const image = text.substring(offset, end);
      if (type === types.identifier) type = types.keywords.get(image) ?? type;
      const n = end - offset;
      const token: IToken = {
        image,
        startOffset: offset,
        endOffset: end - 1,
        startLine: line,
        endLine: line,
        startColumn: column,
        endColumn: column + n - 1,
        tokenTypeIdx: type.tokenTypeIdx as number,
        tokenType: type,
      };
      if (type === types.comment) comments.push(token);
      else tokens.push(token);
      offset = end;
      column += n;
    }
    return { tokens, groups: { comments }, errors };
  };
}
