import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { LAB612, SAMPLES, expectFinding, expectNone } from './harness';

/** The 6.12 capture with dax0.0's 16 blocks online in the given zone. */
function onlineIn(zone: 'Normal' | 'Movable'): string {
  const f = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.12.facts.json'), 'utf8'));
  for (const b of f.memoryBlocks) Object.assign(b, { state: 'online', zone });
  return JSON.stringify(f);
}
const files = { 'kz.json': onlineIn('Normal'), 'mv.json': onlineIn('Movable') };
const KZ = `host lab { facts "kz.json" }\n`;

describe('DAX052 online memory blocks a change', () => {
  it('fires on a device whose change needs kmem unbound from kernel-zone memory', () => {
    expectFinding(
      `${KZ}region 0 on lab { device <|a|> { size 1G } }\n`,
      'DAX052',
      'error',
      /^dax0\.0 has 16 memory block\(s\) online in the Normal zone \(memory32\); kernel-zone memory cannot be reliably offlined, and unbinding kmem with memory online strands it until reboot\. The plan leaves dax0\.0 as it is: offline its memory first \(daxctl offline-memory\), or keep its current geometry and mode$/,
      { files },
    );
  });

  it('fires on the region when --prune would remove such a device', () => {
    expectFinding(
      `${KZ}region <|0|> on lab { device a { name dax0.1 size 1G } }\n`,
      'DAX052',
      'error',
      /^dax0\.0 has 16 memory block\(s\) online in the Normal zone/,
      { prune: true, files },
    );
  });

  it('does not fire when the blocks are movable (the plan offlines them first)', () => {
    expectNone(`host lab { facts "mv.json" }\nregion 0 on lab { device a { size 1G } }\n`, 'DAX052', { files });
  });

  it('does not fire when the layout keeps the device as it is, or the blocks are offline', () => {
    expectNone(`${KZ}region 0 on lab { device a { size 2G mode system-ram normal } }\n`, 'DAX052', { files });
    expectNone(`${LAB612}region 0 on lab { device a { size 1G } }\n`, 'DAX052');
  });
});
