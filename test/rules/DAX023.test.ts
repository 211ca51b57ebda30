import { describe, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone } from './harness';

describe('DAX023 huge-page device in misaligned holes', () => {
  it('fires when first fit puts a 1 GiB-aligned device after a 512 MiB one', () => {
    expectFinding(
      `${LAB61}region 0 on lab {\n  device small { size 512M }\n  device big { size 1G align <|1G|> }\n}\n`,
      'DAX023',
      'warning',
      /^first fit places `big` in a hole not aligned to its 1 GiB align \(0x120000000\.\.0x15fffffff\); 1 GiB page faults there fail\. Pin aligned ranges with `range`, or declare this device before devices with a smaller align$/,
    );
  });

  it('fires on 6.12 facts too', () => {
    expectFinding(
      `${LAB612}region 0 on lab {\n  device small { size 512M }\n  device big { size 1G align <|1G|> }\n}\n`,
      'DAX023',
      'warning',
      /`big` in a hole not aligned to its 1 GiB align \(0x120000000\.\.0x15fffffff\)/,
    );
  });

  it('does not fire when the 1 GiB device is declared first', () => {
    expectNone(
      `${LAB61}region 0 on lab {\n  device big { size 1G align 1G }\n  device small { size 512M }\n}\n`,
      'DAX023',
    );
    expectNone(
      `${LAB612}region 0 on lab {\n  device big { size 1G align 1G }\n  device small { size 512M }\n}\n`,
      'DAX023',
    );
  });

  it('does not fire on a device with pinned ranges, or with a 2 MiB align', () => {
    expectNone(
      `${LAB61}region 0 on lab {\n  device small { size 512M }\n  device big { align 1G range 0x1_4000_0000 + 1G }\n}\n`,
      'DAX023',
    );
    expectNone(
      `${LAB61}region 0 on lab {\n  device small { size 512M }\n  device big { size 1G align 2M }\n}\n`,
      'DAX023',
    );
  });
});
