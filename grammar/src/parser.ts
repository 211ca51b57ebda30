// The .dax grammar: one chevrotain CstParser, the definition of the CST; parses use the
// hand-written parser of descent.ts, which builds the same tree (parseTokens below).
//
// The grammar is written so that it never has to give up: headers, braces and
// values are optional in the grammar, block bodies accept "anything that may
// stand here" (an unknown word becomes an unknown property, stray numbers or
// strings become junk), and the top level swallows whatever does not start a
// declaration. So chevrotain's own recovery (kept enabled as a safety net)
// practically never fires, every declaration after a mistake is still built,
// and all syntax errors are worded by build-ast.ts in the language's terms.

import {
  CstParser,
  EOF,
  tokenMatcher,
  type CstNode,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from 'chevrotain';
import { descend } from './descent';
import * as T from './tokens';

const RULE_BLOCKS: Record<string, string> = {
  hostDecl: 'host',
  regionDecl: 'region',
  deviceDecl: 'device',
};

function show(t: TokenType): string {
  if (t === EOF) return 'the end of the file';
  const label = (t as { LABEL?: string }).LABEL;
  if (label === undefined) return t.name;
  return label.startsWith("'") ? '`' + label.slice(1, -1) + '`' : label;
}

function showToken(t: IToken): string {
  return t.tokenType === EOF ? 'the end of the file' : '`' + t.image + '`';
}

/**
 * Messages for chevrotain's own errors. The grammar is built so that they do
 * not occur; should one slip through, it still reads like the language.
 */
const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    const block = RULE_BLOCKS[ruleName];
    if (expected === T.LCurly && block) return `expected \`{\` to open the ${block} block`;
    if (expected === T.RCurly && block) return `expected \`}\` to close the ${block} block`;
    return `expected ${show(expected)}, found ${showToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `expected \`host\` or \`region\`, found ${showToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual }) {
    const firsts = new Set<string>();
    for (const alt of expectedPathsPerAlt) for (const path of alt) if (path[0]) firsts.add(show(path[0]));
    const found = actual[0] ? showToken(actual[0]) : 'the end of the file';
    return `expected ${[...firsts].join(' or ')}, found ${found}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }) {
    const firsts = new Set<string>();
    for (const path of expectedIterationPaths) if (path[0]) firsts.add(show(path[0]));
    const found = actual[0] ? showToken(actual[0]) : 'the end of the file';
    return `expected ${[...firsts].join(' or ')}, found ${found}`;
  },
};

const { HOST_WORD_KEYS, REGION_WORD_KEYS, DEVICE_WORD_KEYS, MODE_WORD_SET: MODE_WORDS, LIST_WORD_SET: LIST_WORDS } = T;

// DSL options, created once: the rules below allocate nothing per call but
// the CST itself (chevrotain's "cache your alternatives" advice, applied to
// every closure and option object).
const L = (LABEL: string): { LABEL: string } => ({ LABEL });
const DECL = L('decl');
const JUNK = L('junk');
const ITEM = L('item');
const KEYWORD = L('keyword');
const NAME = L('name');
const LABEL = L('label');
const ID = L('id');
const CXL = L('cxl');
const ON = L('on');
const HOST = L('host');
const HOST_WITHOUT_ON = L('hostWithoutOn');
const OPEN = L('open');
const CLOSE = L('close');
const KEY = L('key');
const VALUE = L('value');
const TOKEN = L('token');

type Alt = { ALT: () => unknown };

class DaxParser extends CstParser {
  /** State of the device being parsed (devices do not nest). */
  private deviceOpened = false;
  private deviceLine = 0;

