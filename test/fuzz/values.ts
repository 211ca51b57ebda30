// Hostile and realistic values for the fuzzer: numbers as .dax literals and as
// JSON, strings, names. Everything is drawn from a seeded Rng, so a case is
// reproducible from (seed, index).

import { Rng } from '../fidelity/rng';

export { Rng };

export const K = 1024n;
export const M = K * K;
export const G = M * K;
export const T = G * K;

/** Exponents whose powers of two (and ± 1) are worth trying. */
const EXPONENTS = [
  0, 1, 2, 3, 4, 6, 8, 10, 11, 12, 13, 16, 20, 21, 22, 26, 27, 28, 29, 30, 31, 32, 33, 39, 40, 47, 48, 50, 51, 52, 53,
  54, 56, 60, 61, 62, 63, 64, 65, 66, 80, 96, 100, 127, 128, 200, 1000,
];

/** A number chosen to break arithmetic: 0, 1, 2, powers of two ± 1 up to far beyond 2^64. */
export function hostileBigint(rng: Rng): bigint {
  switch (rng.int(6)) {
    case 0:
      return BigInt(rng.int(4)); // 0..3
    case 1:
    case 2: {
      const p = 1n << BigInt(rng.pick(EXPONENTS));
      return p + BigInt(rng.range(-1, 1));
    }
    case 3:
      return 10n ** BigInt(rng.pick([3, 6, 9, 12, 15, 16, 18, 19, 20, 30, 100, 400]));
    case 4:
      return BigInt(rng.next()) * BigInt(rng.next() | 1);
    default:
      return rng.pick([
        0xffff_ffff_ffff_ffffn,
        0x8000_0000_0000_0000n,
        0x7fff_ffff_ffff_ffffn,
        2n ** 53n - 1n,
        2n ** 53n + 1n,
        4095n,
        4097n,
        2097151n,
        2097153n,
      ]);
  }
}

const SIZES = [
  4n * K,
  64n * K,
  2n * M,
  4n * M,
  64n * M,
  128n * M,
  256n * M,
  512n * M,
  G,
  2n * G,
  4n * G,
  16n * G,
  64n * G,
  256n * G,
  T,
];
export const ALIGNS = [4n * K, 64n * K, 2n * M, 1n * G, 16n * G];

/** A realistic size: a small multiple of a common granule. */
export function realisticSize(rng: Rng, max = 2n * G): bigint {
  if (rng.chance(0.4)) return rng.pick(SIZES.filter((s) => s <= max).length ? SIZES.filter((s) => s <= max) : SIZES);
  const granule = rng.pick([2n * M, 64n * M, 128n * M, 256n * M]);
  const n = max / granule;
  return granule * BigInt(1 + rng.int(Number(n > 64n ? 64n : n < 1n ? 1n : n)));
}

/** Digits of `v` with `_` inserted every `every` digits from the right. */
function grouped(digits: string, every: number): string {
  const out: string[] = [];
  for (let i = digits.length; i > 0; i -= every) out.unshift(digits.slice(Math.max(0, i - every), i));
  return out.join('_');
}

const UNIT_NAMES: readonly [bigint, readonly string[]][] = [
  [T, ['T', 'TiB', 't']],
  [G, ['G', 'GiB', 'g']],
  [M, ['M', 'MiB', 'm']],
  [K, ['K', 'KiB', 'k']],
];

/** `v` as a .dax literal in one of the ways people write it (exact: the value is `v`). */
export function sizeLiteral(rng: Rng, v: bigint): string {
  if (v > 0n && rng.chance(0.7)) {
    for (const [mult, names] of UNIT_NAMES) {
      if (v % mult === 0n && rng.chance(0.8)) {
        const n = v / mult;
        const sep = rng.chance(0.15) ? ' ' : '';
        return `${n}${sep}${rng.pick(names)}`;
      }
    }
  }
  if (rng.chance(0.4)) {
    const hex = v.toString(16);
    return `0x${rng.chance(0.5) ? grouped(hex, 4) : hex}`;
  }
  return rng.chance(0.2) ? grouped(v.toString(), 3) : v.toString();
}

/** An address literal (hex, usually grouped). */
export function addrLiteral(rng: Rng, v: bigint): string {
  const hex = v.toString(16);
  if (rng.chance(0.1)) return v.toString();
  return `0x${rng.chance(0.6) ? grouped(hex, 4) : rng.chance(0.5) ? hex.toUpperCase() : hex}`;
}

