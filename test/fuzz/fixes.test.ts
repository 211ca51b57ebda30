// The fixes made for what the fuzzer found, checked against the simple
// (quadratic, or per-period) code they replaced: same answers on small inputs,
// and an answer at all on the inputs that used to hang.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  colourStripes,
  coloursIn,
  overlaps,
  planRegionColours,
  subtractRanges,
  type AddrRange,
  type ColourAsk,
} from '../../server/core/colour/stripes';
import { closest, typoLimit } from '../../grammar/src/suggest';
import { spanIndex } from '../../server/core/rules/util';

const r = (start: bigint, end: bigint): AddrRange => ({ start, end });
const meets = (x: AddrRange, y: AddrRange) => x.start <= y.end && y.start <= x.end;

// ----------------------------------------------------------------- references (the code before the fixes)

function colourRunsRef(colours: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const c of [...new Set(colours)].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && last[1] === c - 1) last[1] = c;
    else runs.push([c, c]);
  }
  return runs;
}

function colourStripesRef(
  start: bigint,
  end: bigint,
  cacheSize: bigint,
  k: number,
  colours: readonly number[],
  limit: number,
): AddrRange[] | undefined {
  const out: AddrRange[] = [];
  if (end < start || k <= 0 || cacheSize % BigInt(k) !== 0n) return out;
  const width = cacheSize / BigInt(k);
  const runs = colourRunsRef(colours.filter((c) => c >= 0 && c < k));
  if (runs.length === 0) return out;
  for (let m = start / cacheSize; m <= end / cacheSize; m++) {
    const base = m * cacheSize;
    for (const [a, b] of runs) {
      let s = base + BigInt(a) * width;
      let e = base + BigInt(b + 1) * width - 1n;
      if (e < start || s > end) continue;
      if (s < start) s = start;
      if (e > end) e = end;
      const prev = out[out.length - 1];
      if (prev && prev.end + 1n === s) out[out.length - 1] = { start: prev.start, end: e };
      else {
        if (out.length >= limit) return undefined;
        out.push({ start: s, end: e });
      }
    }
  }
  return out;
}

function subtractRef(ranges: readonly AddrRange[], taken: readonly AddrRange[]): AddrRange[] {
  const cuts = [...taken].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: AddrRange[] = [];
  for (const x of ranges) {
    let s = x.start;
    for (const t of cuts) {
      if (t.end < s || t.start > x.end) continue;
      if (t.start > s) out.push({ start: s, end: t.start - 1n });
      s = t.end + 1n;
      if (s > x.end) break;
    }
    if (s <= x.end) out.push({ start: s, end: x.end });
  }
  return out;
}

/** Edit distance with a swap of neighbours as one edit (optimal string alignment), the full table. */
function distanceRef(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i + j));
  const at = (i: number, j: number) => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  return at(a.length, b.length);
}

// ----------------------------------------------------------------- generators

const cacheK = fc.constantFrom(
  ...[8, 16, 64].flatMap((c) => [1, 2, 4, 8].filter((k) => c % k === 0).map((k) => [BigInt(c), k] as const)),
  [12n, 5] as const,
);
const range = (max: number) =>
  fc.tuple(fc.nat(max), fc.nat(max)).map(([a, b]) => r(BigInt(Math.min(a, b)), BigInt(Math.max(a, b))));

describe('colour stripes', () => {
  it('are those of the period-by-period walk (with the stripe limit)', () => {
    fc.assert(
      fc.property(
        cacheK,
        range(600),
        fc.array(fc.nat(9), { maxLength: 6 }),
        fc.integer({ min: 1, max: 40 }),
        ([c, k], x, colours, limit) => {
          expect(colourStripes(x.start, x.end, c, k, colours, limit)).toEqual(
            colourStripesRef(x.start, x.end, c, k, colours, limit),
          );
        },
      ),
      { numRuns: 3000, seed: 71 },
    );
  });

  it('are one stripe or too many at once for a 2^60-byte region in a 1-byte or 64 MiB cache', () => {
    expect(colourStripes(0n, 2n ** 60n, 1n, 1, [0])).toEqual([r(0n, 2n ** 60n)]);
    expect(colourStripes(3n, 4n * 2n ** 30n, 64n * 2n ** 20n, 4, [0, 1, 2, 3])).toEqual([r(3n, 4n * 2n ** 30n)]);
    expect(colourStripes(0n, 2n ** 60n, 64n * 2n ** 20n, 4, [1])).toBeUndefined();
  });

  it('coloursIn lists the colours of the addresses of a range', () => {
    fc.assert(
      fc.property(cacheK, range(300), ([c, k], x) => {
        const want = new Set<number>();
        if (c % BigInt(k) === 0n)
          for (let a = x.start; a <= x.end; a++) want.add(Number((a / (c / BigInt(k))) % BigInt(k)));
        expect(coloursIn(x.start, x.end, c, k)).toEqual([...want].sort((p, q) => p - q));
      }),
      { numRuns: 1000, seed: 72 },
    );
    // a range of 2^40 stripes: the colours, at once
    expect(coloursIn(0n, 2n ** 50n, 2n ** 30n, 2 ** 20)).toHaveLength(2 ** 20);
  });
});

