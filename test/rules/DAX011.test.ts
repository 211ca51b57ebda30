import { describe, expect, it } from 'vitest';
import type { Finding } from '../../server/core/index';
import { LAB61, LAB612, expectFinding, expectNone, marked } from './harness';

function applyFix(text: string, fix: NonNullable<Finding['fixes']>[number]): string {
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

const ARM = `host arm { kernel "6.12.0" arch aarch64 }\n`;

describe('DAX011 alignment not allowed', () => {
  it('fires on 4M on x86_64 and offers the accepted aligns', () => {
    const src = `${LAB61}region 0 on lab { device a { size 512M align <|4M|> } }\n`;
    const [f] = expectFinding(
      src,
      'DAX011',
      'error',
      /^align 4 MiB is not allowed on x86_64: the kernel accepts 4 KiB, 2 MiB, 1 GiB/,
    );
    expect(f?.fixes?.map((x) => x.title)).toEqual(['Change align to 4K', 'Change align to 2M', 'Change align to 1G']);
    const fixed = applyFix(marked(src).text, f!.fixes![1]!);
    expect(fixed).toContain('size 512M align 2M');
    expectNone(fixed, 'DAX011');
  });

  it('fires on 6.12 facts too', () => {
    expectFinding(
      `${LAB612}region 0 on lab { device a { size 512M align <|64K|> } }\n`,
      'DAX011',
      'error',
      /align 64 KiB is not allowed on x86_64/,
    );
  });

  it('refuses 1 GiB on aarch64, which has no PUD-level THP', () => {
    const [f] = expectFinding(
      `${ARM}region 1 on arm { start 0x1_0000_0000 size 4G node 1  device a { size 1G align <|1G|> } }\n`,
      'DAX011',
      'error',
      /align 1 GiB is not allowed on aarch64: the kernel accepts 4 KiB, 2 MiB \(/,
    );
    expect(f?.fixes?.map((x) => x.edits[0]?.newText)).toEqual(['4K', '2M']);
  });

  it('does not fire on accepted aligns', () => {
    expectNone(
      `${LAB61}region 0 on lab { device a { size 1G align 1G } device b { size 512M align 4K } device c { size 512M align 2M } }\n`,
      'DAX011',
    );
    expectNone(
      `${ARM}region 1 on arm { start 0x1_0000_0000 size 4G node 1  device a { size 1G align 2M } }\n`,
      'DAX011',
    );
  });
});
