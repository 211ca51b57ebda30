import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/core/index';
import { SAMPLES, expectFinding, expectNone } from './harness';

const CXL2 = `host h { facts "cxl2-6.12.facts.json" }\n`;
const REGION73 = `host h { facts "cxl2-7.3-region.facts.json" }\n`;
// the 7.3 capture with region0 (0x390000000, 2 GiB), and a second region claiming the same range
const region = readFileSync(join(SAMPLES, 'cxl2-7.3-region.facts.json'), 'utf8');
const twice = (() => {
  const f = JSON.parse(region);
  f.cxl.regions.push({ ...f.cxl.regions[0], name: 'region1' });
  return JSON.stringify(f);
})();

describe('DAX109 no single CXL region has the adopted range', () => {
  it('fires on a range no region has, naming the regions there are and one that overlaps', () => {
    expectFinding(
      `${REGION73}cxl region p on h { adopt <|0x390000000..0x3cfffffff|> }\n`,
      'DAX109',
      'error',
      /^no CXL region of the host has the range 0x390000000\.\.0x3cfffffff; region0 overlaps it, and adopt takes a region's exact range\. The host's regions: region0 0x390000000\.\.0x40fffffff \(2 GiB\); write the range as the region's `resource` and `size` read, or adopt it by name$/,
    );
    expectFinding(
      `${CXL2}cxl region p on h { adopt <|0x390000000 + 2G|> }\n`,
      'DAX109',
      'error',
      /^no CXL region of the host has the range 0x390000000\.\.0x40fffffff\. The host has no CXL region with a range;/,
    );
  });

  it('fires when several regions have it', () => {
    expectFinding(
      `host h { facts "twice.facts.json" }\ncxl region p on h { adopt <|0x390000000..0x40fffffff|> }\n`,
      'DAX109',
      'error',
      /^2 CXL regions have the range 0x390000000\.\.0x40fffffff \(region0, region1\): adopt one of them by name \(`adopt regionN`\)$/,
      { files: { 'twice.facts.json': twice } },
    );
  });

  it('does not fire on the exact range, written either way, and adopts that region as by name', () => {
    for (const range of ['0x390000000..0x40fffffff', '0x3_9000_0000 + 2G']) {
      const text = `${REGION73}cxl region p on h { adopt ${range} device a { size 1G } }\n`;
      expectNone(text, 'DAX109');
      expectNone(text, 'DAX100');
      const a = analyze(text, { readFacts: (p) => ({ text: readFileSync(join(SAMPLES, p), 'utf8') }) });
      const plan = a.hosts[0]?.plan;
      expect(plan?.cxl?.get(a.layout.regions[0]!)).toMatchObject({ name: 'region0', id: 0, action: 'keep' });
      const writes = (plan?.steps ?? []).flatMap((s) => s.writes.map((w) => `${w.value} > ${w.path}`));
      expect(writes.filter((w) => w.includes('/sys/bus/cxl/'))).toEqual([]);
      expect(writes).toContain('1073741824 > /sys/bus/dax/devices/dax0.0/size');
    }
  });
});
