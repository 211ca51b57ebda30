import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const QOS = readFileSync(join(__dirname, '../fixtures/rule-pages/cxl2-qos.facts.json'), 'utf8');
const files = { 'qos.json': QOS };
const HOST = `host h { facts "qos.json" }\n`;

describe('DAX108 CXL QoS class differs from the window', () => {
  it('warns on the memdev whose RAM class is not the window class', () => {
    expectFinding(
      `${HOST}cxl region p on h { memdevs <|mem0|>, mem1 size 2G }\n`,
      'DAX108',
      'warning',
      /^mem0's RAM has QoS class 1 and window decoder0\.0 has QoS class 0: .*use a window of class 1/,
      { files },
    );
  });

  it('warns when the memdev is named by serial', () => {
    expectFinding(`${HOST}cxl region p on h { memdevs <|0x1|> size 1G }\n`, 'DAX108', 'warning', /^mem0's RAM/, {
      files,
    });
  });

  it('is silent on a memdev of the window class, and on facts without classes', () => {
    expectNone(`${HOST}cxl region p on h { memdevs mem1 size 1G }\n`, 'DAX108', { files });
    expectNone(`host h { facts "cxl2-6.12.facts.json" }\ncxl region p on h { memdevs mem0, mem1 size 2G }\n`, 'DAX108');
  });
});
