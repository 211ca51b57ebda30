// Minimising a failing case while it keeps failing the same way: delete lines
// of the layout (halves, quarters, … single lines), then characters, then the
// files it names (whole files, then their lines, then characters). The cursor
// follows the deletions.

import type { FuzzCase } from './case';

export interface Budget {
  /** Most runs of the case. */
  readonly tries: number;
  /** Date.now() after which shrinking stops with what it has. */
  readonly until: number;
}

type Test = (text: string, removed: { start: number; end: number }) => Promise<boolean>;

/** Deletes chunks of `parts` (halving the chunk size) while `test` holds. */
async function ddmin(parts: string[], test: Test, out: { tries: number }, budget: Budget): Promise<string[]> {
  let chunk = Math.max(1, Math.ceil(parts.length / 2));
  for (;;) {
    let progress = false;
    for (let i = 0; i < parts.length;) {
      if (out.tries >= budget.tries || Date.now() > budget.until) return parts;
      const start = parts.slice(0, i).join('').length;
      const cut = parts.slice(i, i + chunk).join('').length;
      const candidate = [...parts.slice(0, i), ...parts.slice(i + chunk)];
      out.tries++;
      if (await test(candidate.join(''), { start, end: start + cut })) {
        parts = candidate;
        progress = true;
      } else i += chunk;
    }
    if (chunk === 1 && !progress) return parts;
    if (chunk > 1) chunk = Math.max(1, Math.floor(chunk / 2));
  }
}

const lines = (s: string) => s.split(/(?<=\n)/);
const chars = (s: string) => [...s];

/** The smallest case found that `fails`, and how many runs it took. */
export async function shrink(
  c: FuzzCase,
  fails: (c: FuzzCase) => Promise<boolean>,
  budget: Budget,
  maxChars = 4000,
): Promise<{ case: FuzzCase; tries: number }> {
  const out = { tries: 0 };
  let best: FuzzCase = c;
  const layoutTest: Test = async (layout, cut) => {
    const cursor =
      best.cursor === undefined
        ? undefined
        : best.cursor >= cut.end
          ? best.cursor - (cut.end - cut.start)
          : Math.min(best.cursor, cut.start);
    const candidate: FuzzCase = { ...best, layout, ...(cursor !== undefined ? { cursor } : {}) };
    if (!(await fails(candidate))) return false;
    best = candidate;
    return true;
  };
  await ddmin(lines(best.layout), layoutTest, out, budget);
  if (best.layout.length <= maxChars) await ddmin(chars(best.layout), layoutTest, out, budget);
  for (const path of Object.keys(best.files)) {
    const without = Object.fromEntries(Object.entries(best.files).filter(([p]) => p !== path));
    out.tries++;
    if (await fails({ ...best, files: without })) {
      best = { ...best, files: without };
      continue;
    }
    const fileTest: Test = async (text) => {
      const candidate = { ...best, files: { ...best.files, [path]: text } };
      if (!(await fails(candidate))) return false;
      best = candidate;
      return true;
    };
    await ddmin(lines(best.files[path] as string), fileTest, out, budget);
    if ((best.files[path] as string).length <= maxChars)
      await ddmin(chars(best.files[path] as string), fileTest, out, budget);
  }
  return { case: best, tries: out.tries };
}
