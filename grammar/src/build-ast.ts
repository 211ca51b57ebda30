// CST → AST, and the syntax checks that need to know the language: header
// parts, braces, property keys and value shapes. Tolerant: never throws (the
// caller wraps it anyway), missing parts are undefined, and each mistake is
// reported once, in the language's own words.

import { tokenMatcher, type CstElement, type CstNode, type IToken } from 'chevrotain';
import type {
  DeviceDecl,
  Declaration,
  HostDecl,
  NumberValue,
  Property,
  RangeValue,
  RegionDecl,
  Span,
  StringValue,
  SyntaxProblem,
  Value,
  Word,
} from './ast';
import { readNumber, readString } from './literals';
import { PROPERTY_SPECS, propertySpec, type BlockKind, type PropertySpec } from './schema';
import * as T from './tokens';

export interface BuildContext {
  readonly text: string;
  /** End offset (inclusive) of the last real token, -1 when there is none. */
  readonly lastTokenEnd: number;
  readonly errors: SyntaxProblem[];
  /**
   * Spans whose other errors are noise: an unquoted string such as
   * `root@hbm01.lab` is reported once, not as a word, a stray `@`, and so on.
   */
  readonly covered: { readonly span: Span; readonly by: SyntaxProblem }[];
}

// ---------------------------------------------------------------------------
// CST access

const NO_TOKENS: readonly IToken[] = [];
const NO_NODES: readonly CstNode[] = [];

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

/** A token that really is in the text (not one inserted by recovery). */
function isReal(t: IToken | undefined): t is IToken {
  return t !== undefined && t.isInsertedInRecovery !== true && !Number.isNaN(t.startOffset);
}

function tok(node: CstNode, label: string): IToken | undefined {
  const e = node.children[label]?.[0];
  return e !== undefined && isToken(e) && isReal(e) ? e : undefined;
}

function toks(node: CstNode, label: string): readonly IToken[] {
  const list = node.children[label] as IToken[] | undefined;
  if (list === undefined) return NO_TOKENS;
  for (const e of list) {
    // Only copy in the (unexpected) case of a recovery-inserted token.
    if (!isToken(e) || !isReal(e)) return list.filter((t) => isToken(t) && isReal(t));
  }
  return list;
}

function nodes(node: CstNode, label: string): readonly CstNode[] {
  const list = node.children[label] as CstNode[] | undefined;
  if (list === undefined) return NO_NODES;
  for (const e of list) if (isToken(e)) return list.filter((n) => !isToken(n));
  return list;
}

// ---------------------------------------------------------------------------
// Spans and errors

/** Inclusive end offset of a token (always known with full position tracking). */
export function endOf(t: IToken): number {
  return t.endOffset ?? t.startOffset + t.image.length - 1;
}

function spanOf(t: IToken): Span {
  return { start: t.startOffset, end: endOf(t) + 1 };
}

function report(ctx: BuildContext, message: string, span: Span): void {
  ctx.errors.push({ message, span });
}

/**
 * Where to put an error about something missing after the token ending at
 * `endInclusive`: the last character of that token, or a zero-width span at
 * the end of the text when nothing follows it.
 */
export function missingAfter(ctx: BuildContext, endInclusive: number): Span {
  if (endInclusive >= ctx.lastTokenEnd || endInclusive < 0) {
    return { start: ctx.text.length, end: ctx.text.length };
  }
  return { start: endInclusive, end: endInclusive + 1 };
}

function nodeEnd(node: CstNode, fallback: IToken): number {
  const end = node.location?.endOffset;
  return end !== undefined && !Number.isNaN(end) ? end : endOf(fallback);
}

const MAX_SHOWN = 40;

/** How a token is named in a message: `48G`, `foo`, "a string". */
export function describe(t: IToken): string {
  let image = t.image;
  if (image.length > MAX_SHOWN) image = image.slice(0, MAX_SHOWN - 1) + '…';
  if (t.tokenType === T.StringLiteral) return `the string ${image}`;
  return '`' + image + '`';
}

