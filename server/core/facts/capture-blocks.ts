// Memory blocks in a capture dump: the blocks a node lists and their state, zone and node,
// and those kmem must have added for a device bound to it that the capture does not show.

import type { MemoryBlockFacts, Zone } from '../host-facts';
import type { Loc, Problems } from './problems';
import { interiorBlocks, zoneFromValidZones, MAX_DERIVED_BLOCKS, type RegionDraft } from './infer';
import type { DaxctlRegion } from './daxctl';
import { NODE_ATTR, parseSignedInt, valOf, type Dump } from './capture-sections';

const MEMORY_ATTR = /^\/sys\/devices\/system\/memory\/memory(\d{1,9})\/(.+)$/;

export interface BlockInfo {
  index: number;
  state?: string;
  zones?: string;
  removable?: string;
  node?: number;
  line: number;
}

export function readBlocks(dump: Dump): { blocks: Map<number, BlockInfo>; nodeLists: Map<number, Set<number>> } {
  const blocks = new Map<number, BlockInfo>();
  const nodeLists = new Map<number, Set<number>>();
  const block = (index: number, line: number): BlockInfo => {
    let b = blocks.get(index);
    if (!b) blocks.set(index, (b = { index, line }));
    return b;
  };
  const member = (node: number, index: number): void => {
    let set = nodeLists.get(node);
    if (!set) nodeLists.set(node, (set = new Set()));
    set.add(index);
  };
  for (const s of dump.sections) {
    // "memory blocks of nodeN": an `ls` of the node directory, then one line per block.
    const of = /^memory blocks of node(\d{1,9})$/.exec(s.title);
    if (of && s.status === 'value') {
      const node = Number(of[1]);
      if (!nodeLists.has(node)) nodeLists.set(node, new Set());
      s.body.forEach((raw, i) => {
        const line = raw.trim();
        const bm = /^(?:\S*\/)?memory(\d{1,9}):\s*(.*)$/.exec(line);
        if (bm) {
          const b = block(Number(bm[1]), s.line + 1 + i);
          for (const kv of (bm[2] ?? '').split(/\s+(?=[a-z_]+=)/)) {
            const eq = kv.indexOf('=');
            if (eq < 0) continue;
            const k = kv.slice(0, eq);
            const v = kv.slice(eq + 1).trim();
            if (k === 'state') b.state = v;
            else if (k === 'zones' || k === 'valid_zones') b.zones = v;
            else if (k === 'removable') b.removable = v;
            else if (k === 'node' || k === 'nid') b.node = parseSignedInt(v) ?? b.node;
          }
          return;
        }
        if (line !== '' && !line.includes(':') && !line.includes('=')) {
          for (const tok of line.split(/\s+/)) {
            const tm = /^memory(\d{1,9})$/.exec(tok);
            if (tm) member(node, Number(tm[1]));
          }
        }
      });
      continue;
    }
    const mm = MEMORY_ATTR.exec(s.title);
    if (mm) {
      const b = block(Number(mm[1]), s.line);
      const attr = mm[2] ?? '';
      const v = valOf(s);
      const nl = /^node(\d{1,9})$/.exec(attr);
      if (nl && s.link !== undefined) b.node = Number(nl[1]);
      else if (attr === 'state' && v !== undefined) b.state = v;
      else if (attr === 'valid_zones' && v !== undefined) b.zones = v;
      else if (attr === 'removable' && v !== undefined) b.removable = v;
      continue;
    }
    const nm = NODE_ATTR.exec(s.title);
    if (nm && s.link !== undefined) {
      const bl = /^memory(\d{1,9})$/.exec(nm[2] ?? '');
      if (bl) member(Number(nm[1]), Number(bl[1]));
    }
  }
  for (const [node, set] of nodeLists) {
    for (const i of set) {
      const b = blocks.get(i);
      if (b && b.node === undefined) b.node = node;
    }
  }
  return { blocks, nodeLists };
}

