import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/core/index';
import { MAX_DUPLICATES } from '../../server/core/rules/dax004-duplicate';
import { LAB61, expectFinding, expectNone, sampleReader } from './harness';

describe('DAX004 duplicate declaration', () => {
  it('fires on a device label declared twice in a region, pointing back at the first', () => {
    const [f] = expectFinding(
      `${LAB61}region 0 on lab {\n  device a { size 512M }\n  device <|a|> { size 1G }\n}\n`,
      'DAX004',
      'error',
      /device `a` is already declared in this region; labels are unique per region/,
    );
    expect(f?.related?.length).toBe(1);
  });

  it('fires on a device property set twice', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size 512M <|size|> 1G } }\n`,
      'DAX004',
      'error',
      /`size` is already set for device `a`/,
    );
  });

  it('fires on a host declared twice', () => {
    expectFinding(
      `${LAB61}host <|lab|> { facts "linux-6.12.facts.json" }\nregion 0 on lab { device a { size 512M } }\n`,
      'DAX004',
      'error',
      /host `lab` is already declared/,
    );
  });

  it('fires on a region declared twice on the same host', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size 512M } }\nregion <|0|> on lab { device b { size 512M } }\n`,
      'DAX004',
      'error',
      /region 0 on lab is already declared; put all its devices in one block/,
    );
  });

  it('does not fire on the same label in different regions, or on repeated `range`', () => {
    expectNone(
      `${LAB61}region 0 on lab { device a { size 512M } }\nregion 1 { start 0x2_0000_0000 size 4G node 1  device a { size 512M } }\n`,
      'DAX004',
    );
    expectNone(
      `${LAB61}region 0 on lab { device a { range 0x1_0000_0000 + 512M range 0x1_4000_0000 + 512M } }\n`,
      'DAX004',
    );
  });
});

describe('DAX004 on a generated file', () => {
  // a 1 MB line repeating one property: the findings stay bounded (the first MAX_DUPLICATES,
  // then one that counts the rest), the rule never overflows the stack (no DAX099)
  it('a property repeated over a 1 MB line: 1000 findings and one that counts the rest, no internal error', () => {
    const n = 131_072;
    const text = `${LAB61}region 0 on lab { device a { ${'size 1G '.repeat(n)}} }\n`;
    expect(text.length).toBeGreaterThan(1_000_000);
    const a = analyze(text, { readFacts: sampleReader() });
    expect(a.findings.filter((f) => f.code === 'DAX099')).toEqual([]);
    const dups = a.findings.filter((f) => f.code === 'DAX004');
    expect(dups).toHaveLength(MAX_DUPLICATES + 1);
    expect(dups[MAX_DUPLICATES]?.message).toBe(
      `${n - 1 - MAX_DUPLICATES} more duplicate declarations from here on, not listed one by one (the first ${MAX_DUPLICATES} are): is this file generated?`,
    );
    expect(dups[0]?.message).toMatch(/`size` is already set for device `a`/);
  }, 180_000);

  it('hosts declared again and again on one line: bounded as well', () => {
    const a = analyze('host h { } '.repeat(150_000), { readFacts: sampleReader() });
    expect(a.findings.filter((f) => f.code === 'DAX099')).toEqual([]);
    expect(a.findings.filter((f) => f.code === 'DAX004')).toHaveLength(MAX_DUPLICATES + 1);
  }, 180_000);
});
