import { describe, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone } from './harness';

describe('DAX031 system-ram loses partial memory blocks', () => {
  it('fires on 192 MiB: the 64 MiB tail is lost', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size 192M <|mode system-ram|> } }\n`,
      'DAX031',
      'warning',
      /^kmem hot-plugs whole 128 MiB memory blocks only: 64 MiB of `a` stays unused \(0x100000000\.\.0x10bffffff: 0 B at the head, 64 MiB at the tail\); 128 MiB becomes System RAM\. Use a multiple of 128 MiB that starts on a block boundary$/,
    );
  });

  it('reports head and tail of a range off the block grid', () => {
    expectFinding(
      `${LAB612}region 0 on lab { device a { range 0x1_0400_0000 + 256M <|mode system-ram offline|> } }\n`,
      'DAX031',
      'warning',
      /128 MiB of `a` stays unused \(0x104000000\.\.0x113ffffff: 64 MiB at the head, 64 MiB at the tail\); 128 MiB becomes System RAM/,
    );
  });

  it('does not fire on whole blocks', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 256M mode system-ram } }\n`, 'DAX031');
    expectNone(`${LAB612}region 0 on lab { device a { range 0x1_0800_0000 + 256M mode system-ram } }\n`, 'DAX031');
  });

  it('does not fire when nothing is usable (DAX030 reports that) or on devdax', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 64M mode system-ram } }\n`, 'DAX031');
    expectNone(`${LAB61}region 0 on lab { device a { size 192M } }\n`, 'DAX031');
  });
});
