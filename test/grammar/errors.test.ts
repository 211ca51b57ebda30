import { describe, expect, it } from 'vitest';
import { parse } from '../../grammar/src/index';
import { checkInvariants, device, errorsOf, hosts, prop, regions } from './helpers';

const DEVICE_KEYS = 'expected one of: size, align, mode, range, name, colours, expect, owner, group, permissions';

describe('recovery: several errors in one file', () => {
  const text = `host hbm01 {
  ssh "root@hbm01.lab"
  port
  sise 4G
}

region 0 on hbm01 {
  device weather { size  align 1G }
  device spill { size 14G foo 3 mode system-ram movable }
  device guest-a range 0x10_8000_0000 + 4G }
  device pinned { name dax0.4  range 0x11_0000_0000.., 0x12_0000_0000 + 1G }
}

region 1 {
  start 0x1_0000_0000
  size 64G
  device a { size 16G
}

host later { ssh "root@later" }
`;
  const file = parse(text);

  it('reports each mistake once, in the language\u2019s words, at the right place', () => {
    expect(errorsOf(text)).toEqual([
      ['expected a port number such as 2222 after `port`', 't'],
      [
        '`sise` is not a host property; expected one of: ssh, port, facts, kernel, arch, memory-block, auto-online, hosts, inventory, persist',
        'sise',
      ],
      ['expected a size such as 48G or `rest` after `size`', 'e'],
      [`\`foo\` is not a device property; ${DEVICE_KEYS}`, 'foo'],
      ['expected `{` to open the device block', 'a'],
      ['expected the last address of the range after `..`, such as 0x1ff', '.'],
      ['expected `}` to close region 1 (opened at line 14)', '}'],
    ]);
    checkInvariants(text, file);
  });

  it('still builds everything around the mistakes', () => {
    expect(file.declarations.map((d) => d.kind)).toEqual(['host', 'region', 'region', 'host']);
    const host = hosts(file)[0]!;
    expect(host.properties.map((p) => [p.key.text, p.values.length])).toEqual([
      ['ssh', 1],
      ['port', 0],
    ]);
    const r0 = regions(file)[0]!;
    expect(r0.devices.map((d) => d.label?.text)).toEqual(['weather', 'spill', 'guest-a', 'pinned']);
    expect(prop(device(r0, 'weather'), 'align').values[0]).toMatchObject({ value: 1n });
    expect(prop(device(r0, 'spill'), 'mode').values.map((v) => v.kind === 'word' && v.text)).toEqual([
      'system-ram',
      'movable',
    ]);
    const guest = device(r0, 'guest-a');
    expect(guest.body).toBeUndefined();
    expect(prop(guest, 'range').values[0]).toMatchObject({ kind: 'range', op: '+' });
    // A range missing its end is kept, with `end` undefined.
    const pinned = prop(device(r0, 'pinned'), 'range').values;
    expect(pinned.map((v) => v.kind === 'range' && [v.op, v.end?.text, v.length?.text])).toEqual([
      ['..', undefined, undefined],
      ['+', undefined, '1G'],
    ]);
    const r1 = regions(file)[1]!;
    expect(r1.properties.map((p) => p.key.text)).toEqual(['start', 'size']);
    expect(r1.devices[0]!.properties.map((p) => p.key.text)).toEqual(['size']);
    const later = hosts(file)[1]!;
    expect(later.name?.text).toBe('later');
    expect(prop(later, 'ssh').values[0]).toMatchObject({ value: 'root@later' });
  });
});

