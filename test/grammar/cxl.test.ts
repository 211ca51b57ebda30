// `cxl region LABEL on HOST { … }` (docs/language.md, "cxl region"): the header, the CXL keys and
// the memdevs list, the errors in the language's words, and the formatter.
import { describe, expect, it } from 'vitest';
import { format, parse } from '../../grammar/src/index';
import type { RegionDecl } from '../../grammar/src/ast';

const TEXT = `cxl region pool on cxl2 {
  window decoder0.0
  memdevs mem0, 0x2
  granularity 4K
  size 2G
  device a { size 1G }
}
`;

const errors = (t: string): string[] => parse(t).errors.map((e) => e.message);

describe('cxl region', () => {
  it('parses the header, the CXL keys and the memdevs in order', () => {
    const f = parse(TEXT);
    expect(f.errors).toEqual([]);
    const r = f.declarations[0] as RegionDecl;
    expect(r.kind).toBe('region');
    expect(r.cxl).toEqual({ start: 0, end: 3 });
    expect(r.label?.text).toBe('pool');
    expect(r.id).toBeUndefined();
    expect(r.host?.text).toBe('cxl2');
    expect(r.span).toEqual({ start: 0, end: TEXT.trimEnd().length });
    expect(r.properties.map((p) => [p.key.text, p.values.map((v) => (v.kind === 'range' ? '' : v.text))])).toEqual([
      ['window', ['decoder0.0']],
      ['memdevs', ['mem0', '0x2']],
      ['granularity', ['4K']],
      ['size', ['2G']],
    ]);
    expect(r.devices.map((d) => d.label?.text)).toEqual(['a']);
  });

  it('reads a memdevs list continued on the next line after a comma', () => {
    const f = parse('cxl region p { memdevs mem0,\n  mem1\n}');
    expect(f.errors).toEqual([]);
    expect(
      (f.declarations[0] as RegionDecl).properties[0]?.values.map((v) => (v.kind === 'range' ? '' : v.text)),
    ).toEqual(['mem0', 'mem1']);
  });

  it('adopts by name', () => {
    const f = parse('cxl region old on lab { adopt region0 }');
    expect(f.errors).toEqual([]);
    expect((f.declarations[0] as RegionDecl).properties[0]?.values[0]).toMatchObject({ text: 'region0' });
  });

  it('adopts by physical range: START..END or START + SIZE, then other keys', () => {
    for (const [text, shape] of [
      [
        'cxl region old on lab { adopt 0x3_9000_0000..0x4_0fff_ffff size 2G }',
        { op: '..', end: { value: 0x40fffffffn } },
      ],
      ['cxl region old on lab { adopt 0x390000000 + 2G\n  device a { size 1G } }', { op: '+', length: { text: '2G' } }],
    ] as const) {
      const f = parse(text);
      expect(f.errors).toEqual([]);
      const r = f.declarations[0] as RegionDecl;
      expect(r.properties.map((p) => p.key.text)).toEqual(text.includes('size 2G }') ? ['adopt', 'size'] : ['adopt']);
      expect(r.properties[0]?.values).toHaveLength(1);
      expect(r.properties[0]?.values[0]).toMatchObject({ kind: 'range', start: { value: 0x390000000n }, ...shape });
    }
    expect(errors('cxl region p { adopt 0x390000000.. }')).toEqual([
      'expected the last address of the range after `..`, such as 0x1ff',
    ]);
    expect(errors('cxl region p { adopt 0x1..0x2, 0x3..0x4 }')[0]).toMatch(/^unexpected `,` in cxl region p/);
    expect(errors('cxl region p { adopt 0x390000000 }')).toEqual([
      'expected `..` or `+` after the range start `0x390000000` (a range is start..end or start + length)',
    ]);
    // a range is only for `adopt`: other one-value keys stop after their value
    expect(errors('cxl region p { size 0x1..0x2 }')).toEqual(['unexpected `..`: `size` takes a single value']);
  });

  it('formats an adopted range as written', () => {
    const out = format('cxl region old on lab {adopt 0x390000000..0x40fffffff  device a{size 1G}}');
    expect(out).toBe('cxl region old on lab {\n  adopt 0x390000000..0x40fffffff\n  device a { size 1G }\n}\n');
    expect(format('cxl region old on lab { adopt 0x390000000 +  2G }')).toBe(
      'cxl region old on lab {\n  adopt 0x390000000 + 2G\n}\n',
    );
  });

  it('words its mistakes', () => {
    expect(errors('cxl region 3 on lab { }')).toEqual([
      'a CXL region is named by a label, such as `cxl region pool {`: the kernel numbers it (`adopt region3` takes over an existing one)',
    ]);
    expect(errors('cxl pool { }')).toEqual(['expected `region` after `cxl`: `cxl region LABEL on HOST {`']);
    expect(errors('cxl region p { memdevs mem0 mem1 }')).toEqual([
      '`mem1` is a memdev: separate the memdevs of a cxl region with `,`: `memdevs mem0, mem1`',
    ]);
    expect(errors('cxl region p { memdevs mem0, mem1 size 2G }')).toEqual([]);
    expect(errors('cxl region p { memdevs mem0, }')).toEqual(['expected another memdev after `,`']);
    expect(errors('cxl region p { memdevs 0x1..0x2 }')).toEqual([
      'unexpected `..` in cxl region p; expected a region property (start, size, align, node, cache, window, memdevs, granularity, adopt, dynamic, static, persist), `device` or `}`',
    ]);
    expect(errors('cxl region p { memdevs }')).toEqual([
      'expected memdevs after `memdevs`, by name or serial number, such as mem0, mem1',
    ]);
  });

  it('keeps `cxl` a name where a name is expected', () => {
    expect(errors('region 0 { device cxl { size 1G } }')).toEqual([]);
  });

  it('formats a cxl region like a region', () => {
    const out = format('cxl region  pool on cxl2 { window decoder0.0 memdevs mem0 ,mem1\n device a{size 1G} }');
    expect(out).toBe(
      'cxl region pool on cxl2 {\n  window decoder0.0\n  memdevs mem0, mem1\n  device a { size 1G }\n}\n',
    );
    expect(format(out as string)).toBe(out);
  });
});
