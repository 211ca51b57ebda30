import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';
import { N1 } from './colour-facts';

describe('DAX074 colours not available', () => {
  it('fires on a colour beyond the K derived from the cache', () => {
    expectFinding(
      `${N1}region 0 on lab { device weather { colours <|200|> } }\n`,
      'DAX074',
      'error',
      /^colour 200 does not exist: without `of`, the 256 MiB cache is sliced into 128 colours \(stripes of 2 MiB, the region's granule\), numbered 0\.\.127/,
    );
  });

  it('fires when `any N` finds fewer free colours', () => {
    expectFinding(
      `${N1}region 0 on lab {\n  device a { colours any 2 of 4 exclusive }\n  device b { colours any <|3|> of 4 exclusive }\n}\n`,
      'DAX074',
      'error',
      /^only 2 of the 4 colours \(2\.\.3\) are free of other devices' requests, not 3/,
    );
  });

  it('does not fire on colours that exist, or when `any` finds enough', () => {
    expectNone(`${N1}region 0 on lab { device weather { colours 127 } }\n`, 'DAX074');
    expectNone(
      `${N1}region 0 on lab {\n  device a { colours any 2 of 4 exclusive }\n  device b { colours any 2 of 4 exclusive }\n}\n`,
      'DAX074',
    );
  });
});
