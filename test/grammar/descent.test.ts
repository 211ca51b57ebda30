// The hand-written parser (grammar/src/descent.ts) against chevrotain's parser of the grammar
// (grammar/src/parser.ts): the same CST — rule names, children under the same labels in the same
// order, the same tokens, node locations — and no error from chevrotain, on every layout of the
// repository, every fuzz regression and thousands of generated texts (typing-like prefixes,
// spliced pieces, random token soups).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CstElement, CstNode, IToken } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { parseTokens, parseTokensWithChevrotain } from '../../grammar/src/parser';
import { tokenize } from '../../grammar/src/tokens';

const ROOT = resolve(__dirname, '../..');

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

const WORDS = [
  'host',
  'region',
  'device',
  'cxl',
  'on',
  'rest',
  'size',
  'align',
  'mode',
  'range',
  'name',
  'colours',
  'colors',
  'expect',
  'owner',
  'group',
  'permissions',
  'ssh',
  'port',
  'facts',
  'kernel',
  'arch',
  'memory-block',
  'auto-online',
  'hosts',
  'inventory',
  'persist',
  'start',
  'node',
  'cache',
  'window',
  'granularity',
  'adopt',
  'memdevs',
  'dynamic',
  'static',
  'devdax',
  'system-ram',
  'online',
  'offline',
  'movable',
  'normal',
  'memmap-on-memory',
  'of',
  'exclusive',
  'any',
  'from',
  'access0',
  'access1',
  'x86_64',
  'dax0.1',
  'mem0',
  'hbm01',
  'a',
  '0',
  '7',
  '48G',
  '0x1_0000_0000',
  '2 MiB',
  '120ns',
  '..',
  '+',
  ',',
  '{',
  '}',
  '"s"',
  '"u',
  '# c',
  '@',
];
const SEPS = [' ', ' ', ' ', '\n', '\n', '\n  ', '\r\n', '\t'];

describe('descent.ts builds the tree chevrotain builds', () => {
  it('on every .dax file of the repository and every fuzz regression, and every prefix of the samples', () => {
    const layouts = files(ROOT, (n) => n.endsWith('.dax')).filter((p) => !p.includes('/dist/'));
    expect(layouts.length).toBeGreaterThan(10);
    const texts = layouts.map((p) => readFileSync(p, 'utf8'));
    for (const p of files(join(ROOT, 'test/fuzz/regressions'), (n) => n.endsWith('.json')))
      texts.push((JSON.parse(readFileSync(p, 'utf8')) as { layout: string }).layout);
    for (const t of texts) expect(difference(t)).toBeUndefined();
    // typing: every prefix of the samples, at each token boundary and inside tokens (every 3rd offset)
    for (const p of files(join(ROOT, 'samples'), (n) => n.endsWith('.dax'))) {
      const t = readFileSync(p, 'utf8');
      for (let i = 0; i <= t.length; i += 3) {
        const d = difference(t.slice(0, i));
        if (d) expect(d).toBeUndefined();
      }
    }
  });

  it('on 8 000 generated texts: token soups of the language words and spliced samples', () => {
    const next = rng(7121226);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const samples = files(join(ROOT, 'samples'), (n) => n.endsWith('.dax')).map((p) => readFileSync(p, 'utf8'));
    for (let n = 0; n < 8000; n++) {
      let text = '';
      if (n % 4 === 0) {
        text = pick(samples);
        for (let k = 0; k < 3; k++) {
          const at = Math.floor(next() * (text.length + 1));
          text = text.slice(0, at) + pick(next() < 0.7 ? WORDS : PIECES) + text.slice(at + Math.floor(next() * 6));
        }
      } else {
        const len = 1 + Math.floor(next() * 60);
        for (let k = 0; k < len; k++) text += pick(WORDS) + pick(SEPS);
      }
      const d = difference(text);
      if (d) expect(d).toBeUndefined();
    }
  });
});
