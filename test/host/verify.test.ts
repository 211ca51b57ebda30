// Verification: every difference between the predicted and the actual host is named.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFacts } from '../../server/core/facts/read';
import type { HostFacts } from '../../server/core/host-facts';
import { diffHost } from '../../server/host/verify';
import { SAMPLES } from '../rules/harness';

const f = readFacts(readFileSync(join(SAMPLES, 'linux-6.12.facts.json'), 'utf8'), 'x').facts as HostFacts;
const r0 = f.regions[0]!;
const d0 = r0.devices[0]!;

describe('diffHost', () => {
  it('finds nothing when the host is the prediction', () => {
    expect(diffHost(f, f)).toEqual([]);
  });

  it('names the device, the attribute and both values', () => {
    const actual: HostFacts = {
      ...f,
      regions: [
        {
          ...r0,
          devices: [
            {
              ...d0,
              size: 1n << 30n,
              align: 4096n,
              driver: 'device_dax',
              mappings: [{ id: 0, start: 0x100000000n, end: 0x13fffffffn, pageOffset: 0n }],
            },
            { ...d0, name: 'dax0.1', size: 0n, driver: null, mappings: [] },
          ],
        },
      ],
      memoryBlocks: f.memoryBlocks
        .map((b) => (b.index === 32 ? { ...b, state: 'online' as const, zone: 'Normal' as const } : b))
        .filter((b) => b.index !== 47),
    };
    expect(diffHost(f, actual)).toEqual([
      'dax0.0: size 1 GiB on the host, 2 GiB predicted',
      'dax0.0: align 4 KiB on the host, 2 MiB predicted',
      'dax0.0: mode devdax (device_dax) on the host, system-ram (kmem) predicted',
      'dax0.0: ranges 0x100000000..0x13fffffff@0x0 on the host, 0x100000000..0x17fffffff@0x0 predicted',
      'dax0.1: on the host (0 B, unbound), not predicted',
      'memory32: online (Normal) on the host, offline predicted',
      'memory47: predicted offline on node 1, but the host has no such memory block',
    ]);
  });

  it('compares zones of online blocks', () => {
    const online = (zone: 'Movable' | 'Normal'): HostFacts => ({
      ...f,
      memoryBlocks: f.memoryBlocks.map((b) => ({ ...b, state: 'online' as const, zone })),
    });
    const d = diffHost(online('Movable'), online('Normal'));
    expect(d).toHaveLength(16);
    expect(d[0]).toBe('memory32: online (Normal) on the host, online (Movable) predicted');
  });
});
