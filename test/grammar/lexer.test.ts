// The hand-written lexer (grammar/src/lexer.ts) against chevrotain's lexer built from the same token
// definitions (tokens.ts, makeLexer): the same tokens (type, image, offsets, lines, columns), the
// same comments and the same lexing errors, on every layout in the repository, every fuzz
// regression, and texts generated to hit the edges (line breaks of every kind, byte-order marks,
// unterminated strings, escapes at the end of a line, stray characters, `.` next to `..`, units
// after blanks, characters outside ASCII).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ILexingResult, IToken } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { makeLexer, tokenize, tokenizeWithChevrotain } from '../../grammar/src/tokens';

const ROOT = resolve(__dirname, '../..');
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

function files(dir: string, keep: (name: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, keep, out);
    else if (keep(name)) out.push(p);
  }
  return out;
}

/** A small seeded generator (mulberry32), so a failure names a text that can be made again. */
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

const PIECES = [
  ...'abcxyzABCZ_09.-+,{}#"\\ \t\n\r\f\v@/:;=\'~é€\u2028\u00a0\ufeff\u0000😀',
  '..',
  '...',
  '\r\n',
  '0x',
  '0x1_f',
  '12.5',
  '4 GiB',
  '4\tM',
  '4  KiBx',
  '20000MB/s',
  '1..2',
  'device',
  'memory-block',
  'online_kernel',
  'size',
  'region',
  'host',
  'cxl',
  '"a\\"b"',
  '"open',
  '\\\n',
  '# note',
  'dax0.3',
];

describe('lexer.ts agrees with chevrotain', () => {
  it('on every .dax file of the repository and every fuzz regression', () => {
    const layouts = files(ROOT, (n) => n.endsWith('.dax')).filter((p) => !p.includes('/dist/'));
    expect(layouts.length).toBeGreaterThan(10);
    const texts = layouts.map((p) => readFileSync(p, 'utf8'));
    for (const p of files(join(ROOT, 'test/fuzz/regressions'), (n) => n.endsWith('.json')))
      texts.push((JSON.parse(readFileSync(p, 'utf8')) as { layout: string }).layout);
    for (const t of texts) expect(difference(t)).toBeUndefined();
  });

  it('on 6 000 generated texts and their prefixes at every offset near the edges', () => {
    const next = rng(20261207);
    const samples = files(join(ROOT, 'samples'), (n) => n.endsWith('.dax')).map((p) => readFileSync(p, 'utf8'));
    for (let n = 0; n < 6000; n++) {
      let text = '';
      if (n % 3 === 0) {
        // a sample with a few pieces spliced in
        const base = samples[Math.floor(next() * samples.length)] ?? '';
        text = base;
        for (let k = 0; k < 4; k++) {
          const at = Math.floor(next() * (text.length + 1));
          const piece = PIECES[Math.floor(next() * PIECES.length)] ?? '';
          text = text.slice(0, at) + piece + text.slice(at + (next() < 0.5 ? 0 : Math.floor(next() * 4)));
        }
      } else {
        const len = 1 + Math.floor(next() * 40);
        for (let k = 0; k < len; k++) text += PIECES[Math.floor(next() * PIECES.length)] ?? '';
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
