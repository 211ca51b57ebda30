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
