import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { SAMPLES, expectFinding, expectNone } from './harness';

/**
 * The 6.12 capture as a 7.3 host would give it: the 7.2+ region path, dax0.0 on kmem with its
 * `state` as read, its 16 blocks (memory32..47) as given.
 */
function host73(kmemState: string, blocks: (b: { index: number; state: string; zone?: string }) => void): string {
  const f = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.12.facts.json'), 'utf8'));
  f.kernelRelease = '7.3.4+deb13-amd64';
  f.regions[0].path = '/sys/devices/platform/hmem_platform.0/hmem.0';
  f.regions[0].devices[0].kmemState = kmemState;
  for (const b of f.memoryBlocks) blocks(b);
  return JSON.stringify(f);
}
const online = (zone: string) => (b: { state: string; zone?: string }) => Object.assign(b, { state: 'online', zone });
const files = {
  'perblock.json': host73('offline', online('Movable')),
  'agree.json': host73('offline', () => {}),
  'movable.json': host73('online_movable', online('Movable')),
  'half.json': host73('online_movable', (b) => (b.index < 40 ? online('Movable')(b) : undefined)),
};
const at = (file: string) =>
  `host lab { facts "${file}" }\nregion <|0|> on lab { device a { size 2G mode system-ram } }\n`;

describe('DAX035 kmem state disagrees with the memory blocks', () => {
  it('fires when `state` reads offline but the blocks were onlined block by block, and says the blocks are true (info: daxctl and the plan online per block)', () => {
    expectFinding(
      at('perblock.json'),
      'DAX035',
      'info',
      /^dax0\.0's kmem `state` reads offline, but its 16 memory block\(s\) are 16 online in ZONE_MOVABLE: the memory blocks are what the kernel uses; they were onlined block by block \(as daxctl and daxlayout's plan do\), which `state` does not record\. daxlayout plans from the blocks; .*from offline, online values are refused with EBUSY.*To make them agree, offline the blocks and write unplugged, then online_movable, to dax0\.0\/state/,
      { files },
    );
  });

  it('fires when `state` reads online_movable but some blocks were offlined by hand', () => {
    expectFinding(
      at('half.json'),
      'DAX035',
      'info',
      /reads online_movable, but its 16 memory block\(s\) are 8 online in ZONE_MOVABLE, 8 offline: .*`state` records only the changes made through it/,
      { files },
    );
  });

  it('does not fire when `state` and the blocks agree, or on kernels without the attribute', () => {
    expectNone(at('agree.json').replace(/<\||\|>/g, ''), 'DAX035', { files });
    expectNone(at('movable.json').replace(/<\||\|>/g, ''), 'DAX035', { files });
    expectNone(
      `host lab { facts "linux-6.12.facts.json" }\nregion 0 on lab { device a { size 2G mode system-ram } }\n`,
      'DAX035',
    );
  });
});
