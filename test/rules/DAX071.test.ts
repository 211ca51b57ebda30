import { describe, expect, it } from 'vitest';
import { expectFinding, expectNone, run } from './harness';
import { N1 } from './colour-facts';

describe('DAX071 exclusive colour shared', () => {
  it('fires when a second request overlaps an exclusive one', () => {
    const [f] = expectFinding(
      `${N1}region 0 on lab {\n  device weather { colours 0..1 of 4 exclusive }\n  device vms { colours <|1..2|> of 4 }\n}\n`,
      'DAX071',
      'error',
      /^`vms` asks for colour 1 of 4, which `weather` also asks for, and `weather` wants its colours exclusively/,
    );
    expect(f?.related?.[0]?.message).toBe('`weather`: colours 0..1 of 4 exclusive');
  });

  it('compares colours of different K by the addresses they cover', () => {
    // colour 1 of 4 covers [64 MiB, 128 MiB) of each period, as colours 2..3 of 8 do.
    expectFinding(
      `${N1}region 0 on lab {\n  device a { colours 1 of 4 }\n  device b { colours <|3|> of 8 exclusive }\n}\n`,
      'DAX071',
      'error',
      /colour 3 of 8, which `a` also asks for, and `b` wants/,
    );
    expectNone(
      `${N1}region 0 on lab {\n  device a { colours 1 of 4 }\n  device b { colours 4 of 8 exclusive }\n}\n`,
      'DAX071',
    );
  });

  it('fires on a first-fit device that takes stripes an exclusive device left free', () => {
    // weather takes 256 MiB of its 512 MiB of colours 0..1; first fit gives `other` the rest.
    const src = `${N1}region 0 on lab {\n  device weather { colours 0..1 of 4 exclusive size 256M }\n  device <|other|> { size 768M }\n}\n`;
    expectFinding(
      src,
      'DAX071',
      'error',
      /^`other` \(dax0\.1, placed by first fit\) holds 256 MiB of colours 0\.\.1 of 4, which `weather` asked for exclusively.*colours 2\.\.3 of 4/,
    );
  });

  it('does not fire on disjoint colours, on shared colours without exclusive, or when first fit stays clear', () => {
    expectNone(
      `${N1}region 0 on lab {\n  device weather { colours 0..1 of 4 exclusive }\n  device vms { colours 2..3 of 4 }\n}\n`,
      'DAX071',
    );
    expectNone(
      `${N1}region 0 on lab {\n  device a { colours 0 of 4 size 128M }\n  device b { colours 0 of 4 size 128M }\n}\n`,
      'DAX071',
    );
    const { analysis } = run(
      `${N1}region 0 on lab {\n  device weather { colours 0..1 of 4 exclusive }\n  device other { size 512M }\n}\n`,
    );
    expect(analysis.findings.filter((f) => f.code === 'DAX071')).toEqual([]);
  });

  it('many devices asking for the same exclusive colours: one finding per device, not one per pair', () => {
    const devices = Array.from({ length: 300 }, (_, i) => `  device d${i} { colours 0 of 4 exclusive size 2M }\n`).join(
      '',
    );
    const { analysis } = run(`${N1}region 0 on lab {\n${devices}}\n`);
    const found = analysis.findings.filter((f) => f.code === 'DAX071');
    // each device after the first conflicts with every earlier one: 299 findings (one per pair would be 44 850)
    expect(found).toHaveLength(299);
    expect(found[0]?.message).toMatch(/^`d1` asks for colour 0 of 4, which `d0` also asks for, and `d0` wants/);
    expect(found[1]?.message).toMatch(
      /^`d2` asks for colour 0 of 4, which `d0` also asks for \(and 1 other device\), and/,
    );
    expect(found[298]?.message).toMatch(/which `d0` also asks for \(and 298 other devices\)/);
  });
});
