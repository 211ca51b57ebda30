// A refused `state` write leaves its online type recorded on the block, and `online` ← 1 uses it
// (server/core/kernel/pending-online.ts). Every expected zone below was measured (docs/fidelity.md,
// finding 15: test/vm probe scripts on 6.12.118, 6.18.15, 7.2.12 and 7.3.4), not taken from the model.
import { describe, expect, it } from 'vitest';
import { KernelModel } from '../../server/core/kernel/model';
import { PendingOnline } from '../../server/core/kernel/pending-online';
import { hmemHost } from './hosts';

const MEM = '/sys/devices/system/memory';
const RELEASES = ['6.12.118+deb12-amd64', '7.3.4+deb13-amd64'];

function zoneAfter(release: string, writes: [string, string, string][]): string | undefined {
  const m = KernelModel.fromFacts(hmemHost({ release, boot: 'kmem' }));
  for (const [attr, value, want] of writes)
    expect(m.write(`${MEM}/memory47/${attr}`, `${value}\n`).kind, `${attr} ← ${value}`).toBe(want);
  const b = m.state.blocks.get(47);
  return b?.state === 'online' ? b.zone : 'offline';
}

describe('the online type a refused state write leaves', () => {
  for (const release of RELEASES) {
    it(`${release}: online_movable refused on an online block, then offline, then online ← 1: Movable`, () => {
      const zone = zoneAfter(release, [
        ['state', 'online_movable', 'ok'],
        ['state', 'online_movable', 'errno'],
        ['state', 'offline', 'ok'],
        ['online', '1', 'ok'],
      ]);
      expect(zone).toBe('Movable');
    });

    it(`${release}: without the refused write the lone block comes up in the kernel zone`, () => {
      const zone = zoneAfter(release, [
        ['state', 'online_movable', 'ok'],
        ['state', 'offline', 'ok'],
        ['online', '1', 'ok'],
      ]);
      expect(zone).toBe('Normal');
    });
  }

  it('6.12.118: a successful online clears the recorded type (measured: online_kernel, offline, online ← 1 → Normal)', () => {
    const zone = zoneAfter(RELEASES[0] as string, [
      ['state', 'online_movable', 'ok'],
      ['state', 'online_movable', 'errno'],
      ['state', 'offline', 'ok'],
      ['state', 'online_kernel', 'ok'],
      ['state', 'offline', 'ok'],
      ['online', '1', 'ok'],
    ]);
    expect(zone).toBe('Normal');
  });
});

describe('PendingOnline ranges', () => {
  it('records, overwrites and clears block ranges, and reports where a type ends', () => {
    const p = new PendingOnline();
    p.set(10, 19, 'online_movable');
    p.set(15, 24, 'online_kernel');
    expect(p.at(10, 100)).toEqual({ type: 'online_movable', end: 14 });
    expect(p.at(15, 100)).toEqual({ type: 'online_kernel', end: 24 });
    expect(p.at(0, 100)).toEqual({ type: undefined, end: 9 });
    p.clear(12, 20);
    expect(p.at(10, 100)).toEqual({ type: 'online_movable', end: 11 });
    expect(p.at(12, 100)).toEqual({ type: undefined, end: 20 });
    expect(p.at(21, 22)).toEqual({ type: 'online_kernel', end: 22 });
  });
});
