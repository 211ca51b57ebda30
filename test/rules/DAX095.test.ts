import { describe, expect, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone, run } from './harness';

// cxl-6.12's region binds to kmem at boot: DAX043 (info) fires on its id.
const KMEM = (comment: string) => `${LAB612}${comment}region 0 on lab { device a { size 512M } }\n`;

describe('DAX095 ignore comments', () => {
  it('hides a warning or info on the line below a comment alone on its line, and lists it as suppressed', () => {
    const plain = run(KMEM(''));
    expect(plain.analysis.findings.map((f) => f.code)).toContain('DAX043');
    const { analysis } = run(KMEM('# daxlayout: ignore DAX043\n'));
    expect(analysis.findings.map((f) => f.code)).not.toContain('DAX043');
    expect(analysis.suppressed?.map((f) => f.code)).toEqual(['DAX043']);
    expectNone(KMEM('# daxlayout: ignore DAX043\n'), 'DAX095');
  });

  it("hides a finding on the comment's own line, and takes several codes", () => {
    const text = `${LAB612}region 0 on lab { device a { size 512M } }   # daxlayout: ignore DAX007, DAX043\n`;
    const { analysis } = run(text);
    expect(analysis.findings.filter((f) => f.code === 'DAX043')).toEqual([]);
    expect(analysis.suppressed?.map((f) => f.code)).toEqual(['DAX043']);
    // DAX007 has nothing to hide on that line: said so, once
    expectFinding(
      `${LAB612}region 0 on lab { device a { size 512M } }   <|# daxlayout: ignore DAX007, DAX043|>\n`,
      'DAX095',
      'info',
      /^`ignore DAX007` hides nothing: no DAX007 finding starts on line 2/,
    );
  });

  it('never hides an error: the error stays, and the comment gets a warning saying why', () => {
    const text = `${LAB61}region 0 on lab {\n  device a { size 3M }   <|# daxlayout: ignore DAX010|>\n}\n`;
    expectFinding(
      text,
      'DAX095',
      'warning',
      /^`ignore DAX010` does not hide this error: an error means apply would fail/,
    );
    const { analysis } = run(text);
    expect(analysis.findings.filter((f) => f.code === 'DAX010').map((f) => f.severity)).toEqual(['error']);
    expect(analysis.suppressed ?? []).toEqual([]);
  });

  it('says when a comment covers nothing (a finding two lines down is not covered)', () => {
    const text = `${LAB612}<|# daxlayout: ignore DAX043|>\n\nregion 0 on lab { device a { size 512M } }\n`;
    expectFinding(text, 'DAX095', 'info', /^`ignore DAX043` hides nothing: no DAX043 finding starts on line 3/);
    expect(run(text).analysis.findings.map((f) => f.code)).toContain('DAX043');
  });

  it('does not fire on ordinary comments', () => {
    expectNone(
      `${LAB61}# daxlayout keeps this region for the weather model\nregion 0 on lab { device a { size 2M } }\n`,
      'DAX095',
    );
  });
});
