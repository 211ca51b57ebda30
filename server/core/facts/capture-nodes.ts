// NUMA nodes in a capture dump: node lists, CPUs, MemTotal, HMAT access classes and
// memory-side caches, from sysfs or, for a node with no memory online, from the ACPI tables.

import type { AccessClassFacts, MemoryBlockFacts, MemorySideCacheFacts, NodeFacts } from '../host-facts';
import type { Problems } from './problems';
import type { RegionDraft } from './infer';
import { acpiTargetFacts, bytesFromHexDump, parseHmat, parseSrat, type AcpiNodeFacts } from './acpi';
import {
  NODE_ATTR,
  parseAuto,
  parseDec,
  parseList,
  parseSignedInt,
  valOf,
  type Dump,
  type Section,
} from './capture-sections';
import type { BlockInfo } from './capture-blocks';

export function readNodes(
  dump: Dump,
  regions: readonly RegionDraft[],
  memoryBlocks: readonly MemoryBlockFacts[],
  captured: Map<number, BlockInfo>,
  nodeLists: Map<number, Set<number>>,
  blockSize: bigint,
  p: Problems,
): NodeFacts[] {
  // node lists: a combined `key: value` section, or one section per file.
  const lists = new Map<string, number[]>();
  for (const s of dump.sections) {
    if (s.status !== 'value') continue;
    if (/^\/sys\/devices\/system\/node\/\{/.test(s.title)) {
      for (const line of s.body) {
        const m = /^\s*([a-z_]+)\s*:\s*(.*)$/.exec(line);
        if (!m || !m[1]) continue;
        const l = parseList(m[2] ?? '');
        if (l) lists.set(m[1], l);
      }
      continue;
    }
    const m = /^\/sys\/devices\/system\/node\/(online|possible|has_memory|has_cpu|has_normal_memory)$/.exec(s.title);
    if (m && m[1]) {
      const l = parseList(valOf(s) ?? '');
      if (l) lists.set(m[1], l);
    }
  }

  const ids = new Set<number>();
  for (const k of ['possible', 'online']) for (const n of lists.get(k) ?? []) ids.add(n);
  const perNode = new Map<number, Map<string, Section>>();
  for (const s of dump.sections) {
    const m = NODE_ATTR.exec(s.title);
    if (!m || !m[2]) continue;
    const n = Number(m[1]);
    ids.add(n);
    let attrs = perNode.get(n);
    if (!attrs) perNode.set(n, (attrs = new Map()));
    attrs.set(m[2], s);
  }
  for (const r of regions) {
    if (r.targetNode >= 0) ids.add(r.targetNode);
    for (const d of r.devices) if (d.targetNode >= 0) ids.add(d.targetNode);
  }
  for (const b of memoryBlocks) ids.add(b.node);

  const online = lists.get('online');
  const acpi = acpiNodes(dump, regions, p);
  const out: NodeFacts[] = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const attrs = perNode.get(id) ?? new Map<string, Section>();
    const v = (a: string): string | undefined => valOf(attrs.get(a));
    const isOnline = online ? online.includes(id) : attrs.size > 0;
    let cpus = (v('cpulist') ?? '').trim();
    if (parseList(cpus) === undefined) {
      p.warning(`node${id}: cannot read cpulist "${cpus}"; taken as no CPUs`, {
        line: attrs.get('cpulist')?.line ?? 0,
      });
      cpus = '';
    }

    // memTotal: meminfo, else the online blocks of a complete node listing.
    let memTotal: bigint | undefined;
    const meminfo = v('meminfo');
    const mt = meminfo ? /MemTotal:\s*(\d+)\s*kB/.exec(meminfo) : null;
    if (mt && mt[1]) memTotal = BigInt(mt[1]) * 1024n;
    else {
      const listed = nodeLists.get(id);
      if (listed) {
        const states = [...listed].map((i) => captured.get(i)?.state);
        if (states.every((s) => s !== undefined))
          memTotal = BigInt(states.filter((s) => s === 'online').length) * blockSize;
      }
    }

    let access0 = readAccess(dump, id, 0, attrs, p);
    let access1 = readAccess(dump, id, 1, attrs, p);
    let caches = readCaches(id, attrs, p);
    // The kernel shows a target's HMAT attributes only once the node has memory online; the
    // firmware tables have them all along (acpi.ts).
    const fw = acpi.get(id);
    if (fw && !access0 && !access1 && caches.length === 0 && (fw.access0 || fw.access1 || fw.caches.length)) {
      access0 = fw.access0;
      access1 = fw.access1;
      caches = [...fw.caches];
      p.info(
        `node${id}: HMAT latency, bandwidth and memory-side cache read from the ACPI HMAT table (the kernel lists them under node${id} once its memory is online)`,
      );
    }
    out.push({
      id,
      cpus,
      online: isOnline,
      ...(memTotal !== undefined ? { memTotal } : {}),
      ...(access0 ? { access0 } : {}),
      ...(access1 ? { access1 } : {}),
      caches,
    });
  }
  return out;
}

