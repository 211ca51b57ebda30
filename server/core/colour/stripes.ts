// Memory-side-cache colours (docs/colours.md). In a direct-mapped cache of C
// bytes, addresses A and A + C alias; slicing C into K equal parts gives every
// physical address a colour, (A / (C / K)) mod K (COLOUR_FORMULA in
// kernel/cache-tables.ts). Pure integer arithmetic on bigint byte addresses.

import type { MemorySideCacheFacts, NodeFacts } from '../host-facts';
import { COLOUR_LEVEL } from '../kernel/cache-tables';

/** An address range, `end` inclusive (as the kernel prints mappings). */
export interface AddrRange {
  readonly start: bigint;
  readonly end: bigint;
}

const byStart = (x: AddrRange, y: AddrRange) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0);

/** More stripes than this for one device is reported rather than computed. */
export const MAX_STRIPES = 100_000;

export function rangeBytes(rs: readonly AddrRange[]): bigint {
  let n = 0n;
  for (const r of rs) n += r.end - r.start + 1n;
  return n;
}

/** The colour of address `a` in a cache of `cacheSize` bytes sliced into `k` colours (cacheSize % k === 0). */
export function colourOf(a: bigint, cacheSize: bigint, k: number): number {
  const width = cacheSize / BigInt(k);
  return Number((a / width) % BigInt(k));
}

/** Consecutive runs `[first, last]` of a sorted colour list. */
export function colourRuns(colours: readonly number[]): [number, number][] {
  const sorted = [...new Set(colours)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const c of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[1] === c - 1) last[1] = c;
    else runs.push([c, c]);
  }
  return runs;
}

/**
 * The maximal runs of addresses in [start, end] whose colour is in `colours`, in
 * address order. Undefined when there would be more than `limit`.
 */
