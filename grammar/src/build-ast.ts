// CST → AST, and the syntax checks that need to know the language: header
// parts, braces, property keys and value shapes. Tolerant: never throws (the
// caller wraps it anyway), missing parts are undefined, and each mistake is
// reported once, in the language's own words.
//
// This file builds blocks and declarations; build-property.ts builds properties and their
// values, build-cst.ts holds what both use.

import type { CstNode, IToken } from 'chevrotain';
import type { DeviceDecl, Declaration, HostDecl, NumberValue, Property, RegionDecl, Span, Word } from './ast';
import { readString } from './literals';
import { PROPERTY_SPECS, type BlockKind } from './schema';
import * as T from './tokens';
import {
  clip,
  describe,
  endOf,
  isName,
  isNumber,
  isString,
  listWords,
  missingAfter,
  nodeEnd,
  nodes,
  numberValue,
  report,
  spanOf,
  stray,
  tok,
  toks,
  word,
  type BuildContext,
} from './build-cst';
import { closest } from './suggest';
import {
  BLOCK_KEYS,
  blockOf,
  buildProperty,
  unknownPropertyMessage,
  wrongKindHint,
  type ItemShape,
  type ItemState,
} from './build-property';

export { describe, endOf, missingAfter, type BuildContext } from './build-cst';

// ---------------------------------------------------------------------------
// Blocks

const BLOCK_EXPECT: Record<BlockKind, string> = {
  host: `a host property (${listWords(BLOCK_KEYS.host)}) or \`}\``,
  region: `a region property (${listWords(PROPERTY_SPECS.region.map((p) => p.keyword))}), \`device\` or \`}\``,
  device: `a device property (${listWords(BLOCK_KEYS.device)}) or \`}\``,
};

/** A declaration while it is built (optional parts are set as they are found, not spread in). */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

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

const SINGLE_VALUE: ReadonlySet<ItemShape> = new Set<ItemShape>([
  'number',
  'string',
  'word',
  'word-or-number',
  'size-or-rest',
]);

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
  const host: Writable<HostDecl> = {
    kind: 'host',
    span: { start: keyword.start, end: nodeEnd(node, kw) + 1 },
    keyword,
    properties,
  };
  if (name) host.name = name;
  if (body) host.body = body;
  return host;
}

function buildRegion(ctx: BuildContext, node: CstNode): RegionDecl | undefined {
  const cxlTok = tok(node, 'cxl');
  const regionTok = tok(node, 'keyword');
  if (cxlTok !== undefined && regionTok === undefined)
    report(ctx, 'expected `region` after `cxl`: `cxl region LABEL on HOST {`', missingAfter(ctx, endOf(cxlTok)));
  const kw = regionTok ?? cxlTok;
  if (kw === undefined) return undefined;
  const keyword = spanOf(kw);
  const first = cxlTok ?? kw;
  const idTok = tok(node, 'id');
  const onTok = tok(node, 'on');
  const hostTok = tok(node, 'host');
  const hostWithoutOn = tok(node, 'hostWithoutOn');
  const open = tok(node, 'open');
  const close = tok(node, 'close');
  let id: NumberValue | undefined;
  let label: Word | undefined;
  let host: Word | undefined;
  let headerOk = regionTok !== undefined;
  let headerLast = kw;
  if (cxlTok !== undefined) {
    if (idTok === undefined) {
      if (headerOk)
        report(ctx, 'expected a label after `cxl region`, such as `cxl region pool {`', missingAfter(ctx, endOf(kw)));
      headerOk = false;
    } else {
      headerLast = idTok;
      if (isName(idTok)) label = word(idTok);
      else {
        report(
          ctx,
          isNumber(idTok)
            ? `a CXL region is named by a label, such as \`cxl region pool {\`: the kernel numbers it (\`adopt region${clip(idTok.image)}\` takes over an existing one)`
            : `expected a label such as pool after \`cxl region\`, found ${describe(idTok)}${isString(idTok) ? '; write it without quotes' : ''}`,
          spanOf(idTok),
        );
        headerOk = false;
      }
    }
  } else if (idTok === undefined) {
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
        `expected \`on\` before the host name: \`${cxlTok ? `cxl region ${label?.text ?? 'LABEL'}` : `region ${id?.text ?? 'N'}`} on ${clip(hostWithoutOn.image)} {\``,
        spanOf(hostWithoutOn),
      );
    }
    headerOk = false;
  }
  if (open === undefined && headerOk) {
    report(ctx, 'expected `{` to open the region block', missingAfter(ctx, endOf(headerLast)));
  }
  const desc = id ? `region ${clip(id.text)}` : label ? `cxl region ${clip(label.text)}` : 'the region block';
  const { properties, devices } = buildItems(ctx, node, 'region', desc);
  const body = closeBlock(ctx, node, first, open, close, desc);
  const region: Writable<RegionDecl> = {
    kind: 'region',
    span: { start: first.startOffset, end: nodeEnd(node, first) + 1 },
    keyword,
    properties,
    devices,
  };
  if (cxlTok) region.cxl = spanOf(cxlTok);
  if (label) region.label = label;
  if (id) region.id = id;
  if (host) region.host = host;
  if (body) region.body = body;
  return region;
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
  const device: Writable<DeviceDecl> = { kind: 'device', span: { start: keyword.start, end }, keyword, properties };
  if (label) device.label = label;
  if (body) device.body = body;
  return device;
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
