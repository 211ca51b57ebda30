import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, type RangeValue } from '../../grammar/src/index';
import { checkInvariants, device, hosts, num, parseOk, prop, regions, slice } from './helpers';

const TEXT = `# comments start with '#'
host hbm01 {
  ssh "root@hbm01.lab"
  port 2222
  facts "hbm01.facts.json"
  kernel "6.12.117+deb12-amd64"
  arch x86_64
  memory-block 128M
  auto-online offline
}

region 0 on hbm01 {
  device weather { size 48G  align 1G }
  device spill   { size 14G  mode system-ram movable }
  device guest-a { range 0x10_8000_0000 + 4G }
  device pinned  { name dax0.4  range 0x11_0000_0000..0x11_3fff_ffff, 0x12_0000_0000 + 1G }
  device tail    { size rest  mode system-ram offline normal memmap-on-memory }
}

# a region designed without a host: declared geometry
region 1 {
  start 0x1_0000_0000
  size 64G
  align 2M
  node 2
  dynamic          # or: static
  device a { size 16G }
}
`;

describe('AST of every construct', () => {
  const file = parseOk(TEXT);

  it('has the file span, the declarations in order and the comments', () => {
    expect(file.kind).toBe('file');
    expect(file.span).toEqual({ start: 0, end: TEXT.length });
    expect(file.declarations.map((d) => d.kind)).toEqual(['host', 'region', 'region']);
    expect(file.comments.map((c) => c.text)).toEqual([
      "# comments start with '#'",
      '# a region designed without a host: declared geometry',
      '# or: static',
    ]);
    checkInvariants(TEXT, file);
  });

  it('builds a host with every host property', () => {
    const host = hosts(file)[0]!;
    expect(slice(TEXT, host.keyword)).toBe('host');
    expect(host.name).toMatchObject({ kind: 'word', text: 'hbm01' });
    expect(slice(TEXT, host.name!.span)).toBe('hbm01');
    expect(slice(TEXT, host.span)).toMatch(/^host hbm01 \{[^]*auto-online offline\n\}$/);
    expect(slice(TEXT, host.body)).toMatch(/^\{[^]*\}$/);
    expect(host.properties.map((p) => p.key.text)).toEqual([
      'ssh',
      'port',
      'facts',
      'kernel',
      'arch',
      'memory-block',
      'auto-online',
    ]);
    expect(host.properties.map((p) => slice(TEXT, p.span))).toEqual([
      'ssh "root@hbm01.lab"',
      'port 2222',
      'facts "hbm01.facts.json"',
      'kernel "6.12.117+deb12-amd64"',
      'arch x86_64',
      'memory-block 128M',
      'auto-online offline',
    ]);
    expect(prop(host, 'ssh').values).toEqual([
      { kind: 'string', span: expect.anything(), text: '"root@hbm01.lab"', value: 'root@hbm01.lab' },
    ]);
    expect(num(host, 'port')).toMatchObject({ value: 2222n, unit: undefined });
    expect(prop(host, 'facts').values[0]).toMatchObject({ kind: 'string', value: 'hbm01.facts.json' });
    expect(prop(host, 'kernel').values[0]).toMatchObject({ kind: 'string', value: '6.12.117+deb12-amd64' });
    expect(prop(host, 'arch').values[0]).toMatchObject({ kind: 'word', text: 'x86_64' });
    expect(num(host, 'memory-block')).toMatchObject({ value: 128n, unit: 'M' });
    expect(prop(host, 'auto-online').values[0]).toMatchObject({ kind: 'word', text: 'offline' });
    for (const p of host.properties) {
      expect(slice(TEXT, p.key.span)).toBe(p.key.text);
      for (const v of p.values) expect(slice(TEXT, v.span)).toBe(v.kind === 'range' ? undefined : v.text);
    }
  });

  it('builds a region with its id, host, devices and spans', () => {
    const region = regions(file)[0]!;
    expect(slice(TEXT, region.keyword)).toBe('region');
    expect(region.id).toMatchObject({ kind: 'number', text: '0', value: 0n });
    expect(slice(TEXT, region.id!.span)).toBe('0');
    expect(region.host).toMatchObject({ kind: 'word', text: 'hbm01' });
    expect(slice(TEXT, region.host!.span)).toBe('hbm01');
    expect(region.properties).toEqual([]);
    expect(region.devices.map((d) => d.label?.text)).toEqual(['weather', 'spill', 'guest-a', 'pinned', 'tail']);
    expect(slice(TEXT, region.span)).toMatch(/^region 0 on hbm01 \{[^]*memmap-on-memory \}\n\}$/);
    expect(slice(TEXT, region.body)).toMatch(/^\{\n {2}device weather[^]*\}$/);
  });

  it('builds devices with sizes, aligns, modes, ranges and names', () => {
    const region = regions(file)[0]!;
    const weather = device(region, 'weather');
    expect(slice(TEXT, weather.span)).toBe('device weather { size 48G  align 1G }');
    expect(slice(TEXT, weather.keyword)).toBe('device');
    expect(slice(TEXT, weather.label!.span)).toBe('weather');
    expect(slice(TEXT, weather.body)).toBe('{ size 48G  align 1G }');
    expect(weather.properties.map((p) => slice(TEXT, p.span))).toEqual(['size 48G', 'align 1G']);
    expect(num(weather, 'size')).toMatchObject({ text: '48G', value: 48n, unit: 'G', radix: 10 });
    expect(num(weather, 'align')).toMatchObject({ value: 1n, unit: 'G' });

    const spill = device(region, 'spill');
    expect(prop(spill, 'mode').values.map((v) => v.kind === 'word' && v.text)).toEqual(['system-ram', 'movable']);
    expect(slice(TEXT, prop(spill, 'mode').span)).toBe('mode system-ram movable');

    const guest = device(region, 'guest-a');
    const r = prop(guest, 'range').values[0] as RangeValue;
    expect(r).toMatchObject({
      kind: 'range',
      op: '+',
      start: { value: 0x10_8000_0000n },
      length: { value: 4n, unit: 'G' },
    });
    expect(r.end).toBeUndefined();
    expect(slice(TEXT, r.span)).toBe('0x10_8000_0000 + 4G');
    expect(slice(TEXT, r.start.span)).toBe('0x10_8000_0000');
    expect(slice(TEXT, r.length!.span)).toBe('4G');

    const pinned = device(region, 'pinned');
    expect(prop(pinned, 'name').values[0]).toMatchObject({ kind: 'word', text: 'dax0.4' });
    const ranges = prop(pinned, 'range').values as RangeValue[];
    expect(ranges.map((x) => slice(TEXT, x.span))).toEqual(['0x11_0000_0000..0x11_3fff_ffff', '0x12_0000_0000 + 1G']);
    expect(ranges[0]).toMatchObject({ op: '..', start: { value: 0x11_0000_0000n }, end: { value: 0x11_3fff_ffffn } });
    expect(ranges[1]).toMatchObject({ op: '+', length: { value: 1n, unit: 'G' } });
    expect(slice(TEXT, prop(pinned, 'range').span)).toBe('range 0x11_0000_0000..0x11_3fff_ffff, 0x12_0000_0000 + 1G');

    const tail = device(region, 'tail');
    expect(prop(tail, 'size').values).toEqual([{ kind: 'word', span: expect.anything(), text: 'rest' }]);
    expect(prop(tail, 'mode').values.map((v) => slice(TEXT, v.span))).toEqual([
      'system-ram',
      'offline',
      'normal',
      'memmap-on-memory',
    ]);
  });

  it('builds a declared-geometry region with flags and properties mixed with devices', () => {
    const region = regions(file)[1]!;
    expect(region.id?.value).toBe(1n);
    expect(region.host).toBeUndefined();
    expect(region.properties.map((p) => slice(TEXT, p.span))).toEqual([
      'start 0x1_0000_0000',
      'size 64G',
      'align 2M',
      'node 2',
      'dynamic',
    ]);
    expect(num(region, 'start')).toMatchObject({ value: 0x1_0000_0000n, radix: 16 });
    expect(num(region, 'node').value).toBe(2n);
    expect(prop(region, 'dynamic').values).toEqual([]);
    expect(region.devices.map((d) => slice(TEXT, d.span))).toEqual(['device a { size 16G }']);
  });

  it('accepts `static`, repeated `range`, and properties after devices', () => {
    const text = 'region 2 {\n  device a { range 1..2 range 3 + 4 }\n  static\n  size 1G\n}';
    const region = regions(parseOk(text))[0]!;
    expect(region.properties.map((p) => p.key.text)).toEqual(['static', 'size']);
    expect(region.devices[0]!.properties.map((p) => slice(text, p.span))).toEqual(['range 1..2', 'range 3 + 4']);
  });

  it('does not care about newlines', () => {
    const one = parseOk('host h { ssh "x" port 22 } region 0 on h { device a { size 1G } size 2G }');
    const many = parseOk(
      'host\nh\n{\nssh\n"x"\nport\n22\n}\nregion\n0\non\nh\n{\ndevice\na\n{\nsize\n1G\n}\nsize\n2G\n}',
    );
    const strip = (f: typeof one): unknown =>
      JSON.parse(
        JSON.stringify(f, (k, v) =>
          k === 'span' || k === 'keyword' || k === 'body' ? undefined : typeof v === 'bigint' ? String(v) : v,
        ),
      );
    expect(strip(many)).toEqual(strip(one));
  });

  it('parses an empty file and a file of comments', () => {
    expect(parse('')).toEqual({ kind: 'file', span: { start: 0, end: 0 }, declarations: [], comments: [], errors: [] });
    const f = parse('# just\n\n# comments\n');
    expect(f.errors).toEqual([]);
    expect(f.declarations).toEqual([]);
    expect(f.comments.map((c) => c.text)).toEqual(['# just', '# comments']);
  });
});