export function colourStripes(
  start: bigint,
  end: bigint,
  cacheSize: bigint,
  k: number,
  colours: readonly number[],
  limit = MAX_STRIPES,
): AddrRange[] | undefined {
  const out: AddrRange[] = [];
  if (end < start || k <= 0 || cacheSize % BigInt(k) !== 0n) return out;
  const width = cacheSize / BigInt(k);
  const runs = colourRuns(colours.filter((c) => c >= 0 && c < k));
  if (runs.length === 0) return out;
  // Every colour: one stripe, however many cache periods the range spans.
  const first = runs[0] as [number, number];
  if (runs.length === 1 && first[0] === 0 && first[1] === k - 1) return [{ start, end }];
  const firstPeriod = start / cacheSize;
  const lastPeriod = end / cacheSize;
  // Otherwise each period boundary starts at least one new stripe: past the limit, do not walk the periods.
  if (lastPeriod - firstPeriod > BigInt(limit) + 1n) return undefined;
  for (let m = firstPeriod; m <= lastPeriod; m++) {
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

/** The colours (of K) that addresses in [start, end] take, sorted. */
export function coloursIn(start: bigint, end: bigint, cacheSize: bigint, k: number): number[] {
  if (end < start || k <= 0 || cacheSize % BigInt(k) !== 0n) return [];
  const width = cacheSize / BigInt(k);
  // the stripes [start, end] touches, in order: all K once there are K of them
  const first = start / width;
  const count = end / width - first + 1n;
  if (count >= BigInt(k)) return Array.from({ length: k }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0n; i < count; i++) out.push(Number((first + i) % BigInt(k)));
  return out.sort((x, y) => x - y);
}

/** `ranges` minus `taken` (both inclusive), in address order. */
export function subtractRanges(ranges: readonly AddrRange[], taken: readonly AddrRange[]): AddrRange[] {
  const cuts = [...taken].sort(byStart);
  const out: AddrRange[] = [];
  // Ranges in address order (the usual case): cuts that end before a range ends before every later one too.
  const sorted = ranges.every((r, i) => i === 0 || (ranges[i - 1] as AddrRange).start <= r.start);
  let from = 0;
  for (const r of ranges) {
    let s = r.start;
    if (sorted) while (from < cuts.length && (cuts[from] as AddrRange).end < r.start) from++;
    for (let i = sorted ? from : 0; i < cuts.length; i++) {
      const t = cuts[i] as AddrRange;
      if (t.start > r.end) break; // sorted by start: no later cut reaches r
      if (t.end < s) continue;
      if (t.start > s) out.push({ start: s, end: t.start - 1n });
      s = t.end + 1n;
      if (s > r.end) break;
    }
    if (s <= r.end) out.push({ start: s, end: r.end });
  }
  return out;
}

/** Each range shrunk inward to `granule` boundaries; pieces with no whole granule are dropped. */
export function trimToGranule(ranges: readonly AddrRange[], granule: bigint): AddrRange[] {
  const out: AddrRange[] = [];
  for (const r of ranges) {
    const s = ((r.start + granule - 1n) / granule) * granule;
    const e = ((r.end + 1n) / granule) * granule - 1n;
    if (e >= s) out.push({ start: s, end: e });
  }
  return out;
}

/** The first `size` bytes of `ranges` in address order, cut at a `granule` multiple. */
export function takeBytes(ranges: readonly AddrRange[], size: bigint, granule: bigint): AddrRange[] {
  const out: AddrRange[] = [];
  let left = (size / granule) * granule;
  for (const r of ranges) {
    if (left <= 0n) break;
    const len = r.end - r.start + 1n;
    const take = len <= left ? len : (left / granule) * granule;
    if (take <= 0n) break;
    out.push({ start: r.start, end: r.start + take - 1n });
    left -= take;
  }
  return out;
}

/** The memory-side cache that colours a node's memory: level 1 (nearest the memory), else the lowest level. */
export function colouringCache(node: NodeFacts | undefined): MemorySideCacheFacts | undefined {
  if (!node || node.caches.length === 0) return undefined;
  const exact = node.caches.find((c) => c.level === COLOUR_LEVEL.value);
  return exact ?? [...node.caches].sort((a, b) => a.level - b.level)[0];
}

// ---------------------------------------------------------------------------
// A region's colour plan

/** What a device asks for, with what the planner needs to know of it. */
export interface ColourAsk<T> {
  readonly key: T;
  /** Specific colours (sorted); absent with `any`. */
  readonly colours?: readonly number[];
  readonly any?: number;
  /** K; absent → the region's default. */
  readonly of?: number;
  readonly exclusive: boolean;
  /** The size the layout states, if any. */
  readonly size?: bigint;
  /** max(align, 2 MiB): every stripe start and length must be a multiple. */
  readonly granule: bigint;
}

export interface ColourPlacement<T> {
  readonly key: T;
  /** K used. */
  readonly k: number;
  /** C / K; 0n when K does not divide C. */
  readonly width: bigint;
  /** The colours the device holds (chosen for `any`). */
  readonly colours: readonly number[];
  /** Every stripe of the region with these colours (before free space and granule). */
  readonly all: readonly AddrRange[];
  /** The stripes the device can take: granule-trimmed, free, in address order. */
  readonly available: readonly AddrRange[];
  /** What the device is pinned to: `available`, cut to the stated size. */
  readonly stripes: readonly AddrRange[];
  /** Bytes the colours give (`available`). */
  readonly gives: bigint;
  /** Why no stripes could be computed (too many, K does not divide C). */
  readonly problem?: 'fraction' | 'too-many';
}

/** The colours `c` of K as intervals of one cache period [0, C): what aliases with what. */
export function periodIntervals(colours: readonly number[], cacheSize: bigint, k: number): AddrRange[] {
  if (k <= 0 || cacheSize % BigInt(k) !== 0n) return [];
  const w = cacheSize / BigInt(k);
  return colourRuns(colours).map(([a, b]) => ({ start: BigInt(a) * w, end: BigInt(b + 1) * w - 1n }));
}

/** Whether any range of `a` meets any range of `b` (a sweep over both, sorted: linear, not |a|·|b|). */
export function overlaps(a: readonly AddrRange[], b: readonly AddrRange[]): boolean {
  const xs = [...a].sort(byStart);
  const ys = [...b].sort(byStart);
  let i = 0;
  let j = 0;
  while (i < xs.length && j < ys.length) {
    const x = xs[i] as AddrRange;
    const y = ys[j] as AddrRange;
    if (x.start <= y.end && y.start <= x.end) return true;
    if (x.end < y.end) i++;
    else j++;
  }
  return false;
}

/** Whether `x` meets a range of `sorted` (sorted by start, not overlapping each other): a binary search. */
export function meetsSorted(x: AddrRange, sorted: readonly AddrRange[]): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const y = sorted[mid] as AddrRange;
    if (y.end < x.start) lo = mid + 1;
    else if (y.start > x.end) hi = mid - 1;
    else return true;
  }
  return false;
}

