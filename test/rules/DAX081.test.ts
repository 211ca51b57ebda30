import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';
import { N1, noHmat } from './colour-facts';

describe('DAX081 performance expectation cannot be checked', () => {
  it('informs when the node has no HMAT data (not a silent pass)', () => {
    const v = noHmat();
    expectFinding(
      `${v.head}region 0 on lab { device a { size 512M <|expect read-latency 100ns from node 0|> } }\n`,
      'DAX081',
      'info',
      /^`expect read-latency` is not checked: node 1 has no HMAT access0 data in the facts \(sysfs lists HMAT attributes only once the node has memory online: capture the facts again as root/,
      { files: v.files },
    );
  });

  it('informs on a host designed without facts', () => {
    expectFinding(
      `region 1 { start 0x1_0000_0000 size 4G node 1 device a { size 1G <|expect read-latency 100ns from node 0|> } }\n`,
      'DAX081',
      'info',
      /node 1 is not in the host facts \(a host designed without facts has none\)/,
    );
  });

  it('informs when the initiator is not one HMAT reports', () => {
    expectFinding(
      `${N1}region 0 on lab { device a { size 512M expect read-latency 100ns from node <|1|> } }\n`,
      'DAX081',
      'info',
      /only for its best initiators \(node 0: 40 ns\), and node 1 is not one of them/,
    );
  });

  it('does not fire when HMAT answers', () => {
    expectNone(
      `${N1}region 0 on lab { device a { size 512M expect read-latency 100ns from node 0 expect read-latency 1ns from node 0 } }\n`,
      'DAX081',
    );
  });
});