/** A word as shown in a message, cut when it is very long. */
function clip(word: string): string {
  return word.length > MAX_SHOWN ? word.slice(0, MAX_SHOWN - 1) + '…' : word;
}

/** How a stray token is named after "unexpected": `4G`, string "x". */
function stray(t: IToken): string {
  return t.tokenType === T.StringLiteral ? `string ${describe(t).slice('the string '.length)}` : describe(t);
}

function listWords(words: readonly string[]): string {
  return words.join(', ');
}

/** Edit distance counting a swap of two neighbours as one edit (typos like `hsot`). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      }
      cur[j] = d;
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length] ?? 3;
}

/** The closest candidate, if it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = w.length <= 4 ? 2 : 3;
  for (const c of candidates) {
    const d = editDistance(w, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------
// Values

function word(t: IToken): Word {
  return { kind: 'word', span: spanOf(t), text: t.image };
}

function numberValue(t: IToken): NumberValue {
  const parts = readNumber(t.image);
  const span = spanOf(t);
  const { value, unit, radix, error } = parts;
  return error === undefined
    ? { kind: 'number', span, text: t.image, value, unit, radix }
    : { kind: 'number', span, text: t.image, value, unit, radix, error };
}

function stringValue(t: IToken): StringValue {
  const { value, terminated } = readString(t.image);
  const span = spanOf(t);
  return terminated
    ? { kind: 'string', span, text: t.image, value }
    : { kind: 'string', span, text: t.image, value, unterminated: true };
}

const isNumber = (t: IToken): boolean => t.tokenType === T.NumberLiteral;
const isString = (t: IToken): boolean => t.tokenType === T.StringLiteral;
const isName = (t: IToken): boolean => tokenMatcher(t, T.Name);

// ---------------------------------------------------------------------------
// Blocks

const BLOCK_KEYS: Record<BlockKind, readonly string[]> = {
  host: PROPERTY_SPECS.host.map((p) => p.keyword),
  region: [...PROPERTY_SPECS.region.map((p) => p.keyword), 'device'],
  device: PROPERTY_SPECS.device.map((p) => p.keyword),
};

const BLOCK_EXPECT: Record<BlockKind, string> = {
  host: `a host property (${listWords(BLOCK_KEYS.host)}) or \`}\``,
  region: `a region property (${listWords(PROPERTY_SPECS.region.map((p) => p.keyword))}), \`device\` or \`}\``,
  device: `a device property (${listWords(BLOCK_KEYS.device)}) or \`}\``,
};

type ItemShape = PropertySpec['shape'] | 'unknown' | 'device' | 'none';

/**
 * What buildItems knows of the previous item of a block, to word errors
 * about what follows it. One object per block, updated in place.
 */
interface ItemState {
  key: string;
  shape: ItemShape;
  /** Line where the previous item ended. */
  line: number;
  hadError: boolean;
  /** A missing value, reported once we know what follows the property. */
  pendingMessage: string | undefined;
  pendingAnchor: Span | undefined;
  pendingLine: number;
}

interface BlockContents {
  readonly properties: Property[];
  readonly devices: DeviceDecl[];
}

function flushPending(ctx: BuildContext, state: ItemState): void {
  if (state.pendingMessage !== undefined && state.pendingAnchor !== undefined) {
    report(ctx, state.pendingMessage, state.pendingAnchor);
  }
  state.pendingMessage = undefined;
  state.pendingAnchor = undefined;
}

const SINGLE_VALUE: ReadonlySet<ItemShape> = new Set<ItemShape>(['number', 'string', 'word', 'word-or-number', 'size-or-rest']);

