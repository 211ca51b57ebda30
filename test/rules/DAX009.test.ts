import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { LAB61, LAB612, SAMPLES, expectFinding, expectNone } from './harness';

describe('DAX009 region geometry', () => {
  it('requires start on a region designed without facts', () => {
    expectFinding(
      `region <|1|> { size 4G node 1  device a { size 1G } }\n`,
      'DAX009',
      'error',
      /region 1 has no host facts, so its geometry must be declared: add `start` \(/,
    );
  });

  it('requires start and size on a host without facts', () => {
    expectFinding(
      `host h { kernel "6.12.0" }\nregion <|1|> on h { node 1  device a { size 1G } }\n`,
      'DAX009',
      'error',
      /add `start` and `size`/,
    );
  });

  it('warns on a declared size that contradicts the facts', () => {
    expectFinding(
      `${LAB61}region 0 on lab { size <|4G|>  device a { size 1G } }\n`,
      'DAX009',
      'warning',
      /the region size is declared as 4 GiB but the host's facts say 2 GiB; the facts are used/,
    );
  });

  it('warns on each contradicting value', () => {
    expectFinding(
      `${LAB612}region 0 on lab { start <|0x2_0000_0000|> node <|2|> <|static|>  device a { size 1G } }\n`,
      'DAX009',
      'warning',
      /(region start is declared as 0x200000000 .* 0x100000000|target node is declared as 2 .* say 1|region kind is declared as static .* say dynamic); the facts are used/,
    );
  });

  it('warns when a declared memory-side cache differs from the facts', () => {
    expectFinding(
      `host lab { facts "linux-6.1-node1-online.facts.json" }\nregion 0 on lab { cache <|512M|> device a { size 512M } }\n`,
      'DAX009',
      'warning',
      /^the memory-side cache is declared as 512 MiB but the host's facts say 256 MiB; the facts are used$/,
    );
    // the 6.1 capture has node 1's 256 MiB cache (ACPI HMAT): a copy without it says none
    const noCache = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.1.facts.json'), 'utf8'));
    for (const n of noCache.nodes) n.caches = [];
    expectFinding(
      `host lab { facts "nocache.json" }\nregion 0 on lab { cache <|256M|> device a { size 512M } }\n`,
      'DAX009',
      'warning',
      /memory-side cache is declared as 256 MiB but the host's facts say none/,
      {
        files: { 'nocache.json': JSON.stringify(noCache) },
      },
    );
    expectNone(`${LAB61}region 0 on lab { cache 256M device a { size 512M } }\n`, 'DAX009');
  });

  it('does not fire on declared geometry that agrees with the facts', () => {
    expectNone(
      `${LAB61}region 0 on lab { start 0x1_0000_0000 size 2G align 2M node 1 dynamic  device a { size 1G } }\n`,
      'DAX009',
    );
    expectNone(
      `host lab { facts "linux-6.1-node1-online.facts.json" }\nregion 0 on lab { cache 256M device a { size 512M } }\n`,
      'DAX009',
    );
  });

  it('does not fire on a design region with start and size', () => {
    expectNone(`region 1 { start 0x1_0000_0000 size 4G node 1  device a { size 1G } }\n`, 'DAX009');
  });
});
