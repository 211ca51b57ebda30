import { describe, expect, it } from 'vitest';
import type { Finding } from '../../server/core/index';
import { LAB61, LAB612, expectFinding, expectNone, marked } from './harness';

function applyFix(text: string, fix: NonNullable<Finding['fixes']>[number]): string {
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

describe('DAX010 size not a multiple of the granule', () => {
  it('fires on 3M with the region align 2 MiB, offering the nearest sizes', () => {
    const src = `${LAB61}region 0 on lab { device a { size <|3M|> } }\n`;
    const [f] = expectFinding(
      src,
      'DAX010',
      'error',
      /^size 3 MiB is not a multiple of align 2 MiB; nearest valid sizes: 2 MiB, 4 MiB$/,
    );
    expect(f?.fixes?.map((x) => x.title)).toEqual(['Change size to 2M', 'Change size to 4M']);
    for (const fix of f!.fixes!) {
      const fixed = applyFix(marked(src).text, fix);
      expect(fixed).toMatch(/device a \{ size [24]M \}/);
      expectNone(fixed, 'DAX010');
    }
  });

  it('explains the 2 MiB floor when the device align is smaller', () => {
    expectFinding(
      `${LAB612}region 0 on lab { device a { size <|3M|> align 4K } }\n`,
      'DAX010',
      'error',
      /not a multiple of 2 MiB \(the kernel's allocation granule: max\(align 4 KiB, 2 MiB\)\)/,
    );
  });

  it('uses a 1 GiB align as the granule', () => {
    const [f] = expectFinding(
      `${LAB61}region 0 on lab { device a { size <|1536M|> align 1G } }\n`,
      'DAX010',
      'error',
      /size 1536 MiB is not a multiple of align 1 GiB; nearest valid sizes: 1 GiB, 2 GiB/,
    );
    expect(f?.fixes?.map((x) => x.edits[0]?.newText)).toEqual(['1G', '2G']);
  });

  it('offers only the size above when rounding down gives 0', () => {
    const [f] = expectFinding(
      `${LAB61}region 0 on lab { device a { size <|1M|> } }\n`,
      'DAX010',
      'error',
      /nearest valid sizes: 2 MiB$/,
    );
    expect(f?.fixes?.map((x) => x.title)).toEqual(['Change size to 2M']);
  });

  it('does not fire on granule multiples', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 4M } }\n`, 'DAX010');
    expectNone(`${LAB61}region 0 on lab { device a { size 1G align 1G } device b { size 2M align 4K } }\n`, 'DAX010');
    expectNone(`${LAB612}region 0 on lab { device a { size 4M } }\n`, 'DAX010');
  });
});
