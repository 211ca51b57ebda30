import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';

const CXL2 = `host h { facts "cxl2-6.12.facts.json" }\n`;
const REGION73 = `host h { facts "cxl2-7.3-region.facts.json" }\n`;

describe('DAX105 CXL memdev used by another region', () => {
  it('fires on a memdev an existing region holds', () => {
    expectFinding(
      `${REGION73}cxl region p on h { memdevs <|mem0|> size 512M }\n`,
      'DAX105',
      'error',
      /^mem0 is already used by region0, with no RAM left: delete that region first, or use another memdev$/,
    );
  });

  it('fires on a memdev an earlier cxl region of the layout takes whole', () => {
    expectFinding(
      `${CXL2}cxl region p on h { memdevs mem0 }\ncxl region q on h { memdevs <|mem0|> }\n`,
      'DAX105',
      'error',
      /^mem0 is already used by cxl region `p` of this layout, with no RAM left/,
    );
  });

  it('does not fire when the memdev has room for both, or the region is the existing one', () => {
    expectNone(
      `${CXL2}cxl region p on h { memdevs mem0 size 512M }\ncxl region q on h { memdevs mem0 size 512M }\n`,
      'DAX105',
    );
    expectNone(`${REGION73}cxl region p on h { memdevs mem0, mem1 }\n`, 'DAX105');
  });
});
