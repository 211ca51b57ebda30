// The ACPI SRAT and HMAT tables (`/sys/firmware/acpi/tables/{SRAT,HMAT}`, root only) read into
// the NUMA/HMAT facts of the nodes that dax regions target.
//
// Why: Linux registers a target node's HMAT attributes in sysfs (`nodeT/accessK/`,
// `nodeT/memory_side_cache/`) only once the node has memory online (hmat.c hmat_callback, on the
// memory-hotplug notifier). Soft-reserved memory left to device_dax never onlines any, so on such
// a host the sysfs files are simply not there — yet the memory-side cache is exactly what a
// devdax user colours by. The firmware tables always are; this module reads them the way
// drivers/acpi/numa/srat.c and drivers/acpi/numa/hmat.c do (the facts and their sources are in
// ACPI_FACTS below; docs/facts.md "ACPI tables"). Pure.

import type { AccessClassFacts, MemorySideCacheFacts } from '../host-facts';

/** What the kernel takes from the tables, each with where it is decided. */
export const ACPI_FACTS = {
  /** ACPI 6.4 §5.2.16 (SRAT): header 36 bytes + 12 reserved; subtables follow. */
  sratHeader: 48,
  /** ACPI 6.4 §5.2.27 (HMAT): header 36 bytes + 4 reserved; structures follow. */
  hmatHeader: 40,
  /**
   * srat.c acpi_numa_init: processor (0 local APIC, 2 x2APIC, 3 GICC) and generic-initiator (5)
   * affinity subtables are walked first, in table order, then memory affinity (1) subtables; each
   * newly seen proximity domain gets the lowest free node id (acpi_map_pxm_to_node). Disabled
   * entries (flags bit 0 clear) are skipped.
   */
  nodeOrder: 'processors and generic initiators first, then memory, each in table order',
  /** hmat.c hmat_normalize: revision 2 latencies are picoseconds, rounded up to ns; bandwidth MB/s. */
  latencyDivisor: 1000,
  /** hmat.c hmat_normalize: an entry of 0 or 0xffff means "not given" / unreachable. */
  noEntry: [0, 0xffff] as readonly number[],
  /** hmat.c hmat_parse_cache: ACPI associativity 1 direct mapped → 0, 2 complex → 1, else 2 (sysfs `indexing`). */
  indexing: { 1: 0, 2: 1 } as Readonly<Record<number, number>>,
  /** hmat.c hmat_parse_cache: ACPI write policy 1 write-back → 0, 2 write-through → 1, else 2. */
  writePolicy: { 1: 0, 2: 1 } as Readonly<Record<number, number>>,
} as const;

export interface AcpiMemoryAffinity {
  readonly pxm: number;
  readonly start: bigint;
  /** Inclusive. */
  readonly end: bigint;
}

export interface AcpiNuma {
  /** Proximity domain → Linux node id, as the kernel numbers them. */
  readonly pxmToNode: ReadonlyMap<number, number>;
  /** Proximity domains of CPUs (processor affinity); generic initiators are not in it. */
  readonly cpuPxms: ReadonlySet<number>;
  /** Proximity domains of every initiator: CPUs and generic initiators. */
  readonly initiatorPxms: ReadonlySet<number>;
  /** Enabled memory affinity ranges. */
  readonly memory: readonly AcpiMemoryAffinity[];
}

export interface AcpiHmat {
  readonly revision: number;
  /** Memory proximity domain → memory-side caches (sysfs encoding). */
  readonly caches: ReadonlyMap<number, readonly MemorySideCacheFacts[]>;
  /** Memory proximity domain → the initiator attached to it (structure type 0, flag bit 0). */
  readonly attached: ReadonlyMap<number, number>;
  readonly localities: readonly Locality[];
}

