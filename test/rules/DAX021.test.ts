import { describe, expect, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone } from './harness';

describe('DAX021 pinned range outside the region', () => {
  it('fires on a range beyond the region', () => {
    const [f] = expectFinding(
      `${LAB61}region 0 on lab { device e { range <|0x2_0000_0000 + 1G|> } }\n`,
      'DAX021',
      'error',
      /^0x200000000\.\.0x23fffffff is not inside region 0 on lab \(0x100000000\.\.0x17fffffff\); the kernel refuses the mapping write \(ENOMEM\)$/,
    );
    expect(f?.related?.[0]?.message).toMatch(/spans 0x100000000\.\.0x17fffffff/);
  });

  it('fires on a range that runs past the region end by one byte or more', () => {
    expectFinding(
      `${LAB612}region 0 on lab { device e { range <|0x1_6000_0000 + 1G|> } }\n`,
      'DAX021',
      'error',
      /0x160000000\.\.0x19fffffff is not inside region 0 on lab/,
    );
    expectFinding(
      `${LAB61}region 0 on lab { device e { range <|0x1_4000_0000..0x1_8000_0000|> } }\n`,
      'DAX021',
      'error',
      /not inside/,
    );
  });

  it('fires on a range that starts below the region', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device e { range <|0xc000_0000 + 1G|> } }\n`,
      'DAX021',
      'error',
      /0xc0000000\.\.0xffffffff is not inside/,
    );
  });

  it('does not fire on a range that ends on the last byte of the region', () => {
    expectNone(`${LAB61}region 0 on lab { device e { range 0x1_4000_0000 + 1G } }\n`, 'DAX021');
    expectNone(`${LAB61}region 0 on lab { device e { range 0x1_0000_0000..0x1_7fff_ffff } }\n`, 'DAX021');
  });

  it('checks design regions against their declared geometry', () => {
    expectFinding(
      `region 1 { start 0x1_0000_0000 size 4G node 1  device e { range <|0x2_0000_0000 + 1G|> } }\n`,
      'DAX021',
      'error',
      /is not inside region 1 \(0x100000000\.\.0x1ffffffff\)/,
    );
    expectNone(`region 1 { start 0x1_0000_0000 size 4G node 1  device e { range 0x1_c000_0000 + 1G } }\n`, 'DAX021');
  });
});
