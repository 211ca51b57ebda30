import { describe, expect, it } from 'vitest';
import { LAB61, expectFinding, expectNone, run } from './harness';

describe('DAX007 assumed host facts', () => {
  it('reports the kernel release assumed for a design region, on the region id', () => {
    expectFinding(`region <|1|> { start 0x1_0000_0000 size 4G node 1  device a { size 1G } }\n`, 'DAX007', 'info', /^design: kernel release not declared: assuming Linux 6\.12\.0$/);
  });

  it('reports it on the host name for a declared host without a kernel', () => {
    expectFinding(`host <|future|> { memory-block 2G }\nregion 4 on future { start 0x40_0000_0000 size 256G node 3  device a { size 1G } }\n`, 'DAX007', 'info', /^host future: kernel release not declared/);
  });

  it('reports what daxctl JSON does not carry, on the facts file', () => {
    const src = `host lab { facts "linux-6.12.daxctl.json" kernel "6.12.117+deb12-amd64" }\nregion 0 on lab { device a { size 1G } }\n`;
    const { analysis } = run(src);
    const found = analysis.findings.filter((f) => f.code === 'DAX007');
    expect(found.length).toBeGreaterThan(0);
    const at = src.indexOf('"linux-6.12.daxctl.json"');
    for (const f of found) {
      expect(f.severity).toBe('info');
      expect(f.span).toEqual({ start: at, end: at + '"linux-6.12.daxctl.json"'.length });
      expect(f.message).toMatch(/^host lab: /);
    }
    expect(found.some((f) => /memory block size/.test(f.message))).toBe(true);
  });

  it('does not fire when the design host declares its kernel', () => {
    expectNone(`host future { kernel "6.12.0" }\nregion 4 on future { start 0x40_0000_0000 size 256G node 3  device a { size 1G } }\n`, 'DAX007');
  });

  it('does not repeat the assumptions a daxlayout facts file already records', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 1G } }\n`, 'DAX007');
  });
});
