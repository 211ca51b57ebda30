import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accessClass,
  acpiTargetFacts,
  bytesFromHexDump,
  parseHmat,
  parseSrat,
  pxmOf,
} from '../../server/core/facts/acpi';
import { readCaptureText } from '../../server/core/facts/capture-text';
import type { HostFacts } from '../../server/core/host-facts';

// The firmware tables of the test guest (test/fixtures/acpi/README.md), and what real 6.1 kernels
// list under node1 once its memory is online (shared reference capture
// linux-6.1-boot-node1-online, the same -numa hmat options): 40 ns, 2048 MB/s from node 0, a
// 256 MiB direct-mapped (indexing 0) write-back (write_policy 0) cache with 64-byte lines.
const od = (name: string): string => readFileSync(new URL(`../fixtures/acpi/${name}.od`, import.meta.url), 'utf8');
const bytes = (name: string): Uint8Array => bytesFromHexDump(od(name)) as Uint8Array;

describe('ACPI SRAT and HMAT', () => {
  it('reads the SRAT: node numbers, CPU domains, memory ranges', () => {
    const r = parseSrat(bytes('qemu-srat'));
    if (!r.ok) throw new Error(r.why);
    expect([...r.value.pxmToNode]).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect([...r.value.cpuPxms]).toEqual([0]);
    expect(pxmOf(r.value, 0x100000000n)).toBe(1);
    expect(pxmOf(r.value, 0x17fffffffn)).toBe(1);
    expect(pxmOf(r.value, 0x180000000n)).toBeUndefined();
    expect(pxmOf(r.value, 0x1000n)).toBe(0);
  });

  it('reads the HMAT: the memory-side cache and the access classes as the kernel shows them', () => {
    const numa = parseSrat(bytes('qemu-srat'));
    const hmat = parseHmat(bytes('qemu-hmat'));
    if (!numa.ok || !hmat.ok) throw new Error('unparsed');
    expect(hmat.value.revision).toBe(2);
    expect(hmat.value.caches.get(1)).toEqual([
      { level: 1, size: 256n << 20n, lineSize: 64, indexing: 0, writePolicy: 0 },
    ]);
    const real = { initiators: [0], readLatency: 40, writeLatency: 40, readBandwidth: 2048, writeBandwidth: 2048 };
    expect(accessClass(numa.value, hmat.value, 1, 0)).toEqual(real);
    expect(accessClass(numa.value, hmat.value, 1, 1)).toEqual(real);
    // node 0 from node 0: the QEMU options say 10 ns and 10 GB/s (10240 MB/s)
    expect(accessClass(numa.value, hmat.value, 0, 0)).toMatchObject({
      initiators: [0],
      readLatency: 10,
      readBandwidth: 10240,
    });
    expect(acpiTargetFacts(numa.value, hmat.value, [0x100000000n])).toEqual([
      { node: 1, caches: hmat.value.caches.get(1), access0: real, access1: real },
    ]);
  });

  it('without an attached initiator the best initiators are chosen per kind', () => {
    // the same HMAT with the "initiator valid" flag of both proximity-domain structures cleared
    const b = bytes('qemu-hmat');
    b[48] = 0;
    b[88] = 0;
    let sum = 0;
    for (let i = 0; i < b.length; i++) if (i !== 9) sum = (sum + (b[i] as number)) & 0xff;
    b[9] = (256 - sum) & 0xff;
    const numa = parseSrat(bytes('qemu-srat'));
    const hmat = parseHmat(b);
    if (!numa.ok || !hmat.ok) throw new Error(hmat.ok ? 'srat' : hmat.why);
    expect(hmat.value.attached.size).toBe(0);
    expect(accessClass(numa.value, hmat.value, 1, 0)).toEqual({
      initiators: [0],
      readLatency: 40,
      writeLatency: 40,
      readBandwidth: 2048,
      writeBandwidth: 2048,
    });
  });

  it('refuses damaged tables with a reason', () => {
    const b = bytes('qemu-hmat');
    b[100] = (b[100] as number) ^ 1;
    expect(parseHmat(b)).toEqual({ ok: false, why: 'HMAT: checksum mismatch (the dump is damaged)' });
    expect(parseSrat(bytes('qemu-hmat'))).toMatchObject({
      ok: false,
      why: expect.stringContaining('signature is "HMAT"'),
    });
    expect(parseSrat(bytes('qemu-srat').slice(0, 100))).toMatchObject({
      ok: false,
      why: expect.stringContaining('the header says 240 bytes'),
    });
    expect(bytesFromHexDump('48 4d zz')).toBeUndefined();
  });

  it('fills an offline node from the tables in a capture dump, and says so', () => {
    const boot = readFileSync(new URL('../fixtures/facts/linux-6.1-boot.txt', import.meta.url), 'utf8');
    const without = readCaptureText(boot, 'boot.txt').facts as HostFacts;
    expect(without.nodes.find((n) => n.id === 1)?.caches).toEqual([]);
    const dump = `${boot}### /sys/firmware/acpi/tables/SRAT (od -An -v -tx1)\n${od('qemu-srat')}### /sys/firmware/acpi/tables/HMAT (od -An -v -tx1)\n${od('qemu-hmat')}`;
    const r = readCaptureText(dump, 'boot+acpi.txt');
    const n1 = (r.facts as HostFacts).nodes.find((n) => n.id === 1);
    expect(n1?.caches).toEqual([{ level: 1, size: 256n << 20n, lineSize: 64, indexing: 0, writePolicy: 0 }]);
    expect(n1?.access0).toEqual({
      initiators: [0],
      readLatency: 40,
      writeLatency: 40,
      readBandwidth: 2048,
      writeBandwidth: 2048,
    });
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('node1: HMAT latency, bandwidth and memory-side cache read from the ACPI HMAT table'),
    ]);
    // where sysfs has them (the node online), sysfs is what counts
    const online = readFileSync(new URL('../fixtures/facts/linux-6.1-boot-node1-online.txt', import.meta.url), 'utf8');
    const r2 = readCaptureText(online, 'online.txt');
    expect(r2.problems).toEqual([]);
  });
});
