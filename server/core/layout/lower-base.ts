// What every part of the lowering shares: issues, and reading a property's single value as bytes,
// a count, a string or a word (lower.ts, lower-values.ts, lower-cxl.ts).

import type { NumberValue, Property, Span, Value } from '../../../grammar/src/ast';
import { applyUnit } from '../units';
import type { LoweringIssue, Spanned } from './types';

export class LowerBase {
  readonly issues: LoweringIssue[] = [];

  problem(
    span: Span,
    message: string,
    kind: LoweringIssue['kind'] = 'value',
    related?: LoweringIssue['related'],
  ): void {
    this.issues.push(related ? { kind, span, message, related } : { kind, span, message });
  }

  /** The single value of a property, or an issue naming what was expected. */
  single(p: Property, expected: string): Value | undefined {
    const v = p.values[0];
    if (!v) {
      // The parser reports the missing value; nothing to add.
      return undefined;
    }
    if (p.values.length > 1) {
      const extra = p.values[1] as Value;
      this.problem(
        { start: extra.span.start, end: (p.values[p.values.length - 1] as Value).span.end },
        `\`${p.key.text}\` takes one value (${expected})`,
      );
    }
    return v;
  }

  bytes(v: Value | undefined, what: string): Spanned<bigint> | undefined {
    if (!v) return undefined;
    if (v.kind !== 'number') {
      this.problem(v.span, `expected ${what}, found \`${textOf(v)}\``);
      return undefined;
    }
    return this.numberBytes(v);
  }

  numberBytes(v: NumberValue): Spanned<bigint> | undefined {
    if (v.value === undefined) {
      this.problem(v.span, v.error ?? `cannot read the number \`${v.text}\``);
      return undefined;
    }
    const r = applyUnit(v.value, v.unit);
    if (!r.ok) {
      this.problem(v.span, r.message);
      return undefined;
    }
    return { value: r.bytes, span: v.span };
  }

  count(v: Value | undefined, what: string): Spanned<number> | undefined {
    if (!v) return undefined;
    if (v.kind !== 'number' || v.value === undefined) {
      this.problem(v.span, `expected ${what}, found \`${textOf(v)}\``);
      return undefined;
    }
    if (v.unit !== undefined) {
      this.problem(v.span, `${what} takes no unit`);
      return undefined;
    }
    if (v.value > 2147483647n) {
      this.problem(v.span, `${what} is too large`);
      return undefined;
    }
    return { value: Number(v.value), span: v.span };
  }

  string(v: Value | undefined, what: string): Spanned<string> | undefined {
    if (!v) return undefined;
    if (v.kind !== 'string') {
      this.problem(v.span, `expected ${what} in double quotes, found \`${textOf(v)}\``);
      return undefined;
    }
    return { value: v.value, span: v.span };
  }

  word(v: Value | undefined, what: string): Spanned<string> | undefined {
    if (!v) return undefined;
    if (v.kind !== 'word') {
      this.problem(v.span, `expected ${what}, found \`${textOf(v)}\``);
      return undefined;
    }
    return { value: v.text, span: v.span };
  }
}

export function textOf(v: Value): string {
  const t =
    v.kind === 'range'
      ? `${v.start.text}${v.op === '+' ? ' + ' : '..'}${(v.op === '+' ? v.length : v.end)?.text ?? ''}`
      : v.text;
  return t.length > 40 ? t.slice(0, 37) + '…' : t;
}
