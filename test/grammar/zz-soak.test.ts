import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { it, expect } from 'vitest';
import { format, parse } from '../../grammar/src/index';
import { parseTokens } from '../../grammar/src/parser';
import { daxLexer } from '../../grammar/src/tokens';
import { checkInvariants } from './helpers';
const TOUR = readFileSync(new URL('../../samples/syntax-tour.dax', import.meta.url), 'utf8');
const NOISE = fc.string({ unit: fc.constantFrom(...'{}{}#"\\ \n\t.,+_0x19GKMabcdefghilmnoprstuvyz-$@'.split('')), maxLength: 12 });
const WORDS = fc.constantFrom('host', 'region', 'device', 'on', 'size', 'align', 'mode', 'range', 'name', 'rest', 'system-ram', 'devdax', 'online', 'ssh', 'port', 'arch', 'dynamic', '{', '}', '"x"', '4G', '0x10', '..', '+', ',', '#c\n', '\n', '\n', 'foo', '1.5G', 'h');
it('soak', () => {
  fc.assert(fc.property(fc.oneof(
    fc.array(WORDS, { maxLength: 60 }).map(a => a.join(' ')),
    fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 8 }), insert: fc.oneof(fc.constant(''), NOISE, WORDS) }), { minLength: 1, maxLength: 6 }).map(edits => { let out = TOUR; for (const e of edits) { const at = e.at % (out.length + 1); out = out.slice(0, at) + e.insert + out.slice(at + e.remove); } return out; }),
  ), (s) => {
    expect(parseTokens(daxLexer.tokenize(s).tokens).errors.map(e => e.message)).toEqual([]);
    const f = parse(s); checkInvariants(s, f);
    const o = format(s);
    if (f.errors.length === 0) { expect(o).toBeDefined(); expect(format(o!)).toBe(o); } else expect(o).toBeUndefined();
  }), { numRuns: 30000 });
}, 600000);
