import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { LAB61, LAB612, SAMPLES, expectFinding, expectNone } from './harness';

/** The 6.12 capture with dax0.0's 16 blocks online in the given zone. */
function onlineIn(zone: 'Normal' | 'Movable'): string {
  const f = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.12.facts.json'), 'utf8'));
  for (const b of f.memoryBlocks) Object.assign(b, { state: 'online', zone });
  return JSON.stringify(f);
}
const files = { 'kz.json': onlineIn('Normal'), 'mv.json': onlineIn('Movable') };

describe('DAX051 kernel refuses a planned write', () => {
  it('fires on a device whose create write fails with no other error explaining it', () => {
    // dax0.0 cannot be released (DAX052 on `a`), so the region has no room to create `b`.
    expectFinding(
      `host lab { facts "kz.json" }\nregion 0 on lab {\n  device a { size 1G }\n  device <|b|> { size 1G }\n}\n`,
      'DAX051',
      'error',
      /^the kernel model says `echo 1 > \/sys\/devices\/platform\/hmem\.0\/dax_region\/create` fails with ENOSPC \(no space left on device\), so `b` cannot be set up as written$/,
      { files },
    );
  });

  it('does not fire when the memory can be offlined and released', () => {
    expectNone(
      `host lab { facts "mv.json" }\nregion 0 on lab {\n  device a { size 1G }\n  device b { size 1G }\n}\n`,
      'DAX051',
      { files },
    );
  });

  it('does not fire when another error on the device explains the refused write', () => {
    // size 3M: the size write fails with EINVAL, which DAX010 reports on the size.
    expectNone(`${LAB61}region 0 on lab { device a { size 3M } }\n`, 'DAX051');
    // 6.12 mapping of a 3 MiB range: success with nothing allocated, which DAX012 reports.
    expectNone(`${LAB612}region 0 on lab { device a { range 0x1_0000_0000 + 3M } }\n`, 'DAX051');
    // a kmem bind that fails for want of a whole memory block: DAX030.
    expectNone(`${LAB61}region 0 on lab { device a { size 64M mode system-ram } }\n`, 'DAX051');
  });

  it('does not fire on a feasible layout whatever order the devices are declared in', () => {
    // b's pinned range leaves room for a (256 MiB below it, 768 MiB above it).
    expectNone(
      `${LAB61}region 0 on lab {\n  device b { range 0x1_1000_0000 + 1G }\n  device a { size 512M }\n}\n`,
      'DAX051',
    );
    expectNone(
      `${LAB61}region 0 on lab {\n  device a { size 512M }\n  device b { range 0x1_1000_0000 + 1G }\n}\n`,
      'DAX051',
    );
  });
});
