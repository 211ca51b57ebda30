import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';

const CXL2 = `host h { facts "cxl2-6.12.facts.json" }\n`;
describe('DAX104 CXL capacity', () => {
  it('fires once when the memdevs have less free RAM than the size asks', () => {
    expectFinding(
      `${CXL2}cxl region p on h { memdevs mem0, mem1 size <|4G|> }\n`,
      'DAX104',
      'error',
      /^mem0 has 1 GiB of RAM free, and 4 GiB over 2 ways takes 2 GiB from each memdev: make the region at most 2 GiB$/,
    );
  });

  it('does not fire on a size that fits', () => {
    expectNone(`${CXL2}cxl region p on h { memdevs mem0, mem1 size 2G }\n`, 'DAX104');
    expectNone(
      `${CXL2}cxl region p on h { memdevs mem0 size 512M }\ncxl region q on h { memdevs mem0 size 512M }\n`,
      'DAX104',
    );
  });
});