describe('samples/syntax-tour.dax', () => {
  const text = readFileSync(new URL('../../samples/syntax-tour.dax', import.meta.url), 'utf8');

  it('parses without errors and uses every keyword of the language', () => {
    const file = parseOk(text);
    checkInvariants(text, file);
    const keys = new Set<string>();
    for (const d of file.declarations) {
      keys.add(d.kind);
      d.properties.forEach((p) => keys.add(p.key.text));
      if (d.kind === 'region') {
        if (d.host) keys.add('on');
        for (const dev of d.devices) {
          keys.add('device');
          for (const p of dev.properties) {
            keys.add(p.key.text);
            for (const v of p.values) {
              if (v.kind === 'word') keys.add(v.text);
              if (v.kind === 'range') keys.add(v.op);
            }
          }
        }
      }
    }
    for (const k of [
      'host',
      'ssh',
      'port',
      'kernel',
      'arch',
      'memory-block',
      'auto-online',
      'region',
      'on',
      'start',
      'size',
      'align',
      'node',
      'dynamic',
      'static',
      'persist',
      'device',
      'name',
      'mode',
      'range',
      'rest',
      '..',
      '+',
      'devdax',
      'system-ram',
      'online',
      'offline',
      'movable',
      'normal',
      'memmap-on-memory',
      'cache',
      'colours',
      'colors',
      'of',
      'exclusive',
      'any',
      'expect',
      'from',
      'node',
      'access1',
      'read-latency',
      'read-bandwidth',
      'owner',
      'group',
      'permissions',
    ]) {
      expect(keys, k).toContain(k);
    }
    // `facts` appears (commented out: the tour needs no facts file).
    expect(text).toMatch(/# facts "/);
  });

  it('is already formatted', async () => {
    const { format } = await import('../../grammar/src/index');
    expect(format(text)).toBe(text);
  });
});
