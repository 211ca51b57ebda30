import { describe, expect, it } from 'vitest';
import type { Finding } from '../../server/core/index';
import { LAB61, LAB612, expectFinding, expectNone, marked } from './harness';

function applyFix(text: string, fix: NonNullable<Finding['fixes']>[number]): string {
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

describe('DAX020 region over-committed', () => {
  it('fires on the size of the device that overflows the region, and offers to shrink it', () => {
    const src = `${LAB61}region 0 on lab {\n  device a { size 1G }\n  device b { size <|1536M|> }\n}\n`;
    const [f] = expectFinding(
      src,
      'DAX020',
      'error',
      /^region 0 on lab is over-committed by 512 MiB: the devices ask for 2560 MiB but the region holds 2 GiB; 1 GiB is left for `b`$/,
    );
    expect(f?.related?.[0]?.message).toBe('region 0 on lab: 2 GiB');
    expect(f?.fixes?.map((x) => x.title)).toEqual(['Shrink `b` to 1G']);
    const fixed = applyFix(marked(src).text, f!.fixes![0]!);
    expect(fixed).toContain('device b { size 1G }');
    expectNone(fixed, 'DAX020');
  });

  it('fires on 6.12 facts too', () => {
    expectFinding(
      `${LAB612}region 0 on lab { device a { size 2G } device b { size <|2M|> } }\n`,
      'DAX020',
      'error',
      /over-committed by 2 MiB: .* nothing is left for `b`/,
    );
  });

  it('fires on `rest` when the other devices take everything', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size 2G } device b { size <|rest|> } }\n`,
      'DAX020',
      'error',
      /^nothing is left for `size rest`: the other devices take all 2 GiB of region 0 on lab$/,
    );
  });

  it('counts devices the layout does not list but apply keeps', () => {
    const [f] = expectFinding(
      `${LAB61}region 0 on lab { device a { name dax0.1 size <|1G|> } }\n`,
      'DAX020',
      'error',
      /the devices ask for 3 GiB \(including 2 GiB kept on dax0\.0, which the layout does not list — apply --prune removes them\) but the region holds 2 GiB; nothing is left for `a`/,
    );
    expect(f?.fixes).toBeUndefined();
  });

  it('does not fire when the devices fill the region exactly', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 1G } device b { size 1G } }\n`, 'DAX020');
    expectNone(
      `${LAB61}region 0 on lab { device a { size 1G } device b { size 512M } device c { size rest } }\n`,
      'DAX020',
    );
  });

  it('does not count a device that --prune removes', () => {
    expectNone(`${LAB61}region 0 on lab { device a { name dax0.1 size 1G } }\n`, 'DAX020', { prune: true });
  });
});
