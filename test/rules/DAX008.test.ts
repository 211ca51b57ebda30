import { describe, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone } from './harness';

describe('DAX008 malformed range', () => {
  it('fires on a range that ends before it starts', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { range <|0x1_4000_0000..0x1_3fff_0000|> } }\n`,
      'DAX008',
      'error',
      /the range ends \(0x13fff0000\) before it starts \(0x140000000\); END is inclusive/,
    );
  });

  it('fires on a range of length 0', () => {
    expectFinding(
      `${LAB612}region 0 on lab { device a { range <|0x1_4000_0000 + 0|> } }\n`,
      'DAX008',
      'error',
      /a range of length 0 holds no memory/,
    );
  });

  it('fires on each bad range of a list', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { range 0x1_0000_0000 + 512M, <|0x1_6000_0000..0x1_5fff_ffff|> } }\n`,
      'DAX008',
      'error',
      /before it starts/,
    );
  });

  it('does not fire on well-formed ranges (END inclusive, or START + LEN)', () => {
    expectNone(`${LAB61}region 0 on lab { device a { range 0x1_4000_0000..0x1_7fff_ffff } }\n`, 'DAX008');
    expectNone(`${LAB61}region 0 on lab { device a { range 0x1_4000_0000 + 2M } }\n`, 'DAX008');
  });
});
