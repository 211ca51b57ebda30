import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';

const CXL2 = `host h { facts "cxl2-6.12.facts.json" }\n`;
const REGION73 = `host h { facts "cxl2-7.3-region.facts.json" }\n`;

describe('DAX100 CXL region cannot be resolved', () => {
  it('fires on a memdev, window or region the facts do not have', () => {
    expectFinding(
      `${CXL2}cxl region p on h { memdevs mem0, <|mem5|> }\n`,
      'DAX100',
      'error',
      /^the host has no memdev mem5; its memdevs: mem0 \(serial 0x1\), mem1 \(serial 0x2\)$/,
    );
    expectFinding(
      `${CXL2}cxl region p on h { memdevs <|0x7|> }\n`,
      'DAX100',
      'error',
      /^the host has no memdev serial 0x7/,
    );
    expectFinding(
      `${CXL2}cxl region p on h { window <|decoder1.0|> memdevs mem0 }\n`,
      'DAX100',
      'error',
      /^the host has no CXL window decoder1\.0; its windows \(root decoders\): decoder0\.0$/,
    );
    expectFinding(
      `${CXL2}cxl region p on h { adopt <|region3|> }\n`,
      'DAX100',
      'error',
      /^the host has no CXL region region3$/,
    );
  });

  it('fires on a host whose facts have no CXL topology', () => {
    expectFinding(
      `host h { facts "linux-6.12.facts.json" }\ncxl region <|p|> on h { memdevs mem0 }\n`,
      'DAX100',
      'error',
      /^the host's facts have no CXL topology/,
    );
  });

  it('fires when an adopted region is not what the block says', () => {
    expectFinding(
      `${REGION73}cxl region p on h { adopt <|region0|> size 1G }\n`,
      'DAX100',
      'error',
      /^region0 is not what this block declares: its size is 2 GiB\./,
    );
  });

  it('does not fire on memdevs by name or serial, or on a region adopted as it is', () => {
    expectNone(`${CXL2}cxl region p on h { memdevs 0x1, mem1 }\n`, 'DAX100');
    expectNone(`${REGION73}cxl region p on h { adopt region0 size 2G granularity 256 memdevs mem0, mem1 }\n`, 'DAX100');
  });
});
