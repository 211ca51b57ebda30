import { describe, expect, it } from 'vitest';
import { parse } from '../../grammar/src/index';
import { device, errorsOf, parseOk, prop, regions, sizeOf, slice } from './helpers';

describe('numbers', () => {
  it('reads decimal numbers with and without units', () => {
    expect(sizeOf('2097152')).toMatchObject({ text: '2097152', value: 2097152n, unit: undefined, radix: 10 });
    expect(sizeOf('48G')).toMatchObject({ text: '48G', value: 48n, unit: 'G', radix: 10 });
    expect(sizeOf('128M')).toMatchObject({ value: 128n, unit: 'M' });
    expect(sizeOf('4KiB')).toMatchObject({ value: 4n, unit: 'KiB' });
    expect(sizeOf('1t')).toMatchObject({ value: 1n, unit: 't' });
  });

  it('allows `_` between digits, in decimal and hex', () => {
    expect(sizeOf('1_000_000')).toMatchObject({ text: '1_000_000', value: 1000000n });
    expect(sizeOf('0x10_8000_0000')).toMatchObject({
      text: '0x10_8000_0000',
      value: 0x10_8000_0000n,
      unit: undefined,
      radix: 16,
    });
    expect(sizeOf('0xdead_BEEF')).toMatchObject({ value: 0xdeadbeefn, radix: 16 });
    expect(sizeOf('0x1_0000_0000')).toMatchObject({ value: 4294967296n });
  });

  it('keeps big values exact', () => {
    expect(sizeOf('0xffff_ffff_ffff_ffff_ffff')).toMatchObject({ value: 0xffff_ffff_ffff_ffff_ffffn });
    expect(sizeOf('123456789012345678901234567890')).toMatchObject({ value: 123456789012345678901234567890n });
  });

  it('takes any letters attached to a number as its unit, for the core to judge', () => {
    expect(sizeOf('4GB')).toMatchObject({ text: '4GB', value: 4n, unit: 'GB' });
    expect(sizeOf('4X')).toMatchObject({ value: 4n, unit: 'X' });
    expect(sizeOf('0x10G')).toMatchObject({ value: 16n, unit: 'G', radix: 16 });
    expect(sizeOf('4G2')).toMatchObject({ value: 4n, unit: 'G2' });
  });

  it('accepts a known unit spelling after blanks', () => {
    const text = 'region 0 { device d { size 4 GiB  align 2\tM } }';
    const d = regions(parseOk(text))[0]!.devices[0]!;
    const size = prop(d, 'size').values[0];
    expect(size).toMatchObject({ kind: 'number', text: '4 GiB', value: 4n, unit: 'GiB' });
    expect(slice(text, size!.span)).toBe('4 GiB');
    expect(prop(d, 'align').values[0]).toMatchObject({ text: '2\tM', value: 2n, unit: 'M' });
    expect(sizeOf('4 G')).toMatchObject({ text: '4 G', unit: 'G' });
    expect(sizeOf('4 GB')).toMatchObject({ text: '4 GB', unit: 'GB' });
  });

  it('does not take a word after blanks as a unit unless it is a unit spelling', () => {
    // `Gx` is not a unit spelling: it is the next (unknown) property.
    expect(errorsOf('region 0 { device d { size 4 Gx } }')).toEqual([
      [
        '`Gx` is not a device property; expected one of: size, align, mode, range, name, colours, expect, owner, group, permissions',
        'Gx',
      ],
    ]);
    // Nor across a line break.
    expect(errorsOf('region 0 { device d { size 4\n G } }')[0]?.[1]).toBe('G');
  });

  it('lexes `0x100..0x17f` as number, `..`, number', () => {
    const text = 'region 0 { device d { range 0x100..0x17f } }';
    const range = prop(regions(parseOk(text))[0]!.devices[0]!, 'range').values[0];
    expect(range?.kind).toBe('range');
    if (range?.kind !== 'range') return;
    expect(range.op).toBe('..');
    expect(range.start).toMatchObject({ text: '0x100', value: 0x100n });
    expect(range.end).toMatchObject({ text: '0x17f', value: 0x17fn });
    expect(slice(text, range.span)).toBe('0x100..0x17f');
  });

  it('lexes `4G..8G` and `1..2` as ranges, not fractions', () => {
    const d = regions(parseOk('region 0 { device d { range 4G..8G, 1..2 } }'))[0]!.devices[0]!;
    expect(prop(d, 'range').values.map((v) => v.kind === 'range' && [v.start.text, v.end?.text])).toEqual([
      ['4G', '8G'],
      ['1', '2'],
    ]);
  });

  it('reads a fraction as one number without value, suggesting a smaller unit', () => {
    expect(sizeOf('1.5G')).toMatchObject({
      text: '1.5G',
      value: undefined,
      unit: 'G',
      error: '1.5G is not a whole number in this unit (sizes are exact integers); write 1536M',
    });
    expect(sizeOf('0.5K').error).toContain('write 512');
    expect(sizeOf('1.5GiB').error).toContain('write 1536MiB');
    expect(sizeOf('2.25 g').error).toContain('write 2304m');
    expect(sizeOf('1.1G').error).toBe('1.1G is not a whole number of bytes (sizes are exact integers)');
    expect(sizeOf('1.5').error).toBe('1.5 is not a whole number (numbers are exact integers)');
    expect(sizeOf('1.5GB').error).toBe('1.5GB is not a whole number (sizes are exact integers)');
    // Not a syntax error: the core reports the value's error.
    expect(parse('region 0 { device d { size 1.5G } }').errors).toEqual([]);
  });

  it('explains `0x` without digits', () => {
    expect(sizeOf('0x')).toMatchObject({ value: undefined, radix: 16, error: expect.stringContaining('hex digits') });
    expect(sizeOf('0x_')).toMatchObject({ value: undefined });
  });
});

