// The parser every parse uses: recursive descent over the grammar that parser.ts states as a
// chevrotain CstParser, giving the same CST (rule names, children under the same labels, node
// locations as chevrotain's `onlyOffset` tracking with recovery sets them).
//
// Why it can be this simple: the grammar never fails (parser.ts): every choice is made on the next
// token (LL(1)) and the gates below, every block body and value list is a repetition that stops
// where its next token cannot continue it, and every token at the top level starts a declaration
// or is junk. So chevrotain never reports an error and its recovery never changes the tree, and
// this parser has neither. What chevrotain costs besides: building the parser (its grammar
// analysis, tens of milliseconds in a one-shot `check`) and its general machinery on every token.
// test/grammar/descent.test.ts holds the two to the same trees on every layout of the repository,
// the fuzz regressions and thousands of generated texts, and checks that chevrotain reported no
// error on any of them.
//
// Each function below is the rule of the same name in parser.ts; the gates are the same code.

import { EOF, tokenMatcher, type CstElement, type CstNode, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens';

/** chevrotain's token past either end of the input (its END_OF_FILE): the EOF type, NaN positions. */
const END: IToken = {
  image: '',
  startOffset: NaN,
  endOffset: NaN,
  startLine: NaN,
  endLine: NaN,
  startColumn: NaN,
  endColumn: NaN,
  tokenTypeIdx: EOF.tokenTypeIdx as number,
  tokenType: EOF,
};

const { HOST_WORD_KEYS, REGION_WORD_KEYS, DEVICE_WORD_KEYS, MODE_WORD_SET: MODE_WORDS, LIST_WORD_SET: LIST_WORDS } = T;

type Location = { startOffset: number; endOffset: number };
type Node = CstNode & { location: Location };

/** chevrotain's setNodeLocationOnlyOffset: the first located child sets both ends, later ones extend the end. */
function extend(loc: Location, start: number, end: number): void {
  if (Number.isNaN(loc.startOffset)) {
    loc.startOffset = start;
    loc.endOffset = end;
  } else if (loc.endOffset < end) loc.endOffset = end;
}

/** A CST node; its children in a plain object (chevrotain's are prototype-less dictionaries: larger, and labels here are fixed words). */
function node(name: string): Node {
  return {
    name,
    children: {} as Record<string, CstElement[]>,
    location: { startOffset: NaN, endOffset: NaN },
  };
}

function add(parent: Node, label: string, e: CstElement, start: number, end: number): void {
  const list = parent.children[label];
  if (list === undefined) parent.children[label] = [e];
  else list.push(e);
  extend(parent.location, start, end);
}

class Descent {
  private i = 0;
  private deviceOpened = false;
  private deviceLine = 0;
  private regionKey = '';

  constructor(private readonly tokens: readonly IToken[]) {}

  private la1(): IToken {
    return this.tokens[this.i] ?? END;
  }
  private la0(): IToken {
    return this.i > 0 ? (this.tokens[this.i - 1] as IToken) : END;
  }
  private at(type: TokenType): boolean {
    return this.i < this.tokens.length && tokenMatcher(this.tokens[this.i] as IToken, type);
  }
  private consume(parent: Node, label: string): IToken {
    const t = this.tokens[this.i++] as IToken;
    add(parent, label, t, t.startOffset, t.endOffset as number);
    return t;
  }
  private sub(parent: Node, label: string, child: Node): void {
    add(parent, label, child, child.location.startOffset, child.location.endOffset);
  }

  // gates (parser.ts)
  private sameLine(): boolean {
    return this.la1().startLine === this.la0().endLine;
  }
  private valueFollows(wordKeys: ReadonlySet<string>): boolean {
    return !tokenMatcher(this.la1(), T.Name) || wordKeys.has(this.la0().image) || this.sameLine();
  }
  private nameFollows(keys: TokenType, flags?: TokenType): boolean {
    const next = this.la1();
    return (!tokenMatcher(next, keys) && !(flags && tokenMatcher(next, flags))) || this.sameLine();
  }
  private listPartFollows(): boolean {
    const next = this.la1();
    return !tokenMatcher(next, T.Name) || LIST_WORDS.has(next.image) || this.sameLine();
  }
  private memdevPartFollows(): boolean {
    const prev = this.la0();
    return tokenMatcher(this.la1(), T.Comma) || prev.tokenType === T.Comma || tokenMatcher(prev, T.RegionListKey);
  }
  private modeWordFollows(): boolean {
    return MODE_WORDS.has(this.la1().image) || this.sameLine();
  }
  private adoptRangeFollows(): boolean {
    if (this.regionKey !== 'adopt') return false;
    const op = (t: IToken): boolean => tokenMatcher(t, T.DotDot) || tokenMatcher(t, T.Plus);
    return op(this.la1()) || op(this.la0());
  }

  // rules (parser.ts)
  file(): Node {
    const n = node('file');
    for (;;) {
      if (this.at(T.Host)) this.sub(n, 'decl', this.hostDecl());
      else if (this.at(T.Cxl) || this.at(T.Region)) this.sub(n, 'decl', this.regionDecl());
      else if (this.at(T.TopJunk)) this.sub(n, 'junk', this.strays('topJunk', T.TopJunk));
      else return n;
    }
  }

  private hostDecl(): Node {
    const n = node('hostDecl');
    this.consume(n, 'keyword');
    if (this.nameFollows(T.HostKey, T.HostFlag) && this.at(T.HeaderName)) this.consume(n, 'name');
    if (this.at(T.LCurly)) this.consume(n, 'open');
    for (;;) {
      if (this.at(T.HostKey) || this.at(T.HostFlag)) this.sub(n, 'item', this.hostProperty());
      else if (this.at(T.Device)) this.sub(n, 'item', this.deviceDecl());
      else if (this.at(T.HostWord)) this.sub(n, 'item', this.unknown('hostUnknown', T.HostLoose));
      else if (this.at(T.Stray)) this.sub(n, 'item', this.strays('junk', T.Stray));
      else break;
    }
    if (this.at(T.RCurly)) this.consume(n, 'close');
    return n;
  }

  private regionDecl(): Node {
    const n = node('regionDecl');
    if (this.at(T.Cxl)) {
      this.consume(n, 'cxl');
      if (this.at(T.Region)) this.consume(n, 'keyword');
    } else this.consume(n, 'keyword');
    if (this.at(T.RegionId)) this.consume(n, 'id');
    if ((this.la1().tokenType === T.On || this.sameLine()) && (this.at(T.On) || this.at(T.Identifier))) {
      if (this.at(T.On)) {
        this.consume(n, 'on');
        if (this.at(T.HeaderName)) this.consume(n, 'host');
      } else this.consume(n, 'hostWithoutOn');
    }
    if (this.at(T.LCurly)) this.consume(n, 'open');
    for (;;) {
      if (this.at(T.RegionValueKey) || this.at(T.RegionFlag) || this.at(T.RegionListKey))
        this.sub(n, 'item', this.regionProperty());
      else if (this.at(T.Device)) this.sub(n, 'item', this.deviceDecl());
      else if (this.at(T.RegionWord)) this.sub(n, 'item', this.unknown('regionUnknown', T.RegionLoose));
      else if (this.at(T.Stray)) this.sub(n, 'item', this.strays('junk', T.Stray));
      else break;
    }
    if (this.at(T.RCurly)) this.consume(n, 'close');
    return n;
  }

  private deviceDecl(): Node {
    const n = node('deviceDecl');
    const keyword = this.consume(n, 'keyword');
    this.deviceOpened = false;
    this.deviceLine = keyword.startLine ?? 0;
    if (this.nameFollows(T.DeviceKey) && this.at(T.HeaderName)) this.consume(n, 'label');
    if (this.at(T.LCurly)) {
      this.consume(n, 'open');
      this.deviceOpened = true;
    }
    for (;;) {
      if (this.at(T.DeviceValueKey) || this.at(T.Mode) || this.at(T.Range) || this.at(T.DeviceListKey))
        this.sub(n, 'item', this.deviceProperty());
      else if (this.at(T.DeviceWord)) this.sub(n, 'item', this.unknown('deviceUnknown', T.DeviceLoose));
      else if (this.at(T.Stray)) this.sub(n, 'item', this.strays('junk', T.Stray));
      else break;
    }
    if ((this.deviceOpened || this.la1().startLine === this.deviceLine) && this.at(T.RCurly)) this.consume(n, 'close');
    return n;
  }

  private hostProperty(): Node {
    const n = node('hostProperty');
    if (this.at(T.HostKey)) {
      this.consume(n, 'key');
      if (this.valueFollows(HOST_WORD_KEYS) && this.at(T.HostSingle)) this.consume(n, 'value');
    } else this.consume(n, 'key');
    return n;
  }

  private regionProperty(): Node {
    const n = node('regionProperty');
    if (this.at(T.RegionValueKey)) {
      this.regionKey = this.consume(n, 'key').image;
      if (this.valueFollows(REGION_WORD_KEYS) && this.at(T.RegionSingle)) this.consume(n, 'value');
      while (this.adoptRangeFollows() && this.at(T.RangePart)) this.consume(n, 'value');
    } else if (this.at(T.RegionFlag)) this.consume(n, 'key');
    else {
      this.consume(n, 'key');
      while (this.memdevPartFollows() && this.at(T.ListPart)) this.consume(n, 'value');
    }
    return n;
  }

  private deviceProperty(): Node {
    const n = node('deviceProperty');
    if (this.at(T.DeviceValueKey)) {
      this.consume(n, 'key');
      if (this.valueFollows(DEVICE_WORD_KEYS) && this.at(T.DeviceSingle)) this.consume(n, 'value');
    } else if (this.at(T.Mode)) {
      this.consume(n, 'key');
      while (this.modeWordFollows() && this.at(T.DeviceWord)) this.consume(n, 'value');
    } else if (this.at(T.Range)) {
      this.consume(n, 'key');
      while (this.at(T.RangePart)) this.consume(n, 'value');
    } else {
      this.consume(n, 'key');
      while (this.listPartFollows() && this.at(T.ListPart)) this.consume(n, 'value');
    }
    return n;
  }

  /** hostUnknown, regionUnknown, deviceUnknown: a word that is no key of the block, and its values. */
  private unknown(name: string, loose: TokenType): Node {
    const n = node(name);
    this.consume(n, 'key');
    while (this.at(loose)) this.consume(n, 'value');
    return n;
  }

  /** junk, topJunk: one or more tokens that start nothing here. */
  private strays(name: string, type: TokenType): Node {
    const n = node(name);
    do this.consume(n, 'token');
    while (this.at(type));
    return n;
  }
}

/** The CST of `tokens` (the `file` rule). Never throws; never reports an error (see above). */
export function descend(tokens: readonly IToken[]): CstNode {
  return new Descent(tokens).file();
}
