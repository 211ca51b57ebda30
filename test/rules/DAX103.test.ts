import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';

const CXL2 = `host h { facts "cxl2-6.12.facts.json" }\n`;
describe('DAX103 CXL region size not a multiple of 256 MiB × ways', () => {
  it('fires on a size that is not a multiple of 256 MiB × ways', () => {
    expectFinding(
      `${CXL2}cxl region p on h { memdevs mem0, mem1 size <|768M|> }\n`,
      'DAX103',
      'error',
      /^a region of 2 ways is a multiple of 512 MiB \(256 MiB per memdev\): 768 MiB is not; write 512 MiB or 1 GiB$/,
    );
    expectFinding(
      `${CXL2}cxl region p on h { memdevs mem0 size <|100M|> }\n`,
      'DAX103',
      'error',
      /^a region of 1 way is a multiple of 256 MiB/,
    );
  });

  it('does not fire on a multiple, or without a size', () => {
    expectNone(`${CXL2}cxl region p on h { memdevs mem0, mem1 size 1G }\n`, 'DAX103');
    expectNone(`${CXL2}cxl region p on h { memdevs mem0, mem1 }\n`, 'DAX103');
  });
});
