// A UTF-8 file saved with a byte-order mark (U+FEFF first): the lexer skips the mark, spans stay
// UTF-16 offsets into the text as given (the mark counts), and the formatter keeps it. A mark
// anywhere else is still an unexpected character.
import { describe, expect, it } from 'vitest';
import { format, parse } from '../../grammar/src/index';
import { analyze } from '../../server/core/index';
import { hosts, parseOk, regions, slice } from './helpers';

const BOM = '\uFEFF';
const TEXT = 'host lab {\n  kernel "6.1.0"\n}\nregion 0 on lab { start 0x1_0000_0000 size 2G  device a { size 1G } }\n';

describe('a leading byte-order mark', () => {
  it('is skipped: the same declarations, with spans shifted by one (offsets into the original text)', () => {
    const plain = parseOk(TEXT);
    const text = BOM + TEXT;
    const file = parseOk(text);
    expect(file.span).toEqual({ start: 0, end: text.length });
    const [h] = hosts(file);
    const [hp] = hosts(plain);
    expect(h?.span).toEqual({ start: (hp?.span.start ?? NaN) + 1, end: (hp?.span.end ?? NaN) + 1 });
    expect(slice(text, h?.name?.span)).toBe('lab');
    expect(h?.keyword).toEqual({ start: 1, end: 5 });
    const [r] = regions(file);
    expect(slice(text, r?.span)?.startsWith('region 0 on lab')).toBe(true);
  });

  it('the core analyses it like the file without it (no syntax error, same findings shifted by one)', () => {
    const a = analyze(BOM + TEXT);
    const b = analyze(TEXT);
    expect(a.findings.map((f) => [f.code, f.span.start - 1, f.message])).toEqual(
      b.findings.map((f) => [f.code, f.span.start, f.message]),
    );
    expect(a.findings.some((f) => f.code === 'DAX001')).toBe(false);
  });

  it('a comment or an error on the first line keeps its place', () => {
    const text = `${BOM}# lab\nhost lab { size 3 }\n`;
    const file = parse(text);
    expect(file.comments[0]?.span).toEqual({ start: 1, end: 6 });
    expect(file.errors.length).toBeGreaterThan(0);
    const lone = parse(BOM);
    expect(lone.errors).toEqual([]);
    expect(lone.declarations).toEqual([]);
  });

  it('anywhere but the start it is an unexpected character', () => {
    const file = parse(`host lab { }\n${BOM}region 0 { }\n`);
    expect(file.errors.map((e) => e.message)).toContain("unexpected character '\\u{feff}'");
    expect(parse(`${BOM}${BOM}host a { }`).errors.map((e) => e.span)).toEqual([{ start: 1, end: 2 }]);
  });

  it('the formatter keeps it and is idempotent', () => {
    const messy = `${BOM}host   lab {\n kernel    "6.1.0"\n}\n`;
    const once = format(messy);
    expect(once?.startsWith(BOM + 'host lab {')).toBe(true);
    expect(format(once as string)).toBe(once);
    expect(format(BOM + (format(TEXT) as string))).toBe(BOM + format(TEXT));
  });
});
