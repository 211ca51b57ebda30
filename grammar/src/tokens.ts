// Tokens of the .dax language.
//
// Names (`[A-Za-z_][A-Za-z0-9_.-]*`) cover labels, host names and words such
// as `dax0.3`, `guest-a`, `system-ram`. The lexer matches a whole name, and a
// name that is a keyword is then given the keyword's type (`tokenize` below),
// so `sizes` or `online_kernel` stay identifiers while `memory-block` is a
// keyword — what matching keywords first with `longer_alt: Identifier` gives,
// for one match per name instead of one per keyword that starts like it. Every
// keyword and the identifier belong to the category `Name`, so a keyword may
// be used as a label (`device online { … }`).
//
// The parser never consumes a token it does not expect: it reads "anything
// that could be a value here" through the categories below and the AST
// builder judges the shape, so its messages can speak the language.

import { makeLex } from './lexer';
import {
  createToken,
  Lexer,
  type CustomPatternMatcherReturn,
  type ILexingResult,
  type IToken,
  type TokenType,
} from 'chevrotain';

// ---------------------------------------------------------------------------
// Character classes (by char code; no regular expressions on the hot path)

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isDigitOr_(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 95;
}
function isHexOr_(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 95;
}
function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isUnitChar(c: number): boolean {
  return isLetter(c) || isDigitOr_(c);
}
/** A character that may continue a name: `[A-Za-z0-9_.-]`. */
export function isNameChar(c: number): boolean {
  return isUnitChar(c) || c === 46 || c === 45;
}

/**
 * Unit spellings recognised after blanks (`4 GiB`, `4 G`). Only these may be
 * separated from their number; any letters directly attached to a number are
 * its unit (`4GB`, `4X`), left for the core to judge. The set is generous
 * (`GB`, `Gi`, `b` …) so the core can explain a wrong spelling instead of the
 * parser seeing a stray word.
 */
const SPACED_UNITS: ReadonlySet<string> = (() => {
  const set = new Set<string>(['B', 'b']);
  for (const p of 'KMGTkmgt') {
    for (const s of ['', 'i', 'B', 'b', 'iB', 'ib']) set.add(p + s);
  }
  return set;
})();

/**
 * Matches a number at `offset`: decimal `[0-9][0-9_]*` with an optional
 * fraction (kept in the token so it can be explained), or hex
 * `0x[0-9a-fA-F_]*`, followed by an attached unit `[A-Za-z][A-Za-z0-9_]*` or
 * by blanks and a known unit spelling. `0x100..0x17f` is number, `..`, number.
 */
