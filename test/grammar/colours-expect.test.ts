// `colours`, `expect`, `owner`, `group`, `permissions`: parsing, formatting and lowering.
import { describe, expect, it } from 'vitest';
import { format, parse } from '../../grammar/src/index';
import { lower } from '../../server/core/layout/lower';
import { device, errorsOf, parseOk, prop, regions } from './helpers';

const dev = (body: string) => `region 0 {\n  device d { ${body} }\n}\n`;
const lowered = (body: string) => {
  const l = lower(parse(dev(body)));
  return { d: l.regions[0]!.devices[0]!, issues: l.issues.map((i) => i.message) };
};

describe('colours', () => {
  it('parses colours, ranges of colours, `of` and `exclusive` (both spellings)', () => {
    for (const key of ['colours', 'colors']) {
      const f = parseOk(dev(`${key} 0, 2..3 of 8 exclusive size 1G`));
      const p = prop(device(regions(f)[0]!, 'd'), key);
      expect(p.values.map((v) => v.kind)).toEqual(['number', 'range', 'word', 'number', 'word']);
      expect(prop(device(regions(f)[0]!, 'd'), 'size').values[0]?.kind).toBe('number');
    }
  });

  it('takes the next line as the next property unless a colour word continues the list', () => {
    const f = parseOk('region 0 {\n  device d {\n    colours 0..1\n      of 4\n    align 2M\n  }\n}\n');
    expect(prop(device(regions(f)[0]!, 'd'), 'colours').values.length).toBe(3);
    expect(prop(device(regions(f)[0]!, 'd'), 'align').values.length).toBe(1);
  });

  it('reports malformed lists in the language’s words', () => {
    expect(errorsOf(dev('colours 0.. of 4'))).toEqual([['expected the last colour after `..`, such as 0..1', 'of']]);
    expect(errorsOf(dev('colours , 1'))).toEqual([['expected a colour before `,`, such as 0, 2..3', ',']]);
    expect(errorsOf(dev('colours'))[0]?.[0]).toBe(
      'expected colours after `colours`, such as 0..1 of 4 or any 2 exclusive',
    );
  });

  it('formats as written, `a..b` and `a, b`', () => {
    expect(format('region 0 {\n  device d {colours 0 ,2 .. 3 of 8   exclusive}\n}\n')).toBe(
      'region 0 {\n  device d { colours 0, 2..3 of 8 exclusive }\n}\n',
    );
  });

  it('lowers to a colour request', () => {
    const { d, issues } = lowered('colours 3, 0..1 of 4 exclusive');
    expect(issues).toEqual([]);
    expect(d.colours?.colours?.value).toEqual([0, 1, 3]);
    expect(d.colours?.of?.value).toBe(4);
    expect(d.colours?.exclusive).toBeDefined();
    const any = lowered('colors any 2').d.colours;
    expect(any?.any?.value).toBe(2);
    expect(any?.colours).toBeUndefined();
    expect(any?.of).toBeUndefined();
  });

  it('rejects what is not a colour request', () => {
    expect(lowered('colours 4 of 4').issues).toEqual([
      'colour 4 does not exist when the cache is sliced into 4 colours (they are 0..3)',
    ]);
    expect(lowered('colours 3..1 of 4').issues).toEqual(['the colours 3..1 run backwards; write 1..3']);
    expect(lowered('colours 0 of 1').issues).toEqual([
      'a cache sliced into 1 colour has nothing to choose from; use 2 or more',
    ]);
    expect(lowered('colours any 3 of 67_108_864').issues).toEqual([
      'a cache sliced into more than 65536 colours is not modelled; use `of 65536` or fewer',
    ]);
    expect(lowered('colours 0 of 65536').issues).toEqual([]);
    expect(lowered('colours 2M').issues).toEqual(['a colour number takes no unit']);
    expect(lowered('colours any 5 of 4').issues).toEqual(['5 colours out of 4: there are only 4']);
    expect(lowered('colours 0 sometimes').issues).toEqual([
      '`sometimes` is not part of a colour request; expected `of K` or `exclusive` after the colours',
    ]);
    expect(lowered('colours 0 of 4 range 0x100000000 + 2M').issues).toEqual([
      '`colours` and `range` cannot be combined: the colours decide where the device lies; drop one of them',
    ]);
    expect(lowered('colours 0 of 4 size rest').issues).toEqual([
      '`size rest` cannot be combined with `colours`: the colours give the size; drop `size rest`',
    ]);
  });
});

describe('expect', () => {
  it('parses and lowers a latency and a bandwidth expectation', () => {
    const { d, issues } = lowered(
      'expect read-latency 120ns from node 0 expect write-bandwidth 20000MB/s from node 1 access1',
    );
    expect(issues).toEqual([]);
    expect(d.expects?.map((e) => [e.metric.value, e.value.value, e.initiator.value, e.access])).toEqual([
      ['read-latency', 120, 0, 0],
      ['write-bandwidth', 20000, 1, 1],
    ]);
    expect(lowered('expect read-bandwidth 20GB/s from 0').d.expects?.[0]?.value.value).toBe(20000);
    expect(lowered('expect read-latency 1us from node 0').d.expects?.[0]?.value.value).toBe(1000);
  });

  it('formats on one line, the rate unit attached', () => {
    expect(format('region 0 {\n  device d {expect   read-bandwidth 20000MB/s from node 0   access1}\n}\n')).toBe(
      'region 0 {\n  device d { expect read-bandwidth 20000MB/s from node 0 access1 }\n}\n',
    );
  });

  it('reads `MB/s` as the unit of one number token', () => {
    const f = parseOk(dev('expect read-bandwidth 20000MB/s from node 0'));
    const v = prop(device(regions(f)[0]!, 'd'), 'expect').values[1];
    expect(v?.kind === 'number' && v.unit).toBe('MB/s');
  });

  it('rejects what is not an expectation', () => {
    expect(lowered('expect speed 1ns from node 0').issues[0]).toMatch(/^`speed` is not a metric/);
    expect(lowered('expect read-latency 120MB/s from node 0').issues[0]).toMatch(/a latency takes the unit ns or us/);
    expect(lowered('expect read-latency 120ns').issues[0]).toBe(
      'say where the consumers run: `expect read-latency 120ns from node 0`',
    );
    expect(lowered('expect read-latency 120ns from node').issues[0]).toBe(
      'expected the initiator node after `from`, such as `from node 0`',
    );
  });
});

describe('owner, group, permissions', () => {
  it('lowers them as written', () => {
    const { d, issues } = lowered('owner qemu group kvm permissions 0660');
    expect(issues).toEqual([]);
    expect([d.owner?.value, d.group?.value, d.permissions?.value]).toEqual(['qemu', 'kvm', '0660']);
  });
});