interface Locality {
  /** 0 access latency, 1 read latency, 2 write latency, 3 access bandwidth, 4 read bandwidth, 5 write bandwidth. */
  readonly dataType: number;
  readonly initiators: readonly number[];
  readonly targets: readonly number[];
  readonly base: bigint;
  /** entries[i * targets.length + t] */
  readonly entries: readonly number[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

/** The bytes of `od -An -v -tx1 FILE` output (hex pairs separated by white space). */
export function bytesFromHexDump(text: string): Uint8Array | undefined {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const out = new Uint8Array(words.length);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (!/^[0-9a-fA-F]{2}$/.test(w)) return undefined;
    out[i] = parseInt(w, 16);
  }
  return out;
}

class Reader {
  constructor(readonly b: Uint8Array) {}
  u8(o: number): number {
    return this.b[o] ?? 0;
  }
  u16(o: number): number {
    return this.u8(o) | (this.u8(o + 1) << 8);
  }
  u32(o: number): number {
    return (this.u16(o) | (this.u16(o + 2) << 16)) >>> 0;
  }
  u64(o: number): bigint {
    return BigInt(this.u32(o)) | (BigInt(this.u32(o + 4)) << 32n);
  }
}

/** Signature, length and checksum of an ACPI table. */
function checkTable(b: Uint8Array, signature: string, header: number): string | undefined {
  if (b.length < header) return `${signature}: ${b.length} bytes, shorter than its header`;
  const sig = String.fromCharCode(b[0] ?? 0, b[1] ?? 0, b[2] ?? 0, b[3] ?? 0);
  if (sig !== signature) return `${signature}: the table's signature is "${sig}"`;
  const len = new Reader(b).u32(4);
  if (len !== b.length) return `${signature}: the header says ${len} bytes, the dump has ${b.length}`;
  let sum = 0;
  for (const x of b) sum = (sum + x) & 0xff;
  if (sum !== 0) return `${signature}: checksum mismatch (the dump is damaged)`;
  return undefined;
}

/** SRAT: proximity domains, the node ids Linux gives them, memory ranges. */
export function parseSrat(b: Uint8Array): Parsed<AcpiNuma> {
  const bad = checkTable(b, 'SRAT', ACPI_FACTS.sratHeader);
  if (bad) return { ok: false, why: bad };
  const r = new Reader(b);
  const revision = r.u8(8);
  const subs: { type: number; at: number; len: number }[] = [];
  for (let at = ACPI_FACTS.sratHeader; at + 2 <= b.length;) {
    const type = r.u8(at);
    const len = r.u8(at + 1);
    if (len < 2 || at + len > b.length) return { ok: false, why: `SRAT: subtable at byte ${at} has length ${len}` };
    subs.push({ type, at, len });
    at += len;
  }
  const pxmToNode = new Map<number, number>();
  const see = (pxm: number): void => {
    if (!pxmToNode.has(pxm)) pxmToNode.set(pxm, pxmToNode.size);
  };
  const cpuPxms = new Set<number>();
  const initiatorPxms = new Set<number>();
  for (const s of subs) {
    let pxm: number | undefined;
    let cpu = true;
    if (s.type === 0 && s.len >= 16 && r.u32(s.at + 4) & 1) {
      // local APIC: proximity domain bits 7:0 at 2, bits 31:8 at 9..11 (SRAT revision 2+)
      pxm =
        r.u8(s.at + 2) |
        (revision >= 2 ? (r.u8(s.at + 9) << 8) | (r.u8(s.at + 10) << 16) | (r.u8(s.at + 11) << 24) : 0);
    } else if (s.type === 2 && s.len >= 24 && r.u32(s.at + 12) & 1) {
      pxm = r.u32(s.at + 4); // x2APIC
    } else if (s.type === 3 && s.len >= 18 && r.u32(s.at + 10) & 1) {
      pxm = r.u32(s.at + 2); // GICC
    } else if (s.type === 5 && s.len >= 32 && r.u32(s.at + 28) & 1) {
      pxm = r.u32(s.at + 4); // generic initiator
      cpu = false;
    }
    if (pxm === undefined) continue;
    see(pxm >>> 0);
    initiatorPxms.add(pxm >>> 0);
    if (cpu) cpuPxms.add(pxm >>> 0);
  }
  const memory: AcpiMemoryAffinity[] = [];
  for (const s of subs) {
    if (s.type !== 1 || s.len < 40 || !(r.u32(s.at + 28) & 1)) continue;
    const pxm = r.u32(s.at + 2);
    const start = r.u64(s.at + 8);
    const length = r.u64(s.at + 16);
    see(pxm);
    if (length > 0n) memory.push({ pxm, start, end: start + length - 1n });
  }
  return { ok: true, value: { pxmToNode, cpuPxms, initiatorPxms, memory } };
}

/** HMAT: memory-side caches, attached initiators and the latency/bandwidth matrices. */
export function parseHmat(b: Uint8Array): Parsed<AcpiHmat> {
  const bad = checkTable(b, 'HMAT', ACPI_FACTS.hmatHeader);
  if (bad) return { ok: false, why: bad };
  const r = new Reader(b);
  const revision = r.u8(8);
  const caches = new Map<number, MemorySideCacheFacts[]>();
  const attached = new Map<number, number>();
  const localities: Locality[] = [];
  for (let at = ACPI_FACTS.hmatHeader; at + 8 <= b.length;) {
    const type = r.u16(at);
    const len = r.u32(at + 4);
    if (len < 8 || at + len > b.length) return { ok: false, why: `HMAT: structure at byte ${at} has length ${len}` };
    if (type === 0 && len >= 40) {
      // memory proximity domain attributes: flag bit 0 = the attached initiator is valid
      if (r.u16(at + 8) & 1) attached.set(r.u32(at + 16), r.u32(at + 12));
    } else if (type === 1 && len >= 32) {
      const hierarchy = r.u8(at + 8) & 0xf;
      const ni = r.u32(at + 12);
      const nt = r.u32(at + 16);
      const need = 32 + 4 * (ni + nt) + 2 * ni * nt;
      if (need > len)
        return { ok: false, why: `HMAT: locality structure at byte ${at} is ${len} bytes, its lists need ${need}` };
      // hmat.c hmat_parse_locality: only the memory hierarchy (0) feeds the access classes
      if (hierarchy === 0) {
        const initiators = Array.from({ length: ni }, (_, i) => r.u32(at + 32 + 4 * i));
        const targets = Array.from({ length: nt }, (_, i) => r.u32(at + 32 + 4 * ni + 4 * i));
        const entries = Array.from({ length: ni * nt }, (_, i) => r.u16(at + 32 + 4 * (ni + nt) + 2 * i));
        localities.push({ dataType: r.u8(at + 9), initiators, targets, base: r.u64(at + 24), entries });
      }
    } else if (type === 2 && len >= 32) {
      const pd = r.u32(at + 8);
      const size = r.u64(at + 16);
      const attrs = r.u32(at + 24);
      const cache: MemorySideCacheFacts = {
        level: (attrs >>> 4) & 0xf,
        size,
        lineSize: attrs >>> 16,
        indexing: ACPI_FACTS.indexing[(attrs >>> 8) & 0xf] ?? 2,
        writePolicy: ACPI_FACTS.writePolicy[(attrs >>> 12) & 0xf] ?? 2,
      };
      const list = caches.get(pd) ?? [];
      list.push(cache);
      caches.set(
        pd,
        list.sort((x, y) => x.level - y.level),
      );
    }
    at += len;
  }
  return { ok: true, value: { revision, caches, attached, localities } };
}

type Perf = Partial<Record<'readLatency' | 'writeLatency' | 'readBandwidth' | 'writeBandwidth', number>>;

/** The perf keys a data type sets (hmat.c hmat_update_target_access). */
const DATA_TYPE_KEYS: Record<number, readonly (keyof Perf)[]> = {
  0: ['readLatency', 'writeLatency'],
  1: ['readLatency'],
  2: ['writeLatency'],
  3: ['readBandwidth', 'writeBandwidth'],
  4: ['readBandwidth'],
  5: ['writeBandwidth'],
};

function normalize(entry: number, base: bigint, dataType: number, revision: number): number {
  if (ACPI_FACTS.noEntry.includes(entry)) return 0;
  let v = BigInt(entry) * base;
  if (revision === 1) {
    if (v < 10n) return 0;
    v = (v + 9n) / 10n;
  } else if (revision === 2 && dataType <= 2) {
    const d = BigInt(ACPI_FACTS.latencyDivisor);
    v = (v + d - 1n) / d;
  }
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(v);
}

function value(hmat: AcpiHmat, loc: Locality, initiator: number, target: number): number {
  const i = loc.initiators.indexOf(initiator);
  const t = loc.targets.indexOf(target);
  if (i < 0 || t < 0) return 0;
  return normalize(loc.entries[i * loc.targets.length + t] ?? 0, loc.base, loc.dataType, hmat.revision);
}

/**
 * The access class K (0: any initiator, 1: CPU initiators) of a memory target, as hmat.c
 * registers it: with an attached initiator, that one and its values; otherwise the initiators
 * with the best value in every data type, and those best values.
 */
export function accessClass(numa: AcpiNuma, hmat: AcpiHmat, targetPxm: number, k: 0 | 1): AccessClassFacts | undefined {
  const node = (pxm: number): number | undefined => numa.pxmToNode.get(pxm);
  const perf: Perf = {};
  const set = (loc: Locality, v: number): void => {
    if (v) for (const key of DATA_TYPE_KEYS[loc.dataType] ?? []) perf[key] = v;
  };
  const attachedPxm = hmat.attached.get(targetPxm);
  let chosen: number[];
  if (attachedPxm !== undefined && (k === 0 || numa.cpuPxms.has(attachedPxm))) {
    chosen = [attachedPxm];
    for (const loc of hmat.localities) set(loc, value(hmat, loc, attachedPxm, targetPxm));
  } else {
    // hmat.c hmat_update_target_attrs: per kind, in the kernel's order (write latency, read
    // latency, write bandwidth, read bandwidth; the last locality of a kind wins), keep the
    // initiators with the best value among those still kept.
    let candidates = [...numa.initiatorPxms].filter((p) => k === 0 || numa.cpuPxms.has(p)).sort((a, b) => a - b);
    for (const kind of KINDS) {
      const loc = [...hmat.localities].reverse().find((l) => kind.types.includes(l.dataType));
      if (!loc) continue;
      let best = 0;
      for (const p of candidates) {
        const v = value(hmat, loc, p, targetPxm);
        if (v && (!best || (kind.lower ? v < best : v > best))) best = v;
      }
      if (!best) continue;
      candidates = candidates.filter((p) => value(hmat, loc, p, targetPxm) === best);
      perf[kind.key] = best;
    }
    chosen = [...candidates];
  }
  const initiators = chosen
    .map(node)
    .filter((n): n is number => n !== undefined)
    .sort((a, b) => a - b);
  if (initiators.length === 0 && Object.keys(perf).length === 0) return undefined;
  return { initiators, ...perf };
}

const KINDS: readonly { key: keyof Perf; types: readonly number[]; lower: boolean }[] = [
  { key: 'writeLatency', types: [0, 2], lower: true },
  { key: 'readLatency', types: [0, 1], lower: true },
  { key: 'writeBandwidth', types: [3, 5], lower: false },
  { key: 'readBandwidth', types: [3, 4], lower: false },
];

/** The proximity domain of the memory at a physical address (SRAT memory affinity). */
export function pxmOf(numa: AcpiNuma, address: bigint): number | undefined {
  return numa.memory.find((m) => m.start <= address && address <= m.end)?.pxm;
}

export interface AcpiNodeFacts {
  readonly node: number;
  readonly caches: readonly MemorySideCacheFacts[];
  readonly access0?: AccessClassFacts;
  readonly access1?: AccessClassFacts;
}

/**
 * For each region start given, the HMAT facts of the node its memory belongs to (found through
 * SRAT, so no assumption about node numbering is needed for the target). Regions whose address
 * no memory affinity covers are left out.
 */
export function acpiTargetFacts(numa: AcpiNuma, hmat: AcpiHmat, regionStarts: readonly bigint[]): AcpiNodeFacts[] {
  const out = new Map<number, AcpiNodeFacts>();
  for (const start of regionStarts) {
    const pxm = pxmOf(numa, start);
    const node = pxm === undefined ? undefined : numa.pxmToNode.get(pxm);
    if (pxm === undefined || node === undefined || out.has(node)) continue;
    const access0 = accessClass(numa, hmat, pxm, 0);
    const access1 = accessClass(numa, hmat, pxm, 1);
    out.set(node, {
      node,
      caches: hmat.caches.get(pxm) ?? [],
      ...(access0 ? { access0 } : {}),
      ...(access1 ? { access1 } : {}),
    });
  }
  return [...out.values()];
}
