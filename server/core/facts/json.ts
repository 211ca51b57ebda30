// A small strict JSON parser for the facts readers. Unlike JSON.parse it
// keeps every number's literal text (so integers above 2^53 are not rounded
// before we decide what to do with them), records where every value starts
// (so problems can carry a line and column), and reports syntax errors with
// their position on every Node version. It never throws.

export type JNode =
  | { readonly kind: 'null'; readonly at: number }
  | { readonly kind: 'bool'; readonly value: boolean; readonly at: number }
  | { readonly kind: 'num'; readonly raw: string; readonly at: number }
  | { readonly kind: 'str'; readonly value: string; readonly at: number }
  | { readonly kind: 'arr'; readonly items: readonly JNode[]; readonly at: number }
  | {
      readonly kind: 'obj';
      readonly entries: ReadonlyMap<string, JNode>;
      /** Keys that appeared more than once (the last value wins), with the offset of the repeat. */
      readonly duplicates: readonly { readonly key: string; readonly at: number }[];
      readonly at: number;
    };

export type JObj = Extract<JNode, { kind: 'obj' }>;
export type JArr = Extract<JNode, { kind: 'arr' }>;

export type JsonResult =
  { readonly ok: true; readonly value: JNode } | { readonly ok: false; readonly message: string; readonly at: number };

/** Deepest nesting accepted; deeper input is reported instead of overflowing the stack. */
export const MAX_DEPTH = 256;

/** A JSON number at `lastIndex` (sticky: one object, reused by every number). */
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** A character that cannot follow a number. */
const NUMBER_TAIL = /[0-9A-Za-z.+-]/;
/** Whitespace at `lastIndex` (sticky; the regex engine scans faster than a loop over characters). */
const WS = /[ \t\n\r]+/y;
/** A string without escapes or control characters at `lastIndex` (sticky): the common case, matched in one step. */
const PLAIN_STRING = /"[^"\\\u0000-\u001f]*"/y;

class Fail {
  constructor(
    readonly message: string,
    readonly at: number,
  ) {}
}

export function parseJson(text: string): JsonResult {
  const p = new Parser(text);
  try {
    p.skipWs();
    if (p.pos >= text.length) return { ok: false, message: 'empty input: expected a JSON value', at: p.pos };
    const value = p.value(0);
    p.skipWs();
    if (p.pos < text.length) throw new Fail(`unexpected ${describe(text, p.pos)} after the JSON value`, p.pos);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, message: e.message, at: e.at };
    return { ok: false, message: `cannot parse JSON (${e instanceof Error ? e.message : String(e)})`, at: p.pos };
  }
}

function describe(text: string, pos: number): string {
  if (pos >= text.length) return 'end of input';
  const c = text[pos] ?? '';
  if (c === '\n') return 'line break';
  return `character ${JSON.stringify(c)}`;
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  skipWs(): void {
    const c = this.text.charCodeAt(this.pos);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
    WS.lastIndex = this.pos;
    if (WS.test(this.text)) this.pos = WS.lastIndex;
  }

  value(depth: number): JNode {
    if (depth > MAX_DEPTH) throw new Fail(`JSON nested deeper than ${MAX_DEPTH} levels`, this.pos);
    const t = this.text;
    const at = this.pos;
    const c = t[at];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return { kind: 'str', value: this.string(), at };
      case 't':
        return this.word('true', { kind: 'bool', value: true, at });
      case 'f':
        return this.word('false', { kind: 'bool', value: false, at });
      case 'n':
        return this.word('null', { kind: 'null', at });
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        throw new Fail(`unexpected ${describe(t, at)}: expected a JSON value`, at);
    }
  }

  word<T extends JNode>(w: string, node: T): T {
    if (this.text.startsWith(w, this.pos)) {
      this.pos += w.length;
      return node;
    }
    throw new Fail(`unexpected ${describe(this.text, this.pos)}: expected a JSON value`, this.pos);
  }

  number(): JNode {
    const t = this.text;
    const at = this.pos;
    const m = NUMBER;
    m.lastIndex = at;
    const r = m.exec(t);
    if (!r || r[0] === '-' || r[0].length === 0) throw new Fail('malformed number', at);
    this.pos = at + r[0].length;
    const next = t[this.pos];
    if (next !== undefined && NUMBER_TAIL.test(next)) throw new Fail('malformed number', at);
    return { kind: 'num', raw: r[0], at };
  }

  string(): string {
    const t = this.text;
    const start = this.pos;
    PLAIN_STRING.lastIndex = start;
    if (PLAIN_STRING.test(t)) {
      this.pos = PLAIN_STRING.lastIndex;
      return t.slice(start + 1, this.pos - 1);
    }
    this.pos++; // opening quote
    let out = '';
    let chunk = this.pos;
    for (;;) {
      if (this.pos >= t.length) throw new Fail('unterminated string', start);
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) throw new Fail('control character in a string (escape it)', this.pos);
      if (c === 0x5c) {
        out += t.slice(chunk, this.pos);
        const e = t[this.pos + 1];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = t.slice(this.pos + 2, this.pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Fail('bad \\u escape in a string', this.pos);
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 4;
            break;
          }
          default:
            throw new Fail('bad escape in a string', this.pos);
        }
        this.pos += 2;
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  array(depth: number): JNode {
    const at = this.pos;
    this.pos++;
    const items: JNode[] = [];
    this.skipWs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'arr', items, at };
    }
    for (;;) {
      this.skipWs();
      items.push(this.value(depth + 1));
      this.skipWs();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return { kind: 'arr', items, at };
      }
      throw new Fail(`unexpected ${describe(this.text, this.pos)}: expected ',' or ']'`, this.pos);
    }
  }

  object(depth: number): JNode {
    const at = this.pos;
    this.pos++;
    const entries = new Map<string, JNode>();
    const duplicates: { key: string; at: number }[] = [];
    this.skipWs();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'obj', entries, duplicates, at };
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') {
        throw new Fail(`unexpected ${describe(this.text, this.pos)}: expected a "quoted" key`, this.pos);
      }
      const keyAt = this.pos;
      const key = this.string();
      this.skipWs();
      if (this.text[this.pos] !== ':')
        throw new Fail(`unexpected ${describe(this.text, this.pos)}: expected ':'`, this.pos);
      this.pos++;
      this.skipWs();
      const v = this.value(depth + 1);
      if (entries.has(key)) duplicates.push({ key, at: keyAt });
      entries.set(key, v);
      this.skipWs();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return { kind: 'obj', entries, duplicates, at };
      }
      throw new Fail(`unexpected ${describe(this.text, this.pos)}: expected ',' or '}'`, this.pos);
    }
  }
}

/** Appends one reference token to a JSON pointer (RFC 6901 escaping). */
export function ptr(base: string, token: string | number): string {
  const s = String(token).replace(/~/g, '~0').replace(/\//g, '~1');
  return `${base}/${s}`;
}

export function kindName(n: JNode): string {
  switch (n.kind) {
    case 'null':
      return 'null';
    case 'bool':
      return 'a boolean';
    case 'num':
      return 'a number';
    case 'str':
      return 'a string';
    case 'arr':
      return 'an array';
    case 'obj':
      return 'an object';
  }
}
