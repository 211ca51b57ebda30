import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { SAMPLES, expectFinding, expectNone } from './harness';

const noNode = (() => {
  const f = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.1.facts.json'), 'utf8'));
  f.regions[0].targetNode = -1;
  f.regions[0].devices[0].targetNode = -1;
  return JSON.stringify(f);
})();

describe('DAX032 system-ram without a target node', () => {
  it('fires on a design region without `node`, asking to declare it', () => {
    expectFinding(
      `region 1 { start 0x1_0000_0000 size 4G  device a { size 1G <|mode system-ram|> } }\n`,
      'DAX032',
      'error',
      /^region 1 has no target NUMA node, and kmem refuses memory it cannot place on a node \(EINVAL\); declare the region's `node`$/,
    );
  });

  it('fires on a captured region without a node, advising devdax', () => {
    expectFinding(
      `host lab { facts "nonode.json" }\nregion 0 on lab { device a { size 1G <|mode system-ram|> } device b { size 1G } }\n`,
      'DAX032',
      'error',
      /region 0 on lab has no target NUMA node.*; use devdax for this device$/,
      { files: { 'nonode.json': noNode } },
    );
  });

  it('does not fire when the region has a node', () => {
    expectNone(`region 1 { start 0x1_0000_0000 size 4G node 1  device a { size 1G mode system-ram } }\n`, 'DAX032');
  });

  it('does not fire on devdax devices of a region without a node', () => {
    expectNone(`region 1 { start 0x1_0000_0000 size 4G  device a { size 1G } }\n`, 'DAX032');
    expectNone(`host lab { facts "nonode.json" }\nregion 0 on lab { device a { size 1G } }\n`, 'DAX032', {
      files: { 'nonode.json': noNode },
    });
  });
});
