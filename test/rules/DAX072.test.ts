import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';
import { N1, variant } from './colour-facts';

describe('DAX072 colour stripes do not fit the granule', () => {
  it('fires on stripes smaller than the 2 MiB granule', () => {
    expectFinding(
      `${N1}region 0 on lab { device weather { colours 0 of <|256|> } }\n`,
      'DAX072',
      'error',
      /^each colour stripe is 1 MiB \(256 MiB \/ 256\), smaller than the device's align 2 MiB.*use at most 128 colours \(`of 128`, stripes of 2 MiB\)$/,
    );
  });

  it('fires on stripes smaller than a 1 GiB align', () => {
    expectFinding(
      `${N1}region 0 on lab { device weather { colours 0 of <|2|> align 1G } }\n`,
      'DAX072',
      'error',
      /stripe is 128 MiB \(256 MiB \/ 2\), smaller than the device's align 1 GiB.*cannot be coloured/,
    );
  });

  it('fires on stripes that are not a multiple of the granule', () => {
    // A 384 MiB cache in 128 colours: stripes of 3 MiB, whole bytes but not a multiple of 2 MiB.
    const v = variant({ cacheSize: 384 * 1024 * 1024 });
    expectFinding(
      `${v.head}region 0 on lab { device weather { colours 0 of <|128|> } }\n`,
      'DAX072',
      'error',
      /stripe is 3 MiB \(384 MiB \/ 128\), not a multiple of the device's align 2 MiB/,
      { files: v.files },
    );
  });

  it('fires when K does not divide the cache', () => {
    expectFinding(
      `${N1}region 0 on lab { device weather { colours 0 of <|3|> } }\n`,
      'DAX072',
      'error',
      /^the 256 MiB cache does not split into 3 equal colours/,
    );
  });

  it('warns when the region edges cut stripes below the granule', () => {
    // A 2 GiB cache in 2 colours of 1 GiB; the region [4.5 GiB, 8.5 GiB) starts and ends in the
    // middle of colour-0 stripes, and a 1 GiB-aligned device cannot take those 512 MiB halves.
    const v = variant({ cacheSize: 2 * 1024 * 1024 * 1024, start: 0x1_2000_0000n, size: 0x1_0000_0000n });
    expectFinding(
      `${v.head}region 0 on lab { device weather { colours 0 of <|2|> align 1G } }\n`,
      'DAX072',
      'warning',
      /starts or ends inside a stripe: 1 GiB of these colours lie in pieces smaller than the align 1 GiB/,
      { files: v.files },
    );
    // Colour 1 lies in whole stripes inside the region.
    expectNone(`${v.head}region 0 on lab { device weather { colours 1 of 2 align 1G } }\n`, 'DAX072', {
      files: v.files,
    });
  });

  it('does not fire on stripes that are granule multiples', () => {
    expectNone(`${N1}region 0 on lab { device weather { colours 0..1 of 4 } }\n`, 'DAX072');
    expectNone(`${N1}region 0 on lab { device weather { colours 0 of 128 } }\n`, 'DAX072');
  });
});
