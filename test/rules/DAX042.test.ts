import { describe, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone } from './harness';

describe('DAX042 device 0 cannot be deleted', () => {
  it('reports that a pruned dax0.0 stays as an empty device', () => {
    expectFinding(
      `${LAB61}region <|0|> on lab { device a { name dax0.1 size 1G } }\n`,
      'DAX042',
      'info',
      /^dax0\.0 stays on region 0 on lab as an empty, unbound device: the kernel never deletes a region's device 0 \(delete → EBUSY\), it can only be emptied\. Name a layout device `dax0\.0` to use it$/,
      { prune: true },
    );
  });

  it('reports it on 6.12, where dax0.0 was system-ram', () => {
    expectFinding(
      `${LAB612}region <|0|> on lab { device a { name dax0.1 size 1G } }\n`,
      'DAX042',
      'info',
      /dax0\.0 stays on region 0 on lab as an empty, unbound device/,
      { prune: true },
    );
  });

  it('does not fire when the layout uses dax0.0', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 1G } device b { name dax0.1 size 1G } }\n`, 'DAX042', {
      prune: true,
    });
    expectNone(`${LAB61}region 0 on lab { device a { name dax0.0 size 1G } }\n`, 'DAX042', { prune: true });
  });

  it('does not fire when dax0.0 is kept (no --prune)', () => {
    expectNone(`${LAB61}region 0 on lab { device a { name dax0.1 size 1G } }\n`, 'DAX042');
  });

  it('does not fire on a design region whose dax1.0 was never populated', () => {
    expectNone(`region 1 { start 0x1_0000_0000 size 4G node 1  device a { name dax1.1 size 1G } }\n`, 'DAX042');
  });
});
