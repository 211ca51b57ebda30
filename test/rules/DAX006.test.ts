import { describe, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB61, SAMPLES, expectFinding, expectNone } from './harness';

describe('DAX006 invalid value', () => {
  it('fires on a decimal unit', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size <|4GB|> } }\n`,
      'DAX006',
      'error',
      /`GB` is ambiguous .* write 4G or 4GiB/,
    );
  });

  it('fires on a fraction and says the exact size', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size <|1.5G|> } }\n`,
      'DAX006',
      'error',
      /not a whole number.*write 1536M/,
    );
  });

  it('fires on a size of 0', () => {
    expectFinding(`${LAB61}region 0 on lab { device a { size <|0|> } }\n`, 'DAX006', 'error', /size 0 holds no memory/);
  });

  it('fires on a system-ram option given to a devdax device', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size 1G mode devdax <|movable|> } }\n`,
      'DAX006',
      'error',
      /applies to system-ram only/,
    );
  });

  it('fires on a kernel name of another region', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { name <|dax1.1|> size 1G } }\n`,
      'DAX006',
      'error',
      /belongs to region 1, but this is region 0; use dax0\.1/,
    );
  });

  it('fires on contradicting mode options and on a bad host value', () => {
    expectFinding(
      `host lab { facts "linux-6.1.facts.json" memory-block <|100M|> }\nregion 0 on lab { device a { size 1G mode system-ram online <|offline|> } }\n`,
      'DAX006',
      'error',
      /power of two|contradicts `online`/,
    );
  });

  it('does not fire on valid values', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 4G } }\n`, 'DAX006');
    expectNone(
      `${LAB61}region 0 on lab { device a { size 1536M mode system-ram movable } device b { name dax0.1 size 4GiB } }\n`,
      'DAX006',
    );
    expectNone(
      `host lab { facts "linux-6.1.facts.json" memory-block 128M }\nregion 0 on lab { device a { size 1G mode system-ram offline normal } }\n`,
      'DAX006',
    );
  });

  // Values typed on the way to normal ones: diagnosed before anything is modelled, and cheap.
  const DESIGN = (host: string, region: string) =>
    `host d {\n  kernel "6.12.0"\n${host}}\nregion 4 on d {\n  start 0x40_0000_0000\n  align 2M\n  node 3\n  dynamic\n${region}  device a { size 1G mode system-ram movable }\n}\n`;

  it.each(['1', '2', '4K', '64M', '4G'])('fires on memory-block %s, which no x86-64 or arm64 kernel has', (v) => {
    expectFinding(
      DESIGN(`  memory-block <|${v}|>\n`, '  size 64G\n'),
      'DAX006',
      'error',
      /memory blocks are 128 MiB to 2 GiB, not .*write the host's block_size_bytes/,
    );
  });

  it('accepts the memory block sizes of real hosts', () => {
    for (const v of ['128M', '256M', '1G', '2G']) expectNone(DESIGN(`  memory-block ${v}\n`, '  size 64G\n'), 'DAX006');
  });

  it('holds an arm64 host to its own block size', () => {
    expectFinding(
      DESIGN(`  arch aarch64\n  memory-block <|2G|>\n`, '  size 64G\n'),
      'DAX006',
      'error',
      /aarch64 memory blocks are 128 MiB, not 2 GiB/,
    );
  });

  it('fires on a cache smaller than a page', () => {
    expectFinding(
      DESIGN('', '  size 64G\n  cache <|2|>\n'),
      'DAX006',
      'error',
      /cache of 2 B is smaller than a 4 KiB page/,
    );
  });

  it('fires on a region past the physical address width (2^63 bytes) and on a region of 0 bytes', () => {
    expectFinding(
      DESIGN('', '  size <|9223372036854775808|>\n'),
      'DAX006',
      'error',
      /ends past 52-bit physical addresses/,
    );
    expectFinding(DESIGN('', '  size <|0|>\n'), 'DAX006', 'error', /region of 0 bytes holds nothing/);
  });

  it('a facts file with an impossible block size is not modelled (DAX005 names the value)', () => {
    const facts = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.1.facts.json'), 'utf8')) as Record<string, unknown>;
    facts.memoryBlockSize = 67108864;
    expectFinding(
      `host lab { facts <|"bad.json"|> }\nregion 0 on lab { device a { size 1G } }\n`,
      'DAX005',
      'error',
      /not modelled: x86_64 memory blocks are 128 MiB to 2 GiB, not 64 MiB/,
      {
        files: { 'bad.json': JSON.stringify(facts) },
      },
    );
  });
});