/** `### /sys/firmware/acpi/tables/SRAT` and `HMAT` sections (hex dumps): the HMAT facts of the regions' target nodes. */
function acpiNodes(dump: Dump, regions: readonly RegionDraft[], p: Problems): Map<number, AcpiNodeFacts> {
  const table = (name: string): Uint8Array | undefined => {
    const s = dump.sections.find((x) => x.title.startsWith(`/sys/firmware/acpi/tables/${name}`));
    if (!s || s.status !== 'value') return undefined;
    const b = bytesFromHexDump(s.body.join('\n'));
    if (!b) p.warning(`${name}: the section is not a hex dump (od -An -v -tx1); left out`, { line: s.line });
    return b;
  };
  const out = new Map<number, AcpiNodeFacts>();
  const srat = table('SRAT');
  const hmat = table('HMAT');
  if (!srat || !hmat) return out;
  const numa = parseSrat(srat);
  const h = parseHmat(hmat);
  if (!numa.ok || !h.ok) {
    p.warning(`${!numa.ok ? numa.why : !h.ok ? h.why : ''}; the ACPI tables are left out`);
    return out;
  }
  for (const r of regions) {
    if (r.start === undefined) continue;
    const [f] = acpiTargetFacts(numa.value, h.value, [r.start]);
    if (!f) continue;
    // SRAT numbers nodes as the kernel does; use it only where it agrees with the region's own
    if (f.node === r.targetNode) out.set(f.node, f);
    else
      p.warning(
        `region ${r.id}: SRAT puts its memory on node${f.node}, the kernel says node${r.targetNode}; the ACPI tables are left out for it`,
      );
  }
  return out;
}

function readAccess(
  dump: Dump,
  node: number,
  k: 0 | 1,
  attrs: Map<string, Section>,
  p: Problems,
): AccessClassFacts | undefined {
  const prefix = `access${k}/initiators/`;
  const initiators = new Set<number>();
  let seen = false;
  const perf: Partial<Record<'readLatency' | 'writeLatency' | 'readBandwidth' | 'writeBandwidth', number>> = {};
  const keys = {
    read_latency: 'readLatency',
    write_latency: 'writeLatency',
    read_bandwidth: 'readBandwidth',
    write_bandwidth: 'writeBandwidth',
  } as const;
  for (const [attr, s] of attrs) {
    if (!attr.startsWith(prefix)) continue;
    const rest = attr.slice(prefix.length);
    const nl = /^node(\d{1,9})$/.exec(rest);
    if (nl && s.link !== undefined) {
      initiators.add(Number(nl[1]));
      seen = true;
      continue;
    }
    if (rest in keys && s.status === 'value') {
      const n = parseSignedInt(valOf(s));
      if (n === undefined || n < 0) {
        p.warning(`node${node} access${k} ${rest}: cannot read "${valOf(s)}"`, { line: s.line });
        continue;
      }
      perf[keys[rest as keyof typeof keys]] = n;
      seen = true;
    }
  }
  // The reverse links: nodeI/accessK/targets/nodeT.
  for (const s of dump.sections) {
    const m = /^\/sys\/devices\/system\/node\/node(\d{1,9})\/access(\d)\/targets\/node(\d{1,9})$/.exec(s.title);
    if (m && s.link !== undefined && Number(m[2]) === k && Number(m[3]) === node) {
      initiators.add(Number(m[1]));
      seen = true;
    }
  }
  if (!seen) return undefined;
  return { initiators: [...initiators].sort((a, b) => a - b), ...perf };
}

function readCaches(node: number, attrs: Map<string, Section>, p: Problems): MemorySideCacheFacts[] {
  const levels = new Map<number, Map<string, string>>();
  let line = 0;
  for (const [attr, s] of attrs) {
    const m = /^memory_side_cache\/index([1-9]\d{0,8})\/([a-z_]+)$/.exec(attr);
    if (!m || s.status !== 'value') continue;
    const level = Number(m[1]);
    let vals = levels.get(level);
    if (!vals) levels.set(level, (vals = new Map()));
    vals.set(m[2] ?? '', valOf(s) ?? '');
    line = s.line;
  }
  const out: MemorySideCacheFacts[] = [];
  for (const [level, vals] of [...levels].sort((a, b) => a[0] - b[0])) {
    const size = parseDec(vals.get('size'));
    const lineSize = parseSignedInt(vals.get('line_size'));
    const indexing = parseSignedInt(vals.get('indexing'));
    const writePolicy = parseSignedInt(vals.get('write_policy'));
    const am = vals.get('address_mode');
    const addressMode = am !== undefined ? parseAuto(am) : undefined;
    if (
      size === undefined ||
      lineSize === undefined ||
      lineSize < 0 ||
      indexing === undefined ||
      indexing < 0 ||
      indexing > 2 ||
      writePolicy === undefined ||
      writePolicy < 0 ||
      writePolicy > 2 ||
      (addressMode !== undefined && addressMode > BigInt(Number.MAX_SAFE_INTEGER))
    ) {
      p.warning(
        `node${node} memory_side_cache/index${level}: size, line_size, indexing (0-2) or write_policy (0-2) missing or unreadable; the cache is left out`,
        { line },
      );
      continue;
    }
    out.push({
      level,
      size,
      lineSize,
      indexing,
      writePolicy,
      ...(addressMode !== undefined ? { addressMode: Number(addressMode) } : {}),
    });
  }
  return out;
}
