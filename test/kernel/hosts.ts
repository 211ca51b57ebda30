// Host facts for the kernel-model tests, built to match the real boot captures of
// Linux 6.1 and 6.12 (test/fixtures/kernel/) and the QEMU guest of test/vm/README.md:
// one hmem region at
// 0x100000000, 2 GiB, align 2 MiB, target node 1, 4 KiB pages, 128 MiB memory
// blocks, auto_online_blocks offline.

import type { HostFacts, MemoryBlockFacts, NodeFacts } from '../../server/core/host-facts';
import { KernelModel } from '../../server/core/kernel/model';

export const KiB = 1024n;
export const MiB = 1024n * KiB;
export const GiB = 1024n * MiB;

export const R61 = '6.1.0-56-amd64';
export const R612 = '6.12.117+deb12-amd64';
export const RELEASES = [R61, R612] as const;

export const REGION_PATH = '/sys/devices/platform/hmem.0';
export const REGION_START = 0x100000000n;
export const BLOCK_SIZE = 0x8000000n;

/** How daxR.0 comes up at boot. */
export type BootMode =
  /** 6.1: dax0.0 holds the whole region, bound to device_dax. */
  | 'devdax'
  /** 6.12: dax0.0 holds the whole region, bound to kmem, every block offline. */
  | 'kmem'
  /** dax_hmem.region_idle=1: dax0.0 has size 0 and is unbound. */
  | 'idle';

export interface HostOptions {
  release: string;
  boot: BootMode;
  /** Region size (default 2 GiB). */
  size?: bigint;
  start?: bigint;
  /** IORESOURCE_DAX_KMEM (6.3+); default: true for a kmem boot, false otherwise. */
  kmemDefault?: boolean;
}

function nodes(node1Online: boolean): NodeFacts[] {
  return [
    { id: 0, cpus: '0-1', online: true, caches: [] },
    { id: 1, cpus: '', online: node1Online, caches: [] },
  ];
}

export function hmemHost(o: HostOptions): HostFacts {
  const size = o.size ?? 2n * GiB;
  const start = o.start ?? REGION_START;
  const sized = o.boot !== 'idle';
  const memoryBlocks: MemoryBlockFacts[] = [];
  if (o.boot === 'kmem') {
    for (let i = start / BLOCK_SIZE; i < (start + size) / BLOCK_SIZE; i++) {
      memoryBlocks.push({ index: Number(i), state: 'offline', node: 1, removable: true });
    }
  }
  return {
    source: `test host (${o.release}, ${o.boot})`,
    kernelRelease: o.release,
    arch: 'x86_64',
    pageSize: 4096n,
    memoryBlockSize: BLOCK_SIZE,
    autoOnlineBlocks: 'offline',
    memmapOnMemorySupported: false,
    regions: [
      {
        id: 0,
        path: REGION_PATH,
        start,
        size,
        align: 2n * MiB,
        dynamic: true,
        targetNode: 1,
        kmemDefault: o.kmemDefault ?? o.boot === 'kmem',
        devices: [
          {
            name: 'dax0.0',
            size: sized ? size : 0n,
            align: 2n * MiB,
            driver: o.boot === 'devdax' ? 'device_dax' : o.boot === 'kmem' ? 'kmem' : null,
            targetNode: 1,
            ...(o.release.startsWith('6.12') ? { memmapOnMemory: false } : {}),
            mappings: sized ? [{ id: 0, start, end: start + size - 1n, pageOffset: 0n }] : [],
          },
        ],
      },
    ],
    memoryBlocks,
    nodes: nodes(o.boot === 'kmem'),
    assumptions: [],
  };
}

/** captures/linux-6.1-boot.txt: dax0.0 = whole region, device_dax. */
export function linux61Boot(): HostFacts {
  return hmemHost({ release: R61, boot: 'devdax' });
}

/** captures/linux-6.12-boot.txt: dax0.0 = whole region, kmem, memory32..47 offline. */
export function linux612Boot(): HostFacts {
  return hmemHost({ release: R612, boot: 'kmem' });
}

/** dax_hmem.region_idle=1: dax0.0 size 0 unbound, available = 2 GiB (no kmem default). */
export function idleRegion(release: string): HostFacts {
  return hmemHost({ release, boot: 'idle' });
}

/** The boot state a real guest of that release comes up in. */
export function bootOf(release: string): HostFacts {
  return release === R61 ? linux61Boot() : linux612Boot();
}

export function model(facts: HostFacts): KernelModel {
  return KernelModel.fromFacts(facts);
}