export function matchNumber(text: string, offset: number): number {
  const len = text.length;
  let i = offset;
  if (!isDigit(text.charCodeAt(i))) return -1;
  if (text.charCodeAt(i) === 48 && text.charCodeAt(i + 1) === 120 /* x */) {
    i += 2;
    while (i < len && isHexOr_(text.charCodeAt(i))) i++;
  } else {
    i++;
    while (i < len && isDigitOr_(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === 46 /* . */ && isDigit(text.charCodeAt(i + 1))) {
      i += 2;
      while (i < len && isDigitOr_(text.charCodeAt(i))) i++;
    }
  }
  const c = text.charCodeAt(i);
  if (isLetter(c)) {
    i++;
    while (i < len && isUnitChar(text.charCodeAt(i))) i++;
    // A rate: `20000MB/s` (bandwidth in `expect`).
    if (text.charCodeAt(i) === 47 /* / */ && isLetter(text.charCodeAt(i + 1))) {
      i += 2;
      while (i < len && isLetter(text.charCodeAt(i))) i++;
    }
  } else if (c === 32 || c === 9) {
    let j = i + 1;
    while (j < len && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
    let k = j;
    while (k < len && k - j < 4 && isLetter(text.charCodeAt(k))) k++;
    if (k > j && !isNameChar(text.charCodeAt(k)) && SPACED_UNITS.has(text.slice(j, k))) i = k;
  }
  return i;
}

function numberPattern(text: string, offset: number): CustomPatternMatcherReturn | null {
  const end = matchNumber(text, offset);
  return end < 0 ? null : [text.slice(offset, end)];
}

// ---------------------------------------------------------------------------
// Categories. They have no pattern; concrete tokens list the ones they belong
// to. Each is "what may stand here", computed once from the keyword tables.

const cat = (name: string, label: string): TokenType => createToken({ name, pattern: Lexer.NA, label });

/** Every keyword and the identifier. */
export const Name = cat('Name', 'a name');
/** Keys of a host block. */
export const HostKey = cat('HostKey', 'a host property');
/** Region keys that take a value (`start`, `size`, `align`, `node`). */
export const RegionValueKey = cat('RegionValueKey', 'a region property');
/** Host flags (`persist`). */
export const HostFlag = cat('HostFlag', 'a host flag');
/** Region flags (`dynamic`, `static`, `persist`). */
export const RegionFlag = cat('RegionFlag', 'a region flag');
/** Region keys followed by a list of words and numbers (`memdevs`). */
export const RegionListKey = cat('RegionListKey', 'a region property');
/** Device keys followed by a list of words and numbers (`colours`, `colors`, `expect`). */
export const DeviceListKey = cat('DeviceListKey', 'a device property');
/** What a `colours` or `expect` list may hold: numbers, words, `..`, `,`, `+`. */
export const ListPart = cat('ListPart', 'a value');
/** Device keys that take one value (`name`, `size`, `align`). */
export const DeviceValueKey = cat('DeviceValueKey', 'a device property');
/** Every key of a device block. */
export const DeviceKey = cat('DeviceKey', 'a device property');
/** Names that are neither a key of the block nor `host`/`region`/`device`. */
export const HostWord = cat('HostWord', 'a word');
export const RegionWord = cat('RegionWord', 'a word');
export const DeviceWord = cat('DeviceWord', 'a word');
/** What may stand as the single value of a property: number, string, word. */
export const HostSingle = cat('HostSingle', 'a value');
export const RegionSingle = cat('RegionSingle', 'a value');
export const DeviceSingle = cat('DeviceSingle', 'a value');
/** What an unknown property swallows as its values. */
export const HostLoose = cat('HostLoose', 'a value');
export const RegionLoose = cat('RegionLoose', 'a value');
export const DeviceLoose = cat('DeviceLoose', 'a value');
/** Pieces of a range list: number, `..`, `+`, `,`. */
export const RangePart = cat('RangePart', 'a range');
/** Tokens that cannot start anything inside a block. */
export const Stray = cat('Stray', 'a stray token');
/** Tokens that cannot start a top-level declaration. */
export const TopJunk = cat('TopJunk', 'a stray token');
/** What may stand as a host name or a device label (checked by the builder). */
export const HeaderName = cat('HeaderName', 'a name');
/** What may stand as a region id (checked by the builder). */
export const RegionId = cat('RegionId', 'a region number');

// ---------------------------------------------------------------------------
// Keywords

export const STRUCTURAL_WORDS = ['host', 'region', 'device'] as const;
export const HOST_VALUE_KEYS = [
  'ssh',
  'port',
  'facts',
  'kernel',
  'arch',
  'memory-block',
  'auto-online',
  'hosts',
  'inventory',
] as const;
export const HOST_FLAGS = ['persist'] as const;
export const HOST_KEYS = [...HOST_VALUE_KEYS, ...HOST_FLAGS] as const;
/** Region keys that take one value; `window`, `granularity`, `adopt` belong to `cxl region` blocks (docs/cxl.md). */
export const REGION_VALUE_KEYS = ['start', 'size', 'align', 'node', 'cache', 'window', 'granularity', 'adopt'] as const;
/** Region keys followed by a list: `memdevs mem0, mem1` (a `cxl region`'s interleave positions). */
export const REGION_LIST_KEYS = ['memdevs'] as const;
export const REGION_FLAGS = ['dynamic', 'static', 'persist'] as const;
export const REGION_KEYS = [...REGION_VALUE_KEYS, ...REGION_LIST_KEYS, ...REGION_FLAGS] as const;
export const DEVICE_VALUE_KEYS = ['name', 'size', 'align', 'owner', 'group', 'permissions'] as const;
/** Device keys followed by a list of words and numbers (`colours 0..1 of 4`, `expect read-latency 120ns from node 0`). */
export const DEVICE_LIST_KEYS = ['colours', 'colors', 'expect'] as const;
export const DEVICE_KEYS = [
  'size',
  'align',
  'mode',
  'range',
  'name',
  'colours',
  'colors',
  'expect',
  'owner',
  'group',
  'permissions',
] as const;
/** Words that continue a `colours` or `expect` list on the next line (any word on the same line does). */
export const LIST_WORDS = ['of', 'exclusive', 'any', 'from', 'node', 'access0', 'access1'] as const;
export const MODE_WORDS = ['devdax', 'system-ram'] as const;
export const MODE_OPTIONS = ['online', 'offline', 'movable', 'normal', 'memmap-on-memory'] as const;
/** `cxl` starts a declaration (`cxl region NAME …`) at the top level; elsewhere it is a name. */
const OTHER_KEYWORDS = ['on', 'rest', 'cxl'] as const;

/** Keys of each block whose value is (or may be) a bare word: the parsers' gates take a word on the next line as their value. */
export const HOST_WORD_KEYS: ReadonlySet<string> = new Set(['arch', 'auto-online']);
export const REGION_WORD_KEYS: ReadonlySet<string> = new Set(['window', 'adopt']);
export const DEVICE_WORD_KEYS: ReadonlySet<string> = new Set(['name', 'size']);
/** What may follow `mode` on later lines, and what continues a `colours`/`expect` list there. */
export const MODE_WORD_SET: ReadonlySet<string> = new Set<string>([...MODE_WORDS, ...MODE_OPTIONS]);
export const LIST_WORD_SET: ReadonlySet<string> = new Set<string>(LIST_WORDS);

const has = (list: readonly string[], w: string): boolean => list.includes(w);

function wordCategories(word: string | undefined): TokenType[] {
  // `undefined` stands for the plain identifier.
  const w = word ?? '';
  const structural = has(STRUCTURAL_WORDS, w);
  const cats: TokenType[] = [Name, TopJunk];
  if (has(HOST_VALUE_KEYS, w)) cats.push(HostKey);
  if (has(HOST_FLAGS, w)) cats.push(HostFlag);
  if (has(REGION_VALUE_KEYS, w)) cats.push(RegionValueKey);
  if (has(REGION_FLAGS, w)) cats.push(RegionFlag);
  if (has(REGION_LIST_KEYS, w)) cats.push(RegionListKey);
  if (has(DEVICE_VALUE_KEYS, w)) cats.push(DeviceValueKey);
  if (has(DEVICE_KEYS, w)) cats.push(DeviceKey);
  if (has(DEVICE_LIST_KEYS, w)) cats.push(DeviceListKey);
  if (!structural) {
    cats.push(HeaderName);
    if (!has(HOST_KEYS, w)) cats.push(HostWord, HostSingle, HostLoose);
    if (!has(REGION_KEYS, w)) cats.push(RegionWord, RegionSingle, RegionLoose);
    if (!has(DEVICE_KEYS, w)) cats.push(DeviceWord, DeviceSingle, DeviceLoose, ListPart);
  }
  if (word === undefined) cats.push(RegionId);
  if (w === 'host' || w === 'region' || w === 'cxl') cats.splice(cats.indexOf(TopJunk), 1);
  return cats;
}

// ---------------------------------------------------------------------------
// Concrete tokens

/**
 * A byte-order mark (U+FEFF) at the very start of the text, as some editors save UTF-8 files:
 * skipped, so spans stay offsets into the text as given. Anywhere else it is an unexpected
 * character.
 */
export const ByteOrderMark = createToken({
  name: 'ByteOrderMark',
  pattern: {
    exec: (text: string, offset: number): CustomPatternMatcherReturn | null =>
      offset === 0 && text.charCodeAt(0) === 0xfeff ? ['\uFEFF'] : null,
  },
  start_chars_hint: ['\uFEFF'],
  line_breaks: false,
  group: Lexer.SKIPPED,
});

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

export const Comment = createToken({
  name: 'Comment',
  pattern: /#[^\r\n]*/,
  group: 'comments',
  label: 'a comment',
});

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_.-]*/,
  categories: wordCategories(undefined),
  label: 'a name',
});

