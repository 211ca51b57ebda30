// The `persist` flag in the language: parsed in host and region blocks, lowered, formatted,
// reported when it is given a value, and shown as the stable name in hover and explain.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, daxctlInputs, format, hoverAt, parse, renderDaxctlInputs } from '../../server/core/index';
import { renderDaxctlInput } from '../../server/cli/explain';
import { SAMPLES, sampleReader } from '../rules/harness';

describe('persist in the language', () => {
  it('is a flag of host and region blocks, lowered to a span', () => {
    const text =
      'host h {\n  kernel "6.1.0"\n  persist\n}\nregion 0 on h {\n  persist\n  start 0x1_0000_0000 size 2G node 1\n  device a { size 1G }\n}\n';
    const f = parse(text);
    expect(f.errors).toEqual([]);
    const a = analyze(text);
    const host = a.layout.hosts[0];
    const region = a.layout.regions[0];
    expect(host?.persist && text.slice(host.persist.start, host.persist.end)).toBe('persist');
    expect(region?.persist && text.slice(region.persist.start, region.persist.end)).toBe('persist');
  });

  it('takes no value', () => {
    expect(parse('region 0 { persist 3 }').errors.map((e) => e.message)).toEqual([
      'unexpected `3`: `persist` takes no value',
    ]);
    expect(parse('host h { persist 1 }').errors.map((e) => e.message)).toEqual([
      'unexpected `1`: `persist` takes no value',
    ]);
  });

  it('is a name elsewhere, and a host may be called persist', () => {
    expect(
      parse('host persist { kernel "6.1.0" }\nregion 0 on persist { device persist { size 1G } }\n').errors,
    ).toEqual([]);
  });

  it('formats like the other flags', () => {
    expect(format('host h{kernel "6.1.0" persist}region 0 on h{persist device a{size 1G}}')).toBe(
      'host h {\n  kernel "6.1.0"\n  persist\n}\n\nregion 0 on h {\n  persist\n  device a { size 1G }\n}\n',
    );
  });

  it('hover and explain show the stable name of a persisted device', () => {
    const text = readFileSync(join(SAMPLES, 'hbm-lab.dax'), 'utf8').replace(
      'region 0 on lab61 {',
      'region 0 on lab61 {\n  persist',
    );
    const a = analyze(text, { readFacts: sampleReader() });
    const at = (label: string) => hoverAt(a, text.indexOf(`device ${label}`) + 8);
    const w = at('weather');
    expect(w?.kind === 'device' && w.stablePath).toBe('/dev/dax/by-label/weather');
    const s = at('spill');
    expect(s?.kind === 'device' && s.stablePath).toBe('/run/daxlayout/by-label/spill');
    const plain = analyze(readFileSync(join(SAMPLES, 'hbm-lab.dax'), 'utf8'), { readFacts: sampleReader() });
    const p = hoverAt(plain, plain.text.indexOf('device weather') + 8);
    expect(p?.kind === 'device' && p.stablePath).toBeUndefined();
  });

  it('daxctl create-device --input objects, one per device', () => {
    const a = analyze(readFileSync(join(SAMPLES, 'hbm-lab.dax'), 'utf8'), { readFacts: sampleReader() });
    const list = daxctlInputs(a);
    expect(list.map((x) => `${x.label} ${x.kernelName} ${x.mode}`)).toEqual([
      'weather dax0.0 devdax',
      'spill dax0.1 system-ram',
      'guest-a dax0.2 devdax',
      'scratch dax0.3 devdax',
    ]);
    const w = JSON.parse(list[0]?.json ?? '{}');
    expect(w).toEqual({
      chardev: 'dax0.0',
      size: 1073741824,
      target_node: 1,
      align: 1073741824,
      mode: 'devdax',
      mappings: [{ page_offset: 0, start: 0x100000000, end: 0x13fffffff, size: 1073741824 }],
    });
    const text = renderDaxctlInputs(list);
    expect(renderDaxctlInput(a)).toBe(text);
    expect(text.split('\n')[0]).toBe(
      '# lab61 region 0: weather → dax0.0 (devdax): save as weather.json, run daxctl create-device -r 0 --input weather.json',
    );
    expect(text).toContain('then daxctl reconfigure-device -m system-ram');
  });
});
