import { describe, it } from 'vitest';
import { LAB61, expectFinding, expectNone } from './harness';

describe('DAX006 invalid value', () => {
  it('fires on a decimal unit', () => {
    expectFinding(`${LAB61}region 0 on lab { device a { size <|4GB|> } }\n`, 'DAX006', 'error', /`GB` is ambiguous .* write 4G or 4GiB/);
  });

  it('fires on a fraction and says the exact size', () => {
    expectFinding(`${LAB61}region 0 on lab { device a { size <|1.5G|> } }\n`, 'DAX006', 'error', /not a whole number.*write 1536M/);
  });

  it('fires on a size of 0', () => {
    expectFinding(`${LAB61}region 0 on lab { device a { size <|0|> } }\n`, 'DAX006', 'error', /size 0 holds no memory/);
  });

  it('fires on a system-ram option given to a devdax device', () => {
    expectFinding(`${LAB61}region 0 on lab { device a { size 1G mode devdax <|movable|> } }\n`, 'DAX006', 'error', /applies to system-ram only/);
  });

  it('fires on a kernel name of another region', () => {
    expectFinding(`${LAB61}region 0 on lab { device a { name <|dax1.1|> size 1G } }\n`, 'DAX006', 'error', /belongs to region 1, but this is region 0; use dax0\.1/);
  });

  it('fires on contradicting mode options and on a bad host value', () => {
    expectFinding(
      `host lab { facts "linux-6.1.facts.json" memory-block <|100M|> }\nregion 0 on lab { device a { size 1G mode system-ram online <|offline|> } }\n`,
      'DAX006',
      'error',
      /power of two|contradicts `online`/,
    );
  });

  it('does not fire on valid values', () => {
    expectNone(`${LAB61}region 0 on lab { device a { size 4G } }\n`, 'DAX006');
    expectNone(`${LAB61}region 0 on lab { device a { size 1536M mode system-ram movable } device b { name dax0.1 size 4GiB } }\n`, 'DAX006');
    expectNone(`host lab { facts "linux-6.1.facts.json" memory-block 128M }\nregion 0 on lab { device a { size 1G mode system-ram offline normal } }\n`, 'DAX006');
  });
});
