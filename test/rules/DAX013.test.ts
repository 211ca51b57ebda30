import { describe, it } from 'vitest';
import { LAB61, expectFinding, expectNone } from './harness';

describe('DAX013 device size missing or contradictory', () => {
  it('fires on a device without size, rest or range, on its label', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device <|a|> { align 2M } }\n`,
      'DAX013',
      'error',
      /device `a` has no size: add `size 4G`, `size rest` .* or a pinned `range`/,
    );
  });

  it('fires on an empty device block', () => {
    expectFinding(`${LAB61}region 0 on lab { device <|a|> { } }\n`, 'DAX013', 'error', /device `a` has no size/);
  });

  it('fires on a size that disagrees with the pinned ranges', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size <|1G|> range 0x1_0000_0000 + 512M } }\n`,
      'DAX013',
      'error',
      /does not match the pinned ranges/,
    );
  });

  it('fires on `size rest` with pinned ranges', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size <|rest|> range 0x1_0000_0000 + 512M } }\n`,
      'DAX013',
      'error',
      /`size rest` cannot be combined with pinned ranges/,
    );
  });

  it('fires on a second `size rest` in the region', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size rest } device b { size <|rest|> } }\n`,
      'DAX013',
      'error',
      /only one device per region can take `size rest`/,
    );
  });

  it('does not fire when the size is given once', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size rest } }\n`, 'DAX013');
    expectNone(`${LAB61}region 0 on lab { device a { size 512M range 0x1_0000_0000 + 512M } }\n`, 'DAX013');
    expectNone(
      `${LAB61}region 0 on lab { device a { range 0x1_0000_0000 + 256M, 0x1_4000_0000 + 256M } device b { size 1G } }\n`,
      'DAX013',
    );
  });
});
