import { describe, it } from 'vitest';
import { LAB61, expectFinding, expectNone } from './harness';
import { N1, noHmat } from './colour-facts';

// Node 1 (the region's node): 40 ns, 2048 MB/s from initiator node 0; node 0: 10 ns, 10240 MB/s.
describe('DAX080 performance expectation not met', () => {
  it('fires on a latency the node misses, by how much, and names the node that meets it', () => {
    expectFinding(
      `${N1}region 0 on lab { device a { size 512M <|expect read-latency 30ns from node 0|> } }\n`,
      'DAX080',
      'error',
      /^`a` expects read-latency at most 30 ns from node 0 \(access0\), but region 0 on lab is memory of node 1, whose HMAT read-latency from node 0 is 40 ns: 10 ns \(33%\) too slow; node 0 \(10 ns\) would meet it$/,
    );
  });

  it('fires on a bandwidth the node misses (access1)', () => {
    expectFinding(
      `${N1}region 0 on lab { device a { size 512M <|expect write-bandwidth 4000MB/s from node 0 access1|> } }\n`,
      'DAX080',
      'error',
      /write-bandwidth at least 4000 MB\/s from node 0 \(access1\).*is 2048 MB\/s: 1952 MB\/s \(49%\) short; node 0 \(10240 MB\/s\) would meet it$/,
    );
  });

  it('says when no node meets it', () => {
    expectFinding(
      `${N1}region 0 on lab { device a { size 512M <|expect read-latency 5ns from node 0|> } }\n`,
      'DAX080',
      'error',
      /no node of this host meets it from there$/,
    );
  });

  it('does not fire when HMAT meets the expectation, or has no data', () => {
    expectNone(
      `${N1}region 0 on lab { device a { size 512M expect read-latency 40ns from node 0 expect read-bandwidth 2GB/s from node 0 } }\n`,
      'DAX080',
    );
    const v = noHmat();
    expectNone(`${v.head}region 0 on lab { device a { size 512M expect read-latency 5ns from node 0 } }\n`, 'DAX080', {
      files: v.files,
    });
    // the recaptured 6.1 sample has node 1's HMAT data (read from the ACPI tables): 40 ns from node 0
    expectNone(`${LAB61}region 0 on lab { device a { size 512M expect read-latency 40ns from node 0 } }\n`, 'DAX080');
  });
});
