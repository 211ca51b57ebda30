import { describe, it } from 'vitest';
import { LAB61, LAB612, expectFinding, expectNone } from './harness';

describe('DAX005 facts file problem', () => {
  it('fires on a facts file that cannot be read, on the file name', () => {
    expectFinding(
      `host lab { facts <|"nope.facts.json"|> }\nregion 0 on lab { device a { size 1G } }\n`,
      'DAX005',
      'error',
      /^facts "nope\.facts\.json": no such file/,
    );
  });

  it('fires on a facts file that is not JSON', () => {
    expectFinding(
      `host lab { facts <|"bad.json"|> }\nregion 0 on lab { device a { size 1G } }\n`,
      'DAX005',
      'error',
      /^facts "bad\.json": not valid JSON/,
      {
        files: { 'bad.json': '{ "format": "daxlayout-facts/1", ' },
      },
    );
  });

  it('warns when the host block overrides a value the facts file gives', () => {
    expectFinding(
      `host lab { facts <|"linux-6.1.facts.json"|> kernel "6.12.0" }\nregion 0 on lab { device a { size 1G } }\n`,
      'DAX005',
      'warning',
      /replaces kernelRelease "6\.1\.0-57-amd64"/,
    );
  });

  it('reports daxctl JSON without a kernel release once', () => {
    expectFinding(
      `host lab { facts <|"linux-6.1.daxctl.json"|> }\nregion 0 on lab { device a { size 1G } }\n`,
      'DAX005',
      'error',
      /kernel release/,
    );
  });

  it('does not fire on valid captures, or on daxctl JSON once the host gives the kernel release', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 1G } }\n`, 'DAX005');
    expectNone(`${LAB612}region 0 on lab { device a { size 1G } }\n`, 'DAX005');
    expectNone(
      `host lab { facts "linux-6.12.daxctl.json" kernel "6.12.118+deb12-amd64" }\nregion 0 on lab { device a { size 1G } }\n`,
      'DAX005',
    );
  });

  it('does not fire for a host without a facts file', () => {
    expectNone(
      `host future { kernel "6.12.0" }\nregion 4 on future { start 0x40_0000_0000 size 256G node 3  device a { size 1G } }\n`,
      'DAX005',
    );
  });
});
