import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../server/core/index';
import { LAB61, LAB612, SAMPLES, expectFinding, expectNone, marked } from './harness';

function applyFix(text: string, fix: NonNullable<Finding['fixes']>[number]): string {
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

const noRegions = (() => {
  const f = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.1.facts.json'), 'utf8'));
  f.regions = [];
  return JSON.stringify(f);
})();

describe('DAX003 unknown region', () => {
  it('fires on a region id the facts do not have, listing the host regions', () => {
    const src = `${LAB61}region <|5|> on lab { device a { size 1G } }\n`;
    const [f] = expectFinding(
      src,
      'DAX003',
      'error',
      /host lab has no dax region 5; its regions: 0 \(2 GiB at 0x100000000\)/,
    );
    expect(f?.fixes?.map((x) => x.title)).toEqual(['Use region 0']);
    const fixed = applyFix(marked(src).text, f!.fixes![0]!);
    expect(fixed).toContain('region 0 on lab');
    expectNone(fixed, 'DAX003');
  });

  it('fires on 6.12 facts too', () => {
    expectFinding(`${LAB612}region <|1|> on lab { device a { size 1G } }\n`, 'DAX003', 'error', /has no dax region 1/);
  });

  it('asks about soft-reserved memory when the host has no region at all', () => {
    const [f] = expectFinding(
      `host lab { facts "none.json" }\nregion <|0|> on lab { device a { size 1G } }\n`,
      'DAX003',
      'error',
      /no dax region at all \(is the memory soft-reserved/,
      {
        files: { 'none.json': noRegions },
      },
    );
    expect(f?.fixes).toBeUndefined();
  });

  it('does not fire for a region the facts have', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 1G } }\n`, 'DAX003');
    expectNone(`${LAB612}region 0 on lab { device a { size 1G } }\n`, 'DAX003');
  });

  it('does not fire on a design region (no facts file)', () => {
    expectNone(`region 7 { start 0x1_0000_0000 size 4G node 1  device a { size 1G } }\n`, 'DAX003');
  });

  it('does not claim region 0 is missing when the facts have it but the model could not start', () => {
    // daxctl JSON carries no kernel release: DAX005 reports that; region 0 is in the facts.
    expectNone(`host lab { facts "linux-6.1.daxctl.json" }\nregion 0 on lab { device a { size 1G } }\n`, 'DAX003');
  });
});
