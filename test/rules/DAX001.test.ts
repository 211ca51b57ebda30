import { describe, it } from 'vitest';
import { LAB61, expectFinding, expectNone } from './harness';

describe('DAX001 syntax error', () => {
  it('reports an unclosed region block at the end of the file', () => {
    expectFinding(
      `${LAB61}region 0 on lab {\n  device a { size 1G\n}\n<||>`,
      'DAX001',
      'error',
      /expected `\}` to close region 0/,
    );
  });

  it('reports a stray closing brace', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size 1G } } <|}|>\n`,
      'DAX001',
      'error',
      /no open block to close/,
    );
  });

  it('reports a missing value on the last character of the key', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { siz<|e|> } }\n`,
      'DAX001',
      'error',
      /expected a size .* after `size`/,
    );
  });

  it('reports an extra value of a single-valued property', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device a { size 1G <|2G|> } }\n`,
      'DAX001',
      'error',
      /`size` takes a single value/,
    );
  });

  it('suggests the keyword for a misspelt declaration', () => {
    expectFinding(
      `${LAB61}<|regoin|> 0 on lab { device a { size 1G } }\n`,
      'DAX001',
      'error',
      /did you mean `region`\?/,
    );
  });

  it('recovers and reports several errors in one file', () => {
    expectFinding(
      `${LAB61}region 0 on lab {\n  device a { size 1G <|;|> }\n  device b { range 0x1_4000_0000 <|+|> }\n}\n`,
      'DAX001',
      'error',
      /separator|length/,
    );
  });

  it('does not fire on well-formed layouts', () => {
    expectNone(`${LAB61}region 0 on lab {\n  device a { size 1G }\n}\n`, 'DAX001');
    expectNone(`${LAB61}region 0 on lab { device a { size 1G } }\n`, 'DAX001');
    expectNone(
      `${LAB61}region 0 on lab {\n  device weather { size 1G align 1G }\n  device spill { size 512M mode system-ram movable }\n  device guest { range 0x1_7000_0000 + 256M }\n  device scratch { size rest }\n}\n`,
      'DAX001',
    );
  });
});