/** The lowest `n` colours of K whose stripes meet none of `forbidden` (intervals of one period [0, C)). */
function freeColours(n: number, k: number, cacheSize: bigint, forbidden: readonly AddrRange[]): number[] {
  const picks: number[] = [];
  if (k <= 0 || cacheSize % BigInt(k) !== 0n) {
    // K does not divide C: no stripes to clash (the placement reports the fraction)
    for (let c = 0; c < k && picks.length < n; c++) picks.push(c);
    return picks;
  }
  const w = cacheSize / BigInt(k);
  const xs = [...forbidden].sort(byStart);
  let j = 0;
  for (let c = 0; c < k && picks.length < n;) {
    const s = BigInt(c) * w;
    const e = s + w - 1n;
    while (j < xs.length && (xs[j] as AddrRange).end < s) j++;
    const x = xs[j];
    if (x && x.start <= e) {
      // skip every colour this interval meets
      const next = x.end / w + 1n;
      c = next > BigInt(k) ? k : Number(next);
      continue;
    }
    picks.push(c);
    c++;
  }
  return picks;
}

/**
 * Turns the colour requests of one region into stripes, in layout order:
 * specific colours first as asked; `any N` picks the lowest colours no other
 * request holds (exclusive: no other request at all; shared: no exclusive one).
 * Stripes are trimmed to the device's granule, then what `occupied` and earlier
 * devices hold is taken out; a stated size takes the lowest stripes first.
 */
export function planRegionColours<T>(
  region: AddrRange,
  cacheSize: bigint,
  defaultK: number,
  asks: readonly ColourAsk<T>[],
  occupied: readonly AddrRange[],
): ColourPlacement<T>[] {
  const kOf = (a: ColourAsk<T>) => a.of ?? defaultK;
  // Colour sets first (as period intervals), so `any` can avoid the others.
  const chosen = new Map<ColourAsk<T>, number[]>();
  for (const a of asks) if (a.colours) chosen.set(a, [...a.colours]);
  for (const a of asks) {
    if (a.colours || a.any === undefined) continue;
    const forbidden: AddrRange[] = [];
    for (const o of asks) {
      const theirs = chosen.get(o);
      if (o === a || !theirs || (!a.exclusive && !o.exclusive)) continue;
      forbidden.push(...periodIntervals(theirs, cacheSize, kOf(o)));
    }
    chosen.set(a, freeColours(a.any, kOf(a), cacheSize, forbidden));
  }
  const taken: AddrRange[] = [...occupied];
  const out: ColourPlacement<T>[] = [];
  for (const a of asks) {
    const k = kOf(a);
    const colours = chosen.get(a) ?? [];
    const fraction = k <= 0 || cacheSize % BigInt(k) !== 0n;
    const width = fraction ? 0n : cacheSize / BigInt(k);
    const all = fraction ? [] : colourStripes(region.start, region.end, cacheSize, k, colours);
    if (all === undefined || fraction) {
      out.push({
        key: a.key,
        k,
        width,
        colours,
        all: [],
        available: [],
        stripes: [],
        gives: 0n,
        problem: fraction ? 'fraction' : 'too-many',
      });
      continue;
    }
    const available = trimToGranule(subtractRanges(trimToGranule(all, a.granule), taken), a.granule);
    const gives = rangeBytes(available);
    const stripes = a.size !== undefined && a.size < gives ? takeBytes(available, a.size, a.granule) : available;
    taken.push(...stripes);
    out.push({ key: a.key, k, width, colours, all, available, stripes, gives });
  }
  return out;
}

