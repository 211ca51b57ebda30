// The formatter. It never reformats text with syntax errors (it returns
// undefined), keeps every comment where it was, and prints values as written.
//
// Layout:
// - 2-space indent; host and region blocks always span several lines;
// - one blank line between top-level declarations; inside blocks, at most one
//   blank line where the user put one;
// - the user's line structure is kept: a device block written on one line
//   (`device weather { size 48G align 1G }`) stays on one line when it has no
//   comment inside and fits in 100 columns (a longer one is wrapped, one
//   property a line); one written over several lines keeps one property a line;
// - single spaces between tokens, `a..b`, `a + b`, `r1, r2`;
// - end-of-line comments aligned across consecutive lines of a block that all
//   have one: at the column the user put them (the rightmost of the run), but
//   at least two spaces after the code;
// - a token that follows a comment in the middle of a property goes on the
//   next line, indented two more spaces.

import type { IToken } from 'chevrotain';
import type { DeviceDecl, LayoutFile, Property } from './ast';
import { endOf } from './build-ast';
import { analyze } from './parse';
import { Comma, DotDot, NumberLiteral } from './tokens';

const MAX_WIDTH = 100;
const INDENT = '  ';

interface Block {
  /** Indent of the block's items. */
  readonly itemIndent: number;
  /** Indent of its closing `}`. */
  readonly closeIndent: number;
  readonly oneLine: boolean;
}

const enum Role {
  Decl = 1,
  Item,
  Open,
  Close,
}

interface Mark {
  readonly role: Role;
  readonly block?: Block;
}

function tokenText(t: IToken): string {
  // A number keeps its text; blanks before a unit become one space.
  if (t.tokenType !== NumberLiteral) return t.image;
  const image = t.image;
  return image.includes(' ') || image.includes('\t') ? image.replace(/[ \t]+/, ' ') : image;
}

/** Whether a space goes between two tokens of the same line. */
function spaced(prev: IToken | undefined, next: IToken): boolean {
  if (prev === undefined) return false;
  if (next.tokenType === Comma || next.tokenType === DotDot) return false;
  return prev.tokenType !== DotDot;
}

/** Index of the first token starting at or after `offset`. */
function firstAtOrAfter(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tokens[mid]?.startOffset ?? Infinity) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Line breaks between two offsets: `\n`, `\r\n` or a lone `\r`. */
function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/**
 * Where the line holding `offset` starts: after the last `\n` or `\r` before it. Scans back over
 * that line only (`lastIndexOf('\r')` in a file without one would scan to its start, once per
 * end-of-line comment: quadratic in a file of commented lines).
 */
function lineStartOf(text: string, offset: number): number {
  let i = offset;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c === 10 || c === 13) break;
    i--;
  }
  return i;
}

function deviceOneLine(
  text: string,
  device: DeviceDecl,
  tokens: readonly IToken[],
  comments: readonly IToken[],
  indent: number,
): boolean {
  const c = firstAtOrAfter(comments, device.span.start);
  const comment = comments[c];
  if (comment !== undefined && comment.startOffset < device.span.end) return false;
  // written over several lines: kept so
  if (device.body !== undefined && countNewlines(text, device.body.start, device.body.end) > 0) return false;
  let width = indent;
  let prev: IToken | undefined;
  for (let i = firstAtOrAfter(tokens, device.span.start); i < tokens.length; i++) {
    const t = tokens[i];
    if (t === undefined || t.startOffset >= device.span.end) break;
    width += (spaced(prev, t) ? 1 : 0) + tokenText(t).length;
    prev = t;
    if (width > MAX_WIDTH) return false;
  }
  return true;
}

function markBlock(marks: Map<number, Mark>, body: { start: number; end: number } | undefined, block: Block): void {
  if (body === undefined) return;
  marks.set(body.start, { role: Role.Open, block });
  marks.set(body.end - 1, { role: Role.Close, block });
}

function markProperties(marks: Map<number, Mark>, properties: readonly Property[]): void {
  for (const p of properties) marks.set(p.key.span.start, { role: Role.Item });
}

