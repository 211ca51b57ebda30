import { describe, expect, it } from 'vitest';
import { expectFinding, expectNone } from './harness';

// A pmem-style static region designed without a machine: dax2.0 is 4 GiB, align 2 MiB.
const PM = `host pm { kernel "6.12.0" }\nregion 2 on pm { start 0x1_0000_0000 size 4G node 1 static\n`;

describe('DAX040 static region cannot be split', () => {
  it('fires on a size other than the namespace size, and on every extra device', () => {
    const found = expectFinding(
      `${PM}  device a { size <|1G|> }\n  device <|b|> { size 1G }\n}\n`,
      'DAX040',
      'error',
      /^region 2 on pm is static(: dax2\.0 is 4 GiB with align 2 MiB, set by its namespace; size, align and ranges cannot be changed through dax sysfs| \(pmem-backed\): it has exactly one device, sized by its nvdimm namespace; it cannot be split)/,
    );
    expect(found.map((f) => /cannot be split/.test(f.message))).toEqual([false, true]);
  });

  it('points at the align when only the align differs', () => {
    expectFinding(
      `${PM}  device a { size 4G align <|1G|> }\n}\n`,
      'DAX040',
      'error',
      /align 2 MiB, set by its namespace/,
    );
  });

  it('fires on pinned ranges that differ from the namespace range', () => {
    expectFinding(
      `${PM}  device a { range <|0x1_0000_0000 + 2G|> }\n}\n`,
      'DAX040',
      'error',
      /size, align and ranges cannot be changed/,
    );
  });

  it('does not fire on the single device as the namespace made it', () => {
    expectNone(`${PM}  device a { size 4G }\n}\n`, 'DAX040');
    expectNone(`${PM}  device a { size rest }\n}\n`, 'DAX040');
    expectNone(`${PM}  device a { size 4G align 2M mode system-ram }\n}\n`, 'DAX040');
  });

  it('does not fire on a range pin equal to the namespace range', () => {
    expectNone(`${PM}  device a { range 0x1_0000_0000 + 4G }\n}\n`, 'DAX040');
  });

  it('does not fire on dynamic regions', () => {
    expectNone(
      `host pm { kernel "6.12.0" }\nregion 2 on pm { start 0x1_0000_0000 size 4G node 1 dynamic\n  device a { size 1G }\n  device b { size 1G }\n}\n`,
      'DAX040',
    );
  });
});
