// "Did you mean": the one suggestion for a mistyped word, used by the parser (keywords, property
// names, modes), the rules (host names, DAX002) and the CLI (option names). One distance, one
// threshold, so the same typo gets the same answer everywhere.

/** Names longer than this get no suggestion: nobody mistypes them into a near miss, and the distance is quadratic. */
const MAX_SUGGEST_LENGTH = 256;

/**
 * The edit distance (insert, delete, replace) counting a swap of two neighbours as one edit, so
 * that `hsot` is one typo away from `host` (optimal string alignment).
 */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] as number) + 1);
      cur[j] = d;
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length] as number;
}

/** How many edits still read as a typo of a word this long: one up to four characters, then a third of it (at least two). */
export function typoLimit(length: number): number {
  return length <= 4 ? 1 : Math.max(2, Math.floor(length / 3));
}

/**
 * The candidate nearest to `word` (case-insensitive), if it is close enough to be a typo of it
 * (`typoLimit`); the first of equally near ones.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > MAX_SUGGEST_LENGTH) return undefined;
  const w = word.toLowerCase();
  const limit = typoLimit(w.length);
  let best: string | undefined;
  let bestD = limit + 1;
  for (const c of candidates) {
    // the distance is at least the difference in length
    if (c.length > MAX_SUGGEST_LENGTH || Math.abs(c.length - w.length) > limit) continue;
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
