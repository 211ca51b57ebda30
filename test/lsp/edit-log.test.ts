// Mapping an older analysis onto the current text (server/lsp/edit-log.ts).
import { describe, expect, it } from 'vitest';
import { EditLog } from '../../server/lsp/edit-log';

/** A deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('EditLog', () => {
  it('maps spans of an older text through random edits exactly where the text is unchanged', () => {
    const r = rng(7);
    for (let round = 0; round < 120; round++) {
      // every character of the old text is unique (a private-use code point), so where it went can be checked
      const n = 40;
      const old = Array.from({ length: n }, (_, i) => String.fromCharCode(0xe000 + i)).join('');
      let text = old;
      const log = new EditLog();
      const edits = 1 + Math.floor(r() * 6);
      for (let v = 2; v < 2 + edits; v++) {
        const start = Math.floor(r() * (text.length + 1));
        const end = Math.min(text.length, start + Math.floor(r() * 4));
        const insert = 'x'.repeat(Math.floor(r() * 3));
        text = text.slice(0, start) + insert + text.slice(end);
        log.edited(v, start, end, insert.length);
      }
      const map = log.since(1)!;
      for (let a = 0; a < n; a++) {
        for (let b = a + 1; b <= n; b++) {
          const span = map.toNew({ start: a, end: b });
          const piece = old.slice(a, b);
          if (span) expect(text.slice(span.start, span.end), `round ${round} [${a},${b})`).toBe(piece);
          // it maps whenever the piece survived in one block (its characters are unique)
          else expect(text.includes(piece), `round ${round} [${a},${b}) survived but did not map`).toBe(false);
        }
        const p = map.toNew({ start: a, end: a });
        // a point maps to a place between the same neighbours, when both survive
        if (p && a > 0 && text.includes(old[a - 1]!)) expect(text.slice(0, p.start)).toContain(old[a - 1]!);
      }
      for (let c = 0; c < text.length; c++) {
        const o = map.toOld(c);
        if (text[c] === 'x') expect(o).toBeUndefined();
        else expect(old[o!]).toBe(text[c]);
      }
    }
  });

  it('forgets what an analysis no longer needs, and stops mapping past a whole-text change', () => {
    const log = new EditLog();
    log.edited(2, 0, 0, 3);
    log.edited(3, 10, 12, 0);
    log.trim(2);
    expect(log.since(2)?.toNew({ start: 20, end: 25 })).toEqual({ start: 18, end: 23 });
    log.replaced(4);
    expect(log.since(3)).toBeUndefined();
    expect(log.since(4)?.identity).toBe(true);
  });
});
