// The hand-written parser (grammar/src/descent.ts) against chevrotain's parser of the grammar
// (grammar/src/parser.ts): the same CST — rule names, children under the same labels in the same
// order, the same tokens, node locations — and no error from chevrotain, on every layout of the
// repository, every fuzz regression and thousands of generated texts (typing-like prefixes,
// spliced pieces, random token soups).

import type { CstElement, CstNode, IToken } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { parseTokens, parseTokensWithChevrotain } from '../../grammar/src/parser';
import { KEYWORD_TOKENS, LIST_WORDS, tokenize } from '../../grammar/src/tokens';
import { Rng } from '../fidelity/rng';
import { PIECES, repositoryLayouts, samples } from './corpus';

const isToken = (e: CstElement): e is IToken => (e as IToken).image !== undefined;
/** A CST as plain data: labels in insertion order, tokens by offset and type, locations. */
function plain(e: CstElement): unknown {
  if (isToken(e)) return `${e.tokenType.name}@${e.startOffset}:${e.image}`;
  const n = e as CstNode;
  return {
    name: n.name,
    location: [n.location?.startOffset, n.location?.endOffset].map(String),
    children: Object.entries(n.children).map(([k, v]) => [k, v.map(plain)]),
  };
}

/** Where the two parsers differ on `text`, or undefined. */
function difference(text: string): string | undefined {
  const tokens = tokenize(text).tokens;
  const want = parseTokensWithChevrotain(tokens);
  const got = parseTokens(tokens);
  if (want.errors.length > 0)
    return `chevrotain reported ${want.errors[0]?.message} in ${JSON.stringify(text.slice(0, 200))}`;
  if (got.errors.length > 0) return `descent.ts reported an error`;
  const a = JSON.stringify(plain(want.cst as CstNode));
  const b = JSON.stringify(plain(got.cst as CstNode));
  if (a === b) return undefined;
  let i = 0;
  while (a[i] === b[i]) i++;
  return `trees differ at ${i}: chevrotain …${a.slice(Math.max(0, i - 80), i + 80)}… descent.ts …${b.slice(Math.max(0, i - 80), i + 80)}… in ${JSON.stringify(text.slice(0, 300))}`;
}

/** The language's keywords and list words, and values of every kind. */
const WORDS = [
  ...KEYWORD_TOKENS.keys(),
  ...LIST_WORDS,
  ...['x86_64', 'dax0.1', 'mem0', 'hbm01', 'a', '0', '7', '48G', '0x1_0000_0000', '2 MiB', '120ns'],
  ...['..', '+', ',', '{', '}', '"s"', '"u', '# c', '@'],
];
const SEPS = [' ', ' ', ' ', '\n', '\n', '\n  ', '\r\n', '\t'];

describe('descent.ts builds the tree chevrotain builds', () => {
  it('on every .dax file of the repository and every fuzz regression, and every prefix of the samples', () => {
    const texts = repositoryLayouts();
    expect(texts.length).toBeGreaterThan(25);
    for (const t of texts) expect(difference(t)).toBeUndefined();
    // typing: every prefix of the samples, at each token boundary and inside tokens (every 3rd offset)
    for (const t of samples()) {
      for (let i = 0; i <= t.length; i += 3) {
        const d = difference(t.slice(0, i));
        if (d) expect(d).toBeUndefined();
      }
    }
  });

  it('on 8 000 generated texts: token soups of the language words and spliced samples', () => {
    const r = new Rng('descent-20261207');
    const bases = samples();
    for (let n = 0; n < 8000; n++) {
      let text = '';
      if (n % 4 === 0) {
        text = r.pick(bases);
        for (let k = 0; k < 3; k++) {
          const at = r.int(text.length + 1);
          text = text.slice(0, at) + r.pick(r.chance(0.7) ? WORDS : PIECES) + text.slice(at + r.int(6));
        }
      } else {
        const len = r.range(1, 60);
        for (let k = 0; k < len; k++) text += r.pick(WORDS) + r.pick(SEPS);
      }
      const d = difference(text);
      if (d) expect(d).toBeUndefined();
    }
  });
});