describe('names and keywords', () => {
  it('lexes keywords with `-` as keywords and longer names as identifiers', () => {
    const text = `host h {
  memory-block 128M
  auto-online online_movable
}
region 0 on h {
  device guest-a { mode system-ram memmap-on-memory }
  device dax0.3 { name dax0.3 }
}`;
    const file = parseOk(text);
    const host = file.declarations[0]!;
    expect(host.properties.map((p) => p.key.text)).toEqual(['memory-block', 'auto-online']);
    expect(prop(host, 'auto-online').values[0]).toMatchObject({ kind: 'word', text: 'online_movable' });
    const region = regions(file)[0]!;
    expect(prop(device(region, 'guest-a'), 'mode').values.map((v) => slice(text, v.span))).toEqual([
      'system-ram',
      'memmap-on-memory',
    ]);
    expect(prop(device(region, 'dax0.3'), 'name').values[0]).toMatchObject({ kind: 'word', text: 'dax0.3' });
  });

  it('keeps identifiers that start with a keyword whole', () => {
    // `sizes` is not `size` + `s`; `memory-blocks` is not `memory-block` + `s`.
    expect(errorsOf('region 0 { device d { sizes 4G } }')[0]?.[0]).toMatch(
      /^`sizes` is not a device property; did you mean `size`\?/,
    );
    expect(errorsOf('host h { memory-blocks 4G }')[0]?.[1]).toBe('memory-blocks');
  });

  it('lets a keyword be a label or a host name', () => {
    const text = 'host online {}\nregion 0 on online { device size { size 1G } device mode { size rest } }';
    const file = parseOk(text);
    expect(file.declarations[0]).toMatchObject({ name: { text: 'online' } });
    const region = regions(file)[0]!;
    expect(region.host?.text).toBe('online');
    expect(region.devices.map((d) => d.label?.text)).toEqual(['size', 'mode']);
  });
});

describe('strings', () => {
  it('resolves `\\"` and `\\\\` escapes', () => {
    const text = String.raw`host h { ssh "a\"b\\c" kernel "6.12\x" }`;
    const host = parseOk(text).declarations[0]!;
    expect(prop(host, 'ssh').values[0]).toMatchObject({ kind: 'string', text: String.raw`"a\"b\\c"`, value: 'a"b\\c' });
    expect(prop(host, 'kernel').values[0]).toMatchObject({ value: String.raw`6.12\x` });
  });

  it('reports an unterminated string at its start and still builds it, up to the end of the line', () => {
    const text = 'host h {\n  ssh "root@h\n  port 22\n}';
    const file = parse(text);
    expect(file.errors).toEqual([
      { message: 'unterminated string: add a closing `"` before the end of the line', span: { start: 15, end: 16 } },
    ]);
    const host = file.declarations[0]!;
    expect(prop(host, 'ssh').values[0]).toMatchObject({ text: '"root@h', value: 'root@h', unterminated: true });
    expect(prop(host, 'port').values[0]).toMatchObject({ value: 22n });
  });
});

describe('comments and unknown characters', () => {
  it('keeps every comment with its span', () => {
    const text = '# top\nhost h { # after brace\n  port 22 # eol\n}\n#end';
    const file = parseOk(text);
    expect(file.comments.map((c) => c.text)).toEqual(['# top', '# after brace', '# eol', '#end']);
    for (const c of file.comments) expect(slice(text, c.span)).toBe(c.text);
  });

  it('ends a comment before `\\r\\n`', () => {
    const text = 'host h {\r\n  port 22 # eol\r\n}\r\n';
    expect(parseOk(text).comments[0]?.text).toBe('# eol');
  });

  it('reports unknown characters with a precise span and goes on lexing', () => {
    const text = 'host h { port 22 $ arch x86_64 }';
    const file = parse(text);
    expect(file.errors).toEqual([{ message: "unexpected character '$'", span: { start: 17, end: 18 } }]);
    expect(prop(file.declarations[0]!, 'arch').values[0]).toMatchObject({ text: 'x86_64' });
  });

  it('groups a run of unknown characters and hints at the usual causes', () => {
    expect(errorsOf('host h { port 22 $%^ }')).toEqual([["unexpected characters '$%^'", '$%^']]);
    expect(errorsOf('host h { port 22 @ }')[0]).toEqual([
      "unexpected character '@'; an SSH destination or a path is a string: put it in double quotes",
      '@',
    ]);
    expect(errorsOf('host h { port 22; }')[0]?.[0]).toContain('properties need no separator');
    expect(errorsOf('host h { port = 22 }')[0]?.[0]).toContain('`key value`');
  });

  it('reports an unquoted string once, over all of it', () => {
    expect(errorsOf('host h {\n  ssh root@hbm01.lab\n  port 22\n}')).toEqual([
      [
        'expected a string after `ssh`, the SSH destination such as "root@hbm01.lab", found `root@hbm01.lab`; write it in double quotes: "root@hbm01.lab"',
        'root@hbm01.lab',
      ],
    ]);
    expect(errorsOf('host h { kernel 6.12.117+deb12-amd64 arch x86_64 }')).toEqual([
      [
        'expected a string after `kernel`, a kernel release such as "6.12.0", found `6.12.117+deb12-amd64`; write it in double quotes: "6.12.117+deb12-amd64"',
        '6.12.117+deb12-amd64',
      ],
    ]);
  });
});