describe('range arithmetic', () => {
  it('subtractRanges is the pairwise subtraction, for ranges in order or not', () => {
    fc.assert(
      fc.property(
        fc.array(range(200), { maxLength: 8 }),
        fc.array(range(200), { maxLength: 8 }),
        fc.boolean(),
        (xs, cuts, sort) => {
          const ranges = sort ? [...xs].sort((a, b) => Number(a.start - b.start)) : xs;
          expect(subtractRanges(ranges, cuts)).toEqual(subtractRef(ranges, cuts));
        },
      ),
      { numRuns: 3000, seed: 73 },
    );
  });

  it('overlaps is whether some pair meets', () => {
    fc.assert(
      fc.property(fc.array(range(100), { maxLength: 6 }), fc.array(range(100), { maxLength: 6 }), (a, b) => {
        expect(overlaps(a, b)).toBe(a.some((x) => b.some((y) => meets(x, y))));
      }),
      { numRuns: 3000, seed: 74 },
    );
  });

  it('subtracts 100 000 stripes from 100 000 stripes in linear time', () => {
    const stripes = Array.from({ length: 100_000 }, (_, i) => r(BigInt(i) * 16n, BigInt(i) * 16n + 7n));
    const taken = Array.from({ length: 100_000 }, (_, i) => r(BigInt(i) * 16n + 2n, BigInt(i) * 16n + 3n));
    const out = subtractRanges(stripes, taken);
    expect(out).toHaveLength(200_000);
    expect(out[1]).toEqual(r(4n, 7n));
  });
});

describe('`any N` colours', () => {
  /** The colours the planner picked before: each c of K in turn, kept unless it clashes. */
  function anyRef(asks: readonly ColourAsk<number>[], cacheSize: bigint, defaultK: number): Map<number, number[]> {
    const kOf = (a: ColourAsk<number>) => a.of ?? defaultK;
    const interval = (cs: readonly number[], k: number): AddrRange[] =>
      k <= 0 || cacheSize % BigInt(k) !== 0n
        ? []
        : colourRunsRef(cs).map(([a, b]) =>
            r(BigInt(a) * (cacheSize / BigInt(k)), BigInt(b + 1) * (cacheSize / BigInt(k)) - 1n),
          );
    const chosen = new Map<ColourAsk<number>, number[]>();
    for (const a of asks) if (a.colours) chosen.set(a, [...a.colours]);
    for (const a of asks) {
      if (a.colours || a.any === undefined) continue;
      const k = kOf(a);
      const picks: number[] = [];
      for (let c = 0; c < k && picks.length < a.any; c++) {
        const mine = interval([c], k);
        const clash = asks.some(
          (o) =>
            o !== a &&
            chosen.has(o) &&
            (a.exclusive || o.exclusive) &&
            interval(chosen.get(o) as number[], kOf(o)).some((y) => mine.some((x) => meets(x, y))),
        );
        if (!clash) picks.push(c);
      }
      chosen.set(a, picks);
    }
    return new Map([...chosen].map(([a, cs]) => [a.key, cs]));
  }

  const ask = fc.record({
    colours: fc.option(fc.uniqueArray(fc.nat(15), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    any: fc.integer({ min: 1, max: 6 }),
    of: fc.option(fc.constantFrom(2, 4, 8, 16, 3, 6), { nil: undefined }),
    exclusive: fc.boolean(),
  });

  it('are the lowest colours no clashing request holds, as the colour-by-colour search found', () => {
    fc.assert(
      fc.property(fc.array(ask, { minLength: 1, maxLength: 5 }), fc.constantFrom(4, 8, 16), (raw, defaultK) => {
        const cacheSize = 64n;
        const asks: ColourAsk<number>[] = raw.map((x, key) => ({
          key,
          ...(x.colours
            ? { colours: [...x.colours].filter((c) => c < (x.of ?? defaultK)).sort((a, b) => a - b) }
            : { any: x.any }),
          ...(x.of ? { of: x.of } : {}),
          exclusive: x.exclusive,
          granule: 1n,
        }));
        const placed = planRegionColours(r(0n, 255n), cacheSize, defaultK, asks, []);
        const want = anyRef(asks, cacheSize, defaultK);
        for (const p of placed) expect(p.colours).toEqual(want.get(p.key));
      }),
      { numRuns: 3000, seed: 75 },
    );
  });

  it('finds none at once when an exclusive request holds every colour of a 2^30-colour cache', () => {
    const asks: ColourAsk<string>[] = [
      { key: 'all', colours: [0, 1], of: 2, exclusive: true, granule: 1n },
      { key: 'any', any: 1, of: 2 ** 30, exclusive: false, granule: 1n },
    ];
    const placed = planRegionColours(r(0n, 2n ** 31n - 1n), 2n ** 30n, 2, asks, []);
    expect(placed.find((p) => p.key === 'any')?.colours).toEqual([]);
  });
});

describe('"did you mean" for host names', () => {
  it('suggests what the full edit distance suggested, for names of ordinary length', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', 'l', '6', '-'), maxLength: 10 }),
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'l', '6', '-'), maxLength: 10 }), { maxLength: 5 }),
        (word, names) => {
          let best: string | undefined;
          let bestD = Infinity;
          for (const c of names) {
            const d = distanceRef(word, c);
            if (d < bestD) [best, bestD] = [c, d];
          }
          const want = best !== undefined && bestD <= typoLimit(word.length) ? best : undefined;
          expect(closest(word, names)).toBe(want);
        },
      ),
      { numRuns: 3000, seed: 76 },
    );
  });

  it('does not compare 50 000-character names', () => {
    const t0 = Date.now();
    expect(closest('n'.repeat(50_000), ['n'.repeat(49_999), 'lab61'])).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('a span index (DAX051: is this device already explained by an error?)', () => {
  it('answers as the scan of every span did', () => {
    const span = fc.tuple(fc.nat(60), fc.nat(8)).map(([start, len]) => ({ start, end: start + len }));
    fc.assert(
      fc.property(fc.array(span, { maxLength: 12 }), span, (spans, q) => {
        expect(spanIndex(spans).meets(q.start, q.end)).toBe(spans.some((f) => f.start < q.end && q.start < f.end));
      }),
      { numRuns: 5000, seed: 77 },
    );
  });
});
