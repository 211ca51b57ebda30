// PieceDocument (server/lsp/document.ts) answers as vscode-languageserver-textdocument's
// TextDocument does, along random edits (line breaks of every kind, ranges reversed or past
// the end of a line, whole-text changes). A change's lines are taken within the document's:
// a range past the last line leaves TextDocument's line table with holes, and what it
// answers after that is no behaviour to copy.

import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { describe, expect, it } from 'vitest';
import { PieceDocument } from '../../server/lsp/document';

const TEXT = 'host a {\n  ssh "r@a"\r\n}\r\n\nregion 0 on a {\r  device x { size 1G }\n}\n';
const chars = fc.constantFrom('a', ' ', '\n', '\r', '\r\n', '}', 'é', '𝒳', 'ab\ncd', '');
const pos = fc.record({ line: fc.integer({ min: -1, max: 9 }), character: fc.integer({ min: -1, max: 30 }) });
const change = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record({
      range: fc.record({ start: pos, end: pos }),
      text: fc.array(chars, { maxLength: 4 }).map((x) => x.join('')),
    }),
  },
  { weight: 1, arbitrary: fc.record({ text: fc.array(chars, { maxLength: 30 }).map((x) => x.join('')) }) },
);

function same(
  a: TextDocument,
  b: PieceDocument,
  probes: { line: number; character: number }[],
  offsets: number[],
): void {
  expect(b.getText()).toBe(a.getText());
  expect(b.lineCount).toBe(a.lineCount);
  expect(b.version).toBe(a.version);
  for (const p of probes) {
    expect(b.offsetAt(p)).toBe(a.offsetAt(p));
    expect(b.getText({ start: p, end: { line: p.line + 1, character: 2 } })).toBe(
      a.getText({ start: p, end: { line: p.line + 1, character: 2 } }),
    );
    expect(b.getLineRange(p.line)).toEqual(a.getLineRange(p.line));
    expect(b.getEOLCharacters(p.line)).toBe(a.getEOLCharacters(p.line));
  }
  for (const o of offsets) expect(b.positionAt(o)).toEqual(a.positionAt(o));
}

describe('PieceDocument', () => {
  it('answers as TextDocument along random edits', () => {
    fc.assert(
      fc.property(
        fc.array(change, { minLength: 1, maxLength: 30 }),
        fc.array(pos, { maxLength: 6 }),
        fc.array(fc.integer({ min: -2, max: 80 }), { maxLength: 6 }),
        (changes, probes, offsets) => {
          const a = TextDocument.create('file:///a.dax', 'dax', 1, TEXT);
          const b = new PieceDocument('file:///a.dax', 'dax', 1, TEXT);
          let v = 1;
          for (const raw of changes) {
            v++;
            const lines = a.lineCount;
            const inside = (p: { line: number; character: number }) => ({
              line: ((p.line % lines) + lines) % lines,
              character: p.character,
            });
            const c =
              'range' in raw
                ? { range: { start: inside(raw.range.start), end: inside(raw.range.end) }, text: raw.text }
                : raw;
            TextDocument.update(a, [c], v);
            b.update([c], v);
            // probing reads characters between edits, as the server does (offsetAt of the next change)
            same(a, b, probes, offsets);
          }
        },
      ),
      { seed: 5, numRuns: 300 },
    );
  });

  it('keeps up with 3,000 edits of one document (the pieces are joined now and then)', () => {
    const text = Array.from({ length: 400 }, (_, i) => `  device d${i} { size 8G }`).join('\n');
    const a = TextDocument.create('file:///b.dax', 'dax', 1, text);
    const b = new PieceDocument('file:///b.dax', 'dax', 1, text);
    for (let i = 0; i < 3000; i++) {
      const line = (i * 37) % 400;
      const c = {
        range: { start: { line, character: 20 }, end: { line, character: 21 } },
        text: i % 3 === 0 ? '16' : String(i % 10),
      };
      TextDocument.update(a, [c], i + 2);
      b.update([c], i + 2);
      expect(b.offsetAt({ line, character: 22 })).toBe(a.offsetAt({ line, character: 22 }));
    }
    expect(b.getText()).toBe(a.getText());
    expect(b.positionAt(5000)).toEqual(a.positionAt(5000));
  });
});
