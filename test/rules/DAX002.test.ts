import { describe, expect, it } from 'vitest';
import type { Finding } from '../../server/core/index';
import { LAB61, expectFinding, expectNone, marked } from './harness';

function applyFix(text: string, fix: NonNullable<Finding['fixes']>[number]): string {
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

describe('DAX002 unknown host', () => {
  it('fires on a misspelt host name and offers the declared one', () => {
    const src = `${LAB61}region 0 on <|lba|> { device a { size 1G } }\n`;
    const [f] = expectFinding(src, 'DAX002', 'error', /no host `lba` is declared in this file; did you mean `lab`\?/);
    expect(f?.fixes?.map((x) => x.title)).toEqual(['Change to `lab`']);
    const fixed = applyFix(marked(src).text, f!.fixes![0]!);
    expect(fixed).toContain('region 0 on lab {');
    expectNone(fixed, 'DAX002');
  });

  it('suggests declaring the host when no declared name is close', () => {
    const [f] = expectFinding(
      `${LAB61}region 0 on <|db7|> { device a { size 1G } }\n`,
      'DAX002',
      'error',
      /no host `db7` is declared in this file; add `host db7 \{/,
    );
    expect(f?.fixes).toBeUndefined();
  });

  it('fires in a file that declares no host at all', () => {
    expectFinding(`region 0 on <|db7|> { device a { size 1G } }\n`, 'DAX002', 'error', /add `host db7/);
  });

  it('does not fire for a declared host or a region without `on`', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 1G } }\n`, 'DAX002');
    expectNone(`region 1 { start 0x1_0000_0000 size 4G node 1  device a { size 1G } }\n`, 'DAX002');
  });
});