/** K when the layout does not say: the finest colouring whose stripes the region's granule can claim, C / max(region align, 2 MiB). */
export function defaultColourCount(cacheSize: bigint, regionGranule: bigint): number {
  if (regionGranule <= 0n || cacheSize < regionGranule) return 1;
  const k = cacheSize / regionGranule;
  return k > 1_000_000n ? 1_000_000 : Number(k);
}

/** Bytes of colour `c` in [0, x). */
function below(x: bigint, cacheSize: bigint, width: bigint, c: bigint): bigint {
  const periods = x / cacheSize;
  const rem = x % cacheSize;
  let part = rem - c * width;
  if (part < 0n) part = 0n;
  if (part > width) part = width;
  return periods * width + part;
}

/** Bytes of colour `c` (of K, stripe width `width`) in the inclusive range r. */
export function colourBytes(r: AddrRange, cacheSize: bigint, width: bigint, c: number): bigint {
  const cc = BigInt(c);
  return below(r.end + 1n, cacheSize, width, cc) - below(r.start, cacheSize, width, cc);
}

/**
 * Bytes of each colour 0..k−1 (stripe width `width`, k × width = cacheSize) in the inclusive ranges:
 * what colourBytes gives for every colour and range, in O(ranges + k) instead of O(ranges × k) (a
 * device pinned to thousands of stripes, mapped for 1 024 colours, took tens of milliseconds per view).
 * [0, x) holds ⌊x / C⌋ × width of every colour, plus width of each colour below q and t of colour q,
 * where x mod C = q × width + t: a constant and a step, added up in a difference array.
 */
export function colourBytesByColour(
  ranges: readonly AddrRange[],
  cacheSize: bigint,
  width: bigint,
  k: number,
): bigint[] {
  const diff: bigint[] = new Array<bigint>(k + 1).fill(0n);
  let all = 0n;
  const add = (x: bigint, sign: bigint) => {
    const rem = x % cacheSize;
    const q = rem / width; // below k when k × width = cacheSize; every colour's stripe is whole past k
    const step = q < BigInt(k) ? Number(q) : k;
    all += sign * (x / cacheSize) * width;
    diff[0] = (diff[0] as bigint) + sign * width;
    diff[step] = (diff[step] as bigint) - sign * width;
    if (step < k) {
      diff[step] = (diff[step] as bigint) + sign * (rem % width);
      diff[step + 1] = (diff[step + 1] as bigint) - sign * (rem % width);
    }
  };
  for (const r of ranges) {
    add(r.end + 1n, 1n);
    add(r.start, -1n);
  }
  const out: bigint[] = [];
  let run = all;
  for (let c = 0; c < k; c++) out.push((run += diff[c] as bigint));
  return out;
}

/** `0..1, 3` for a colour list. */
export function colourList(colours: readonly number[]): string {
  const runs: [number, number][] = [];
  for (const c of [...colours].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && last[1] === c - 1) last[1] = c;
    else runs.push([c, c]);
  }
  return runs.map(([a, b]) => (a === b ? String(a) : `${a}..${b}`)).join(', ');
}
