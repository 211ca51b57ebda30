import { describe, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone } from './harness';

describe('DAX012 pinned range not aligned', () => {
  it('fires on a length that is not a 2 MiB multiple: ENXIO before 6.8', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { range <|0x1_0000_0000 + 3M|> } }\n`,
      'DAX012',
      'error',
      /^range length 3 MiB is not a multiple of 2 MiB \(max\(align, 2 MiB\)\); the kernel refuses the mapping write \(ENXIO\)$/,
    );
  });

  it('fires on the same range on 6.12, naming the silent-success quirk', () => {
    expectFinding(
      `${LAB612}region 0 on lab { device a { range <|0x1_0000_0000 + 3M|> } }\n`,
      'DAX012',
      'error',
      /range length 3 MiB .*; the kernel reports success for such a mapping write but allocates nothing$/,
    );
  });

  it('uses the device align as the granule when it is larger', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { align 1G range <|0x1_4000_0000 + 512M|> } }\n`,
      'DAX012',
      'error',
      /range length 512 MiB is not a multiple of 1 GiB/,
    );
  });

  it('fires on a start off the 2 MiB sub-section grid', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { range <|0x1_0010_0000 + 2M|> } }\n`,
      'DAX012',
      'error',
      /range start 0x100100000 is not 2 MiB-aligned: device_dax cannot map memory that does not start on a sub-section boundary/,
    );
  });

  it('warns on a start off the device align', () => {
    expectFinding(
      `${LAB612}region 0 on lab { device a { align 1G range <|0x1_2000_0000 + 1G|> } }\n`,
      'DAX012',
      'warning',
      /range start 0x120000000 is not aligned to the device's align 1 GiB: the kernel accepts it, but 1 GiB page faults in it fail/,
    );
  });

  it('does not fire on aligned ranges', () => {
    expectNone(`${LAB61}region 0 on lab { device a { range 0x1_0000_0000 + 4M } }\n`, 'DAX012');
    expectNone(`${LAB612}region 0 on lab { device a { range 0x1_0000_0000 + 4M } }\n`, 'DAX012');
    expectNone(`${LAB61}region 0 on lab { device a { align 1G range 0x1_4000_0000 + 1G } }\n`, 'DAX012');
    expectNone(`${LAB61}region 0 on lab { device a { align 4K range 0x1_0020_0000 + 2M } }\n`, 'DAX012');
  });
});
