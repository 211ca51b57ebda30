// The .dax parser: one chevrotain CstParser, created once and reused.
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

/** Keys whose value is (or may be) a bare word, by block. */
const HOST_WORD_KEYS: ReadonlySet<string> = new Set(['arch', 'auto-online']);
const REGION_WORD_KEYS: ReadonlySet<string> = new Set();
const DEVICE_WORD_KEYS: ReadonlySet<string> = new Set(['name', 'size']);
const MODE_WORDS: ReadonlySet<string> = new Set<string>([...T.MODE_WORDS, ...T.MODE_OPTIONS]);

class DaxParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, {
      recoveryEnabled: true,
      nodeLocationTracking: 'full',
      maxLookahead: 1,
      errorMessageProvider,
    });
    this.performSelfAnalysis();
  }

  /** `(host … | region … | junk)*` */
  public file = this.RULE('file', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.hostDecl, { LABEL: 'decl' }) },
        { ALT: () => this.SUBRULE(this.regionDecl, { LABEL: 'decl' }) },
        { ALT: () => this.SUBRULE(this.topJunk, { LABEL: 'junk' }) },
      ]);
    });
  });

  /** `host NAME? {? (property | device | unknown | junk)* }?` */
  public hostDecl = this.RULE('hostDecl', () => {
    this.CONSUME(T.Host, { LABEL: 'keyword' });
    this.OPTION({ GATE: () => this.nameFollows(T.HostKey), DEF: () => this.CONSUME(T.HeaderName, { LABEL: 'name' }) });
    this.OPTION2(() => this.CONSUME(T.LCurly, { LABEL: 'open' }));
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.hostProperty, { LABEL: 'item' }) },
        { ALT: () => this.SUBRULE(this.deviceDecl, { LABEL: 'item' }) },
        { ALT: () => this.SUBRULE(this.hostUnknown, { LABEL: 'item' }) },
        { ALT: () => this.SUBRULE(this.junk, { LABEL: 'item' }) },
      ]);
    });
    this.OPTION3(() => this.CONSUME(T.RCurly, { LABEL: 'close' }));
  });

  /** `region ID? (on NAME? | NAME)? {? (property | device | unknown | junk)* }?` */
  public regionDecl = this.RULE('regionDecl', () => {
    this.CONSUME(T.Region, { LABEL: 'keyword' });
    this.OPTION(() => this.CONSUME(T.RegionId, { LABEL: 'id' }));
    // `on NAME`, or a name on the same line (`region 0 hbm01 {`: the builder
    // asks for the missing `on`).
    this.OPTION2({
      GATE: () => this.LA(1).tokenType === T.On || this.sameLine(),
      DEF: () => {
        this.OR([
          {
            ALT: () => {
              this.CONSUME(T.On, { LABEL: 'on' });
              this.OPTION3(() => this.CONSUME(T.HeaderName, { LABEL: 'host' }));
            },
          },
          { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'hostWithoutOn' }) },
        ]);
      },
    });
    this.OPTION4(() => this.CONSUME(T.LCurly, { LABEL: 'open' }));
    this.MANY(() => {
      this.OR2([
        { ALT: () => this.SUBRULE(this.regionProperty, { LABEL: 'item' }) },
        { ALT: () => this.SUBRULE(this.deviceDecl, { LABEL: 'item' }) },
        { ALT: () => this.SUBRULE(this.regionUnknown, { LABEL: 'item' }) },
        { ALT: () => this.SUBRULE(this.junk, { LABEL: 'item' }) },
      ]);
    });
    this.OPTION5(() => this.CONSUME(T.RCurly, { LABEL: 'close' }));
  });

  /**
   * `device LABEL? {? (property | unknown | junk)* }?` — when the `{` is
   * missing, the `}` is only taken on the device's own line
   * (`device a size 1G }`), so that a device missing its `{` does not steal the
   * region's `}`.
   */
  public deviceDecl = this.RULE('deviceDecl', () => {
    const keyword = this.CONSUME(T.Device, { LABEL: 'keyword' });
    this.OPTION({ GATE: () => this.nameFollows(T.DeviceKey), DEF: () => this.CONSUME(T.HeaderName, { LABEL: 'label' }) });
    let opened = false;
    this.OPTION2(() => {
      this.CONSUME(T.LCurly, { LABEL: 'open' });
      opened = true;
    });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.deviceProperty, { LABEL: 'item' }) },
        { ALT: () => this.SUBRULE(this.deviceUnknown, { LABEL: 'item' }) },
        { ALT: () => this.SUBRULE(this.junk, { LABEL: 'item' }) },
      ]);
    });
    this.OPTION3({
      GATE: () => opened || this.LA(1).startLine === keyword.startLine,
      DEF: () => this.CONSUME(T.RCurly, { LABEL: 'close' }),
    });
  });

  /**
   * Layout only matters for mistakes: a bare word on the line after a key that
   * takes a number or a string is not taken as its (wrong) value, but as the
   * next property, because the value was most likely forgotten.
   */
  private valueFollows(wordKeys: ReadonlySet<string>): boolean {
    const next = this.LA(1);
    if (!tokenMatcher(next, T.Name)) return true;
    const key = this.LA(0);
    return wordKeys.has(key.image) || next.startLine === key.endLine;
  }

  /** The next token is on the line of the previous one. */
  private sameLine(): boolean {
    return this.LA(1).startLine === this.LA(0).endLine;
  }

  /**
   * A header name (`host NAME`, `device LABEL`) may be a keyword, but a key of
   * the block on the next line is the block's first property: the name was
   * forgotten.
   */
  private nameFollows(keys: TokenType): boolean {
    return !tokenMatcher(this.LA(1), keys) || this.sameLine();
  }

  /** The same for the words after `mode`: a mode word, an option, or on the same line. */
  private modeWordFollows(): boolean {
    const next = this.LA(1);
    return MODE_WORDS.has(next.image) || next.startLine === this.LA(0).endLine;
  }

  public hostProperty = this.RULE('hostProperty', () => {
    this.CONSUME(T.HostKey, { LABEL: 'key' });
    this.OPTION({ GATE: () => this.valueFollows(HOST_WORD_KEYS), DEF: () => this.CONSUME(T.HostSingle, { LABEL: 'value' }) });
  });

  public regionProperty = this.RULE('regionProperty', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.RegionValueKey, { LABEL: 'key' });
          this.OPTION({ GATE: () => this.valueFollows(REGION_WORD_KEYS), DEF: () => this.CONSUME(T.RegionSingle, { LABEL: 'value' }) });
        },
      },
      { ALT: () => this.CONSUME(T.RegionFlag, { LABEL: 'key' }) },
    ]);
  });

  public deviceProperty = this.RULE('deviceProperty', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.DeviceValueKey, { LABEL: 'key' });
          this.OPTION({ GATE: () => this.valueFollows(DEVICE_WORD_KEYS), DEF: () => this.CONSUME(T.DeviceSingle, { LABEL: 'value' }) });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Mode, { LABEL: 'key' });
          this.MANY({ GATE: () => this.modeWordFollows(), DEF: () => this.CONSUME(T.DeviceWord, { LABEL: 'value' }) });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Range, { LABEL: 'key' });
          this.MANY2(() => this.CONSUME(T.RangePart, { LABEL: 'value' }));
        },
      },
    ]);
  });

  /** A word that is not a key of the block, with whatever values follow it. */
  public hostUnknown = this.RULE('hostUnknown', () => {
    this.CONSUME(T.HostWord, { LABEL: 'key' });
    this.MANY(() => this.CONSUME(T.HostLoose, { LABEL: 'value' }));
  });

  public regionUnknown = this.RULE('regionUnknown', () => {
    this.CONSUME(T.RegionWord, { LABEL: 'key' });
    this.MANY(() => this.CONSUME(T.RegionLoose, { LABEL: 'value' }));
  });

  public deviceUnknown = this.RULE('deviceUnknown', () => {
    this.CONSUME(T.DeviceWord, { LABEL: 'key' });
    this.MANY(() => this.CONSUME(T.DeviceLoose, { LABEL: 'value' }));
  });

  /** Numbers, strings, `..`, `+`, `,`, `{` where a property should start. */
  public junk = this.RULE('junk', () => {
    this.AT_LEAST_ONE(() => this.CONSUME(T.Stray, { LABEL: 'token' }));
  });

  /** Anything but `host` or `region` at the top level. */
  public topJunk = this.RULE('topJunk', () => {
    this.AT_LEAST_ONE(() => this.CONSUME(T.TopJunk, { LABEL: 'token' }));
  });
}

let instance: DaxParser | undefined;

/** The parser instance, created on first use and reused for every parse. */
export function daxParser(): DaxParser {
  instance ??= new DaxParser();
  return instance;
}

export interface CstParseResult {
  readonly cst: CstNode | undefined;
  readonly errors: readonly IRecognitionException[];
}

/** Parses a token vector into a CST. Never throws. */
export function parseTokens(tokens: IToken[]): CstParseResult {
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
