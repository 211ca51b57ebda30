import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';

const TWO = 'host lab { kernel "6.1.0" persist }\n';

describe('DAX061 stable name used twice', () => {
  it('fires on the second use of a label in the persisted regions of a host', () => {
    expectFinding(
      `${TWO}region 0 on lab { start 0x1_0000_0000 size 2G node 1 device db { size 1G } }\nregion 1 on lab { start 0x2_0000_0000 size 2G node 2 device <|db|> { size 1G } }\n`,
      'DAX061',
      'error',
      /^label `db` is also used in region 0 of lab: the stable names of persisted regions \(\/dev\/dax\/by-label\/db, \/run\/daxlayout\/by-label\/db\) need labels unique per host$/,
    );
  });

  it('does not fire when the labels differ or only one region persists', () => {
    expectNone(
      `${TWO}region 0 on lab { start 0x1_0000_0000 size 2G node 1 device db { size 1G } }\nregion 1 on lab { start 0x2_0000_0000 size 2G node 2 device db2 { size 1G } }\n`,
      'DAX061',
    );
    expectNone(
      'host lab { kernel "6.1.0" }\nregion 0 on lab { start 0x1_0000_0000 size 2G node 1 persist device db { size 1G } }\nregion 1 on lab { start 0x2_0000_0000 size 2G node 2 device db { size 1G } }\n',
      'DAX061',
    );
  });
});
