// Typed access to parsed JSON objects, reporting every mismatch with a
// message and a JSON pointer. Getters return undefined after reporting.

import { kindName, ptr, type JNode, type JObj } from './json';
import type { Loc, Problems } from './problems';

export const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const DIGITS = /^-?\d+$/;
const UNSIGNED = /^\d+$/;
const HEX_OR_DECIMAL = /^(?:0[xX][0-9a-fA-F]+|\d+)$/;

/** How a large integer may be written. */
export type IntStyle =
  /** daxlayout-facts: a safe-integer JSON number, or a decimal / 0x-hex string. */
  | 'facts'
  /** daxctl JSON: a JSON integer of any magnitude (json-c prints 64-bit integers exactly). */
  | 'daxctl';

export class Fields {
  constructor(
    readonly node: JObj,
    readonly path: string,
    readonly problems: Problems,
    /** What the object is, for messages: "region 0", "the facts file". */
    readonly what: string,
  ) {}

  loc(key?: string): Loc {
    if (key === undefined) return { path: this.path, at: this.node.at };
    const v = this.node.entries.get(key);
    return { path: ptr(this.path, key), at: v?.at ?? this.node.at };
  }

  has(key: string): boolean {
    return this.node.entries.has(key);
  }

  get(key: string): JNode | undefined {
    return this.node.entries.get(key);
  }

  /** Reports keys not in `known` (warnings) and repeated keys. */
  unknownKeys(known: readonly string[], severity: 'warning' | 'info' | 'none' = 'warning'): void {
    for (const d of this.node.duplicates) {
      this.problems.warning(`${this.what}: "${d.key}" is given more than once; the last value is used`, {
        path: ptr(this.path, d.key),
        at: d.at,
      });
    }
    if (severity === 'none') return;
    for (const [k, v] of this.node.entries) {
      if (!known.includes(k)) {
        this.problems.add(severity, `${this.what}: unknown field "${k}" (ignored)`, {
          path: ptr(this.path, k),
          at: v.at,
        });
      }
    }
  }

  missing(key: string, hint?: string): void {
    this.problems.error(`${this.what}: "${key}" is missing${hint ? ` (${hint})` : ''}`, this.loc());
  }

  private wrong(key: string, v: JNode, expected: string): void {
    this.problems.error(`${this.what}: "${key}" must be ${expected}, not ${kindName(v)}`, {
      path: ptr(this.path, key),
      at: v.at,
    });
  }

  str(key: string, required: boolean, hint?: string): string | undefined {
    const v = this.get(key);
    if (v === undefined) {
      if (required) this.missing(key, hint);
      return undefined;
    }
    if (v.kind !== 'str') {
      this.wrong(key, v, 'a string');
      return undefined;
    }
    return v.value;
  }

  bool(key: string, required: boolean): boolean | undefined {
    const v = this.get(key);
    if (v === undefined) {
      if (required) this.missing(key);
      return undefined;
    }
    if (v.kind !== 'bool') {
      this.wrong(key, v, 'true or false');
      return undefined;
    }
    return v.value;
  }

  /** A small integer written as a JSON number (ids, nodes, counts, latencies). */
  int(key: string, required: boolean, min: number, max: number = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.get(key);
    if (v === undefined) {
      if (required) this.missing(key);
      return undefined;
    }
    // the common case without building the path and the message a problem would need
    if (v.kind === 'num' && DIGITS.test(v.raw)) {
      const n = Number(v.raw);
      if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
    }
    return smallInt(v, ptr(this.path, key), `${this.what}: "${key}"`, min, max, this.problems);
  }

  /** A byte count or address as a bigint (≥ 0). */
  big(key: string, required: boolean, style: IntStyle, hint?: string): bigint | undefined {
    const v = this.get(key);
    if (v === undefined) {
      if (required) this.missing(key, hint);
      return undefined;
    }
    // the common case without building the path and the message a problem would need
    if (v.kind === 'num' && UNSIGNED.test(v.raw)) {
      const b = BigInt(v.raw);
      if (style !== 'facts' || b <= MAX_SAFE) return b;
    } else if (v.kind === 'str' && style === 'facts' && HEX_OR_DECIMAL.test(v.value)) return BigInt(v.value);
    return bigInt(v, ptr(this.path, key), `${this.what}: "${key}"`, style, this.problems);
  }

