import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { SAMPLES, expectFinding, expectNone } from './harness';

const CXL2 = `host h { facts "cxl2-6.12.facts.json" }\n`;
const twoWay = JSON.parse(readFileSync(join(SAMPLES, 'cxl2-6.12.facts.json'), 'utf8'));
for (const d of twoWay.cxl.decoders) if (d.kind === 'root') Object.assign(d, { ways: 2, targets: [12, 12] });
const files = { 'two-way.json': JSON.stringify(twoWay) };
const TWO = `host h { facts "two-way.json" }\n`;

describe('DAX102 interleave the CXL window cannot take', () => {
  it('fires on a granularity no decoder encodes', () => {
    expectFinding(
      `${CXL2}cxl region p on h { memdevs mem0, mem1 granularity <|300|> }\n`,
      'DAX102',
      'error',
      /^an interleave granularity of 300 bytes is not one CXL decoders encode/,
    );
    expectFinding(
      `${CXL2}cxl region p on h { memdevs mem0, mem1 granularity <|32K|> }\n`,
      'DAX102',
      'error',
      /32768 bytes/,
    );
  });

  it("fires on ways that are not a multiple of an interleaving window's, and on another granularity there", () => {
    expectFinding(
      `${TWO}cxl region p on h { memdevs <|mem0|> }\n`,
      'DAX102',
      'error',
      /^1 memdevs make an interleave of 1 ways, which window decoder0\.0 \(2-way\) cannot take/,
      { files },
    );
    expectFinding(
      `${TWO}cxl region p on h { memdevs mem0, mem1 granularity <|4K|> }\n`,
      'DAX102',
      'error',
      /^window decoder0\.0 interleaves 2 ways at 256 bytes, so its regions take that granularity: write granularity 256$/,
      { files },
    );
  });

  it('does not fire on 1 or 2 ways and granularities from 256 to 16K', () => {
    expectNone(`${CXL2}cxl region p on h { memdevs mem0, mem1 granularity 4K }\n`, 'DAX102');
    expectNone(`${CXL2}cxl region p on h { memdevs mem1 granularity 16K }\n`, 'DAX102');
  });
});
