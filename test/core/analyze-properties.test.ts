// The analyzer never throws, whatever the layout: random layouts built from the language's
// pieces, random edits of the samples, and arbitrary text.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/core/index';
import { SAMPLES, sampleReader } from '../rules/harness';

const size = fc.constantFrom(
  '0',
  '2M',
  '3M',
  '4K',
  '128M',
  '256M',
  '1G',
  '1536M',
  '2G',
  '3G',
  '64G',
  '1T',
  '0x200000',
  '1.5G',
  '4GB',
  '12345',
  'rest',
  '-1',
);
const addr = fc.constantFrom(
  '0x1_0000_0000',
  '0x1_4000_0000',
  '0x1_7000_0000',
  '0x1_7fff_ffff',
  '0x2_0000_0000',
  '0',
  '0x1_0000_1000',
);
const range = fc.oneof(
  fc.tuple(addr, size).map(([a, s]) => `${a} + ${s}`),
  fc.tuple(addr, addr).map(([a, b]) => `${a}..${b}`),
);
const modeOpt = fc.constantFrom('online', 'offline', 'movable', 'normal', 'memmap-on-memory', 'bogus');
const prop = fc.oneof(
  size.map((s) => `size ${s}`),
  fc.constantFrom('1G', '2M', '4K', '4M', '0', 'abc').map((s) => `align ${s}`),
  fc
    .tuple(fc.constantFrom('devdax', 'system-ram', 'nope'), fc.array(modeOpt, { maxLength: 3 }))
    .map(([m, o]) => `mode ${m} ${o.join(' ')}`),
  fc.array(range, { minLength: 1, maxLength: 3 }).map((r) => `range ${r.join(', ')}`),
  fc.constantFrom('dax0.0', 'dax0.1', 'dax0.7', 'dax1.2', 'foo').map((n) => `name ${n}`),
);
const device = fc
  .tuple(fc.constantFrom('a', 'b', 'c', 'guest-a', 'a'), fc.array(prop, { maxLength: 5 }))
  .map(([l, ps]) => `  device ${l} { ${ps.join(' ')} }`);
const host = fc.constantFrom('lab61', 'lab612', 'nohost');
const regionHeader = fc.oneof(
  fc.tuple(fc.constantFrom('0', '1', '7'), host).map(([id, h]) => `region ${id} on ${h} {`),
  fc.constantFrom(
    'region 3 {\n  start 0x1_0000_0000\n  size 4G\n  node 1',
    'region 4 {\n  start 0x4_0000_0000\n  size 8G\n  static',
    'region 5 {',
  ),
);
const region = fc.tuple(regionHeader, fc.array(device, { maxLength: 6 })).map(([h, ds]) => `${h}\n${ds.join('\n')}\n}`);
const hosts = 'host lab61 { facts "linux-6.1.facts.json" }\nhost lab612 { facts "linux-6.12.facts.json" }\n';
const layout = fc.array(region, { minLength: 1, maxLength: 3 }).map((rs) => hosts + rs.join('\n'));

function check(text: string, prune = false): void {
  const a = analyze(text, { readFacts: sampleReader(), prune });
  for (const f of a.findings) {
    expect(f.code).toMatch(/^DAX\d{3}$/);
    expect(f.code).not.toBe('DAX099');
    expect(f.span.start).toBeGreaterThanOrEqual(0);
    expect(f.span.end).toBeLessThanOrEqual(text.length);
    expect(f.span.start).toBeLessThanOrEqual(f.span.end);
    expect(f.message.length).toBeGreaterThan(10);
  }
}

describe('analyze never throws', () => {
  it('on random layouts made of the language pieces, with and without --prune', () => {
    fc.assert(
      fc.property(layout, fc.boolean(), (text, prune) => check(text, prune)),
      { numRuns: 300 },
    );
  });

  it('on random edits of the samples', () => {
    const samples = ['hbm-lab.dax', 'cxl-6.12.dax', 'design.dax', 'mistakes.dax'].map((f) =>
      readFileSync(join(SAMPLES, f), 'utf8'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.nat(),
        fc.nat({ max: 20 }),
        fc.string({ maxLength: 8 }),
        (text, at, del, ins) => {
          const i = at % (text.length + 1);
          check(text.slice(0, i) + ins + text.slice(i + del));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => check(text)),
      { numRuns: 300 },
    );
  });
});
