// The daxlayout-facts/1 file format (docs/facts.md), writing: pretty JSON, addresses as 0x
// strings, byte counts as numbers while they are safe integers. format.ts reads it back.

import type { AccessClassFacts, HostFacts } from '../host-facts';
import { hex } from '../units';
import { MAX_SAFE } from './fields';
import { FACTS_FORMAT } from './format';
import { cxlDocument } from './format-cxl';

/** A byte count: a JSON number when safe, else a decimal string. */
function size(v: bigint): number | string {
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v.toString();
}

function addr(v: bigint): string {
  return hex(v);
}

/** Pretty JSON in the daxlayout-facts/1 format; addresses as 0x strings, sizes as numbers. */
export function writeFacts(facts: HostFacts): string {
  const doc: Record<string, unknown> = { format: FACTS_FORMAT, source: facts.source };
  if (facts.hostname !== undefined) doc.hostname = facts.hostname;
  if (facts.kernelRelease !== undefined) doc.kernelRelease = facts.kernelRelease;
  doc.arch = facts.arch;
  doc.pageSize = size(facts.pageSize);
  if (facts.daxAligns !== undefined) doc.daxAligns = facts.daxAligns.map(size);
  doc.memoryBlockSize = size(facts.memoryBlockSize);
  doc.autoOnlineBlocks = facts.autoOnlineBlocks;
  if (facts.memmapOnMemorySupported !== undefined) doc.memmapOnMemorySupported = facts.memmapOnMemorySupported;
  doc.regions = facts.regions.map((r) => {
    const used = r.devices.reduce((s, d) => s + d.size, 0n);
    return {
      id: r.id,
      path: r.path,
      ...(r.start !== undefined ? { start: addr(r.start), end: addr(r.start + r.size - 1n) } : {}),
      size: size(r.size),
      align: size(r.align),
      ...(r.dynamic && used <= r.size ? { availableSize: size(r.size - used) } : {}),
      dynamic: r.dynamic,
      targetNode: r.targetNode,
      kmemDefault: r.kmemDefault,
      devices: r.devices.map((d) => ({
        name: d.name,
        size: size(d.size),
        align: size(d.align),
        driver: d.driver,
        targetNode: d.targetNode,
        ...(d.memmapOnMemory !== undefined ? { memmapOnMemory: d.memmapOnMemory } : {}),
        ...(d.kmemState !== undefined ? { kmemState: d.kmemState } : {}),
        mappings: d.mappings.map((m) => ({
          id: m.id,
          start: addr(m.start),
          end: addr(m.end),
          pageOffset: size(m.pageOffset),
        })),
      })),
    };
  });
  doc.memoryBlocks = facts.memoryBlocks.map((b) => ({
    index: b.index,
    state: b.state,
    ...(b.zone !== undefined ? { zone: b.zone } : {}),
    node: b.node,
    removable: b.removable,
  }));
  doc.nodes = facts.nodes.map((n) => ({
    id: n.id,
    cpus: n.cpus,
    online: n.online,
    ...(n.memTotal !== undefined ? { memTotal: size(n.memTotal) } : {}),
    ...(n.access0 !== undefined ? { access0: accessDoc(n.access0) } : {}),
    ...(n.access1 !== undefined ? { access1: accessDoc(n.access1) } : {}),
    caches: n.caches.map((c) => ({
      level: c.level,
      size: size(c.size),
      lineSize: c.lineSize,
      indexing: c.indexing,
      writePolicy: c.writePolicy,
      ...(c.addressMode !== undefined ? { addressMode: c.addressMode } : {}),
    })),
  }));
  if (facts.cxl) doc.cxl = cxlDocument(facts.cxl);
  doc.assumptions = facts.assumptions;
  return pretty(doc, '') + '\n';
}

function accessDoc(a: AccessClassFacts): Record<string, unknown> {
  return {
    initiators: a.initiators,
    ...(a.readLatency !== undefined ? { readLatency: a.readLatency } : {}),
    ...(a.writeLatency !== undefined ? { writeLatency: a.writeLatency } : {}),
    ...(a.readBandwidth !== undefined ? { readBandwidth: a.readBandwidth } : {}),
    ...(a.writeBandwidth !== undefined ? { writeBandwidth: a.writeBandwidth } : {}),
  };
}

const INLINE_WIDTH = 100;

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

/** Small objects and arrays whose members are primitives (or arrays of them) go on one line. */
function inline(v: unknown): string | undefined {
  if (isPrimitive(v)) return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (!v.every(isPrimitive)) return undefined;
    return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  }
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const s = isPrimitive(x) || (Array.isArray(x) && x.every(isPrimitive)) ? inline(x) : undefined;
    if (s === undefined) return undefined;
    parts.push(`${JSON.stringify(k)}: ${s}`);
  }
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}

function pretty(v: unknown, indent: string): string {
  if (isPrimitive(v)) return JSON.stringify(v);
  const flat = inline(v);
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (flat !== undefined && flat.length + indent.length <= INLINE_WIDTH && v.every(isPrimitive)) return flat;
    return `[\n${v.map((x) => inner + pretty(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (flat !== undefined && flat.length + indent.length <= INLINE_WIDTH && indent.length > 0) return flat;
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, inner)}`).join(',\n')}\n${indent}}`;
}
