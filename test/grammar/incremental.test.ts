// reparse (grammar/src/incremental.ts) must give exactly what a full parse gives,
// whatever the edit: checked along random edits of every sample and of a
// generated fleet layout, with the declarations it kept counted (so that the
// incremental path is known to have been taken, not only the fallback).

import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, reparse, type LayoutFile } from '../../grammar/src/index';

const dir = new URL('../../samples/', import.meta.url);
const SAMPLES = readdirSync(dir)
  .filter((f) => f.endsWith('.dax'))
  .map((f) => ({ name: f, text: readFileSync(new URL(f, dir), 'utf8') }));

const FLEET = Array.from(
  { length: 6 },
  (_, i) => `# host ${i}
host h${i} { ssh "root@h${i}" facts "f${i}.json" }

region 0 on h${i} {
  device a-${i} { size 32G align 2M }   # a comment
  device b-${i} { range 0x100_0000_0000 + 16G owner qemu }
  device c-${i} { size 1G mode system-ram movable }
}
`,
).join('\n');

const INSERTS = [
  '2',
  'x',
  ' ',
  '\n',
  '}',
  '{',
  '#',
  '"',
  '\uFEFF',
  '..',
  '+',
  'host',
  '\n}\n',
  'host z { ssh "r@z" }\n',
  '  device n { size 1G }\n',
  'region 1 on h0 {\n}\n',
];

interface Edit {
  readonly at: number;
  readonly remove: number;
  readonly insert: string;
}

const edit = (len: number) =>
  fc.record({
    at: fc.integer({ min: 0, max: len }),
    remove: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 80 })),
    insert: fc.oneof(
      fc.constant(''),
      fc.constantFrom(...INSERTS),
      fc.string({ unit: fc.constantFrom(...'{}#" \n.,+0x19GKMabhost-'.split('')), maxLength: 6 }),
    ),
  });

const apply = (text: string, e: Edit): string =>
  text.slice(0, e.at) + e.insert + text.slice(Math.min(text.length, e.at + e.remove));

/** Declarations of `next` that are objects of `prev` (kept, not re-parsed). */
const kept = (prev: LayoutFile, next: LayoutFile): number => {
  const old = new Set<object>(prev.declarations);
  return next.declarations.filter((d) => old.has(d)).length;
};

describe('reparse equals a full parse', () => {
  for (const { name, text } of [...SAMPLES, { name: 'fleet', text: FLEET }]) {
    it(`after random edits of ${name}`, () => {
      const base = parse(text);
      let reused = 0;
      fc.assert(
        fc.property(fc.array(edit(text.length), { minLength: 1, maxLength: 4 }), (edits) => {
          let t = text;
          let f = base;
          for (const e of edits) {
            const next = apply(t, { ...e, at: Math.min(e.at, t.length) });
            const r = reparse(f, t, next);
            expect(r).toStrictEqual(parse(next));
            reused += kept(f, r);
            t = next;
            f = r;
          }
        }),
        { seed: 17, numRuns: 150 },
      );
      // every clean sample has more than one declaration: some edits must have kept some
      if (base.errors.length === 0 && base.declarations.length > 1) expect(reused).toBeGreaterThan(0);
    });
  }

  it('keeps every declaration but the edited one when the length does not change', () => {
    const base = parse(FLEET);
    expect(base.errors).toEqual([]);
    const at = FLEET.indexOf('32G', FLEET.indexOf('h3 {'));
    const next = FLEET.slice(0, at) + '64G' + FLEET.slice(at + 3);
    const r = reparse(base, FLEET, next);
    expect(r).toStrictEqual(parse(next));
    expect(kept(base, r)).toBe(base.declarations.length - 1);
  });

  it('moves the declarations after an edit that changes the length', () => {
    const base = parse(FLEET);
    const at = FLEET.indexOf('32G', FLEET.indexOf('h2 {'));
    const next = FLEET.slice(0, at) + '128G' + FLEET.slice(at + 3);
    const r = reparse(base, FLEET, next);
    expect(r).toStrictEqual(parse(next));
    // the host and region blocks of h0 and h1 come before the edit
    expect(kept(base, r)).toBe(5);
  });

  it('falls back to a full parse when the old text had errors', () => {
    const bad = FLEET.replace('h1 {', 'h1 {{');
    const old = parse(bad);
    expect(old.errors.length).toBeGreaterThan(0);
    const r = reparse(old, bad, FLEET);
    expect(r).toStrictEqual(parse(FLEET));
  });
});
