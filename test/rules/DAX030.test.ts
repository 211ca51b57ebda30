import { describe, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone } from './harness';

describe('DAX030 system-ram without a whole memory block', () => {
  it('fires on a 64 MiB system-ram device (128 MiB blocks), on the mode', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size 64M <|mode system-ram|> } }\n`,
      'DAX030',
      'error',
      /^`a` holds no whole 128 MiB memory block, so kmem has nothing to hot-plug and refuses the device \(EINVAL\); make it at least 128 MiB and block-aligned/,
    );
  });

  it('fires on 6.12 facts too', () => {
    expectFinding(
      `${LAB612}region 0 on lab { device a { size 64M <|mode system-ram|> } }\n`,
      'DAX030',
      'error',
      /refuses the device \(EINVAL\)/,
    );
  });

  it('fires on a block-sized range that straddles a block boundary', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { range 0x1_0020_0000 + 128M <|mode system-ram|> } }\n`,
      'DAX030',
      'error',
      /holds no whole 128 MiB memory block/,
    );
  });

  it('uses the host memory block size', () => {
    expectFinding(
      `host big { kernel "6.12.0" memory-block 2G }\nregion 1 on big { start 0x1_0000_0000 size 8G node 1  device a { size 1G <|mode system-ram|> } }\n`,
      'DAX030',
      'error',
      /holds no whole 2 GiB memory block/,
    );
  });

  it('says that kernels before 5.15 bind the device with nothing added', () => {
    expectFinding(
      `host old { kernel "5.10.0" }\nregion 1 on old { start 0x1_0000_0000 size 4G node 1  device a { size 64M <|mode system-ram|> } }\n`,
      'DAX030',
      'error',
      /nothing to hot-plug \(this kernel binds it with no memory added\)/,
    );
  });

  it('does not fire on a block-aligned block-sized device', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 128M mode system-ram } }\n`, 'DAX030');
    expectNone(`${LAB612}region 0 on lab { device a { range 0x1_0800_0000 + 128M mode system-ram } }\n`, 'DAX030');
  });

  it('does not fire on a small devdax device', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 64M } }\n`, 'DAX030');
  });
});