  /** `validate`: check the grammar as it is built (a test does, once); the parser every parse uses skips it. */
  constructor(validate = false) {
    super(T.ALL_TOKENS, {
      recoveryEnabled: true,
      nodeLocationTracking: 'onlyOffset',
      maxLookahead: 1,
      errorMessageProvider,
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  // -------------------------------------------------------------------------
  // Gates. Layout never changes how a valid file is read; it only helps to
  // understand mistakes.

  /** The next token is on the line of the previous one. */
  private sameLine(): boolean {
    return this.LA(1).startLine === this.LA(0).endLine;
  }

  /**
   * A bare word on the line after a key that takes a number or a string is
   * not taken as its (wrong) value but as the next property: the value was
   * most likely forgotten.
   */
  private valueFollows(wordKeys: ReadonlySet<string>): boolean {
    return !tokenMatcher(this.LA(1), T.Name) || wordKeys.has(this.LA(0).image) || this.sameLine();
  }

  /**
   * A header name (`host NAME`, `device LABEL`) may be a keyword, but a key of
   * the block on the next line is the block's first property: the name was
   * forgotten.
   */
  private nameFollows(keys: TokenType, flags?: TokenType): boolean {
    const next = this.LA(1);
    return (!tokenMatcher(next, keys) && !(flags && tokenMatcher(next, flags))) || this.sameLine();
  }

  /** In a `colours` or `expect` list: a number or punctuation, a list word, or any word on the same line. */
  private listPartFollows(): boolean {
    const next = this.LA(1);
    return !tokenMatcher(next, T.Name) || LIST_WORDS.has(next.image) || this.sameLine();
  }

  /** In a `memdevs` list: a `,`, or a name or number right after the key or a `,` (`memdevs mem0, mem1 size 2G` stops at `size`). */
  private memdevPartFollows(): boolean {
    const prev = this.LA(0).tokenType;
    return tokenMatcher(this.LA(1), T.Comma) || prev === T.Comma || tokenMatcher(this.LA(0), T.RegionListKey);
  }

  /** After `mode`: a mode word, an option, or any word on the same line. */
  private modeWordFollows(): boolean {
    return MODE_WORDS.has(this.LA(1).image) || this.sameLine();
  }

  // -------------------------------------------------------------------------
  // Rules

  private readonly fileAlts: Alt[] = [
    { ALT: () => this.SUBRULE(this.hostDecl, DECL) },
    { ALT: () => this.SUBRULE(this.regionDecl, DECL) },
    { ALT: () => this.SUBRULE(this.topJunk, JUNK) },
  ];
  private readonly fileItem = (): void => {
    this.OR(this.fileAlts);
  };

  /** `(host … | region … | junk)*` */
  public file = this.RULE('file', () => {
    this.MANY(this.fileItem);
  });

  private readonly hostName = {
    GATE: () => this.nameFollows(T.HostKey, T.HostFlag),
    DEF: () => this.CONSUME(T.HeaderName, NAME),
  };
  private readonly hostAlts: Alt[] = [
    { ALT: () => this.SUBRULE(this.hostProperty, ITEM) },
    { ALT: () => this.SUBRULE(this.deviceDecl, ITEM) },
    { ALT: () => this.SUBRULE(this.hostUnknown, ITEM) },
    { ALT: () => this.SUBRULE(this.junk, ITEM) },
  ];
  private readonly hostItem = (): void => {
    this.OR(this.hostAlts);
  };
  private readonly open = (): IToken => this.CONSUME(T.LCurly, OPEN);
  private readonly close = (): IToken => this.CONSUME(T.RCurly, CLOSE);

  /** `host NAME? {? (property | device | unknown | junk)* }?` */
  public hostDecl = this.RULE('hostDecl', () => {
    this.CONSUME(T.Host, KEYWORD);
    this.OPTION(this.hostName);
    this.OPTION2(this.open);
    this.MANY(this.hostItem);
    this.OPTION3(this.close);
  });

  private readonly regionId = (): IToken => this.CONSUME(T.RegionId, ID);
  private readonly regionHostAlts: Alt[] = [
    {
      ALT: () => {
        this.CONSUME(T.On, ON);
        this.OPTION3(this.regionHostName);
      },
    },
    { ALT: () => this.CONSUME(T.Identifier, HOST_WITHOUT_ON) },
  ];
  private readonly regionHostName = (): IToken => this.CONSUME(T.HeaderName, HOST);
  // `on NAME`, or a name on the same line (`region 0 hbm01 {`: the builder
  // asks for the missing `on`).
  private readonly regionHost = {
    GATE: () => this.LA(1).tokenType === T.On || this.sameLine(),
    DEF: () => this.OR(this.regionHostAlts),
  };
  private readonly regionAlts: Alt[] = [
    { ALT: () => this.SUBRULE(this.regionProperty, ITEM) },
    { ALT: () => this.SUBRULE(this.deviceDecl, ITEM) },
    { ALT: () => this.SUBRULE(this.regionUnknown, ITEM) },
    { ALT: () => this.SUBRULE(this.junk, ITEM) },
  ];
  private readonly regionItem = (): void => {
    this.OR2(this.regionAlts);
  };

  private readonly cxlRegionKeyword = (): IToken => this.CONSUME2(T.Region, KEYWORD);
  private readonly regionStartAlts: Alt[] = [
    {
      ALT: () => {
        this.CONSUME(T.Cxl, CXL);
        this.OPTION6(this.cxlRegionKeyword);
      },
    },
    { ALT: () => this.CONSUME(T.Region, KEYWORD) },
  ];

  /** `(cxl region? | region) ID? (on NAME? | NAME)? {? (property | device | unknown | junk)* }?` (ID: a label after `cxl`) */
  public regionDecl = this.RULE('regionDecl', () => {
    this.OR3(this.regionStartAlts);
    this.OPTION(this.regionId);
    this.OPTION2(this.regionHost);
    this.OPTION4(this.open);
    this.MANY(this.regionItem);
    this.OPTION5(this.close);
  });

  private readonly deviceLabel = {
    GATE: () => this.nameFollows(T.DeviceKey),
    DEF: () => this.CONSUME(T.HeaderName, LABEL),
  };
  private readonly deviceOpen = (): void => {
    this.CONSUME(T.LCurly, OPEN);
    this.deviceOpened = true;
  };
  private readonly deviceAlts: Alt[] = [
    { ALT: () => this.SUBRULE(this.deviceProperty, ITEM) },
    { ALT: () => this.SUBRULE(this.deviceUnknown, ITEM) },
    { ALT: () => this.SUBRULE(this.junk, ITEM) },
  ];
  private readonly deviceItem = (): void => {
    this.OR(this.deviceAlts);
  };
  private readonly deviceClose = {
    GATE: () => this.deviceOpened || this.LA(1).startLine === this.deviceLine,
    DEF: this.close,
  };

  /**
   * `device LABEL? {? (property | unknown | junk)* }?` — when the `{` is
   * missing, the `}` is only taken on the device's own line
   * (`device a size 1G }`), so that a device missing its `{` does not steal the
   * region's `}`.
   */
  public deviceDecl = this.RULE('deviceDecl', () => {
    const keyword = this.CONSUME(T.Device, KEYWORD);
    this.deviceOpened = false;
    this.deviceLine = keyword.startLine ?? 0;
    this.OPTION(this.deviceLabel);
    this.OPTION2(this.deviceOpen);
    this.MANY(this.deviceItem);
    this.OPTION3(this.deviceClose);
  });

  private readonly hostValue = {
    GATE: () => this.valueFollows(HOST_WORD_KEYS),
    DEF: () => this.CONSUME(T.HostSingle, VALUE),
  };

  private readonly hostPropertyAlts: Alt[] = [
    {
      ALT: () => {
        this.CONSUME(T.HostKey, KEY);
        this.OPTION(this.hostValue);
      },
    },
    { ALT: () => this.CONSUME(T.HostFlag, KEY) },
  ];

  public hostProperty = this.RULE('hostProperty', () => {
    this.OR(this.hostPropertyAlts);
  });

  private readonly regionValue = {
    GATE: () => this.valueFollows(REGION_WORD_KEYS),
    DEF: () => this.CONSUME(T.RegionSingle, VALUE),
  };
  /** The region key being parsed (`adopt` takes a word or a range: `adopt 0x3_9000_0000..0x4_0fff_ffff`). */
  private regionKey = '';
  /** After `adopt N`: `..`/`+` and the range's end or length, on the same property. */
  private adoptRangeFollows(): boolean {
    if (this.regionKey !== 'adopt') return false;
    const op = (t: IToken): boolean => tokenMatcher(t, T.DotDot) || tokenMatcher(t, T.Plus);
    return op(this.LA(1)) || op(this.LA(0));
  }
  private readonly adoptRangePart = {
    GATE: () => this.adoptRangeFollows(),
    DEF: () => this.CONSUME(T.RangePart, VALUE),
  };
  private readonly regionPropertyAlts: Alt[] = [
    {
      ALT: () => {
        const key = this.CONSUME(T.RegionValueKey, KEY);
        this.ACTION(() => (this.regionKey = key.image));
        this.OPTION(this.regionValue);
        this.MANY2(this.adoptRangePart);
      },
    },
    { ALT: () => this.CONSUME(T.RegionFlag, KEY) },
    {
      ALT: () => {
        this.CONSUME(T.RegionListKey, KEY);
        this.MANY(this.memdevPart);
      },
    },
  ];

  public regionProperty = this.RULE('regionProperty', () => {
    this.OR(this.regionPropertyAlts);
  });

  private readonly deviceValue = {
    GATE: () => this.valueFollows(DEVICE_WORD_KEYS),
    DEF: () => this.CONSUME(T.DeviceSingle, VALUE),
  };
  private readonly modeWord = {
    GATE: () => this.modeWordFollows(),
    DEF: () => this.CONSUME(T.DeviceWord, VALUE),
  };
  private readonly rangePart = (): IToken => this.CONSUME(T.RangePart, VALUE);
  private readonly memdevPart = {
    GATE: () => this.memdevPartFollows(),
    DEF: () => this.CONSUME(T.ListPart, VALUE),
  };
  private readonly listPart = {
    GATE: () => this.listPartFollows(),
    DEF: () => this.CONSUME(T.ListPart, VALUE),
  };
  private readonly devicePropertyAlts: Alt[] = [
    {
      ALT: () => {
        this.CONSUME(T.DeviceValueKey, KEY);
        this.OPTION(this.deviceValue);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Mode, KEY);
        this.MANY(this.modeWord);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Range, KEY);
        this.MANY2(this.rangePart);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.DeviceListKey, KEY);
        this.MANY3(this.listPart);
      },
    },
  ];

