// The open documents' text, edited without copying it on every change.
//
// vscode-languageserver-textdocument's TextDocument rebuilds the whole text on
// each incremental change (and reads a character of it, which makes V8 flatten
// the new string: a copy of the document). A burst of 1,000 one-character edits
// to a 160 KB layout is then 160 MB of copying on the message loop before the
// server even knows the burst's last version. This document keeps the text as
// pieces (slices of the last whole text and the inserted strings: no copies)
// and joins them only when the text is read (getText: when an analysis
// starts). Line offsets are kept as TextDocument keeps them, and every method
// answers as TextDocument's does (test/lsp/document.test.ts compares them
// along random edits).

import type { Position, Range, TextDocument, TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';

const LF = 10;
const CR = 13;
/** Past this many pieces the text is joined (reading a character walks the pieces). */
const MAX_PIECES = 128;

const isEOL = (c: number): boolean => c === CR || c === LF;

function computeLineOffsets(text: string, isAtLineStart: boolean, textOffset = 0): number[] {
  const result: number[] = isAtLineStart ? [textOffset] : [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (isEOL(ch)) {
      if (ch === CR && i + 1 < text.length && text.charCodeAt(i + 1) === LF) i++;
      result.push(textOffset + i + 1);
    }
  }
  return result;
}

function wellformed(range: Range): Range {
  const { start, end } = range;
  return start.line > end.line || (start.line === end.line && start.character > end.character)
    ? { start: end, end: start }
    : range;
}

export class PieceDocument implements TextDocument {
  /** The text is these pieces joined. */
  private pieces: string[];
  private length: number;
  private lineOffsets: number[] | undefined;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    private _version: number,
    content: string,
  ) {
    this.pieces = [content];
    this.length = content.length;
  }

  get version(): number {
    return this._version;
  }

  get lineCount(): number {
    return this.getLineOffsets().length;
  }

  getText(range?: Range): string {
    if (this.pieces.length !== 1) this.pieces = [this.pieces.join('')];
    const content = this.pieces[0] as string;
    if (!range) return content;
    return content.substring(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  /** The character code at `offset` (NaN outside the text), without joining the pieces. */
  private charCodeAt(offset: number): number {
    offset = Number.isNaN(offset) ? 0 : Math.trunc(offset); // as String.prototype.charCodeAt reads it
    if (offset < 0 || offset >= this.length) return NaN;
    for (const p of this.pieces) {
      if (offset < p.length) return p.charCodeAt(offset);
      offset -= p.length;
    }
    return NaN;
  }

  /** Appends the pieces' text in [from, to) to `out`, as slices (no copies). */
  private take(from: number, to: number, out: string[]): void {
    let at = 0;
    for (const p of this.pieces) {
      const pEnd = at + p.length;
      if (pEnd > from && at < to)
        out.push(from <= at && pEnd <= to ? p : p.slice(Math.max(0, from - at), Math.min(p.length, to - at)));
      at = pEnd;
      if (at >= to) break;
    }
  }

  /**
   * The text becomes text[0, start) + `inserted` + text[end, …), each bound clamped as
   * String.prototype.substring clamps it (what TextDocument does, even for the offsets a
   * range past the end gives it).
   */
  private splice(start: number, end: number, inserted: string): void {
    const clamp = (x: number) => (Number.isNaN(x) ? 0 : Math.max(0, Math.min(x, this.length)));
    const s = clamp(start);
    const e = clamp(end);
    const out: string[] = [];
    this.take(0, s, out);
    if (inserted) out.push(inserted);
    this.take(e, this.length, out);
    this.length = s + inserted.length + (this.length - e);
    this.pieces = out.length > MAX_PIECES ? [out.join('')] : out.length === 0 ? [''] : out;
  }

  update(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if ('range' in change && change.range !== undefined) {
        const range = wellformed(change.range);
        const startOffset = this.offsetAt(range.start);
        const endOffset = this.offsetAt(range.end);
        this.splice(startOffset, endOffset, change.text);
        const insertedEndOffset = startOffset + change.text.length;
        const crlfAtStart = this.charCodeAt(startOffset - 1) === CR && this.charCodeAt(startOffset) === LF;
        const crlfAtEnd = this.charCodeAt(insertedEndOffset - 1) === CR && this.charCodeAt(insertedEndOffset) === LF;
        if (crlfAtStart || crlfAtEnd || this.lineOffsets === undefined) {
          this.lineOffsets = undefined;
          continue;
        }
        const startLine = Math.max(range.start.line, 0);
        const endLine = Math.max(range.end.line, 0);
        let lineOffsets = this.lineOffsets;
        const added = computeLineOffsets(change.text, false, startOffset);
        if (endLine - startLine === added.length) {
          for (let i = 0; i < added.length; i++) lineOffsets[i + startLine + 1] = added[i] as number;
        } else if (added.length < 10_000) {
          lineOffsets.splice(startLine + 1, endLine - startLine, ...added);
        } else {
          this.lineOffsets = lineOffsets = lineOffsets
            .slice(0, startLine + 1)
            .concat(added, lineOffsets.slice(endLine + 1));
        }
        const diff = change.text.length - (endOffset - startOffset);
        if (diff !== 0) {
          for (let i = startLine + 1 + added.length; i < lineOffsets.length; i++)
            lineOffsets[i] = (lineOffsets[i] as number) + diff;
        }
      } else {
        this.pieces = [change.text];
        this.length = change.text.length;
        this.lineOffsets = undefined;
      }
    }
    this._version = version;
  }

  private getLineOffsets(): number[] {
    return (this.lineOffsets ??= computeLineOffsets(this.getText(), true));
  }

  private ensureBeforeEOL(offset: number, lineOffset: number): number {
    while (offset > lineOffset && isEOL(this.charCodeAt(offset - 1))) offset--;
    return offset;
  }

  positionAt(offset: number): Position {
    offset = Math.max(Math.min(offset, this.length), 0);
    const lineOffsets = this.getLineOffsets();
    let low = 0;
    let high = lineOffsets.length;
    if (high === 0) return { line: 0, character: offset };
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if ((lineOffsets[mid] as number) > offset) high = mid;
      else low = mid + 1;
    }
    const line = low - 1;
    offset = this.ensureBeforeEOL(offset, lineOffsets[line] as number);
    return { line, character: offset - (lineOffsets[line] as number) };
  }

  getLineRange(line: number): Range {
    const lineOffsets = this.getLineOffsets();
    if (line >= lineOffsets.length) {
      const last = lineOffsets.length - 1;
      return {
        start: { line: last, character: 0 },
        end: { line: last, character: this.length - (lineOffsets[last] as number) },
      };
    }
    if (line < 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const start = lineOffsets[line] as number;
    const next = line + 1 < lineOffsets.length ? (lineOffsets[line + 1] as number) : this.length;
    return { start: { line, character: 0 }, end: { line, character: this.ensureBeforeEOL(next, start) - start } };
  }

  getEOLCharacters(line: number): string {
    const lineOffsets = this.getLineOffsets();
    if (line >= lineOffsets.length || line < 0) return '';
    const next = line + 1 < lineOffsets.length ? (lineOffsets[line + 1] as number) : this.length;
    const eol = this.ensureBeforeEOL(next, lineOffsets[line] as number);
    return this.getText().substring(eol, next);
  }

  offsetAt(position: Position): number {
    const lineOffsets = this.getLineOffsets();
    if (position.line >= lineOffsets.length) return this.length;
    if (position.line < 0) return 0;
    const lineOffset = lineOffsets[position.line] as number;
    if (position.character <= 0) return lineOffset;
    const next = position.line + 1 < lineOffsets.length ? (lineOffsets[position.line + 1] as number) : this.length;
    return this.ensureBeforeEOL(Math.min(lineOffset + position.character, next), lineOffset);
  }
}
