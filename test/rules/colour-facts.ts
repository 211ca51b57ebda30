// Facts for the colour tests: the real node-1-online capture (1 GiB region at
// 0x140000000, node 1 with a 256 MiB direct-mapped memory-side cache), and
// variants of it written in memory (other caches, other region placements).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES } from './harness';

export const N1 = `host lab { facts "linux-6.1-node1-online.facts.json" }\n`;

interface Variant {
  cacheSize?: number;
  indexing?: number;
  noCache?: boolean;
  /** Region start and size (bytes); the boot device dax0.0 covers it. */
  start?: bigint;
  size?: bigint;
}

/** A facts file (text) derived from the node-1 capture. */
export function variantFacts(v: Variant): string {
  const f = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.1-node1-online.facts.json'), 'utf8'));
  const node = f.nodes.find((n: { id: number }) => n.id === 1);
  if (v.noCache) node.caches = [];
  if (v.cacheSize !== undefined && node.caches[0]) node.caches[0].size = v.cacheSize;
  if (v.indexing !== undefined && node.caches[0]) node.caches[0].indexing = v.indexing;
  if (v.start !== undefined || v.size !== undefined) {
    const r = f.regions[0];
    const start = v.start ?? BigInt(r.start);
    const size = v.size ?? BigInt(r.size);
    r.start = '0x' + start.toString(16);
    r.end = '0x' + (start + size - 1n).toString(16);
    r.size = Number(size);
    const d = r.devices[0];
    d.size = Number(size);
    d.mappings = [{ id: 0, start: r.start, end: r.end, pageOffset: 0 }];
    f.memoryBlocks = [];
  }
  return JSON.stringify(f);
}

/** Layout head + `files` option for a variant host named `lab`. */
export function variant(v: Variant): { head: string; files: Record<string, string> } {
  return { head: `host lab { facts "variant.facts.json" }\n`, files: { 'variant.facts.json': variantFacts(v) } };
}

/**
 * The 6.1 capture without node 1's HMAT data (no access classes, no memory-side cache): what a
 * capture that cannot read the ACPI tables (not root, or an older daxlayout) gives for a node
 * with no memory online. The samples themselves have it (samples/linux-6.1.facts.json).
 */
export function noHmat(): { head: string; files: Record<string, string> } {
  const f = JSON.parse(readFileSync(join(SAMPLES, 'linux-6.1.facts.json'), 'utf8'));
  const node = f.nodes.find((n: { id: number }) => n.id === 1);
  delete node.access0;
  delete node.access1;
  node.caches = [];
  return { head: `host lab { facts "nohmat.facts.json" }\n`, files: { 'nohmat.facts.json': JSON.stringify(f) } };
}