  public deviceProperty = this.RULE('deviceProperty', () => {
    this.OR(this.devicePropertyAlts);
  });

  private readonly hostLoose = (): IToken => this.CONSUME(T.HostLoose, VALUE);
  private readonly regionLoose = (): IToken => this.CONSUME(T.RegionLoose, VALUE);
  private readonly deviceLoose = (): IToken => this.CONSUME(T.DeviceLoose, VALUE);

  /** A word that is not a key of the block, with whatever values follow it. */
  public hostUnknown = this.RULE('hostUnknown', () => {
    this.CONSUME(T.HostWord, KEY);
    this.MANY(this.hostLoose);
  });

  public regionUnknown = this.RULE('regionUnknown', () => {
    this.CONSUME(T.RegionWord, KEY);
    this.MANY(this.regionLoose);
  });

  public deviceUnknown = this.RULE('deviceUnknown', () => {
    this.CONSUME(T.DeviceWord, KEY);
    this.MANY(this.deviceLoose);
  });

  private readonly stray = (): IToken => this.CONSUME(T.Stray, TOKEN);
  private readonly topStray = (): IToken => this.CONSUME(T.TopJunk, TOKEN);

  /** Numbers, strings, `..`, `+`, `,`, `{` where a property should start. */
  public junk = this.RULE('junk', () => {
    this.AT_LEAST_ONE(this.stray);
  });

