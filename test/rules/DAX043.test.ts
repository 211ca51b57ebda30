import { describe, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone } from './harness';

describe('DAX043 default kmem binding undone', () => {
  it('reports on 6.12 that the plan unbinds the boot-time kmem binding', () => {
    expectFinding(
      `${LAB612}region <|0|> on lab { device a { size 1G } }\n`,
      'DAX043',
      'info',
      /^on Linux 6\.12\.118\+deb12-amd64 region 0 on lab binds to kmem by default, so dax0\.0 boots as system-ram; the plan unbinds kmem .* devdax devices of this region bind through device_dax\/new_id$/,
    );
  });

  it('reports it when a system-ram layout still repartitions the region', () => {
    expectFinding(
      `${LAB612}region <|0|> on lab { device a { size 1G mode system-ram offline } device b { size 1G mode system-ram offline } }\n`,
      'DAX043',
      'info',
      /binds to kmem by default/,
    );
  });

  it('does not fire when dax0.0 stays system-ram as it booted', () => {
    expectNone(`${LAB612}region 0 on lab { device a { size 2G mode system-ram } }\n`, 'DAX043');
    expectNone(`${LAB612}region 0 on lab { device a { size 2G mode system-ram offline } }\n`, 'DAX043');
  });

  it('does not fire before 6.3, where device_dax binds by default', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 1G } }\n`, 'DAX043');
  });
});
