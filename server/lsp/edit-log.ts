// The edits of a document since an older version, for answering from the last
// finished analysis while a newer version is being analysed: offsets of the
// older text map to the current one through the edits made since, and
// whatever lies in a replaced part does not map at all (so nothing of the older
// version is ever shown at a wrong place; it is left out).

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** `[start, end)` of the text before it was replaced by `length` characters, making `version`. */
interface Edit {
  readonly version: number;
  readonly start: number;
  readonly end: number;
  readonly length: number;
}

/** Edits kept at most (a mapping walks them); past this, older versions no longer map. */
const MAX_EDITS = 20_000;

export class EditLog {
  private edits: Edit[] = [];
  /** Versions older than this do not map (a whole-text change, or too many edits). */
  private from = -Infinity;

  edited(version: number, start: number, end: number, length: number): void {
    if (start === end && length === 0) return;
    this.edits.push({ version, start, end, length });
    if (this.edits.length > MAX_EDITS) this.replaced(version);
  }

  /** The whole text was replaced. */
  replaced(version: number): void {
    this.edits = [];
    this.from = version;
  }

  /** Forgets the edits up to `version` (nothing older will be mapped). */
  trim(version: number): void {
    let i = 0;
    while (i < this.edits.length && (this.edits[i] as Edit).version <= version) i++;
    if (i > 0) this.edits = this.edits.slice(i);
  }

  /** Offsets of `version`'s text ↔ the current text; undefined when that version cannot be mapped. */
  since(version: number): OffsetMap | undefined {
    if (version < this.from) return undefined;
    return new OffsetMap(this.edits.filter((e) => e.version > version));
  }
}

export class OffsetMap {
  constructor(private readonly edits: readonly Edit[]) {}

  get identity(): boolean {
    return this.edits.length === 0;
  }

  /** A current offset in the older text (undefined inside text inserted since). */
  toOld(offset: number): number | undefined {
    let o = offset;
    for (let i = this.edits.length - 1; i >= 0; i--) {
      const e = this.edits[i] as Edit;
      if (o < e.start) continue;
      // inside the inserted text: no older offset
      if (o < e.start + e.length) return undefined;
      o += e.end - e.start - e.length;
    }
    return o;
  }

  /** Where a span of the older text is now (undefined when an edit since touched any of it). */
  toNew(span: Span): Span | undefined {
    let { start, end } = span;
    for (const e of this.edits) {
      const delta = e.length - (e.end - e.start);
      if (start === end) {
        // a point: it stays before text inserted at it; inside a replaced part it is gone
        if (e.start >= start) continue;
        if (e.end <= start) {
          start += delta;
          end = start;
          continue;
        }
        return undefined;
      }
      // an edit wholly before the span (text inserted at its start included) moves it;
      // one wholly after it (text inserted at its end included) does not; any other touches it
      if (e.end <= start) {
        start += delta;
        end += delta;
      } else if (e.start < end) return undefined;
    }
    return { start, end };
  }
}
