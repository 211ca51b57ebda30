// One "did you mean" for the parser, the rules and the CLI (grammar/src/suggest.ts).
import { describe, expect, it } from 'vitest';
import { closest, editDistance, typoLimit } from '../../grammar/src/suggest';
import { analyze } from '../../server/core/index';
import { main } from '../../server/cli/main';

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('hsot', 'host')).toBe(1);
    expect(editDistance('lab16', 'lab61')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests within the typo limit only: one edit up to four characters, then a third', () => {
    expect([1, 4, 5, 8, 9, 12].map(typoLimit)).toEqual([1, 1, 2, 2, 3, 4]);
    expect(closest('hots', ['host', 'region'])).toBe('host');
    expect(closest('hx', ['host'])).toBeUndefined();
    expect(closest('lba', ['lab', 'lab61'])).toBe('lab');
    expect(closest('ab', ['lab61'])).toBeUndefined();
    expect(closest('Sise', ['size', 'align'])).toBe('size');
  });

  it('gives the same answer in the parser, a rule and the CLI', () => {
    const host = analyze('host lab61 { }\nregion 0 on lab16 { device a { size 1G } }\n').findings.find(
      (f) => f.code === 'DAX002',
    );
    expect(host?.message).toContain('did you mean `lab61`?');
    const prop = analyze('region 0 { device a { sise 1G } }\n').findings.map((f) => f.message);
    expect(prop.join('\n')).toContain('did you mean `size`?');
    const cli = main(['check', '--jsno', 'x.dax']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('did you mean --json?');
  });
});
