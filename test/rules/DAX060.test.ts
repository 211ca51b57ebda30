import { describe, it } from 'vitest';
import { LAB61, expectFinding, expectNone } from './harness';

describe('DAX060 persist has no effect', () => {
  it('fires on persist in a region without a host', () => {
    expectFinding(
      'region 0 {\n  start 0x1_0000_0000\n  size 2G\n  <|persist|>\n  device a { size 1G }\n}\n',
      'DAX060',
      'warning',
      /^region 0 has no host: `persist` installs a boot-time restorer on a host/,
    );
  });

  it('fires on persist in a static region', () => {
    expectFinding(
      'host lab { kernel "6.1.0" persist }\nregion 2 on lab { start 0x1_0000_0000 size 4G node 1 static <|persist|> }\n',
      'DAX060',
      'warning',
      /is static \(pmem-backed\): its namespace keeps its device across reboots/,
    );
  });

  it('does not fire on a dynamic region of a host', () => {
    expectNone(`${LAB61}region 0 on lab { persist device a { size 1G } }\n`, 'DAX060');
    expectNone(
      'host lab { facts "linux-6.1.facts.json" persist }\nregion 0 on lab { device a { size 1G } }\n',
      'DAX060',
    );
  });
});