export const StringLiteral = createToken({
  name: 'String',
  // An unterminated string runs to the end of the line (the builder reports it).
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n]?)*"?/,
  categories: [
    HostSingle,
    RegionSingle,
    DeviceSingle,
    HostLoose,
    RegionLoose,
    DeviceLoose,
    Stray,
    TopJunk,
    HeaderName,
    RegionId,
  ],
  label: 'a string such as "root@hbm01.lab"',
});

export const NumberLiteral = createToken({
  name: 'Number',
  pattern: { exec: numberPattern },
  line_breaks: false,
  start_chars_hint: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  categories: [
    HostSingle,
    RegionSingle,
    DeviceSingle,
    HostLoose,
    RegionLoose,
    DeviceLoose,
    RangePart,
    ListPart,
    Stray,
    TopJunk,
    HeaderName,
    RegionId,
  ],
  label: 'a number such as 48G or 0x1000',
});

const PUNCT_CATS = [HostLoose, RegionLoose, DeviceLoose, RangePart, ListPart, Stray, TopJunk];
export const DotDot = createToken({ name: 'DotDot', pattern: '..', label: "'..'", categories: PUNCT_CATS });
export const Plus = createToken({ name: 'Plus', pattern: '+', label: "'+'", categories: PUNCT_CATS });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','", categories: PUNCT_CATS });
export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: "'{'", categories: [Stray, TopJunk] });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: "'}'", categories: [TopJunk] });

