// The facts readers' JSON parser: values, positions, exact numbers and its errors.
import { describe, expect, it } from 'vitest';
import { parseJson, type JNode } from '../../server/core/facts/json';

/** The node as plain data (maps as objects), to compare with a literal. */
function plain(n: JNode): unknown {
  switch (n.kind) {
    case 'obj':
      return Object.fromEntries([...n.entries].map(([k, v]) => [k, plain(v)]));
    case 'arr':
      return n.items.map(plain);
    case 'num':
      return { num: n.raw };
    case 'null':
      return null;
    default:
      return n.value;
  }
}

describe('parseJson', () => {
  it('reads strings with and without escapes, across whitespace of every kind', () => {
    const r = parseJson(' \t\r\n{ "a" :\n\t"plain",\r\n "b\\"c": "x\\\\y\\/z\\n\\u00e9\\t", "" : "" ,"d":[ ] }\n ');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(plain(r.value)).toEqual({ a: 'plain', 'b"c': 'x\\y/z\né\t', '': '', d: [] });
  });

  it('keeps the literal text of numbers and the offset of every value', () => {
    const text = '{"big": 18446744073709551615, "list": [1, -2.5e3, "s"]}';
    const r = parseJson(text);
    expect(r.ok).toBe(true);
    if (!r.ok || r.value.kind !== 'obj') return;
    const big = r.value.entries.get('big');
    expect(big).toEqual({ kind: 'num', raw: '18446744073709551615', at: text.indexOf('1844') });
    const list = r.value.entries.get('list');
    if (list?.kind !== 'arr') throw new Error('list is not an array');
    expect(list.items.map((x) => x.at)).toEqual([text.indexOf('1,'), text.indexOf('-2.5'), text.indexOf('"s"')]);
    expect(list.items[1]).toMatchObject({ kind: 'num', raw: '-2.5e3' });
  });

  it('reports a control character, an unterminated string and a bad escape where they are', () => {
    expect(parseJson('{"a": "x\ny"}')).toEqual({
      ok: false,
      message: 'control character in a string (escape it)',
      at: 8,
    });
    expect(parseJson('["abc')).toEqual({ ok: false, message: 'unterminated string', at: 1 });
    expect(parseJson('["a\\qb"]')).toEqual({ ok: false, message: 'bad escape in a string', at: 3 });
    expect(parseJson('["a\\u12g4"]')).toEqual({ ok: false, message: 'bad \\u escape in a string', at: 3 });
  });

  it('records repeated keys (the last value wins)', () => {
    const r = parseJson('{"k": 1, "k": 2}');
    expect(r.ok && r.value.kind === 'obj' && r.value.duplicates).toEqual([{ key: 'k', at: 9 }]);
    expect(r.ok && plain(r.value)).toEqual({ k: { num: '2' } });
  });
});
