// Shared helpers for the grammar tests.

import { expect } from 'vitest';
import type {
  DeviceDecl,
  HostDecl,
  LayoutFile,
  NumberValue,
  Property,
  RegionDecl,
  Span,
  Value,
} from '../../grammar/src/index';
import { parse } from '../../grammar/src/index';

export function slice(text: string, span: Span | undefined): string | undefined {
  return span === undefined ? undefined : text.slice(span.start, span.end);
}

/** Parses text that must have no syntax errors. */
export function parseOk(text: string): LayoutFile {
  const file = parse(text);
  expect(file.errors).toEqual([]);
  return file;
}

export function hosts(file: LayoutFile): HostDecl[] {
  return file.declarations.filter((d): d is HostDecl => d.kind === 'host');
}

export function regions(file: LayoutFile): RegionDecl[] {
  return file.declarations.filter((d): d is RegionDecl => d.kind === 'region');
}

export function prop(block: { properties: readonly Property[] }, key: string): Property {
  const p = block.properties.find((q) => q.key.text === key);
  if (!p) throw new Error(`no property ${key}`);
  return p;
}

export function device(region: RegionDecl, label: string): DeviceDecl {
  const d = region.devices.find((q) => q.label?.text === label);
  if (!d) throw new Error(`no device ${label}`);
  return d;
}

/** The number value of a one-value property. */
export function num(block: { properties: readonly Property[] }, key: string): NumberValue {
  const v = prop(block, key).values[0];
  if (v?.kind !== 'number') throw new Error(`${key} has no number`);
  return v;
}

/** The single value of `size N` in a tiny device, for lexing tests. */
export function sizeOf(literal: string): NumberValue {
  const file = parse(`region 0 { device d { size ${literal} } }`);
  const v = regions(file)[0]?.devices[0]?.properties[0]?.values[0];
  if (v?.kind !== 'number') throw new Error(`not a number: ${literal} (${JSON.stringify(file.errors)})`);
  return v;
}

/** Errors as `[message, text under the span]`, for compact assertions. */
export function errorsOf(text: string): [string, string][] {
  return parse(text).errors.map((e) => [e.message, text.slice(e.span.start, e.span.end)]);
}

/** Every span of every node, for bounds checks. */
export function allSpans(file: LayoutFile): Span[] {
  const out: Span[] = [file.span];
  const value = (v: Value): void => {
    out.push(v.span);
    if (v.kind === 'range') {
      value(v.start);
      if (v.end) value(v.end);
      if (v.length) value(v.length);
    }
  };
  const props = (ps: readonly Property[]): void => {
    for (const p of ps) {
      out.push(p.span, p.key.span);
      p.values.forEach(value);
    }
  };
  for (const d of file.declarations) {
    out.push(d.span, d.keyword);
    if (d.body) out.push(d.body);
    props(d.properties);
    if (d.kind === 'host' && d.name) out.push(d.name.span);
    if (d.kind === 'region') {
      if (d.id) out.push(d.id.span);
      if (d.host) out.push(d.host.span);
      for (const dev of d.devices) {
        out.push(dev.span, dev.keyword);
        if (dev.label) out.push(dev.label.span);
        if (dev.body) out.push(dev.body);
        props(dev.properties);
      }
    }
  }
  for (const c of file.comments) out.push(c.span);
  return out;
}

/** Checks the invariants every parse result must hold. */
export function checkInvariants(text: string, file: LayoutFile): void {
  expect(file.span).toEqual({ start: 0, end: text.length });
  for (const e of file.errors) {
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.span.start).toBeGreaterThanOrEqual(0);
    expect(e.span.end).toBeLessThanOrEqual(text.length);
    if (e.span.start === e.span.end) expect(e.span.start).toBe(text.length);
    else expect(e.span.end).toBeGreaterThan(e.span.start);
  }
  for (const s of allSpans(file)) {
    expect(s.start).toBeGreaterThanOrEqual(0);
    expect(s.end).toBeLessThanOrEqual(text.length);
    expect(s.end).toBeGreaterThanOrEqual(s.start);
  }
  for (const c of file.comments) expect(text.slice(c.span.start, c.span.end)).toBe(c.text);
}

/** A projection of the AST that ignores layout: what the formatter must keep. */
export function shape(file: LayoutFile): unknown {
  const value = (v: Value): unknown => {
    switch (v.kind) {
      case 'range':
        return [v.op, value(v.start), v.end && value(v.end), v.length && value(v.length)];
      case 'number':
        return [v.text.replace(/[ \t]+/g, ' '), v.value, v.unit];
      default:
        return v.text;
    }
  };
  const props = (ps: readonly Property[]): unknown => ps.map((p) => [p.key.text, p.values.map(value)]);
  return file.declarations.map((d) =>
    d.kind === 'host'
      ? ['host', d.name?.text, props(d.properties)]
      : [
          'region',
          d.id?.text,
          d.host?.text,
          props(d.properties),
          d.devices.map((dev) => [dev.label?.text, props(dev.properties)]),
        ],
  );
}