function junkError(ctx: BuildContext, state: ItemState, first: IToken, block: BlockKind, desc: string): void {
  const line = first.startLine ?? -2;
  if (state.pendingMessage !== undefined && state.pendingLine === line) {
    // `mode 3`: the missing value is reported at what stands in its place.
    report(ctx, `${state.pendingMessage}, found ${describe(first)}${wrongKindHint(first, undefined)}`, spanOf(first));
    state.pendingMessage = undefined;
    state.pendingAnchor = undefined;
  } else {
    flushPending(ctx, state);
    const sameLine = state.line === line;
    if (sameLine && state.hadError) {
      // Same line as a property already in error: one message is enough.
    } else if (sameLine && state.shape === 'flag') {
      report(ctx, `unexpected ${stray(first)}: \`${state.key}\` takes no value`, spanOf(first));
    } else if (sameLine && SINGLE_VALUE.has(state.shape)) {
      report(ctx, `unexpected ${stray(first)}: \`${state.key}\` takes a single value`, spanOf(first));
    } else {
      report(ctx, `unexpected ${stray(first)} in ${desc}; expected ${BLOCK_EXPECT[block]}`, spanOf(first));
    }
  }
  state.key = '';
  state.shape = 'unknown';
  state.line = line;
  state.hadError = true;
}

function buildItems(ctx: BuildContext, node: CstNode, block: BlockKind, desc: string): BlockContents {
  const properties: Property[] = [];
  const devices: DeviceDecl[] = [];
  const state: ItemState = {
    key: '',
    shape: 'none',
    line: -1,
    hadError: false,
    pendingMessage: undefined,
    pendingAnchor: undefined,
    pendingLine: -1,
  };
  for (const item of nodes(node, 'item')) {
    switch (item.name) {
      case 'hostProperty':
      case 'regionProperty':
      case 'deviceProperty': {
        flushPending(ctx, state);
        const property = buildProperty(ctx, item, block, state);
        if (property !== undefined) properties.push(property);
        break;
      }
      case 'deviceDecl': {
        flushPending(ctx, state);
        const device = buildDevice(ctx, item);
        if (block === 'region') devices.push(device);
        else {
          report(
            ctx,
            block === 'host'
              ? 'a device is declared inside a region block, not in a host block'
              : 'a device cannot be declared inside another device',
            device.keyword,
          );
        }
        state.key = 'device';
        state.shape = 'device';
        state.line = -1;
        state.hadError = false;
        break;
      }
      case 'hostUnknown':
      case 'regionUnknown':
      case 'deviceUnknown': {
        flushPending(ctx, state);
        const key = tok(item, 'key');
        if (key === undefined) break;
        report(ctx, unknownPropertyMessage(block, key.image), spanOf(key));
        state.key = key.image;
        state.shape = 'unknown';
        state.line = key.startLine ?? -1;
        state.hadError = true;
        break;
      }
      case 'junk': {
        const first = toks(item, 'token')[0];
        if (first !== undefined) junkError(ctx, state, first, block, desc);
        break;
      }
      default:
        break;
    }
  }
  flushPending(ctx, state);
  return { properties, devices };
}

function blockOf(key: string): BlockKind[] {
  return (['host', 'region', 'device'] as const).filter((b) => BLOCK_KEYS[b].includes(key));
}

function unknownPropertyMessage(block: BlockKind, written: string): string {
  const key = clip(written);
  const expected = `expected one of: ${listWords(BLOCK_KEYS[block])}`;
  if (block === 'region' && key === 'on') {
    return '`on` belongs in the region header: `region 0 on hbm01 {`';
  }
  if (block === 'device' && (T.MODE_OPTIONS as readonly string[]).includes(key)) {
    return `\`${key}\` is a mode option; write it after the mode: \`mode system-ram ${key}\``;
  }
  if (block === 'device' && (T.MODE_WORDS as readonly string[]).includes(key)) {
    return `\`${key}\` is a mode; write \`mode ${key}\``;
  }
  if (block === 'host' && key === 'device') {
    return 'a device is declared inside a region block, not in a host block';
  }
  const others = blockOf(written).filter((b) => b !== block);
  if (others.length > 0) {
    const where = others.length === 1 ? `a ${others[0]} property` : `a ${others.join(' or ')} property`;
    return `\`${key}\` is ${where}, not a ${block} property; ${expected}`;
  }
  const guess = closest(written, BLOCK_KEYS[block]);
  if (guess !== undefined) {
    return `\`${key}\` is not a ${block} property; did you mean \`${guess}\`? ${expected.charAt(0).toUpperCase()}${expected.slice(1)}`;
  }
  return `\`${key}\` is not a ${block} property; ${expected}`;
}