function buildMarks(
  text: string,
  file: LayoutFile,
  tokens: readonly IToken[],
  comments: readonly IToken[],
): Map<number, Mark> {
  const marks = new Map<number, Mark>();
  for (const decl of file.declarations) {
    marks.set(decl.kind === 'region' && decl.cxl ? decl.cxl.start : decl.keyword.start, { role: Role.Decl });
    markBlock(marks, decl.body, { itemIndent: 1, closeIndent: 0, oneLine: false });
    markProperties(marks, decl.properties);
    if (decl.kind === 'region') {
      for (const device of decl.devices) {
        marks.set(device.keyword.start, { role: Role.Item });
        const oneLine = deviceOneLine(text, device, tokens, comments, INDENT.length);
        markBlock(marks, device.body, { itemIndent: 2, closeIndent: 1, oneLine });
        markProperties(marks, device.properties);
      }
    }
  }
  return marks;
}

/**
 * Formats a .dax file. Returns undefined when the text has syntax errors.
 * Idempotent: `format(format(x)) === format(x)`.
 */
export function format(text: string): string | undefined {
  try {
    // a leading byte-order mark is kept as it is (the lexer skips it)
    if (text.charCodeAt(0) === 0xfeff) {
      const rest = formatUnsafe(text.slice(1));
      return rest === undefined ? undefined : '\uFEFF' + rest;
    }
    return formatUnsafe(text);
  } catch {
    return undefined;
  }
}

interface Line {
  readonly code: string;
  readonly comment: string | undefined;
  /** Where the user put the comment: its column after the line's indent, in the source. */
  readonly column: number;
}

/** The printed text, line by line; end-of-line comments are aligned at the end. */
class Output {
  private readonly lines: Line[] = [];
  private parts: string[] = [];
  private comment: string | undefined;
  private column = 0;

  /** Appends code to the current line. */
  add(s: string): void {
    this.parts.push(s);
  }

  /** Ends the current line with an end-of-line comment that the user put at `column` after the line's indent. */
  eol(comment: string, column: number): void {
    this.comment = comment;
    this.column = column;
  }

  /** Starts a new line (after `blank` empty lines) with the given indent. */
  newline(blank: boolean, indent: string): void {
    this.end();
    if (blank) this.lines.push({ code: '', comment: undefined, column: 0 });
    if (indent !== '') this.parts.push(indent);
  }

  private end(): void {
    this.lines.push({ code: this.parts.join(''), comment: this.comment, column: this.column });
    this.parts = [];
    this.comment = undefined;
    this.column = 0;
  }

  /**
   * The text. End-of-line comments of consecutive lines are aligned, two
   * spaces after the longest code of their run; a line that opens or closes
   * a block is a run of its own.
   */
  finish(): string {
    this.end();
    const lines = this.lines;
    const out: string[] = [];
    for (let i = 0; i < lines.length;) {
      let j = i;
      let width = 0;
      while (j < lines.length && lines[j]!.comment !== undefined) {
        const line = lines[j]!;
        // two spaces after the code at least; further right where the user aligned them
        width = Math.max(width, line.code.length, line.code.length - line.code.trimStart().length + line.column - 2);
        j++;
        if (opensOrCloses(lines[j - 1]!.code)) break;
        if (j < lines.length && opensOrCloses(lines[j]!.code)) break;
      }
      if (j === i) j = i + 1;
      for (let k = i; k < j; k++) {
        const line = lines[k]!;
        out.push(line.comment === undefined ? line.code : line.code.padEnd(width) + '  ' + line.comment);
      }
      i = j;
    }
    const result = out.join('\n');
    return result.length === 0 ? '' : result + '\n';
  }
}

function opensOrCloses(code: string): boolean {
  return code.endsWith('{') || code.trimStart().startsWith('}');
}

const INDENTS = ['', INDENT, INDENT.repeat(2), INDENT.repeat(3), INDENT.repeat(4)];
const indent = (n: number): string => INDENTS[n] ?? INDENT.repeat(n);

