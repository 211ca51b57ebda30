// The hand-written lexer (grammar/src/lexer.ts) against chevrotain's lexer built from the same token
// definitions (tokens.ts, makeLexer): the same tokens (type, image, offsets, lines, columns), the
// same comments and the same lexing errors, on every layout in the repository, every fuzz
// regression, and texts generated to hit the edges (line breaks of every kind, byte-order marks,
// unterminated strings, escapes at the end of a line, stray characters, `.` next to `..`, units
// after blanks, characters outside ASCII).

import type { ILexingResult, IToken } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { makeLexer, tokenize, tokenizeWithChevrotain } from '../../grammar/src/tokens';
import { Rng } from '../fidelity/rng';
import { PIECES, repositoryLayouts, samples } from './corpus';

const chevrotain = makeLexer(true);

const shape = (t: IToken) => ({
  type: t.tokenType.name,
  idx: t.tokenTypeIdx,
  image: t.image,
  startOffset: t.startOffset,
  endOffset: t.endOffset,
  startLine: t.startLine,
  endLine: t.endLine,
  startColumn: t.startColumn,
  endColumn: t.endColumn,
});
const view = (r: ILexingResult) => ({
  tokens: r.tokens.map(shape),
  comments: (r.groups['comments'] ?? []).map(shape),
  errors: r.errors.map((e) => ({ ...e })),
});

/** Where the two lexers first differ, or undefined. */
function difference(text: string): string | undefined {
  const want = view(tokenizeWithChevrotain(chevrotain, text));
  const got = view(tokenize(text));
  for (const k of ['tokens', 'comments', 'errors'] as const) {
    const a = want[k] as unknown[];
    const b = got[k] as unknown[];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (JSON.stringify(a[i]) !== JSON.stringify(b[i]))
        return `${k}[${i}]: chevrotain ${JSON.stringify(a[i])}, lexer.ts ${JSON.stringify(b[i])} in ${JSON.stringify(text.slice(0, 200))}`;
    }
  }
  return undefined;
}

describe('lexer.ts agrees with chevrotain', () => {
  it('on every .dax file of the repository and every fuzz regression', () => {
    const texts = repositoryLayouts();
    expect(texts.length).toBeGreaterThan(25);
    for (const t of texts) expect(difference(t)).toBeUndefined();
  });

  it('on 6 000 generated texts and their prefixes at every offset near the edges', () => {
    const r = new Rng('lexer-20261207');
    const bases = samples();
    for (let n = 0; n < 6000; n++) {
      let text = '';
      if (n % 3 === 0) {
        // a sample with a few pieces spliced in
        text = r.pick(bases);
        for (let k = 0; k < 4; k++) {
          const at = r.int(text.length + 1);
          text = text.slice(0, at) + r.pick(PIECES) + text.slice(at + (r.chance(0.5) ? 0 : r.int(4)));
        }
      } else {
        const len = r.range(1, 40);
        for (let k = 0; k < len; k++) text += r.pick(PIECES);
      }
      const d = difference(text);
      if (d) expect(d).toBeUndefined();
    }
    // every prefix of a text with each kind of edge
    const edges =
      '\ufeffhost a {\r\n  ssh "x\\\r\n  memory-block 128 MiB # c\r  . .. ... @@ 0x1_0G 4 Gi 4 GiBx\n}\r\r\n"u\\';
    for (let i = 0; i <= edges.length; i++) expect(difference(edges.slice(0, i))).toBeUndefined();
  });

  it('types keywords as chevrotain plus the keyword pass did, and leaves longer names alone', () => {
    const r = tokenize('device sizes size memory-block memory-blocks online_kernel');
    expect(r.tokens.map((t) => t.tokenType.name)).toEqual([
      'KwDevice',
      'Identifier',
      'KwSize',
      'KwMemoryBlock',
      'Identifier',
      'Identifier',
    ]);
  });
});
