import { describe, expect, it } from 'vitest';
import { expectFinding, expectNone } from './harness';
import { N1, variant } from './colour-facts';

describe('DAX073 size does not match the colours', () => {
  it('fires on a size larger than the colours give, stating what they give', () => {
    const [f] = expectFinding(
      `${N1}region 0 on lab { device weather { colours 0..1 of 4 size <|1G|> } }\n`,
      'DAX073',
      'error',
      /^size 1 GiB does not match the colours: colours 0\.\.1 of 4 give 512 MiB in region 0 on lab \(4 stripes of 64 MiB or less\); write size 512M/,
    );
    expect(f?.fixes?.[0]?.edits[0]?.newText).toBe('512M');
  });

  it('informs on a smaller size', () => {
    expectFinding(
      `${N1}region 0 on lab { device weather { colours 0..1 of 4 size <|256M|> } }\n`,
      'DAX073',
      'info',
      /takes the lowest stripes of colours 0\.\.1 of 4, which give 512 MiB; the other 256 MiB/,
    );
  });

  it('fires when other devices took every stripe of the colours', () => {
    expectFinding(
      `${N1}region 0 on lab {\n  device a { colours 0 of 4 }\n  device b { <|colours 0 of 4|> }\n}\n`,
      'DAX073',
      'error',
      /^colours 0 of 4 give no memory in region 0 on lab/,
    );
  });

  it('fires when the region holds no address of the colours', () => {
    // A 2 GiB cache in 2 colours: the 1 GiB region at 5 GiB is all colour 1.
    const v = variant({ cacheSize: 2 * 1024 * 1024 * 1024 });
    expectFinding(
      `${v.head}region 0 on lab { device a { <|colours 0 of 2|> } }\n`,
      'DAX073',
      'error',
      /no address of the region has these colours \(it is smaller than one 2 GiB cache period\)/,
      { files: v.files },
    );
    expectNone(`${v.head}region 0 on lab { device a { colours 1 of 2 } }\n`, 'DAX073', { files: v.files });
  });

  it('does not fire when the size matches or is left out', () => {
    expectNone(`${N1}region 0 on lab { device weather { colours 0..1 of 4 size 512M } }\n`, 'DAX073');
    expectNone(`${N1}region 0 on lab { device weather { colours 0..1 of 4 } }\n`, 'DAX073');
  });
});
