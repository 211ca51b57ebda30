// Texts the grammar's differential tests (lexer.test.ts, descent.test.ts) run on: every layout of
// the repository and every fuzz regression, and the pieces generated texts are made of.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

/** Files below `dir` whose name passes `keep` (node_modules, dot folders and build output left out). */
export function files(dir: string, keep: (name: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, keep, out);
    else if (keep(name)) out.push(p);
  }
  return out;
}

/** The samples' texts. */
export function samples(): string[] {
  return files(join(ROOT, 'samples'), (n) => n.endsWith('.dax')).map((p) => readFileSync(p, 'utf8'));
}

/** Every .dax file of the repository and every fuzz regression's layout. */
export function repositoryLayouts(): string[] {
  const texts = files(ROOT, (n) => n.endsWith('.dax')).map((p) => readFileSync(p, 'utf8'));
  for (const p of files(join(ROOT, 'test/fuzz/regressions'), (n) => n.endsWith('.json')))
    texts.push((JSON.parse(readFileSync(p, 'utf8')) as { layout: string }).layout);
  return texts;
}

/** Pieces of text at the lexer's edges: line breaks of every kind, escapes, stray and non-ASCII characters, units, keywords. */
export const PIECES = [
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
