import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { LAB61, LAB612, SAMPLES, expectFinding, expectNone } from './harness';

const supported = (() => {
  const f = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.12.facts.json'), 'utf8'));
  f.memmapOnMemorySupported = true;
  return JSON.stringify(f);
})();

describe('DAX033 memmap_on_memory unavailable', () => {
  it('fires before 6.8: the attribute does not exist', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size 1G mode system-ram <|memmap-on-memory|> } }\n`,
      'DAX033',
      'error',
      /^memmap_on_memory needs Linux 6\.8 or later; lab runs 6\.1\.0-57-amd64\. Remove the option$/,
    );
  });

  it('fires on 6.12 when memory hotplug cannot place the memmap', () => {
    expectFinding(
      `${LAB612}region 0 on lab { device a { size 1G mode system-ram movable <|memmap-on-memory|> } }\n`,
      'DAX033',
      'error',
      /^lab's memory hotplug cannot place the memmap on hot-added memory \(memory_hotplug\.memmap_on_memory is off\), so the kernel refuses the setting \(EOPNOTSUPP\)/,
    );
  });

  it('does not fire on 6.12 when the host supports it', () => {
    expectNone(
      `host lab { facts "mm.json" }\nregion 0 on lab { device a { size 1G mode system-ram memmap-on-memory } }\n`,
      'DAX033',
      { files: { 'mm.json': supported } },
    );
  });

  it('does not fire without the option', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 1G mode system-ram } }\n`, 'DAX033');
    expectNone(`${LAB612}region 0 on lab { device a { size 1G mode system-ram } }\n`, 'DAX033');
  });
});
