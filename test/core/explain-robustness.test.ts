// The editor views never throw on half-typed text, and stay inside it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyze,
  completeAt,
  definitionAt,
  folds,
  hoverAt,
  inlayHints,
  outline,
  prepareRenameAt,
  referencesAt,
  renameAt,
  semanticTokens,
} from '../../server/core/index';

const SAMPLES = resolve(__dirname, '../../samples');
const read = (name: string) => readFileSync(resolve(SAMPLES, name), 'utf8');
const readFacts = (p: string) => {
  try {
    return { text: read(p) };
  } catch {
    return { error: 'no such file' };
  }
};
const TEXTS = ['hbm-lab.dax', 'hmat-node1.dax', 'cxl-6.12.dax', 'design.dax', 'mistakes.dax'].map(read);
const PIECES = [
  '{',
  '}',
  ' ',
  '\n',
  'device ',
  'size ',
  'rest',
  'mode system-ram ',
  'range 0x1_0000_0000 + ',
  ',',
  '..',
  '1G',
  '"',
  '#',
  'on ',
  'region 1 ',
  'host x',
];

const inside = (s: { start: number; end: number }, n: number) => s.start >= 0 && s.end <= n && s.start <= s.end;

describe('editor views on broken text', () => {
  it('never throw, and answer with spans inside the text', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: TEXTS.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(30), fc.constantFrom(...PIECES)), { maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        (which, edits, probes) => {
          let text = TEXTS[which] as string;
          for (const [at, cut, piece] of edits) {
            const p = at % (text.length + 1);
            text = text.slice(0, p) + piece + text.slice(Math.min(text.length, p + cut));
          }
          const a = analyze(text, { readFacts });
          const n = text.length;
          for (const t of semanticTokens(a)) expect(inside(t.span, n)).toBe(true);
          for (const f of folds(a)) expect(inside(f.span, n)).toBe(true);
          for (const s of outline(a)) expect(inside(s.span, n) && inside(s.selectionSpan, n)).toBe(true);
          for (const h of inlayHints(a)) expect(h.offset >= 0 && h.offset <= n).toBe(true);
          for (const probe of probes) {
            const o = probe % (n + 1);
            const h = hoverAt(a, o);
            if (h) expect(inside(h.span, n)).toBe(true);
            const c = completeAt(a, o);
            expect(inside(c.span, n) && c.span.end === o).toBe(true);
            for (const s of [...definitionAt(a, o), ...referencesAt(a, o, true)]) expect(inside(s, n)).toBe(true);
            prepareRenameAt(a, o);
            renameAt(a, o, 'renamed');
          }
        },
      ),
      { numRuns: 300, seed: 20261125 },
    );
  });
});
