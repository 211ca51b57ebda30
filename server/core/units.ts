// Sizes are integer bytes (bigint). Units are binary: K = KiB = 1024.

export const KiB = 1024n;
export const MiB = 1024n * KiB;
export const GiB = 1024n * MiB;
export const TiB = 1024n * GiB;

export const UNITS: Readonly<Record<string, bigint>> = {
  K: KiB,
  KiB: KiB,
  k: KiB,
  M: MiB,
  MiB: MiB,
  m: MiB,
  G: GiB,
  GiB: GiB,
  g: GiB,
  T: TiB,
  TiB: TiB,
  t: TiB,
};

export type UnitResult = { ok: true; bytes: bigint } | { ok: false; message: string };

/** Applies a unit suffix as written in a .dax file. */
export function applyUnit(value: bigint, unit: string | undefined): UnitResult {
  if (unit === undefined || unit === '') return { ok: true, bytes: value };
  const mult = UNITS[unit];
  if (mult !== undefined) return { ok: true, bytes: value * mult };
  const decimal = /^([KMGT])B$/i.exec(unit);
  if (decimal) {
    const u = (decimal[1] as string).toUpperCase();
    return {
      ok: false,
      message: `\`${unit}\` is ambiguous (decimal or binary?); sizes here are binary: write ${value}${u} or ${value}${u}iB`,
    };
  }
  if (unit === 'B' || unit === 'b') return { ok: false, message: 'write byte counts without a unit (e.g. 4096)' };
  return { ok: false, message: `unknown unit \`${unit}\`; use K, M, G or T (or KiB, MiB, GiB, TiB)` };
}

const STEPS: readonly [bigint, string][] = [
  [TiB, 'TiB'],
  [GiB, 'GiB'],
  [MiB, 'MiB'],
  [KiB, 'KiB'],
];

/** Exact human form: the largest unit that divides the value (`48 GiB`, `1536 MiB`, `4097 B`). */
export function formatBytes(bytes: bigint): string {
  if (bytes === 0n) return '0 B';
  const neg = bytes < 0n;
  const v = neg ? -bytes : bytes;
  for (const [mult, name] of STEPS) {
    if (v % mult === 0n) return `${neg ? '-' : ''}${v / mult} ${name}`;
  }
  return `${neg ? '-' : ''}${v} B`;
}

/** Approximate human form for large non-round values (`2.50 GiB`), exact when round. */
export function formatApprox(bytes: bigint): string {
  const exact = formatBytes(bytes);
  if (!exact.endsWith(' B') || bytes < KiB) return exact;
  for (const [mult, name] of STEPS) {
    if (bytes >= mult) {
      const hundredths = (bytes * 100n) / mult;
      return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')} ${name}`;
    }
  }
  return exact;
}

/** The same size as a .dax literal (`48G`, `1536M`, `4097`). */
export function sizeLiteral(bytes: bigint): string {
  if (bytes === 0n) return '0';
  for (const [mult, name] of STEPS) {
    if (bytes % mult === 0n) return `${bytes / mult}${name[0]}`;
  }
  return bytes.toString();
}

/** `0x1000`; a negative value `-0x1000`. */
export function hex(v: bigint): string {
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** Hex with `_` every four digits, as a .dax literal reads best (`0x1_0000_0000`). */
export function hexLiteral(v: bigint): string {
  const h = v.toString(16);
  const parts: string[] = [];
  for (let i = h.length; i > 0; i -= 4) parts.unshift(h.slice(Math.max(0, i - 4), i));
  return '0x' + parts.join('_');
}

export function roundDown(v: bigint, m: bigint): bigint {
  return (v / m) * m;
}

export function roundUp(v: bigint, m: bigint): bigint {
  return ((v + m - 1n) / m) * m;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