describe('headers', () => {
  it('asks for a missing host name, region number, device label', () => {
    expect(errorsOf('host { port 22 }')).toEqual([['expected a host name after `host`, such as `host hbm01 {`', 't']]);
    expect(errorsOf('region { size 1G }')).toEqual([['expected a region number such as 0 after `region`', 'n']]);
    expect(errorsOf('region 0 { device { size 1G } }')).toEqual([
      ['expected a device label after `device`, such as `device weather {`', 'e'],
    ]);
    expect(errorsOf('region 0 on { }')).toEqual([['expected a host name after `on`', 'n']]);
  });

  it('explains wrong kinds in headers', () => {
    expect(errorsOf('host "hbm01" { }')).toEqual([
      ['a host name is written without quotes: `host hbm01 {`', '"hbm01"'],
    ]);
    expect(errorsOf('region r0 { }')).toEqual([
      ['expected a region number such as 0 after `region`, found `r0`', 'r0'],
    ]);
    expect(errorsOf('region 0 hbm01 { }')).toEqual([
      ['expected `on` before the host name: `region 0 on hbm01 {`', 'hbm01'],
    ]);
    expect(errorsOf('region 0 { device 7 { } }')).toEqual([
      ['expected a device label such as weather after `device`, found `7`', '7'],
    ]);
  });

  it('asks for a missing `{` after the header, at the end of the header', () => {
    const text = 'host hbm01\n  ssh "x"\n}\nregion 0 { }';
    expect(errorsOf(text)).toEqual([['expected `{` to open the host block', '1']]);
    expect(parse(text).declarations.map((d) => d.kind)).toEqual(['host', 'region']);
    expect(errorsOf('region 0 on h\n  size 1G\n}')).toEqual([['expected `{` to open the region block', 'h']]);
  });

  it('reports a single problem per header', () => {
    expect(errorsOf('region\nhost h { }')).toEqual([['expected a region number such as 0 after `region`', 'n']]);
  });
});

describe('braces and the end of the file', () => {
  it('puts "expected `}`" at the end of the file with a zero-width span', () => {
    const text = 'region 0 on h {\n  device a { size 1G }\n';
    const file = parse(text);
    expect(file.errors).toEqual([
      { message: 'expected `}` to close region 0 (opened at line 1)', span: { start: text.length, end: text.length } },
    ]);
    expect(regions(file)[0]!.devices).toHaveLength(1);
    expect(regions(file)[0]!.body).toEqual({ start: 14, end: text.indexOf('}', 30) + 1 });
  });

  it('reports unclosed nested blocks at the end of the file', () => {
    const text = 'region 0 {\n  device a {\n    size 1G';
    expect(parse(text).errors).toEqual([
      { message: 'expected `}` to close device a (opened at line 2)', span: { start: text.length, end: text.length } },
      { message: 'expected `}` to close region 0 (opened at line 1)', span: { start: text.length, end: text.length } },
    ]);
  });

  it('anchors a missing `}` at the end of the last token when something follows', () => {
    const text = 'region 0 {\n  device a { size 1G\n  device b { size 2G }\n}';
    const file = parse(text);
    expect(errorsOf(text)).toEqual([['expected `}` to close device a (opened at line 2)', 'G']]);
    expect(file.errors[0]!.span.start).toBe(text.indexOf('1G') + 1);
    expect(regions(file)[0]!.devices.map((d) => d.label?.text)).toEqual(['a', 'b']);
  });

  it('closes a region left open when the next declaration starts', () => {
    const text = 'region 0 {\n  device a { size 1G }\nhost h { }';
    expect(errorsOf(text)).toEqual([['expected `}` to close region 0 (opened at line 1)', '}']]);
    expect(parse(text).declarations.map((d) => d.kind)).toEqual(['region', 'host']);
  });

  it('lets a one-line device missing its `{` take its `}`', () => {
    const text = 'region 0 {\n  device a size 1G }\n  device b { }\n}';
    expect(errorsOf(text)).toEqual([['expected `{` to open the device block', 'a']]);
    expect(regions(parse(text))[0]!.devices.map((d) => d.label?.text)).toEqual(['a', 'b']);
  });

  it('does not let a device missing its `{` steal the region\u2019s `}`', () => {
    const text = 'region 0 {\n  device a\n    size 1G\n}\nregion 1 { }';
    expect(errorsOf(text)).toEqual([['expected `{` to open the device block', 'a']]);
    const file = parse(text);
    expect(regions(file)[0]!.body).toBeDefined();
    expect(regions(file)[0]!.devices[0]!.properties.map((p) => p.key.text)).toEqual(['size']);
    expect(regions(file)[1]!.id?.value).toBe(1n);
  });

  it('reports a missing value at the end of the file with a zero-width span', () => {
    const text = 'region 0 { device a { size';
    expect(parse(text).errors[0]).toEqual({
      message: 'expected a size such as 48G or `rest` after `size`',
      span: { start: text.length, end: text.length },
    });
  });
});

