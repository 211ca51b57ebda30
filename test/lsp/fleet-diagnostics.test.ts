// The editor checks a `hosts "PATTERN"` block against each member's facts (the inventory and
// the facts files are read next to the layout): a problem names its host in the message and in
// the related information.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startClient, uriOf, type Client } from './harness';

const fixtures = resolve(__dirname, '../fleet/fixtures');
let client: Client | undefined;
afterEach(() => client?.close());

describe('diagnostics of a layout for a group of hosts', () => {
  it('names the member whose facts the layout does not fit, with the pattern as related information', async () => {
    client = await startClient();
    const uri = uriOf(resolve(fixtures, 'rack.dax'));
    const d = await client.open(uri, readFileSync(resolve(fixtures, 'rack.dax'), 'utf8'));
    const errors = d.diagnostics.filter((x) => x.severity === 1);
    expect(errors.map((x) => x.code)).toEqual(['DAX020', 'DAX051']);
    expect(errors[0]?.message).toMatch(/^hbm03: region 0 on rack1 is over-committed by 512 MiB/);
    expect(errors[0]?.relatedInformation?.[0]?.message).toBe('hbm03 is one of the 3 host(s) "rack1" matches');
    expect(errors[0]?.relatedInformation?.[0]?.location.range.start).toEqual({ line: 2, character: 8 });
  });
});