/** A hint appended to "expected X, found Y". */
function wrongKindHint(found: IToken, spec: PropertySpec | undefined): string {
  const wanted = spec?.shape;
  if (wanted === 'string' && !isString(found)) return `; write it in double quotes: "${found.image}"`;
  if (wanted !== 'string' && isString(found)) return '; write it without quotes';
  return '';
}

/** Characters that end an unquoted string written where a string is expected. */
function endsUnquoted(c: number): boolean {
  // blank, line break, `#`, `{`, `}`, `"`
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 35 || c === 123 || c === 125 || c === 34;
}

/** `ssh root@hbm01.lab`: one error over the whole unquoted text, with the fix. */
function reportUnquoted(ctx: BuildContext, spec: PropertySpec, v: IToken): void {
  let end = endOf(v) + 1;
  const text = ctx.text;
  while (end < text.length && !endsUnquoted(text.charCodeAt(end))) end++;
  const span: Span = { start: v.startOffset, end };
  const written = text.slice(span.start, span.end);
  const shown = written.length > MAX_SHOWN ? written.slice(0, MAX_SHOWN - 1) + '…' : written;
  const problem: SyntaxProblem = {
    message: `expected ${spec.expected}, found \`${shown}\`; write it in double quotes: "${shown}"`,
    span,
  };
  ctx.errors.push(problem);
  if (end > endOf(v) + 1) ctx.covered.push({ span, by: problem });
}

/** Builds a property, recording in `state` what the next item needs to know. */
function buildProperty(ctx: BuildContext, node: CstNode, block: BlockKind, state: ItemState): Property | undefined {
  const keyTok = tok(node, 'key');
  if (keyTok === undefined) return undefined;
  const key = word(keyTok);
  const spec = propertySpec(block, keyTok.image);
  const valueToks = toks(node, 'value');
  const last = valueToks[valueToks.length - 1] ?? keyTok;
  const span: Span = { start: keyTok.startOffset, end: endOf(last) + 1 };
  const values: Value[] = [];
  const errorsBefore = ctx.errors.length;
  let missing: string | undefined;
  state.key = keyTok.image;
  state.line = last.endLine ?? last.startLine ?? -1;
  if (spec === undefined) {
    // The grammar only lets this block's keys through; be safe anyway.
    report(ctx, unknownPropertyMessage(block, keyTok.image), key.span);
    state.shape = 'unknown';
    state.hadError = true;
    return { kind: 'property', span, key, values };
  }
  state.shape = spec.shape;
  switch (spec.shape) {
    case 'flag':
      break;
    case 'string':
    case 'number':
    case 'word':
    case 'word-or-number':
    case 'size-or-rest': {
      const v = valueToks[0];
      if (v === undefined) {
        missing = `expected ${spec.expected}`;
        break;
      }
      let value: Value | undefined;
      if (spec.shape === 'string' && isString(v)) value = stringValue(v);
      else if (spec.shape === 'number' && isNumber(v)) value = numberValue(v);
      else if (spec.shape === 'word' && isName(v)) value = word(v);
      else if (spec.shape === 'word-or-number' && isName(v)) value = word(v);
      else if (spec.shape === 'word-or-number' && isNumber(v)) value = numberValue(v);
      else if (spec.shape === 'size-or-rest' && isNumber(v)) value = numberValue(v);
      else if (spec.shape === 'size-or-rest' && isName(v) && v.image === 'rest') value = word(v);
      if (value !== undefined) values.push(value);
      else if (spec.shape === 'string') reportUnquoted(ctx, spec, v);
      else report(ctx, `expected ${spec.expected}, found ${describe(v)}${wrongKindHint(v, spec)}`, spanOf(v));
      break;
    }
    case 'mode':
      if (valueToks.length === 0) missing = `expected ${spec.expected}`;
      else buildMode(ctx, valueToks, values);
      break;
    case 'range':
      if (valueToks.length === 0) missing = `expected ${spec.expected}`;
      else buildRanges(ctx, valueToks, values);
      break;
    case 'colours':
    case 'expect':
      if (valueToks.length === 0) missing = `expected ${spec.expected}`;
      else buildList(ctx, valueToks, values, spec.shape);
      break;
  }
  if (missing !== undefined) {
    state.pendingMessage = missing;
    state.pendingAnchor = missingAfter(ctx, endOf(keyTok));
    state.pendingLine = keyTok.endLine ?? -1;
  }
  state.hadError = missing !== undefined || ctx.errors.length > errorsBefore;
  return { kind: 'property', span, key, values };
}

