// Properties and their values: a key and the value shape its block's schema gives it (sizes,
// modes, colour and expectation lists, ranges), checked and reported in the language's words.

import type { CstNode, IToken } from 'chevrotain';
import type { Property, RangeValue, Span, SyntaxProblem, Value } from './ast';
import { PROPERTY_SPECS, propertySpec, type BlockKind, type PropertySpec } from './schema';
import * as T from './tokens';
import {
  clip,
  describe,
  endOf,
  isName,
  isNumber,
  isString,
  listWords,
  MAX_SHOWN,
  missingAfter,
  numberValue,
  report,
  spanOf,
  stringValue,
  tok,
  toks,
  word,
  type BuildContext,
} from './build-cst';
import { closest } from './suggest';

export const BLOCK_KEYS: Record<BlockKind, readonly string[]> = {
  host: PROPERTY_SPECS.host.map((p) => p.keyword),
  region: [...PROPERTY_SPECS.region.map((p) => p.keyword), 'device'],
  device: PROPERTY_SPECS.device.map((p) => p.keyword),
};

export type ItemShape = PropertySpec['shape'] | 'unknown' | 'device' | 'none';

/**
 * What buildItems knows of the previous item of a block, to word errors
 * about what follows it. One object per block, updated in place.
 */
export interface ItemState {
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

export function blockOf(key: string): BlockKind[] {
  return (['host', 'region', 'device'] as const).filter((b) => BLOCK_KEYS[b].includes(key));
}

export function unknownPropertyMessage(block: BlockKind, written: string): string {
  const key = clip(written);
  const expected = `expected one of: ${listWords(BLOCK_KEYS[block])}`;
  if (block === 'region' && /^mem\d+$/.test(key)) {
    return `\`${key}\` is a memdev: separate the memdevs of a cxl region with \`,\`: \`memdevs mem0, ${key}\``;
  }
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
export function wrongKindHint(found: IToken, spec: PropertySpec | undefined): string {
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
export function buildProperty(
  ctx: BuildContext,
  node: CstNode,
  block: BlockKind,
  state: ItemState,
): Property | undefined {
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
    case 'word-or-range': {
      const v = valueToks[0];
      if (v === undefined) missing = `expected ${spec.expected}`;
      else if (isName(v) && valueToks.length === 1) values.push(word(v));
      // the parser takes one range (`..`/`+` and its operand) after `adopt`
      else if (isNumber(v)) buildRanges(ctx, valueToks, values);
      else report(ctx, `expected ${spec.expected}, found ${describe(v)}`, spanOf(v));
      break;
    }
    case 'colours':
    case 'expect':
      if (valueToks.length === 0) missing = `expected ${spec.expected}`;
      else buildList(ctx, valueToks, values, spec.shape);
      break;
    case 'memdevs':
      if (valueToks.length === 0) missing = `expected ${spec.expected}`;
      else buildMemdevs(ctx, valueToks, values);
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
          report(
            ctx,
            'expected the last colour after `..`, such as 0..1',
            second === undefined ? missingAfter(ctx, endOf(op)) : spanOf(second),
          );
          values.push({ kind: 'range', span: { start: start.span.start, end: endOf(op) + 1 }, op: '..', start });
          i += 1;
        }
      } else values.push(start);
    } else if (isName(t)) {
      values.push(word(t));
    } else if (shape === 'colours' && t.tokenType === T.Comma) {
      const prev = parts[i - 1];
      const next = parts[i + 1];
      if (prev === undefined || !isNumber(prev))
        report(ctx, 'expected a colour before `,`, such as 0, 2..3', spanOf(t));
      else if (next === undefined) report(ctx, 'expected another colour after `,`', missingAfter(ctx, endOf(t)));
    } else {
      report(ctx, `unexpected ${describe(t)} in \`${shape}\``, spanOf(t));
    }
  }
}

/** `memdevs` values: names (mem0) or serial numbers (0x2), separated by `,`. */
function buildMemdevs(ctx: BuildContext, parts: readonly IToken[], values: Value[]): void {
  let wantItem = true;
  for (const t of parts) {
    if (t.tokenType === T.Comma) {
      if (wantItem) report(ctx, 'expected a memdev before `,`, such as mem0, mem1', spanOf(t));
      wantItem = true;
      continue;
    }
    if (!isName(t) && !isNumber(t)) {
      report(ctx, `expected a memdev name such as mem0 or a serial number, found ${describe(t)}`, spanOf(t));
      wantItem = true; // one message for the stray token
      continue;
    }
    if (!wantItem) report(ctx, `expected \`,\` between memdevs, found ${describe(t)}`, spanOf(t));
    values.push(isName(t) ? word(t) : numberValue(t));
    wantItem = false;
  }
  const last = parts[parts.length - 1];
  if (wantItem && last !== undefined) report(ctx, 'expected another memdev after `,`', missingAfter(ctx, endOf(last)));
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
            : {
                kind: 'range',
                span: { start: start.span.start, end: second.span.end },
                op: '+',
                start,
                length: second,
              };
          values.push(range);
        } else {
          const message = isDots
            ? 'expected the last address of the range after `..`, such as 0x1ff'
            : 'expected a length such as 4G after `+`';
          if (operand === undefined || operand.tokenType === T.Comma)
            report(ctx, message, missingAfter(ctx, endOf(op)));
          else report(ctx, `${message}, found ${describe(operand)}`, spanOf(operand));
          values.push({
            kind: 'range',
            span: { start: start.span.start, end: endOf(op) + 1 },
            op: isDots ? '..' : '+',
            start,
          });
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
