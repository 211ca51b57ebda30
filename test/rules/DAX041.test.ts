import { describe, expect, it } from 'vitest';
import type { Finding } from '../../server/core/index';
import { LAB61, LAB612, expectFinding, expectNone, marked } from './harness';

function applyFix(text: string, fix: NonNullable<Finding['fixes']>[number]): string {
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

describe('DAX041 kernel name not assignable', () => {
  it('fires on a pinned name that is not the lowest free id, and offers the one the kernel gives', () => {
    const src = `${LAB61}region 0 on lab {\n  device a { size 1G }\n  device b { name <|dax0.2|> size 512M }\n}\n`;
    const [f] = expectFinding(
      src,
      'DAX041',
      'error',
      /^the kernel will name this device dax0\.1, not dax0\.2: it gives a new device the lowest free id of its region \(ids in use after the plan: 0, 1\)\. Pin dax0\.1, or drop `name`$/,
    );
    expect(f?.fixes?.map((x) => x.title)).toEqual(['Pin dax0.1']);
    const fixed = applyFix(marked(src).text, f!.fixes![0]!);
    expect(fixed).toContain('name dax0.1 size 512M');
    expectNone(fixed, 'DAX041');
  });

  it('fires on 6.12 facts too, for each new device named out of order', () => {
    expectFinding(
      `${LAB612}region 0 on lab {\n  device a { name <|dax0.2|> size 512M }\n  device b { name <|dax0.1|> size 512M }\n}\n`,
      'DAX041',
      'error',
      /the kernel will name this device dax0\.[12], not dax0\.[21]/,
      { prune: true },
    );
  });

  it('does not fire on the name the kernel will assign, or on an existing device', () => {
    expectNone(
      `${LAB61}region 0 on lab {\n  device a { size 1G }\n  device b { name dax0.1 size 512M }\n}\n`,
      'DAX041',
    );
    expectNone(`${LAB61}region 0 on lab { device a { name dax0.0 size 1G } }\n`, 'DAX041');
    expectNone(
      `${LAB612}region 0 on lab { device a { name dax0.0 size 1G } device b { name dax0.1 size 1G } }\n`,
      'DAX041',
    );
  });
});