function buildMode(ctx: BuildContext, words: readonly IToken[], values: Value[]): void {
  const [first, ...options] = words;
  if (first === undefined) return;
  const modes = T.MODE_WORDS as readonly string[];
  const modeOptions = T.MODE_OPTIONS as readonly string[];
  if (!modes.includes(first.image)) {
    if (modeOptions.includes(first.image)) {
      report(
        ctx,
        `expected \`devdax\` or \`system-ram\` after \`mode\`, found the mode option \`${first.image}\`; write \`mode system-ram ${first.image}\``,
        spanOf(first),
      );
    } else {
      const guess = closest(first.image, modes);
      report(
        ctx,
        `\`${clip(first.image)}\` is not a mode; ${guess ? `did you mean \`${guess}\`? ` : ''}expected \`devdax\` or \`system-ram\``,
        spanOf(first),
      );
    }
    return;
  }
  values.push(word(first));
  for (const o of options) {
    if (modeOptions.includes(o.image)) {
      values.push(word(o));
    } else if (modes.includes(o.image)) {
      report(ctx, `\`${o.image}\` is a mode, not a mode option; a device has one mode`, spanOf(o));
    } else {
      const guess = closest(o.image, modeOptions);
      report(
        ctx,
        `\`${clip(o.image)}\` is not a mode option; ${guess ? `did you mean \`${guess}\`? ` : ''}expected one of: ${listWords(modeOptions)}`,
        spanOf(o),
      );
    }
  }
}

/**
 * `colours` and `expect` values: numbers, words and (colours only) `a..b`
 * ranges, `,` between colours. Which words go where is judged by the core.
 */
function buildList(ctx: BuildContext, parts: readonly IToken[], values: Value[], shape: 'colours' | 'expect'): void {
  for (let i = 0; i < parts.length; i++) {
    const t = parts[i] as IToken;
    if (isNumber(t)) {
      const start = numberValue(t);
      const op = parts[i + 1];
      if (shape === 'colours' && op !== undefined && op.tokenType === T.DotDot) {
        const second = parts[i + 2];
        if (second !== undefined && isNumber(second)) {
          const end = numberValue(second);
          values.push({ kind: 'range', span: { start: start.span.start, end: end.span.end }, op: '..', start, end });
          i += 2;
        } else {
          report(ctx, 'expected the last colour after `..`, such as 0..1', second === undefined ? missingAfter(ctx, endOf(op)) : spanOf(second));
          values.push({ kind: 'range', span: { start: start.span.start, end: endOf(op) + 1 }, op: '..', start });
          i += 1;
        }
      } else values.push(start);
    } else if (isName(t)) {
      values.push(word(t));
    } else if (shape === 'colours' && t.tokenType === T.Comma) {
      const prev = parts[i - 1];
      const next = parts[i + 1];
      if (prev === undefined || !isNumber(prev)) report(ctx, 'expected a colour before `,`, such as 0, 2..3', spanOf(t));
      else if (next === undefined) report(ctx, 'expected another colour after `,`', missingAfter(ctx, endOf(t)));
    } else {
      report(ctx, `unexpected ${describe(t)} in \`${shape}\``, spanOf(t));
    }
  }
}