// ---------------------------------------------------------------------------
// Keyword tokens

function keywordTokenName(word: string): string {
  return (
    'Kw' +
    word
      .split('-')
      .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
      .join('')
  );
}

const keywordWords: string[] = [
  ...new Set<string>([
    ...STRUCTURAL_WORDS,
    ...HOST_KEYS,
    ...REGION_KEYS,
    ...DEVICE_KEYS,
    ...MODE_WORDS,
    ...MODE_OPTIONS,
    ...OTHER_KEYWORDS,
  ]),
];
keywordWords.sort((a, b) => b.length - a.length || (a < b ? -1 : 1));

/**
 * Keyword token types by their text. They have no pattern of their own: the lexer reads a name
 * as an Identifier and `tokenize` gives it its keyword's type.
 */
export const KEYWORD_TOKENS: ReadonlyMap<string, TokenType> = new Map(
  keywordWords.map((word) => [
    word,
    createToken({
      name: keywordTokenName(word),
      pattern: Lexer.NA,
      categories: wordCategories(word),
      label: `'${word}'`,
    }),
  ]),
);

function kw(word: string): TokenType {
  const t = KEYWORD_TOKENS.get(word);
  if (!t) throw new Error(`no keyword ${word}`);
  return t;
}

export const Host = kw('host');
export const Region = kw('region');
export const Device = kw('device');
export const On = kw('on');
export const Cxl = kw('cxl');
export const Mode = kw('mode');
export const Range = kw('range');

/** Token types in lexing order. */
export const LEXER_TOKENS: TokenType[] = [
  ByteOrderMark,
  WhiteSpace,
  Comment,
  StringLiteral,
  NumberLiteral,
  DotDot,
  Plus,
  Comma,
  LCurly,
  RCurly,
  Identifier,
];

/** Every token type the parser knows, categories included. */
export const ALL_TOKENS: TokenType[] = [
  Name,
  HostKey,
  HostFlag,
  RegionValueKey,
  RegionFlag,
  RegionListKey,
  DeviceValueKey,
  DeviceKey,
  DeviceListKey,
  ListPart,
  HostWord,
  RegionWord,
  DeviceWord,
  HostSingle,
  RegionSingle,
  DeviceSingle,
  HostLoose,
  RegionLoose,
  DeviceLoose,
  RangePart,
  Stray,
  TopJunk,
  HeaderName,
  RegionId,
  ...LEXER_TOKENS,
  ...KEYWORD_TOKENS.values(),
];

/**
 * chevrotain's lexer for the language: the definition of what `tokenize` (lexer.ts) must give.
 * Parses do not use it; tests do (test/grammar/lexer.test.ts compares the two). `validate` checks
 * the token definitions (and that chevrotain can apply its first-character optimisation) as it
 * is built (test/grammar/definition.test.ts).
 */
export function makeLexer(validate: boolean): Lexer {
  return new Lexer(LEXER_TOKENS, {
    positionTracking: 'full',
    ensureOptimizations: validate,
    skipValidations: !validate,
    recoveryEnabled: true,
  });
}

/**
 * Lexes `text`: the tokens chevrotain's lexer (`makeLexer`) would give, each name that is a
 * keyword given the keyword's type — by the hand-written lexer of lexer.ts, which does it in one
 * pass (test/grammar/lexer.test.ts holds it to chevrotain's).
 */
export const tokenize: (text: string) => ILexingResult = makeLex({
  comment: Comment,
  string: StringLiteral,
  number: NumberLiteral,
  dotDot: DotDot,
  plus: Plus,
  comma: Comma,
  lCurly: LCurly,
  rCurly: RCurly,
  identifier: Identifier,
  keywords: KEYWORD_TOKENS,
  matchNumber,
});

/** chevrotain's lexer for the same tokens, typing keywords after it: what `tokenize` must give (for tests). */
export function tokenizeWithChevrotain(lexer: Lexer, text: string): ILexingResult {
  const lexed = lexer.tokenize(text);
  for (const t of lexed.tokens) {
    if (t.tokenType !== Identifier) continue;
    const k = KEYWORD_TOKENS.get(t.image);
    if (k === undefined) continue;
    t.tokenType = k;
    if (k.tokenTypeIdx !== undefined) t.tokenTypeIdx = k.tokenTypeIdx;
  }
  return lexed;
}
