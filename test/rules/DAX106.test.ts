import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { SAMPLES, expectFinding, expectNone } from './harness';

const CXL2 = `host h { facts "cxl2-6.12.facts.json" }\n`;
const TWO = `host h { facts "cxl-two-windows.facts.json" }\n`;
const files = {
  'cxl-two-windows.facts.json': readFileSync(
    join(SAMPLES, '../test/fixtures/rule-pages/cxl-two-windows.facts.json'),
    'utf8',
  ),
};

describe('DAX106 CXL interleave position the topology forbids', () => {
  it("fires on a memdev whose host bridge is not one of the window's targets", () => {
    expectFinding(
      `${TWO}cxl region p on h { window decoder0.1 memdevs <|mem0|>, <|mem1|> }\n`,
      'DAX106',
      'error',
      /^mem[01] is not below window decoder0\.1: its host bridge \(dport 12\) is not one of the window's targets \(13\)$/,
      { files },
    );
  });

  it('does not fire in the window above the memdevs', () => {
    expectNone(`${TWO}cxl region p on h { window decoder0.0 memdevs mem0, mem1 }\n`, 'DAX106', { files });
    expectNone(`${CXL2}cxl region p on h { memdevs mem1, mem0 }\n`, 'DAX106');
  });
});
