import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { format, parse } from '../../grammar/src/index';
import { daxParser, parseTokens } from '../../grammar/src/parser';
import { tokenize } from '../../grammar/src/tokens';
import { checkInvariants, shape } from './helpers';

const TOUR = readFileSync(new URL('../../samples/syntax-tour.dax', import.meta.url), 'utf8');

const SMALL = `host h { ssh "root@h" port 22 arch x86_64 }
region 0 on h {
  size 8G dynamic
  device a { size 1G align 2M mode system-ram movable } # c
  device b { range 0x100..0x1ff, 0x200 + 4K name dax0.1 }
  device c { size rest }
}
`;

/** Characters that matter to the language, to make interesting noise. */
const NOISE = fc.string({
  unit: fc.constantFrom(...'{}{}#"\\ \n\t.,+_0x19GKMabcdefghilmnoprstuvyz-$@'.split('')),
  maxLength: 12,
});

interface Edit {
  readonly at: number;
  readonly remove: number;
  readonly insert: string;
}

const EDITS = fc.array(
  fc.record({ at: fc.nat(), remove: fc.nat({ max: 8 }), insert: fc.oneof(fc.constant(''), NOISE) }),
  { minLength: 1, maxLength: 6 },
);

function mutate(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = e.at % (out.length + 1);
    out = out.slice(0, at) + e.insert + out.slice(at + e.remove);
  }
  return out;
}

/** Parse never throws, and its result keeps the invariants; format never throws. */
function robust(text: string): void {
  // The grammar is built so that chevrotain itself never fails: every error
  // is found and worded by the AST builder.
  expect(parseTokens(tokenize(text).tokens).errors).toEqual([]);
  const file = parse(text);
  checkInvariants(text, file);
  for (const e of file.errors) expect(e.message).not.toMatch(/internal error/);
  const out = format(text);
  if (file.errors.length > 0) {
    expect(out).toBeUndefined();
    return;
  }
  expect(out).toBeDefined();
  const again = parse(out!);
  expect(again.errors).toEqual([]);
  expect(format(out!)).toBe(out);
  expect(shape(again)).toEqual(shape(file));
  expect(again.comments.map((c) => c.text)).toEqual(file.comments.map((c) => c.text.trimEnd()));
}

describe('robustness', () => {
  it('parse never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => robust(s)),
      { numRuns: 300 },
    );
  });

  it('parse never throws on strings made of the language\u2019s characters', () => {
    fc.assert(
      fc.property(
        fc.array(NOISE, { maxLength: 30 }).map((a) => a.join('')),
        (s) => robust(s),
      ),
      { numRuns: 500 },
    );
  });

  it('parse and format never throw on mutations of valid files', () => {
    fc.assert(
      fc.property(fc.constantFrom(SMALL, TOUR), EDITS, (base, edits) => robust(mutate(base, edits))),
      { numRuns: 600 },
    );
  });

  it('format is idempotent and keeps meaning and comments on valid files', () => {
    // Mutations that only touch blanks keep a file valid.
    const blanks = fc.array(
      fc.record({ at: fc.nat(), remove: fc.constant(0), insert: fc.constantFrom(' ', '\n', '\n\n', '\t', '  \n  ') }),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(fc.constantFrom(SMALL, TOUR), blanks, (base, edits) => {
        const text = mutate(base, edits);
        const file = parse(text);
        // An insertion inside a token may split it; only valid results count here.
        fc.pre(file.errors.length === 0);
        robust(text);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on non-string input from JavaScript callers', () => {
    expect(() => parse(undefined as unknown as string)).not.toThrow();
    expect(() => format(null as unknown as string)).not.toThrow();
  });

  it('stays linear on pathological input', () => {
    for (const text of [
      '{'.repeat(20000),
      '}'.repeat(20000),
      'region 0 { device a {'.repeat(2000),
      '"'.repeat(20001),
      '4' + ' '.repeat(20000) + 'x',
      '0x'.repeat(10000),
      '#'.repeat(20000),
      '$'.repeat(20000),
      'region 0 { device a { range ' + '0x1..'.repeat(5000) + ' } }',
      // what the long fuzz runs generate: runs of one unit, open blocks, values without keys
      'region 0 on h { '.repeat(3000),
      'host h {\n' + 'ssh a@b\n'.repeat(3000) + '}',
      'host h {\n' + '1 .. "x" , '.repeat(3000) + '}',
      'region 0 {\n' + 'size\n'.repeat(3000) + '}',
      'region 0 {\n' + 'device '.repeat(3000) + '}',
      'host '.repeat(3000),
      'host h {\r}\r\u2028'.repeat(2000),
      'region 0 { device a { colours ' + ', '.repeat(5000) + '} }',
      '@ '.repeat(5000),
    ]) {
      // robust() checks that chevrotain's own recovery never ran: the grammar takes any token
      // where it stands, so no resynchronisation can make a long input quadratic
      robust(text);
    }
  });
});

describe('the parser instance', () => {
  it('is created once and reused', () => {
    const first = daxParser();
    parse('host a { }');
    parse('region 0 { }');
    expect(daxParser()).toBe(first);
  });

  it('gives independent results for successive parses', () => {
    const a = parse('host a { port 22 }\nregion 0 {');
    const aJson = JSON.stringify(a, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    const b = parse('region 7 on b { device d { size 1G } }');
    expect(b.errors).toEqual([]);
    expect(b.declarations).toHaveLength(1);
    // Parsing b changed nothing in a.
    expect(JSON.stringify(a, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(aJson);
    expect(a.errors).toHaveLength(1);
    // An error in one parse does not leak into the next.
    expect(parse('host a { port 22 }').errors).toEqual([]);
  });
});

describe('error volume', () => {
  it('reports each of thousands of unquoted strings once, and nothing of what they cover', () => {
    // `root@h.lab` unquoted: one error, not a word, a stray `@` and an unknown property each
    const text = 'host h {\n' + 'ssh root@h.lab\n'.repeat(3000) + '}';
    const file = parse(text);
    expect(file.errors).toHaveLength(1001);
    for (const [i, e] of file.errors.slice(0, 1000).entries()) {
      expect(e.message).toMatch(/found `root@h\.lab`; write it in double quotes/);
      expect(text.slice(e.span.start, e.span.end)).toBe('root@h.lab');
      expect(e.span.start).toBe(9 + i * 15 + 4);
    }
    // nested: the second `ssh` lies inside the first value's span
    expect(parse('host h {\n ssh a@ssh@b\n}').errors.map((e) => e.message)).toEqual([
      'expected a string after `ssh`, the SSH destination such as "root@hbm01.lab", found `a@ssh@b`; write it in double quotes: "a@ssh@b"',
    ]);
  });

  it('reports at most 1000 errors, then says there are more', () => {
    const text = 'host h { ' + '$ '.repeat(3000) + '}';
    const file = parse(text);
    expect(file.errors).toHaveLength(1001);
    expect(file.errors[1000]!.message).toMatch(/^too many syntax errors/);
    checkInvariants(text, file);
  });
});