/** A malformed or hostile number literal: the forms the lexer and the core must explain. */
export function hostileLiteral(rng: Rng): string {
  const v = hostileBigint(rng);
  switch (rng.int(14)) {
    case 0:
      return `${v}${rng.pick(['GB', 'MB', 'B', 'b', 'Q', 'Gi', 'gib', 'KB', 'TB', 'PiB', 'E', 'MB/s', 'ns', 'us', 'GB/s', 'G/s', 'x'])}`;
    case 1:
      return `${rng.int(10)}.${rng.pick(['5', '25', '0', '', '00000000000000000000001'])}${rng.pick(['G', 'M', '', 'K', 'T'])}`;
    case 2:
      return rng.pick([
        '0x',
        '0x_',
        '0x_G',
        '1__0',
        '_1',
        '0_',
        '0X10',
        '0xg',
        '00000',
        '0x0000000000000000000000001',
        '1e9',
        '1E3',
        '-1',
        '+1',
        '0.',
        '.5',
        '0b101',
        '0o17',
        '1_',
        '0x1.8',
      ]);
    case 3:
      return `0x${v.toString(16)}${rng.pick(['', 'G', 'M', 'K', 'T', ''])}`;
    case 4:
      return `${'9'.repeat(rng.pick([20, 40, 309, 400, 5000]))}${rng.pick(['', 'G', 'T'])}`;
    case 5:
      return `${v}${rng.pick(['K', 'M', 'G', 'T', 'KiB', 'GiB', 'TiB'])}`;
    case 6:
      return `0x${'f'.repeat(rng.pick([16, 17, 32, 100, 1000]))}`;
    default:
      return sizeLiteral(rng, v);
  }
}

/** A size: mostly realistic, sometimes hostile. */
export function sizeValue(rng: Rng, max: bigint, hostility: number): string {
  if (rng.chance(hostility)) return hostileLiteral(rng);
  return sizeLiteral(rng, realisticSize(rng, max));
}

const UNICODE = [
  'é',
  'Ω',
  '中',
  '😀',
  '\u200b',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u0000',
  '\r',
  '\r\n',
  '\t',
  '\v',
  '\f',
  '\u00a0',
  '\ud800',
  '\udc00',
  '\u0085',
  '\u202e',
  '\\',
  '"',
  '\x1b[31m',
];

/** A short string of characters the lexer may not expect. */
export function hostileChars(rng: Rng): string {
  let s = '';
  const n = rng.small(6);
  for (let i = 0; i < n; i++) s += rng.chance(0.7) ? rng.pick(UNICODE) : String.fromCharCode(rng.int(0x10000));
  return s;
}

/** A string's content: realistic, empty, huge, or full of odd characters. */
export function stringContent(rng: Rng, realistic: string): string {
  switch (rng.int(10)) {
    case 0:
      return '';
    case 1:
      return 'x'.repeat(rng.pick([100, 5000, 70000]));
    case 2:
      return realistic + hostileChars(rng);
    case 3:
      return realistic.replace(/./g, (c) => (rng.chance(0.2) ? '\\' + c : c));
    default:
      return realistic;
  }
}

const LABELS = [
  'weather',
  'spill',
  'guest-a',
  'scratch',
  'pool',
  'far-ram',
  'spare',
  'tier2',
  'app',
  'vms',
  'job',
  'kv-cache',
  'tenants',
  'vm-1',
  'online',
  'size',
  'rest',
  'node',
  'a',
  'b',
  'x_1',
  'dax0.3',
  'memmap-on-memory',
  'colours',
];

/** A device label or host name: usually ordinary, sometimes a keyword, huge or invalid. */
export function nameValue(rng: Rng, hostility: number, pool: readonly string[] = LABELS): string {
  if (!rng.chance(hostility)) return rng.pick(pool);
  switch (rng.int(6)) {
    case 0:
      return 'n'.repeat(rng.pick([64, 1000, 50000]));
    case 1:
      return rng.pick([
        'host',
        'region',
        'device',
        'on',
        '_',
        '9abc',
        '-x',
        'a..b',
        'a.',
        'é',
        'x86_64',
        'all',
        'ungrouped',
      ]);
    case 2:
      return rng.pick(pool) + hostileChars(rng);
    default:
      return `${rng.pick(pool)}${rng.int(1000)}`;
  }
}