export function daxBlocks(
  regions: readonly RegionDraft[],
  captured: Map<number, BlockInfo>,
  nodeLists: Map<number, Set<number>>,
  blockSize: bigint,
  daxctl: readonly DaxctlRegion[] | undefined,
  p: Problems,
  assumptions: string[],
): (MemoryBlockFacts & { loc?: Loc })[] {
  const out = new Map<number, MemoryBlockFacts & { loc?: Loc }>();
  const nodeOfListed = (i: number): number | undefined => {
    for (const [n, set] of nodeLists) if (set.has(i)) return n;
    return undefined;
  };
  let removableAssumed = false;
  const fromCaptured = (b: BlockInfo, fallbackNode: number): void => {
    const node = b.node ?? nodeOfListed(b.index) ?? fallbackNode;
    if (node < 0) {
      p.warning(`memory${b.index}: its node is unknown; the block is left out`, { line: b.line });
      return;
    }
    let state: 'online' | 'offline';
    if (b.state === 'online') state = 'online';
    else if (b.state === 'offline') state = 'offline';
    else {
      if (b.state !== undefined) p.warning(`memory${b.index}: state "${b.state}" taken as offline`, { line: b.line });
      else assumptions.push(`memory${b.index}: its state was not captured; assumed offline`);
      state = 'offline';
    }
    let zone: Zone | undefined;
    if (state === 'online' && b.zones !== undefined) {
      zone = zoneFromValidZones(b.zones);
      if (zone === undefined) p.warning(`memory${b.index}: zone "${b.zones}" not understood`, { line: b.line });
    }
    let removable = true;
    if (b.removable !== undefined) removable = b.removable.trim() === '1';
    else removableAssumed = true;
    out.set(b.index, {
      index: b.index,
      state,
      ...(zone !== undefined ? { zone } : {}),
      node,
      removable,
      loc: { line: b.line },
    });
  };

  // Captured blocks that overlap dax memory (regions, or mappings when the start is unknown).
  const spans: { start: bigint; end: bigint; node: number }[] = [];
  for (const r of regions) {
    if (r.start !== undefined) spans.push({ start: r.start, end: r.start + r.size - 1n, node: r.targetNode });
    for (const d of r.devices)
      for (const m of d.mappings) spans.push({ start: m.start, end: m.end, node: d.targetNode });
  }
  for (const b of captured.values()) {
    const bs = BigInt(b.index) * blockSize;
    const be = bs + blockSize - 1n;
    const span = spans.find((s) => bs <= s.end && be >= s.start);
    if (span) fromCaptured(b, span.node);
  }

  // Blocks kmem must have added that the capture does not show.
  for (const r of regions) {
    for (const d of r.devices) {
      if (d.driver !== 'kmem') continue;
      const expected: number[] = [];
      for (const m of d.mappings) {
        const n = (m.end + 1n) / blockSize - (m.start + blockSize - 1n) / blockSize;
        if (n > BigInt(MAX_DERIVED_BLOCKS)) continue;
        for (const k of interiorBlocks(m.start, m.end, blockSize)) expected.push(Number(k));
      }
      const missing = expected.filter((i) => !out.has(i));
      if (missing.length === 0) continue;
      const dx = daxctl?.flatMap((x) => x.devices).find((x) => x.name === d.name);
      const allOnline = dx?.onlineMemblocks !== undefined && dx.onlineMemblocks >= expected.length;
      const zone: Zone | undefined = allOnline
        ? dx?.movable === true
          ? 'Movable'
          : dx?.movable === false
            ? 'Normal'
            : undefined
        : undefined;
      for (const i of missing) {
        out.set(i, {
          index: i,
          state: allOnline ? 'online' : 'offline',
          ...(zone ? { zone } : {}),
          node: d.targetNode,
          removable: true,
        });
      }
      removableAssumed = true;
      assumptions.push(
        `${d.name}: ${missing.length} of its memory blocks (memory${missing[0]}…) were not captured; taken as ${allOnline ? 'online, as daxctl reports' : 'offline'}`,
      );
    }
  }
  if (removableAssumed) assumptions.push('memory blocks whose `removable` was not captured are assumed removable');
  return [...out.values()].sort((a, b) => a.index - b.index);
}
