import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';

const host = (policy: string, facts = 'linux-6.1.facts.json') =>
  `host lab { facts "${facts}" auto-online ${policy} }\n`;

describe('DAX034 auto-online policy conflicts', () => {
  it('fires when `online` puts memory the layout wants movable into the kernel zone', () => {
    expectFinding(
      `${host('online')}region 0 on lab { device a { size 1G <|mode system-ram|> } }\n`,
      'DAX034',
      'warning',
      /^lab has auto_online_blocks=online: the kernel onlines this device's memory in the kernel zone as soon as kmem binds, but the layout wants it online in ZONE_MOVABLE; kernel-zone memory cannot be reliably offlined, so the plan will refuse to change it/,
    );
  });

  it('fires when `online_movable` meets a layout that wants the kernel zone', () => {
    expectFinding(
      `${host('online_movable', 'linux-6.12.facts.json')}region 0 on lab { device a { size 1G <|mode system-ram normal|> } }\n`,
      'DAX034',
      'warning',
      /auto_online_blocks=online_movable: the kernel onlines this device's memory in ZONE_MOVABLE .* wants it online in the kernel zone/,
    );
  });

  it('fires when the layout wants the memory offline', () => {
    expectFinding(
      `${host('online_kernel')}region 0 on lab { device a { size 1G <|mode system-ram offline|> } }\n`,
      'DAX034',
      'warning',
      /but the layout wants it offline; kernel-zone memory cannot be reliably offlined, so the plan will refuse/,
    );
  });

  it('fires for design hosts that declare the policy', () => {
    expectFinding(
      `host f { kernel "6.12.0" auto-online online }\nregion 1 on f { start 0x1_0000_0000 size 4G node 1  device a { size 1G <|mode system-ram|> } }\n`,
      'DAX034',
      'warning',
      /^f has auto_online_blocks=online/,
    );
  });

  it('does not fire when the policy already does what the layout wants', () => {
    expectNone(`${host('online_movable')}region 0 on lab { device a { size 1G mode system-ram } }\n`, 'DAX034');
    expectNone(`${host('online_kernel')}region 0 on lab { device a { size 1G mode system-ram normal } }\n`, 'DAX034');
  });

  it('does not fire under the offline policy or on devdax devices', () => {
    expectNone(
      `host lab { facts "linux-6.1.facts.json" }\nregion 0 on lab { device a { size 1G mode system-ram normal } }\n`,
      'DAX034',
    );
    expectNone(`${host('online')}region 0 on lab { device a { size 1G } }\n`, 'DAX034');
  });
});