  obj(key: string, required: boolean, what: string): Fields | undefined {
    const v = this.get(key);
    if (v === undefined) {
      if (required) this.missing(key);
      return undefined;
    }
    if (v.kind !== 'obj') {
      this.wrong(key, v, 'an object');
      return undefined;
    }
    return new Fields(v, ptr(this.path, key), this.problems, what);
  }

  arr(key: string, required: boolean): readonly JNode[] | undefined {
    const v = this.get(key);
    if (v === undefined) {
      if (required) this.missing(key);
      return undefined;
    }
    if (v.kind !== 'arr') {
      this.wrong(key, v, 'an array');
      return undefined;
    }
    return v.items;
  }
}

export function smallInt(
  v: JNode,
  path: string,
  what: string,
  min: number,
  max: number,
  problems: Problems,
): number | undefined {
  const loc = { path, at: v.at };
  if (v.kind !== 'num') {
    problems.error(`${what} must be an integer number, not ${kindName(v)}`, loc);
    return undefined;
  }
  if (!/^-?\d+$/.test(v.raw)) {
    problems.error(`${what} must be an integer, not ${v.raw}`, loc);
    return undefined;
  }
  const n = Number(v.raw);
  if (!Number.isSafeInteger(n)) {
    problems.error(`${what} is too large (${v.raw})`, loc);
    return undefined;
  }
  if (n < min || n > max) {
    problems.error(
      `${what} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`}, not ${n}`,
      loc,
    );
    return undefined;
  }
  return n;
}

/** Text that looks like daxctl's human (-u) size output: `2.00 GiB (2.15 GB)`. */
export const HUMAN_SIZE = /^\s*\d+(\.\d+)?\s*[KMGTPE]i?B\b/i;

export function bigInt(v: JNode, path: string, what: string, style: IntStyle, problems: Problems): bigint | undefined {
  const loc = { path, at: v.at };
  if (v.kind === 'num') {
    if (!/^-?\d+$/.test(v.raw)) {
      problems.error(`${what} must be an integer, not ${v.raw}`, loc);
      return undefined;
    }
    const b = BigInt(v.raw);
    if (b < 0n) {
      problems.error(`${what} must not be negative (${v.raw})`, loc);
      return undefined;
    }
    if (style === 'facts' && b > MAX_SAFE) {
      problems.error(
        `${what}: ${v.raw} is above 2^53 and may have been rounded by a JSON writer; write it as a string ("${v.raw}" or "0x${b.toString(16)}")`,
        loc,
      );
      return undefined;
    }
    return b;
  }
  if (v.kind === 'str' && style === 'facts') {
    const s = v.value.trim();
    if (/^0[xX][0-9a-fA-F]+$/.test(s)) return BigInt(s);
    if (/^\d+$/.test(s)) return BigInt(s);
    if (HUMAN_SIZE.test(s)) {
      problems.error(`${what}: "${v.value}" is a rounded human size; give the exact number of bytes`, loc);
      return undefined;
    }
    problems.error(`${what}: "${v.value}" is not an integer (write a decimal or 0x-hex string, or a number)`, loc);
    return undefined;
  }
  problems.error(
    `${what} must be an integer${style === 'facts' ? ' (a number, or a decimal or 0x-hex string)' : ''}, not ${kindName(v)}`,
    loc,
  );
  return undefined;
}

/** Keys starting with `$` (e.g. `$comment`) are ignored everywhere. */
export function known(keys: readonly string[], f: Fields): string[] {
  return [...keys, ...[...f.node.entries.keys()].filter((k) => k.startsWith('$'))];
}

export function asFields(n: JNode, path: string, what: string, p: Problems): Fields | undefined {
  if (n.kind !== 'obj') {
    p.error(`${what} must be an object, not ${kindName(n)}`, { path, at: n.at });
    return undefined;
  }
  return new Fields(n, path, p, what);
}