/** `range` values: `N..N` or `N + N`, separated by `,`. */
function buildRanges(ctx: BuildContext, parts: readonly IToken[], values: Value[]): void {
  let i = 0;
  const n = parts.length;
  const skipToComma = (): void => {
    while (i < n && parts[i]?.tokenType !== T.Comma) i++;
  };
  for (;;) {
    const t = parts[i];
    if (t === undefined) break;
    if (!isNumber(t)) {
      report(
        ctx,
        t.tokenType === T.Comma
          ? 'expected a range before `,`, such as 0x100..0x1ff'
          : `expected a range start such as 0x10_0000_0000, found ${describe(t)}`,
        spanOf(t),
      );
      skipToComma();
    } else {
      const start = numberValue(t);
      i++;
      const op = parts[i];
      if (op !== undefined && (op.tokenType === T.DotDot || op.tokenType === T.Plus)) {
        i++;
        const operand = parts[i];
        const isDots = op.tokenType === T.DotDot;
        if (operand !== undefined && isNumber(operand)) {
          i++;
          const second = numberValue(operand);
          const range: RangeValue = isDots
            ? { kind: 'range', span: { start: start.span.start, end: second.span.end }, op: '..', start, end: second }
            : { kind: 'range', span: { start: start.span.start, end: second.span.end }, op: '+', start, length: second };
          values.push(range);
        } else {
          const message = isDots
            ? 'expected the last address of the range after `..`, such as 0x1ff'
            : 'expected a length such as 4G after `+`';
          if (operand === undefined || operand.tokenType === T.Comma) report(ctx, message, missingAfter(ctx, endOf(op)));
          else report(ctx, `${message}, found ${describe(operand)}`, spanOf(operand));
          values.push({ kind: 'range', span: { start: start.span.start, end: endOf(op) + 1 }, op: isDots ? '..' : '+', start });
          skipToComma();
        }
      } else {
        report(
          ctx,
          `expected \`..\` or \`+\` after the range start \`${t.image}\` (a range is start..end or start + length)`,
          op === undefined || op.tokenType === T.Comma ? missingAfter(ctx, endOf(t)) : spanOf(op),
        );
        skipToComma();
      }
    }
    const next = parts[i];
    if (next === undefined) break;
    if (next.tokenType === T.Comma) {
      i++;
      if (i >= n) report(ctx, 'expected another range after `,`', missingAfter(ctx, endOf(next)));
      continue;
    }
    // Two ranges without a comma between them.
    report(ctx, `expected \`,\` between ranges, found ${describe(next)}`, spanOf(next));
    if (!isNumber(next)) {
      skipToComma();
    }
  }
}

// ---------------------------------------------------------------------------
// Declarations

function closeBlock(
  ctx: BuildContext,
  node: CstNode,
  keyword: IToken,
  open: IToken | undefined,
  close: IToken | undefined,
  desc: string,
): Span | undefined {
  const end = nodeEnd(node, keyword);
  if (open === undefined) return undefined;
  if (close === undefined) {
    report(ctx, `expected \`}\` to close ${desc} (opened at line ${open.startLine ?? '?'})`, missingAfter(ctx, end));
    return { start: open.startOffset, end: end + 1 };
  }
  return { start: open.startOffset, end: endOf(close) + 1 };
}

