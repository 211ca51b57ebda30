import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { LAB61, LAB612, SAMPLES, expectFinding, expectNone } from './harness';

const kernelZone = (() => {
  const f = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.12.facts.json'), 'utf8'));
  for (const b of f.memoryBlocks) Object.assign(b, { state: 'online', zone: 'Normal' });
  return JSON.stringify(f);
})();

describe('DAX050 device not in the layout', () => {
  it('warns that apply keeps a device the layout does not list', () => {
    expectFinding(
      `${LAB61}region <|0|> on lab { device a { name dax0.1 size 512M } }\n`,
      'DAX050',
      'warning',
      /^dax0\.0 \(2 GiB, devdax\) on region 0 on lab is not in the layout; apply keeps it \(apply --prune removes it, or add a device for it\)$/,
    );
  });

  it('says that --prune removes it', () => {
    expectFinding(
      `${LAB612}region <|0|> on lab { device a { name dax0.1 size 512M } }\n`,
      'DAX050',
      'info',
      /^dax0\.0 \(2 GiB, system-ram\) on region 0 on lab is not in the layout and will be removed \(--prune\)$/,
      { prune: true },
    );
  });

  it('does not say --prune removes a device the plan refuses to release', () => {
    // dax0.0's memory is online in the kernel zone: DAX052 says the plan leaves it as it is.
    expectFinding(
      `host lab { facts "kz.json" }\nregion <|0|> on lab { device a { name dax0.1 size 512M } }\n`,
      'DAX050',
      'warning',
      /^(?!.*will be removed).*dax0\.0/,
      {
        prune: true,
        files: { 'kz.json': kernelZone },
      },
    );
  });

  it('does not fire when a layout device takes over dax0.0', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 2G } }\n`, 'DAX050');
    expectNone(`${LAB61}region 0 on lab { device a { name dax0.0 size 512M } }\n`, 'DAX050');
    expectNone(`${LAB612}region 0 on lab { device a { size 1G } device b { size 1G } }\n`, 'DAX050');
  });
});