describe('properties and values', () => {
  it('names the block and the expected keys for an unknown property', () => {
    expect(errorsOf('region 0 { device a { foo 4G } }')).toEqual([
      [`\`foo\` is not a device property; ${DEVICE_KEYS}`, 'foo'],
    ]);
    expect(errorsOf('region 0 { device a { sise 4G } }')[0]![0]).toBe(
      '`sise` is not a device property; did you mean `size`? Expected one of: size, align, mode, range, name, colours, expect, owner, group, permissions',
    );
    expect(errorsOf('region 0 { device a { start 0x100 } }')[0]![0]).toBe(
      `\`start\` is a region property, not a device property; ${DEVICE_KEYS}`,
    );
    expect(errorsOf('region 0 { range 0x1..0x2 }')[0]![0]).toBe(
      '`range` is a device property, not a region property; expected one of: start, size, align, node, cache, window, memdevs, granularity, adopt, dynamic, static, persist, device',
    );
    expect(errorsOf('host h { size 4G }')[0]![0]).toBe(
      '`size` is a region or device property, not a host property; expected one of: ssh, port, facts, kernel, arch, memory-block, auto-online, hosts, inventory, persist',
    );
    expect(errorsOf('region 0 { device a { movable } }')[0]![0]).toBe(
      '`movable` is a mode option; write it after the mode: `mode system-ram movable`',
    );
  });

  it('checks the shape of values', () => {
    expect(errorsOf('region 0 { device a { size big } }')).toEqual([
      ['expected a size such as 48G or `rest` after `size`, found `big`', 'big'],
    ]);
    expect(errorsOf('region 0 { device a { size "4G" } }')).toEqual([
      ['expected a size such as 48G or `rest` after `size`, found the string "4G"; write it without quotes', '"4G"'],
    ]);
    expect(errorsOf('region 0 { align rest }')).toEqual([
      ['expected an alignment such as 2M after `align`, found `rest`', 'rest'],
    ]);
    expect(errorsOf('host h { arch 64 }')).toEqual([
      ['expected an architecture after `arch`: x86_64, aarch64 or ppc64le, found `64`', '64'],
    ]);
    expect(errorsOf('region 0 { device a { name "dax0.1" } }')[0]![0]).toContain('write it without quotes');
    expect(errorsOf('host h { ssh hbm01 }')).toEqual([
      [
        'expected a string after `ssh`, the SSH destination such as "root@hbm01.lab", found `hbm01`; write it in double quotes: "hbm01"',
        'hbm01',
      ],
    ]);
  });

  it('takes a forgotten value as missing when a word follows on the next line', () => {
    expect(errorsOf('region 0 {\n  size\n  foo 1\n}')).toEqual([
      ['expected a size such as 64G after `size`', 'e'],
      [
        '`foo` is not a region property; expected one of: start, size, align, node, cache, window, memdevs, granularity, adopt, dynamic, static, persist, device',
        'foo',
      ],
    ]);
  });

  it('says when a property takes a single value or none', () => {
    expect(errorsOf('region 0 { device a { align 1G 2G } }')).toEqual([
      ['unexpected `2G`: `align` takes a single value', '2G'],
    ]);
    expect(errorsOf('region 0 { dynamic 3 }')).toEqual([['unexpected `3`: `dynamic` takes no value', '3']]);
    expect(errorsOf('region 0 {\n  dynamic\n  3\n}')).toEqual([
      [
        'unexpected `3` in region 0; expected a region property (start, size, align, node, cache, window, memdevs, granularity, adopt, dynamic, static, persist), `device` or `}`',
        '3',
      ],
    ]);
  });

  it('reports a missing value followed by junk on the same line at the junk', () => {
    expect(errorsOf('region 0 { device a { mode 3 } }')).toEqual([
      ['expected `devdax` or `system-ram` after `mode`, found `3`', '3'],
    ]);
  });

  it('checks mode words and options', () => {
    expect(errorsOf('region 0 { device a { mode } }')).toEqual([
      ['expected `devdax` or `system-ram` after `mode`', 'e'],
    ]);
    expect(errorsOf('region 0 { device a { mode ram } }')).toEqual([
      ['`ram` is not a mode; expected `devdax` or `system-ram`', 'ram'],
    ]);
    expect(errorsOf('region 0 { device a { mode sytem-ram } }')[0]![0]).toContain('did you mean `system-ram`?');
    expect(errorsOf('region 0 { device a { mode online } }')).toEqual([
      [
        'expected `devdax` or `system-ram` after `mode`, found the mode option `online`; write `mode system-ram online`',
        'online',
      ],
    ]);
    expect(errorsOf('region 0 { device a { mode system-ram movabel } }')).toEqual([
      [
        '`movabel` is not a mode option; did you mean `movable`? expected one of: online, offline, movable, normal, memmap-on-memory',
        'movabel',
      ],
    ]);
    // Any option after any mode word: the core judges combinations.
    expect(parse('region 0 { device a { mode devdax online movable normal } }').errors).toEqual([]);
    // An unknown word on the next line is the next property, not an option.
    expect(errorsOf('region 0 {\n  device a {\n    mode devdax\n    foo 1\n  }\n}')).toEqual([
      [`\`foo\` is not a device property; ${DEVICE_KEYS}`, 'foo'],
    ]);
  });

  it('checks ranges', () => {
    const e = (r: string): [string, string][] => errorsOf(`region 0 { device a { range ${r} } }`);
    expect(e('')).toEqual([['expected a range after `range`, such as 0x10_0000_0000 + 4G or 0x100..0x1ff', 'e']]);
    expect(e('0x100')).toEqual([
      ['expected `..` or `+` after the range start `0x100` (a range is start..end or start + length)', '0'],
    ]);
    expect(e('0x100 +')).toEqual([['expected a length such as 4G after `+`', '+']]);
    expect(e('0x100..0x1ff,')).toEqual([['expected another range after `,`', ',']]);
    expect(e(', 0x100..0x1ff')).toEqual([['expected a range before `,`, such as 0x100..0x1ff', ',']]);
    expect(e('0x100..0x1ff 0x200..0x2ff')).toEqual([['expected `,` between ranges, found `0x200`', '0x200']]);
    expect(e('0x100 .. .. 0x1ff')).toEqual([
      ['expected the last address of the range after `..`, such as 0x1ff, found `..`', '..'],
    ]);
  });

  it('reports stray tokens inside blocks', () => {
    expect(errorsOf('host h {\n  "x"\n}')).toEqual([
      [
        'unexpected string "x" in host h; expected a host property (ssh, port, facts, kernel, arch, memory-block, auto-online, hosts, inventory, persist) or `}`',
        '"x"',
      ],
    ]);
    expect(errorsOf('host h { device a { size 1G } }')).toEqual([
      ['a device is declared inside a region block, not in a host block', 'device'],
    ]);
  });
});

describe('top level', () => {
  it('skips what does not start a declaration, with one error for the run', () => {
    const text = 'hots h1 { ssh "x" }\nregion 0 { }';
    expect(errorsOf(text)).toEqual([['expected `host` or `region`, found `hots`; did you mean `host`?', 'hots']]);
    expect(parse(text).declarations.map((d) => d.kind)).toEqual(['region']);
  });

  it('explains stray devices, properties and braces', () => {
    expect(errorsOf('device a { size 1G }')).toEqual([
      ['`device` must be inside a region block: `region 0 { device … }`', 'device'],
    ]);
    expect(errorsOf('ssh "x"')).toEqual([['`ssh` must be inside a host block', 'ssh']]);
    expect(errorsOf('host h { }\n}')).toEqual([['unexpected `}`: there is no open block to close here', '}']]);
    expect(errorsOf('42')).toEqual([['expected `host` or `region`, found `42`', '42']]);
  });
});
