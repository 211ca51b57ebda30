import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { SAMPLES, expectFinding, expectNone } from './harness';

const CXL2 = `host h { facts "cxl2-6.12.facts.json" }\n`;
const pmemOnly = JSON.parse(readFileSync(join(SAMPLES, 'cxl2-6.12.facts.json'), 'utf8'));
for (const d of pmemOnly.cxl.decoders) if (d.kind === 'root') d.capRam = false;
const files = { 'pmem.json': JSON.stringify(pmemOnly) };

describe('DAX101 CXL window without RAM capability', () => {
  it('fires on a window with cap_ram 0', () => {
    expectFinding(
      `host h { facts "pmem.json" }\ncxl region p on h { window <|decoder0.0|> memdevs mem0 }\n`,
      'DAX101',
      'error',
      /^window decoder0\.0 cannot hold RAM regions \(cap_ram 0/,
      { files },
    );
  });

  it('does not fire on a RAM-capable window', () => {
    expectNone(`${CXL2}cxl region p on h { window decoder0.0 memdevs mem0 }\n`, 'DAX101');
  });
});