function buildHost(ctx: BuildContext, node: CstNode): HostDecl | undefined {
  const kw = tok(node, 'keyword');
  if (kw === undefined) return undefined;
  const keyword = spanOf(kw);
  const nameTok = tok(node, 'name');
  const open = tok(node, 'open');
  const close = tok(node, 'close');
  let name: Word | undefined;
  let headerOk = true;
  let headerLast = kw;
  if (nameTok === undefined) {
    report(ctx, 'expected a host name after `host`, such as `host hbm01 {`', missingAfter(ctx, endOf(kw)));
    headerOk = false;
  } else {
    headerLast = nameTok;
    if (isName(nameTok)) name = word(nameTok);
    else {
      report(
        ctx,
        isString(nameTok)
          ? `a host name is written without quotes: \`host ${clip(readString(nameTok.image).value)} {\``
          : `expected a host name such as hbm01 after \`host\`, found ${describe(nameTok)}`,
        spanOf(nameTok),
      );
      headerOk = false;
    }
  }
  if (open === undefined && headerOk) {
    report(ctx, 'expected `{` to open the host block', missingAfter(ctx, endOf(headerLast)));
  }
  const desc = name ? `host ${clip(name.text)}` : 'the host block';
  const { properties } = buildItems(ctx, node, 'host', desc);
  const body = closeBlock(ctx, node, kw, open, close, desc);
  const host: HostDecl = {
    kind: 'host',
    span: { start: keyword.start, end: nodeEnd(node, kw) + 1 },
    keyword,
    properties,
    ...(name ? { name } : {}),
    ...(body ? { body } : {}),
  };
  return host;
}

function buildRegion(ctx: BuildContext, node: CstNode): RegionDecl | undefined {
  const kw = tok(node, 'keyword');
  if (kw === undefined) return undefined;
  const keyword = spanOf(kw);
  const idTok = tok(node, 'id');
  const onTok = tok(node, 'on');
  const hostTok = tok(node, 'host');
  const hostWithoutOn = tok(node, 'hostWithoutOn');
  const open = tok(node, 'open');
  const close = tok(node, 'close');
  let id: NumberValue | undefined;
  let host: Word | undefined;
  let headerOk = true;
  let headerLast = kw;
  if (idTok === undefined) {
    report(ctx, 'expected a region number such as 0 after `region`', missingAfter(ctx, endOf(kw)));
    headerOk = false;
  } else {
    headerLast = idTok;
    if (isNumber(idTok)) id = numberValue(idTok);
    else {
      report(
        ctx,
        `expected a region number such as 0 after \`region\`, found ${describe(idTok)}${isString(idTok) ? '; write it without quotes' : ''}`,
        spanOf(idTok),
      );
      headerOk = false;
    }
  }
  if (onTok !== undefined) {
    headerLast = onTok;
    if (hostTok === undefined) {
      if (headerOk) report(ctx, 'expected a host name after `on`', missingAfter(ctx, endOf(onTok)));
      headerOk = false;
    } else {
      headerLast = hostTok;
      if (isName(hostTok)) host = word(hostTok);
      else {
        if (headerOk) {
          report(
            ctx,
            isString(hostTok)
              ? 'a host name is written without quotes'
              : `expected a host name after \`on\`, found ${describe(hostTok)}`,
            spanOf(hostTok),
          );
        }
        headerOk = false;
      }
    }
  } else if (hostWithoutOn !== undefined) {
    headerLast = hostWithoutOn;
    host = word(hostWithoutOn);
    if (headerOk) {
      report(
        ctx,
        `expected \`on\` before the host name: \`region ${id?.text ?? 'N'} on ${clip(hostWithoutOn.image)} {\``,
        spanOf(hostWithoutOn),
      );
    }
    headerOk = false;
  }
  if (open === undefined && headerOk) {
    report(ctx, 'expected `{` to open the region block', missingAfter(ctx, endOf(headerLast)));
  }
  const desc = id ? `region ${clip(id.text)}` : 'the region block';
  const { properties, devices } = buildItems(ctx, node, 'region', desc);
  const body = closeBlock(ctx, node, kw, open, close, desc);
  return {
    kind: 'region',
    span: { start: keyword.start, end: nodeEnd(node, kw) + 1 },
    keyword,
    properties,
    devices,
    ...(id ? { id } : {}),
    ...(host ? { host } : {}),
    ...(body ? { body } : {}),
  };
}

