// The fuzz report's percentiles come from 1 %-wide histogram buckets (fuzz.ts): they must stay within
// 1 % of the percentiles of the sorted times, and survive the progress file's JSON (--resume).
import { describe, expect, it } from 'vitest';
import { Histogram } from './fuzz';

/** The p-th percentile of sorted times: the smallest time at or above p % of them. */
function exact(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

describe('the fuzz report histogram', () => {
  it('gives p50, p99 and p99.9 within 1 % of the sorted times, the max and the mean exactly, also after JSON', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    // a long tail, as the fuzz times have: most inputs a few ms, some hundreds
    const times = Array.from({ length: 20_000 }, () => 0.2 + 3 * random() + (random() < 0.01 ? 400 * random() : 0));
    const h = new Histogram();
    for (const t of times) h.add(t);
    const again = Histogram.from(JSON.parse(JSON.stringify(h)));
    const sorted = [...times].sort((a, b) => a - b);
    for (const x of [h, again]) {
      for (const p of [50, 99, 99.9]) {
        expect(x.percentile(p)).toBeGreaterThanOrEqual(exact(sorted, p));
        expect(x.percentile(p)).toBeLessThanOrEqual(exact(sorted, p) * 1.01);
      }
      expect(x.max).toBe(sorted.at(-1));
      expect(x.count).toBe(times.length);
      expect(x.sum).toBeCloseTo(
        times.reduce((a, b) => a + b, 0),
        6,
      );
    }
    expect(new Histogram().percentile(50)).toBeNaN();
  });
});