  /** Anything but `host` or `region` at the top level. */
  public topJunk = this.RULE('topJunk', () => {
    this.AT_LEAST_ONE(this.topStray);
  });
}

let instance: DaxParser | undefined;

/** The parser instance, created on first use and reused for every parse. */
/**
 * Builds the lexer and the parser with chevrotain's validations on and returns what they find
 * (ambiguities, unreachable alternatives, token definitions it cannot optimise): [] when the
 * grammar is sound. The instances parses use are built without them, for start-up time.
 */
export function grammarProblems(): string[] {
  const out: string[] = [];
  try {
    const lexer = T.makeLexer(true);
    out.push(...lexer.lexerDefinitionErrors.map((e) => `lexer: ${e.message}`));
  } catch (e) {
    out.push(`lexer: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    new DaxParser(true); // performSelfAnalysis throws on a definition error
  } catch (e) {
    out.push(`parser: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}

export function daxParser(): DaxParser {
  instance ??= new DaxParser();
  return instance;
}

export interface CstParseResult {
  readonly cst: CstNode | undefined;
  readonly errors: readonly IRecognitionException[];
}

/**
 * Parses a token vector into a CST. Never throws. The hand-written parser of descent.ts builds
 * it — the same tree chevrotain builds from the grammar above, without its start-up and
 * per-token cost (test/grammar/descent.test.ts compares the two); chevrotain never reports an
 * error on this grammar, so neither does it.
 */
export function parseTokens(tokens: IToken[]): CstParseResult {
  return { cst: descend(tokens), errors: [] };
}

/** chevrotain's parse of `tokens` with the grammar above: what `parseTokens` must give (for tests). */
export function parseTokensWithChevrotain(tokens: IToken[]): CstParseResult {
  const parser = daxParser();
  parser.input = tokens;
  try {
    const cst = parser.file();
    return { cst, errors: parser.errors.slice() };
  } finally {
    // Drop the references to this text's tokens.
    parser.input = [];
  }
}

export type { DaxParser };
