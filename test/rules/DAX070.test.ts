import { describe, expect, it } from 'vitest';
import { LAB61, expectFinding, expectNone, run } from './harness';
import { N1, noHmat, variant } from './colour-facts';

const rangeCount = (a: ReturnType<typeof run>['analysis']) =>
  a.hosts[0]!.plan!.assigned.get(a.layout.regions[0]!.devices[0]!)?.ranges.length;

describe('DAX070 colours without a direct-mapped memory-side cache', () => {
  it('fires when the node shows no HMAT data, and the device is not placed', () => {
    const v = noHmat();
    const src = `${v.head}region 0 on lab { device weather { <|colours 0..1 of 4|> } }\n`;
    expectFinding(
      src,
      'DAX070',
      'error',
      /^node 1 shows no HMAT data at all .*capture the facts again as root.*drop `colours`/,
      { files: v.files },
    );
    const { analysis } = run(src, { files: v.files });
    const dev = analysis.layout.regions[0]!.devices[0]!;
    expect(analysis.hosts[0]!.plan!.assigned.has(dev)).toBe(false);
  });

  it('fires when the node has HMAT data but no memory-side cache', () => {
    const v = variant({ noCache: true });
    expectFinding(
      `${v.head}region 0 on lab { device weather { <|colours 0 of 4|> } }\n`,
      'DAX070',
      'error',
      /^node 1 reports no memory-side cache \(memory_side_cache\/ is empty\)/,
      { files: v.files },
    );
  });

  it('warns when the cache is not direct-mapped, and still places the stripes', () => {
    const v = variant({ indexing: 1 });
    const src = `${v.head}region 0 on lab { device weather { <|colours 0 of 4|> } }\n`;
    expectFinding(
      src,
      'DAX070',
      'warning',
      /256 MiB memory-side cache of node 1 is indexed \(complex\) \(indexing 1\), not direct-mapped/,
      { files: v.files },
    );
    const { analysis } = run(src, { files: v.files });
    expect(analysis.hosts[0]!.plan!.colours.get(analysis.layout.regions[0]!.devices[0]!)?.stripes.length).toBe(4);
  });

  it('fires on a design region without a declared `cache`, not with one', () => {
    expectFinding(
      `region 1 { start 0x1_0000_0000 size 4G node 2 device a { <|colours 0 of 4|> } }\n`,
      'DAX070',
      'error',
      /^node 2 is not in the facts/,
    );
    const { analysis } = run(
      `region 1 { start 0x1_0000_0000 size 4G node 2 cache 256M device a { colours 0 of 4 } }\n`,
    );
    expect(analysis.findings.filter((f) => f.code === 'DAX070')).toEqual([]);
    expect(rangeCount(analysis)).toBe(16);
  });

  it('does not fire on a direct-mapped cache, nor on devices without colours', () => {
    expectNone(`${N1}region 0 on lab { device weather { colours 0..1 of 4 } }\n`, 'DAX070');
    expectNone(`${LAB61}region 0 on lab { device weather { size 1G } }\n`, 'DAX070');
  });
});
