// The kernel's string parsers as sysfs stores use them (lib/kstrtox.c), so
// that the model accepts and rejects exactly the text the kernel does.

import type { Errno } from './tables';

export type Parsed<T> = { ok: true; value: T } | { ok: false; errno: Errno };

const U64_MAX = (1n << 64n) - 1n;

/** Drops one trailing newline, as the kstrto* helpers allow. */
function chomp(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

/**
 * kstrtoull(s, base): optional '+', base 0 auto-detects 0x (hex) and a
 * leading 0 (octal); base 16 accepts an optional 0x. One trailing newline.
 * Empty or stray characters → EINVAL; overflow → ERANGE.
 */
export function kstrtoull(input: string, base: 0 | 10 | 16, max: bigint = U64_MAX): Parsed<bigint> {
  let s = chomp(input);
  if (s.startsWith('+')) s = s.slice(1);
  let radix: number = base;
  if (radix === 0) {
    if (/^0[xX]/.test(s) && s.length > 2 && /[0-9a-fA-F]/.test(s[2] ?? '')) {
      radix = 16;
      s = s.slice(2);
    } else if (s.startsWith('0') && s.length > 1) {
      radix = 8;
      s = s.slice(1);
    } else radix = 10;
  } else if (radix === 16 && /^0[xX]/.test(s) && s.length > 2 && /[0-9a-fA-F]/.test(s[2] ?? '')) {
    s = s.slice(2);
  }
  if (s.length === 0) return { ok: false, errno: 'EINVAL' };
  const digits = radix === 8 ? /^[0-7]+$/ : radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/;
  if (!digits.test(s)) return { ok: false, errno: 'EINVAL' };
  const prefix = radix === 8 ? '0o' : radix === 16 ? '0x' : '';
  const value = BigInt(prefix + s);
  if (value > max) return { ok: false, errno: 'ERANGE' };
  return { ok: true, value };
}

/** kstrtoint(s, 0): signed, base auto-detect. */
export function kstrtoint(input: string): Parsed<number> {
  let s = chomp(input);
  let neg = false;
  if (s.startsWith('-')) {
    neg = true;
    s = s.slice(1);
  }
  const r = kstrtoull(s, 0, neg ? 2n ** 31n : 2n ** 31n - 1n);
  if (!r.ok) return r;
  return { ok: true, value: Number(neg ? -r.value : r.value) };
}

/** kstrtobool: y/Y/1/n/N/0 and on/off (first characters decide). */
export function kstrtobool(input: string): Parsed<boolean> {
  const s = input;
  const c = s[0];
  if (c === 'y' || c === 'Y' || c === '1') return { ok: true, value: true };
  if (c === 'n' || c === 'N' || c === '0') return { ok: true, value: false };
  if (c === 'o' || c === 'O') {
    const d = s[1];
    if (d === 'n' || d === 'N') return { ok: true, value: true };
    if (d === 'f' || d === 'F') return { ok: true, value: false };
  }
  return { ok: false, errno: 'EINVAL' };
}

/** sysfs_streq: equal, ignoring one trailing newline on either side. */
export function sysfsStreq(a: string, b: string): boolean {
  return chomp(a) === chomp(b);
}

/** `daxR.N` exactly as do_id_store accepts it (sscanf + sprintf round trip). */
export function parseDaxName(input: string): { region: number; id: number } | undefined {
  const m = /^dax(-?\d+)\.(-?\d+)/.exec(input);
  if (!m) return undefined;
  const region = Number.parseInt(m[1] ?? '', 10);
  const id = Number.parseInt(m[2] ?? '', 10);
  if (!Number.isSafeInteger(region) || !Number.isSafeInteger(id)) return undefined;
  if (region > 2 ** 31 - 1 || id > 2 ** 31 - 1) return undefined;
  if (!sysfsStreq(input, `dax${region}.${id}`)) return undefined;
  return { region, id };
}
