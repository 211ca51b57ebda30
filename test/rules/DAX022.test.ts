import { describe, expect, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone } from './harness';

describe('DAX022 pinned range overlaps', () => {
  it('fires on the later of two overlapping pinned ranges, pointing at the earlier', () => {
    const [f] = expectFinding(
      `${LAB61}region 0 on lab {\n  device a { range 0x1_0000_0000 + 1G }\n  device b { range <|0x1_2000_0000 + 512M|> }\n}\n`,
      'DAX022',
      'error',
      /^0x120000000\.\.0x13fffffff of `b` overlaps memory pinned by another device; each byte belongs to one device$/,
    );
    expect(f?.related?.map((r) => r.message)).toEqual(['`a` pins 0x100000000..0x13fffffff']);
  });

  it('fires once per overlapping range', () => {
    expectFinding(
      `${LAB612}region 0 on lab {\n  device a { range 0x1_0000_0000 + 1G }\n  device b { range <|0x1_2000_0000 + 512M|> }\n  device c { range <|0x1_3000_0000 + 256M|> }\n}\n`,
      'DAX022',
      'error',
      /overlaps memory pinned by another device/,
    );
  });

  it('fires on a range that overlaps a device the layout keeps', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { name dax0.1 range <|0x1_0000_0000 + 1G|> } }\n`,
      'DAX022',
      'error',
      /0x100000000\.\.0x13fffffff overlaps dax0\.0 \(0x100000000\.\.0x17fffffff\), which is not in the layout and is kept; the kernel refuses the mapping write \(ENOMEM\) — apply --prune removes dax0\.0/,
    );
  });

  it('does not say "another device" when a device overlaps its own range', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { range 0x1_0000_0000 + 1G, <|0x1_2000_0000 + 512M|> } }\n`,
      'DAX022',
      'error',
      /^(?!.*another device).*0x120000000\.\.0x13fffffff of `a` overlaps/,
    );
  });

  it('does not fire on adjacent ranges', () => {
    expectNone(
      `${LAB61}region 0 on lab {\n  device a { range 0x1_0000_0000 + 1G }\n  device b { range 0x1_4000_0000 + 512M }\n}\n`,
      'DAX022',
    );
    expectNone(
      `${LAB61}region 0 on lab { device a { range 0x1_0000_0000..0x1_3fff_ffff, 0x1_4000_0000..0x1_5fff_ffff } }\n`,
      'DAX022',
    );
  });

  it('does not fire when --prune removes the device holding the memory', () => {
    expectNone(`${LAB61}region 0 on lab { device a { name dax0.1 range 0x1_0000_0000 + 1G } }\n`, 'DAX022', {
      prune: true,
    });
  });
});