function formatUnsafe(text: string): string | undefined {
  const { file, tokens, comments } = analyze(text);
  if (file.errors.length > 0) return undefined;
  const marks = buildMarks(text, file, tokens, comments);

  const out = new Output();
  /** Source offset of the first token printed on the current output line (-1: none yet). */
  let lineFirst = -1;
  const newline = (blank: boolean, ind: string): void => {
    out.newline(blank, ind);
    lineFirst = -1;
  };
  const stack: Block[] = [];
  let ti = 0;
  let ci = 0;
  /** End offset (exclusive) of the last thing printed, in the source. */
  let prevEnd = -1;
  let prevToken: IToken | undefined;
  /** The last thing printed was a comment: what follows starts a new line. */
  let afterComment = false;
  /** The last item-level thing printed was an opening brace. */
  let afterOpen = false;
  /** Top-level state: nothing yet, inside a declaration, after one, after a comment. */
  let top: 'start' | 'decl' | 'afterDecl' | 'afterComment' = 'start';

  const contIndent = (): string => {
    const b = stack[stack.length - 1];
    return indent(b ? b.itemIndent + 1 : 1);
  };
  /** The user left an empty line before `start`. */
  const blankBefore = (start: number): boolean => prevEnd >= 0 && countNewlines(text, prevEnd, start) >= 2;
  /** Separates top-level items: one blank line after a declaration, the user's (at most one) after a comment. */
  const topBreak = (start: number): void => {
    if (top === 'afterDecl') newline(true, '');
    else if (top !== 'start') newline(blankBefore(start), '');
  };

  while (ti < tokens.length || ci < comments.length) {
    const t = tokens[ti];
    const c = comments[ci];
    if (c !== undefined && (t === undefined || c.startOffset < t.startOffset)) {
      ci++;
      const image = c.image.trimEnd();
      if (prevEnd >= 0 && countNewlines(text, prevEnd, c.startOffset) === 0) {
        const lineStart = lineStartOf(text, c.startOffset);
        const lead = /^[ \t]*/.exec(text.slice(lineStart, c.startOffset))?.[0].length ?? 0;
        // the user's column counts only when the line printed is the line they wrote
        out.eol(image, lineFirst === lineStart + lead ? c.startOffset - lineStart - lead : 0);
      } else {
        const block = stack[stack.length - 1];
        const nextRole = t ? marks.get(t.startOffset)?.role : undefined;
        if (block === undefined && top !== 'decl') {
          // A comment at the top level.
          topBreak(c.startOffset);
          top = 'afterComment';
        } else if (block !== undefined && (t === undefined || nextRole === Role.Item || nextRole === Role.Close)) {
          // Between the items of a block.
          newline(!afterOpen && blankBefore(c.startOffset), indent(block.itemIndent));
        } else {
          // In the middle of a header or a property.
          newline(false, contIndent());
        }
        out.add(image);
        afterOpen = false;
      }
      afterComment = true;
      prevEnd = endOf(c) + 1;
      continue;
    }
    if (t === undefined) break;
    ti++;
    const mark = marks.get(t.startOffset);
    switch (mark?.role) {
      case Role.Decl:
        topBreak(t.startOffset);
        top = 'decl';
        break;
      case Role.Item: {
        const block = stack[stack.length - 1];
        if (block?.oneLine) out.add(' ');
        else newline(!afterOpen && blankBefore(t.startOffset), indent(block?.itemIndent ?? 1));
        break;
      }
      case Role.Open:
        if (afterComment) newline(false, contIndent());
        else out.add(' ');
        if (mark.block) stack.push(mark.block);
        break;
      case Role.Close: {
        const block = stack.pop();
        if (block?.oneLine) out.add(' ');
        else newline(false, indent(block?.closeIndent ?? 0));
        if (stack.length === 0) top = 'afterDecl';
        break;
      }
      default:
        if (afterComment) newline(false, contIndent());
        else if (spaced(prevToken, t)) out.add(' ');
        break;
    }
    if (lineFirst < 0) lineFirst = t.startOffset;
    out.add(tokenText(t));
    afterOpen = mark?.role === Role.Open;
    afterComment = false;
    prevToken = t;
    prevEnd = endOf(t) + 1;
  }
  return out.finish();
}
