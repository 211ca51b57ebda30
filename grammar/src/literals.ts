// Reading number and string literals from their token text.

export interface NumberParts {
  readonly value: bigint | undefined;
  readonly unit: string | undefined;
  readonly radix: 10 | 16;
  readonly error?: string;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexOr_(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 95;
}

function stripUnderscores(s: string): string {
  return s.includes('_') ? s.replaceAll('_', '') : s;
}

/** The next smaller units, down to bytes (`''`), for each unit spelling. */
const SMALLER: Readonly<Record<string, readonly string[]>> = (() => {
  const table: Record<string, string[]> = {};
  const ladders = [
    ['K', 'M', 'G', 'T'],
    ['KiB', 'MiB', 'GiB', 'TiB'],
    ['k', 'm', 'g', 't'],
  ];
  for (const ladder of ladders) {
    ladder.forEach((unit, i) => {
      table[unit] = [...ladder.slice(0, i).reverse(), ''];
    });
  }
  return table;
})();

function fractionError(shown: string, intDigits: string, fracDigits: string, unit: string | undefined): string {
  const smaller = unit === undefined ? undefined : SMALLER[unit];
  if (unit === undefined) return `${shown} is not a whole number (numbers are exact integers)`;
  if (smaller === undefined) return `${shown} is not a whole number (sizes are exact integers)`;
  let n = BigInt(intDigits + fracDigits);
  const d = 10n ** BigInt(fracDigits.length);
  for (const s of smaller) {
    n *= 1024n;
    if (n % d === 0n) {
      return `${shown} is not a whole number in this unit (sizes are exact integers); write ${n / d}${s}`;
    }
  }
  return `${shown} is not a whole number of bytes (sizes are exact integers)`;
}

/**
 * Reads a number token: `48G`, `4 GiB`, `0x10_8000_0000`, `1.5G` (value
 * undefined, with an error suggesting the value in a smaller unit).
 */
export function readNumber(image: string): NumberParts {
  const len = image.length;
  let i: number;
  let radix: 10 | 16;
  let fraction: [string, string] | undefined;
  let digits: string;
  if (image.startsWith('0x')) {
    radix = 16;
    i = 2;
    while (i < len && isHexOr_(image.charCodeAt(i))) i++;
    digits = stripUnderscores(image.slice(2, i));
  } else {
    radix = 10;
    i = 0;
    while (i < len && (isDigit(image.charCodeAt(i)) || image.charCodeAt(i) === 95)) i++;
    digits = stripUnderscores(image.slice(0, i));
    if (image.charCodeAt(i) === 46 && isDigit(image.charCodeAt(i + 1))) {
      const f = i + 1;
      i += 2;
      while (i < len && (isDigit(image.charCodeAt(i)) || image.charCodeAt(i) === 95)) i++;
      fraction = [digits, stripUnderscores(image.slice(f, i))];
    }
  }
  let u = i;
  while (u < len && (image.charCodeAt(u) === 32 || image.charCodeAt(u) === 9)) u++;
  const unit = u < len ? image.slice(u) : undefined;
  if (radix === 16 && digits === '') {
    return { value: undefined, unit, radix, error: '`0x` must be followed by hex digits, such as 0x1000' };
  }
  if (digits === '') {
    // Cannot happen for a lexed number; kept so that the function is total.
    return { value: undefined, unit, radix, error: `${image} is not a number` };
  }
  if (fraction) {
    const shown = unit === undefined ? image : image.slice(0, i) + unit;
    return { value: undefined, unit, radix, error: fractionError(shown, fraction[0], fraction[1], unit) };
  }
  return { value: BigInt(radix === 16 ? '0x' + digits : digits), unit, radix };
}

export interface StringParts {
  /** Escapes `\"` and `\\` resolved; any other backslash is kept as written. */
  readonly value: string;
  readonly terminated: boolean;
}

/** Reads a string token, terminated (`"…"`) or not (`"…` to the end of the line). */
export function readString(image: string): StringParts {
  let value = '';
  let i = 1;
  let from = 1;
  const len = image.length;
  while (i < len) {
    const c = image.charCodeAt(i);
    if (c === 92 /* \ */) {
      const next = image.charCodeAt(i + 1);
      if (next === 34 || next === 92) {
        value += image.slice(from, i) + image.charAt(i + 1);
        i += 2;
        from = i;
        continue;
      }
      i += i + 1 < len ? 2 : 1; // any other escape is kept as written
      continue;
    }
    if (c === 34 /* " */) {
      return { value: value + image.slice(from, i), terminated: true };
    }
    i++;
  }
  return { value: value + image.slice(from, Math.min(i, len)), terminated: false };
}
