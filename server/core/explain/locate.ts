// What is at an offset of a .dax file: a name, a keyword, a value, or a block.

import type {
  Declaration,
  DeviceDecl,
  HostDecl,
  NumberValue,
  Property,
  RegionDecl,
  Span,
  Value,
  Word,
} from '../../../grammar/src/ast';
import type { LayoutFile } from '../../../grammar/src/ast';

export type BlockKind = 'host' | 'region' | 'device';

export type Hit =
  | { readonly kind: 'host-name'; readonly host: HostDecl; readonly word: Word }
  | { readonly kind: 'host-ref'; readonly region: RegionDecl; readonly word: Word }
  | { readonly kind: 'region-id'; readonly region: RegionDecl; readonly value: NumberValue }
  | { readonly kind: 'cxl-label'; readonly region: RegionDecl; readonly word: Word }
  | { readonly kind: 'device-label'; readonly region: RegionDecl; readonly device: DeviceDecl; readonly word: Word }
  | { readonly kind: 'decl-keyword'; readonly span: Span; readonly word: 'host' | 'region' | 'device' | 'on' }
  | {
      readonly kind: 'key';
      readonly block: BlockKind;
      readonly decl: Declaration;
      readonly device?: DeviceDecl;
      readonly property: Property;
    }
  | {
      readonly kind: 'value';
      readonly block: BlockKind;
      readonly decl: Declaration;
      readonly device?: DeviceDecl;
      readonly property: Property;
      readonly value: Value;
      /** The number under the offset, inside a range. */
      readonly part?: NumberValue;
    }
  | { readonly kind: 'device-body'; readonly region: RegionDecl; readonly device: DeviceDecl }
  | { readonly kind: 'region-body'; readonly region: RegionDecl }
  | { readonly kind: 'host-body'; readonly host: HostDecl };

/** start <= offset < end, or <= end when `inclusive` (a cursor just after a word). */
export function within(span: Span | undefined, offset: number, inclusive = false): span is Span {
  return span !== undefined && span.start <= offset && (offset < span.end || (inclusive && offset === span.end));
}

/** The span of `on` in `region N on HOST`, found in the text between the id and the host. */
export function onKeywordSpan(text: string, r: RegionDecl): Span | undefined {
  if (!r.host) return undefined;
  const from = r.id?.span.end ?? r.keyword.end;
  const at = text.lastIndexOf('on', r.host.span.start - 1);
  return at >= from ? { start: at, end: at + 2 } : undefined;
}

function inProperties(
  props: readonly Property[],
  offset: number,
  inclusive: boolean,
  block: BlockKind,
  decl: Declaration,
  device?: DeviceDecl,
): Hit | undefined {
  for (const p of props) {
    if (!within(p.span, offset, inclusive) && !within(p.key.span, offset, inclusive)) continue;
    const dev = device ? { device } : {};
    if (within(p.key.span, offset, inclusive)) return { kind: 'key', block, decl, ...dev, property: p };
    for (const v of p.values) {
      if (!within(v.span, offset, inclusive)) continue;
      let part: NumberValue | undefined;
      if (v.kind === 'range') part = [v.start, v.end, v.length].find((n) => n && within(n.span, offset, inclusive));
      return { kind: 'value', block, decl, ...dev, property: p, value: v, ...(part ? { part } : {}) };
    }
  }
  return undefined;
}

export function locate(file: LayoutFile, text: string, offset: number, inclusive = false): Hit | undefined {
  for (const d of file.declarations) {
    if (!within(d.span, offset, inclusive)) continue;
    if (within(d.keyword, offset, inclusive)) return { kind: 'decl-keyword', span: d.keyword, word: d.kind };
    if (d.kind === 'host') {
      if (d.name && within(d.name.span, offset, inclusive)) return { kind: 'host-name', host: d, word: d.name };
      return inProperties(d.properties, offset, inclusive, 'host', d) ?? { kind: 'host-body', host: d };
    }
    if (d.id && within(d.id.span, offset, inclusive)) return { kind: 'region-id', region: d, value: d.id };
    if (d.label && within(d.label.span, offset, inclusive)) return { kind: 'cxl-label', region: d, word: d.label };
    if (d.host && within(d.host.span, offset, inclusive)) return { kind: 'host-ref', region: d, word: d.host };
    const on = onKeywordSpan(text, d);
    if (on && within(on, offset, inclusive)) return { kind: 'decl-keyword', span: on, word: 'on' };
    for (const dev of d.devices) {
      if (!within(dev.span, offset, inclusive)) continue;
      if (within(dev.keyword, offset, inclusive)) return { kind: 'decl-keyword', span: dev.keyword, word: 'device' };
      if (dev.label && within(dev.label.span, offset, inclusive))
        return { kind: 'device-label', region: d, device: dev, word: dev.label };
      return (
        inProperties(dev.properties, offset, inclusive, 'device', d, dev) ?? {
          kind: 'device-body',
          region: d,
          device: dev,
        }
      );
    }
    return inProperties(d.properties, offset, inclusive, 'region', d) ?? { kind: 'region-body', region: d };
  }
  return undefined;
}
