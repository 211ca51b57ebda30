import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB61, SAMPLES, expectFinding, expectNone, run } from './harness';

describe('DAX007 assumed host facts', () => {
  it('reports the kernel release assumed for a design region, on the region id', () => {
    expectFinding(
      `region <|1|> { start 0x1_0000_0000 size 4G node 1  device a { size 1G } }\n`,
      'DAX007',
      'info',
      /^regions without a host \(designed from their declarations\): kernel release not declared: assuming Linux 7\.3\.0$/,
    );
  });

  it('reports it on the host name for a declared host without a kernel', () => {
    expectFinding(
      `host <|future|> { memory-block 2G }\nregion 4 on future { start 0x40_0000_0000 size 256G node 3  device a { size 1G } }\n`,
      'DAX007',
      'info',
      /^host future: kernel release not declared/,
    );
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
    expectNone(
      `host future { kernel "6.12.0" }\nregion 4 on future { start 0x40_0000_0000 size 256G node 3  device a { size 1G } }\n`,
      'DAX007',
    );
  });

  it('warns on a declared kernel newer than the modelled range, naming 7.3 and what may differ', () => {
    expectFinding(
      `host future { kernel <|"8.1.0"|> }\nregion 4 on future { start 0x40_0000_0000 size 256G node 3  device a { size 1G } }\n`,
      'DAX007',
      'warning',
      /^host future: Linux 8\.1\.0 is newer than the newest release daxlayout models \(7\.3, measured write by write on Debian 7\.3\.4\); it is modelled as 7\.3\. What may differ: the region's sysfs path .*kmem `state`/,
    );
  });

  it('warns on a declared kernel older than 5.10, naming 5.10 and that every region is then static', () => {
    expectFinding(
      `host old { kernel <|"4.19.0-27-amd64"|> }\nregion 0 on old { start 0x1_0000_0000 size 4G node 1  device a { size 4G } }\n`,
      'DAX007',
      'warning',
      /^host old: Linux 4\.19\.0-27-amd64 is older than the oldest release daxlayout models \(5\.10\); .*nearest, 5\.10, .*every region is static/,
    );
  });

  it('warns on a capture from a newer kernel, on the facts file (never a silent answer)', () => {
    expectFinding(
      `host lab { facts <|"linux-6.12.facts.json"|> }\nregion 0 on lab { device a { size 1G } }\n`,
      'DAX007',
      'warning',
      /^host lab: Linux 7\.4\.1\+deb13-amd64 is newer than the newest release daxlayout models/,
      {
        files: {
          'linux-6.12.facts.json': readFileSync(join(SAMPLES, 'linux-6.12.facts.json'), 'utf8').replace(
            /"kernelRelease": "[^"]*"/,
            '"kernelRelease": "7.4.1+deb13-amd64"',
          ),
        },
      },
    );
  });

  it('does not warn inside the modelled range (5.10 and 7.3 included)', () => {
    for (const k of ['5.10.0', '7.3.4+deb13-amd64']) {
      const { analysis } = run(
        `host h { kernel "${k}" }\nregion 4 on h { start 0x40_0000_0000 size 256G node 3  device a { size 1G } }\n`,
      );
      expect(analysis.findings.filter((f) => f.code === 'DAX007' && f.severity === 'warning')).toEqual([]);
    }
  });

  it('does not repeat the assumptions a daxlayout facts file already records', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 1G } }\n`, 'DAX007');
  });
});