function buildDevice(ctx: BuildContext, node: CstNode): DeviceDecl {
  const kw = tok(node, 'keyword');
  const start = node.location?.startOffset ?? 0;
  const keyword: Span = kw ? spanOf(kw) : { start, end: start };
  const labelTok = tok(node, 'label');
  const open = tok(node, 'open');
  const close = tok(node, 'close');
  let label: Word | undefined;
  let headerOk = true;
  let headerLast = kw;
  if (kw !== undefined) {
    if (labelTok === undefined) {
      report(ctx, 'expected a device label after `device`, such as `device weather {`', missingAfter(ctx, endOf(kw)));
      headerOk = false;
    } else {
      headerLast = labelTok;
      if (isName(labelTok)) label = word(labelTok);
      else {
        report(
          ctx,
          isString(labelTok)
            ? `a device label is written without quotes: \`device ${clip(readString(labelTok.image).value)} {\``
            : `expected a device label such as weather after \`device\`, found ${describe(labelTok)}`,
          spanOf(labelTok),
        );
        headerOk = false;
      }
    }
    if (open === undefined && headerOk && headerLast) {
      report(ctx, 'expected `{` to open the device block', missingAfter(ctx, endOf(headerLast)));
    }
  }
  const desc = label ? `device ${clip(label.text)}` : 'the device block';
  const { properties } = buildItems(ctx, node, 'device', desc);
  const body = kw ? closeBlock(ctx, node, kw, open, close, desc) : undefined;
  const end = kw ? nodeEnd(node, kw) + 1 : keyword.end;
  return {
    kind: 'device',
    span: { start: keyword.start, end },
    keyword,
    properties,
    ...(label ? { label } : {}),
    ...(body ? { body } : {}),
  };
}

function topJunkMessage(t: IToken): string {
  const w = t.image;
  if (t.tokenType === T.Device) return '`device` must be inside a region block: `region 0 { device … }`';
  if (t.tokenType === T.RCurly) return 'unexpected `}`: there is no open block to close here';
  if (t.tokenType === T.LCurly) return 'unexpected `{`: a block starts with `host NAME` or `region NUMBER`';
  if (isName(t)) {
    const blocks = blockOf(w);
    if (blocks.length > 0) {
      return `\`${w}\` must be inside a ${blocks.join(' or ')} block`;
    }
    const guess = closest(w, ['host', 'region']);
    if (guess) return `expected \`host\` or \`region\`, found \`${clip(w)}\`; did you mean \`${guess}\`?`;
  }
  return `expected \`host\` or \`region\`, found ${describe(t)}`;
}

/** Builds the declarations of a `file` CST node, adding syntax errors to the context. */
export function buildDeclarations(ctx: BuildContext, file: CstNode | undefined): Declaration[] {
  const declarations: Declaration[] = [];
  if (file === undefined) return declarations;
  for (const node of nodes(file, 'decl')) {
    const decl = node.name === 'hostDecl' ? buildHost(ctx, node) : buildRegion(ctx, node);
    if (decl) declarations.push(decl);
  }
  for (const junk of nodes(file, 'junk')) {
    const first = toks(junk, 'token')[0];
    if (first) report(ctx, topJunkMessage(first), spanOf(first));
  }
  return declarations;
}
