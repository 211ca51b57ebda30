// Reader for capture dumps: the text a capture script prints on a host, one
// section per file or command:
//
//   ### /sys/devices/platform/hmem.0/dax_region/size
//   2147483648
//   ### /sys/bus/dax/devices/dax0.0/driver -> ../../../../bus/dax/drivers/kmem
//   ### uname -r
//   6.12.117+deb12-amd64
//
// A header `### PATH -> TARGET` records a symlink. A body that is only an
// error line (`cat: can't open '…': No such file or directory`, GNU
// `cat: …: No such file or directory`) means the file is absent; `Permission
// denied` means it exists but could not be read. Unknown sections are
// ignored. docs/facts.md "Capture dumps" lists the sections used.

import { formatBytes } from '../units';
import type {
  AccessClassFacts,
  AutoOnlinePolicy,
  DriverName,
  HostFacts,
  MemoryBlockFacts,
  MemorySideCacheFacts,
  NodeFacts,
  Zone,
} from './types';
import { parseJson } from './json';
import { AUTO_ONLINE_POLICIES, Problems, type Loc, type ReadFactsOptions, type ReadFactsResult } from './problems';
import {
  archDefaults,
  bytes,
  checkBlocks,
  checkRegions,
  finishRegion,
  hex,
  inferDynamic,
  inferKmemDefault,
  interiorBlocks,
  settleRegionStarts,
  startFromMappings,
  sysfsRegionPath,
  zoneFromValidZones,
  MAX_DERIVED_BLOCKS,
  checkOptions,
  dedupe,
  isPowerOfTwo,
  type DeviceDraft,
  type MappingDraft,
  type RegionDraft,
} from './infer';
import { inferAutoOnline, inferBlockSize, parseDaxctl, type DaxctlRegion } from './daxctl';
import { acpiTargetFacts, bytesFromHexDump, parseHmat, parseSrat, type AcpiNodeFacts } from './acpi';

// ---------------------------------------------------------------------------
// Sections

export type SectionStatus = 'value' | 'absent' | 'unreadable';

export interface Section {
  /** The header without `### ` and without the link target. */
  readonly title: string;
  /** Link target for `### PATH -> TARGET` headers. */
  readonly link?: string;
  /** Body lines (trailing empty lines dropped). */
  readonly body: readonly string[];
  readonly status: SectionStatus;
  /** 1-based line of the header. */
  readonly line: number;
}

const ERROR_LINE = /^(cat|ls|readlink|head|tail|grep|sh|bash|busybox|find|realpath|stat)(: |:$)|: No such file or directory$|: Permission denied$|: Operation not permitted$|: Invalid argument$|: No such device$|: Input\/output error$/;

function normTitle(t: string): string {
  const s = t.trim();
  if (!s.startsWith('/')) return s;
  return s.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

/** Splits a capture dump into sections. Text before the first header (and a leading BOM) is ignored. */
export function splitSections(text: string): Section[] {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
  const out: Section[] = [];
  let cur: { title: string; link?: string; body: string[]; line: number } | undefined;
  const flush = (): void => {
    if (!cur) return;
    const body = [...cur.body];
    while (body.length > 0 && (body[body.length - 1] ?? '').trim() === '') body.pop();
    const nonEmpty = body.filter((l) => l.trim() !== '');
    let status: SectionStatus = 'value';
    if (nonEmpty.length > 0 && nonEmpty.every((l) => ERROR_LINE.test(l.trim()))) {
      status = nonEmpty.some((l) => /Permission denied|Operation not permitted/.test(l)) ? 'unreadable' : 'absent';
    }
    out.push({ title: cur.title, ...(cur.link !== undefined ? { link: cur.link } : {}), body: status === 'value' ? body : [], status, line: cur.line });
  };
  lines.forEach((raw, i) => {
    if (raw.startsWith('###')) {
      flush();
      let header = raw.slice(3).trim();
      let link: string | undefined;
      const arrow = header.indexOf(' -> ');
      if (arrow >= 0) {
        link = header.slice(arrow + 4).trim();
        header = header.slice(0, arrow);
      }
      cur = { title: normTitle(header), ...(link !== undefined ? { link } : {}), body: [], line: i + 1 };
      return;
    }
    if (cur) cur.body.push(raw);
  });
  flush();
  return out;
}

class Dump {
  readonly byTitle = new Map<string, Section>();
  constructor(readonly sections: readonly Section[]) {
    for (const s of sections) this.byTitle.set(s.title, s);
  }
  sec(title: string): Section | undefined {
    return this.byTitle.get(title);
  }
  /** The value of a file section (body joined, trimmed), or undefined if absent/unreadable/not captured. */
  val(title: string): string | undefined {
    const s = this.byTitle.get(title);
    if (!s || s.status !== 'value') return undefined;
    return s.body.join('\n').trim();
  }
  status(title: string): SectionStatus | 'missing' {
    return this.byTitle.get(title)?.status ?? 'missing';
  }
  firstVal(titles: readonly string[]): { value: string; section: Section } | undefined {
    for (const t of titles) {
      const s = this.byTitle.get(t);
      if (s && s.status === 'value') return { value: s.body.join('\n').trim(), section: s };
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Value parsers

function parseDec(s: string | undefined): bigint | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  return /^\d+$/.test(t) ? BigInt(t) : undefined;
}

/** Base auto-detect as the kernel prints `%#llx` / `%llu`: "0x…" hex, "0", or decimal. */
function parseAuto(s: string | undefined): bigint | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t);
  if (/^\d+$/.test(t)) return BigInt(t);
  return undefined;
}

function parseHexBare(s: string | undefined): bigint | undefined {
  if (s === undefined) return undefined;
  const t = s.trim().replace(/^0x/i, '');
  return /^[0-9a-f]+$/i.test(t) ? BigInt('0x' + t) : undefined;
}

function parseSignedInt(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (!/^-?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A kernel node/cpu list: `0-1,4`, or empty. */
export function parseList(s: string): number[] | undefined {
  const t = s.trim();
  if (t === '') return [];
  const out: number[] = [];
  for (const part of t.split(',')) {
    const m = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a || b - a > 4096) return undefined;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Reader

const REGION_ATTR = /^(\/sys\/devices\/.+)\/dax_region\/([A-Za-z_]+)$/;
const DEVICE_ATTR = /^(\/sys\/devices\/.+)\/(dax\d{1,9}\.\d{1,9})\/(.+)$/;
const BUS_DEVICE_ATTR = /^\/sys\/bus\/dax\/devices\/(dax\d{1,9}\.\d{1,9})\/(.+)$/;
const NODE_ATTR = /^\/sys\/devices\/system\/node\/node(\d{1,9})\/(.+)$/;
const MEMORY_ATTR = /^\/sys\/devices\/system\/memory\/memory(\d{1,9})\/(.+)$/;

interface DeviceSections {
  name: string;
  parent?: string;
  attrs: Map<string, Section>;
}

interface BlockInfo {
  index: number;
  state?: string;
  zones?: string;
  removable?: string;
  node?: number;
  line: number;
}

export function readCaptureText(text: string, source: string, options: ReadFactsOptions = {}): ReadFactsResult<HostFacts> {
  const problems = new Problems();
  try {
    if (!checkOptions(options, problems)) return { problems: problems.list };
    const facts = build(text, source, options, problems);
    return facts ? { facts, problems: problems.list } : { problems: problems.list };
  } catch (e) {
    problems.error(`internal error while reading the capture: ${e instanceof Error ? e.message : String(e)}`);
    return { problems: problems.list };
  }
}

function build(text: string, source: string, options: ReadFactsOptions, p: Problems): HostFacts | undefined {
  const dump = new Dump(splitSections(text));
  if (dump.sections.length === 0) {
    p.error('no "### " sections: this is not a capture dump');
    return undefined;
  }
  const assumptions: string[] = [];
  const at = (s: Section | undefined): Loc | undefined => (s ? { line: s.line } : undefined);

  // --- host ------------------------------------------------------------
  const unameR = dump.firstVal(['uname -r', '/proc/sys/kernel/osrelease']);
  let kernelRelease = unameR?.value || undefined;
  if (options.kernelRelease !== undefined) {
    if (kernelRelease !== undefined && kernelRelease !== options.kernelRelease) {
      p.warning(`--kernel ${options.kernelRelease} replaces the captured release ${kernelRelease}`, at(unameR?.section));
    }
    kernelRelease = options.kernelRelease;
  }
  const unameM = dump.firstVal(['uname -m', 'arch']);
  let arch = options.arch ?? (unameM?.value || undefined);
  if (arch === undefined) {
    arch = 'x86_64';
    assumptions.push('architecture assumed x86_64: the capture has no `uname -m` section');
  }
  const defs = archDefaults(arch);
  if (!defs.known) p.warning(`architecture "${arch}" is not modelled; x86_64 defaults are used where the capture gives nothing`);
  const hostname = dump.firstVal(['hostname', 'uname -n', '/proc/sys/kernel/hostname', '/etc/hostname'])?.value || undefined;

  const ps = dump.firstVal(['getconf PAGESIZE', 'getconf PAGE_SIZE', 'page size']);
  let pageSize = parseDec(ps?.value);
  if (ps && (pageSize === undefined || !isPowerOfTwo(pageSize))) {
    p.warning(`cannot read the page size "${ps.value}"`, at(ps.section));
    pageSize = undefined;
  }
  if (pageSize === undefined) {
    pageSize = defs.pageSize;
    assumptions.push(`page size assumed ${formatBytes(pageSize)}: the capture has no \`getconf PAGESIZE\` section`);
  }

  const bsTitle = '/sys/devices/system/memory/block_size_bytes';
  let blockSize = options.memoryBlockSize;
  let bsCaptured = parseHexBare(dump.val(bsTitle));
  if (dump.val(bsTitle) !== undefined && (bsCaptured === undefined || !isPowerOfTwo(bsCaptured) || bsCaptured < pageSize)) {
    p.warning(`cannot read block_size_bytes "${dump.val(bsTitle)}" (hex, a power of two)`, at(dump.sec(bsTitle)));
    bsCaptured = undefined;
  }
  if (blockSize !== undefined && bsCaptured !== undefined && bsCaptured !== blockSize) {
    p.warning(`--block-size ${bytes(blockSize)} replaces the captured ${bytes(bsCaptured)}`, at(dump.sec(bsTitle)));
  }
  blockSize ??= bsCaptured;

  const aoTitle = '/sys/devices/system/memory/auto_online_blocks';
  let autoOnline: AutoOnlinePolicy | undefined = options.autoOnline;
  const aoVal = dump.val(aoTitle);
  if (aoVal !== undefined) {
    if ((AUTO_ONLINE_POLICIES as readonly string[]).includes(aoVal)) {
      if (autoOnline !== undefined && autoOnline !== aoVal) p.warning(`--auto-online ${autoOnline} replaces the captured "${aoVal}"`, at(dump.sec(aoTitle)));
      autoOnline ??= aoVal as AutoOnlinePolicy;
    } else {
      p.warning(`unknown auto_online_blocks value "${aoVal}"`, at(dump.sec(aoTitle)));
    }
  }

  // dax aligns: PAGE_SIZE always; PMD/PUD only with CONFIG_TRANSPARENT_HUGEPAGE,
  // whose sysfs directory the THP section shows.
  const thpTitle = '/sys/kernel/mm/transparent_hugepage/enabled';
  let daxAligns: bigint[] | undefined;
  const thp = dump.status(thpTitle);
  if (thp === 'value' && defs.aligns) {
    daxAligns = [...defs.aligns];
    assumptions.push(
      `dax aligns ${daxAligns.map(bytes).join(', ')} taken from the ${arch} table: the capture shows transparent hugepages configured (CONFIG_TRANSPARENT_HUGEPAGE)`,
    );
  } else if (thp === 'absent') {
    daxAligns = [pageSize];
    assumptions.push('dax aligns: only the page size, since the capture shows no transparent_hugepage support');
  }

  const mom = dump.val('/sys/module/memory_hotplug/parameters/memmap_on_memory');
  let memmapOnMemorySupported: boolean | undefined;
  if (mom !== undefined) memmapOnMemorySupported = /^(y|1|force|true|on)/i.test(mom);
  const idleVal = dump.val('/sys/module/dax_hmem/parameters/region_idle');
  const regionIdle = idleVal === undefined ? undefined : /^(y|1|true|on)/i.test(idleVal);

  // --- the daxctl section (cross-check and fallback) ---------------------
  let daxctl: DaxctlRegion[] | undefined;
  const dxSection = dump.sections.find((s) => /^daxctl\s+list\b/.test(s.title));
  if (dxSection && dxSection.status === 'value') {
    const body = dxSection.body.join('\n');
    const parsed = parseJson(body);
    const sub = new Problems(body);
    if (!parsed.ok) {
      p.warning(`the \`${dxSection.title}\` section is not JSON (${parsed.message}); it is ignored`, at(dxSection));
    } else {
      const subAssumptions: string[] = [];
      const r = parseDaxctl(parsed.value, kernelRelease, sub, subAssumptions);
      if (r) daxctl = r;
      const firstErr = sub.list.find((x) => x.severity === 'error');
      if (firstErr) p.warning(`the \`${dxSection.title}\` section cannot be used: ${firstErr.message}`, at(dxSection));
    }
  }
  const dxRegion = (id: number): DaxctlRegion | undefined => daxctl?.find((r) => r.id === id);
  const dxDevice = (name: string): (DaxctlRegion['devices'][number]) | undefined => daxctl?.flatMap((r) => r.devices).find((d) => d.name === name);

  // --- regions and devices from sysfs -----------------------------------
  const regionPaths = new Map<string, Map<string, Section>>();
  const devices = new Map<string, DeviceSections>();
  const dev = (name: string): DeviceSections => {
    let d = devices.get(name);
    if (!d) {
      d = { name, attrs: new Map() };
      devices.set(name, d);
    }
    return d;
  };
  for (const s of dump.sections) {
    const rm = REGION_ATTR.exec(s.title);
    if (rm && rm[1] && rm[2]) {
      const rp = sysfsRegionPath(rm[1]);
      let attrs = regionPaths.get(rp);
      if (!attrs) regionPaths.set(rp, (attrs = new Map()));
      attrs.set(rm[2], s);
      continue;
    }
    const bm = BUS_DEVICE_ATTR.exec(s.title);
    if (bm && bm[1] && bm[2]) {
      dev(bm[1]).attrs.set(bm[2], s);
      continue;
    }
    const dm = DEVICE_ATTR.exec(s.title);
    if (dm && dm[1] && dm[2] && dm[3] && !dm[1].includes('/dax_region')) {
      const d = dev(dm[2]);
      d.parent = sysfsRegionPath(dm[1]);
      d.attrs.set(dm[3], s);
    }
  }
  // Devices whose parent was captured only through its device files.
  for (const d of devices.values()) {
    if (d.parent !== undefined && !regionPaths.has(d.parent) && d.attrs.size > 0) regionPaths.set(d.parent, new Map());
  }

  const regions: RegionDraft[] = [];
  for (const [rpath, attrs] of regionPaths) {
    const val = (a: string): string | undefined => {
      const s = attrs.get(a);
      return s && s.status === 'value' ? s.body.join('\n').trim() : undefined;
    };
    const anyLoc = at(attrs.get('size') ?? attrs.get('id') ?? [...attrs.values()][0]);
    const members = [...devices.values()].filter((d) => d.parent === rpath);
    let id = parseSignedInt(val('id'));
    if (id === undefined) {
      const fromName = members.map((d) => /^dax(\d+)\./.exec(d.name)?.[1]).find((x) => x !== undefined);
      const fromDx = daxctl?.find((r) => r.path === rpath)?.id;
      id = fromName !== undefined ? Number(fromName) : fromDx;
    }
    if (id === undefined || id < 0) {
      p.error(`the region at ${rpath} has no readable dax_region/id`, anyLoc);
      continue;
    }
    // Devices captured through /sys/bus/dax/devices/daxR.N only: match by region id.
    for (const d of devices.values()) {
      if (d.parent === undefined && d.name.startsWith(`dax${id}.`)) {
        d.parent = rpath;
        members.push(d);
      }
    }
    const dx = dxRegion(id);
    let size = parseDec(val('size'));
    if (size === undefined && dx) size = dx.size;
    let align = parseDec(val('align'));
    if (align === undefined && dx) align = dx.align;
    if (size === undefined || align === undefined) {
      p.error(`region ${id} (${rpath}): ${size === undefined ? 'dax_region/size' : 'dax_region/align (root-only)'} was not captured`, anyLoc);
      continue;
    }
    const avStatus = attrs.get('available_size')?.status;
    const crStatus = attrs.get('create')?.status;
    const available = parseDec(val('available_size'));
    let dynamic: boolean;
    if (avStatus === 'value' || avStatus === 'unreadable' || crStatus === 'value' || crStatus === 'unreadable') dynamic = true;
    else if (avStatus === 'absent' && (crStatus === 'absent' || crStatus === undefined)) dynamic = false;
    else {
      const inf = inferDynamic(id, rpath, dx?.availableSize !== undefined && dx.availableSize > 0n);
      dynamic = inf.value;
      if (inf.assumption) assumptions.push(inf.assumption);
    }
    const kmem = inferKmemDefault(id, rpath, kernelRelease, regionIdle);
    if (kmem.assumption) assumptions.push(kmem.assumption);

    const drafts: DeviceDraft[] = [];
    members.sort((a, b) => Number(a.name.split('.')[1]) - Number(b.name.split('.')[1]));
    let zeroResource: bigint | undefined;
    for (const d of members) {
      const draft = readDevice(d, align, dxDevice(d.name), p);
      if (!draft) continue;
      drafts.push(draft);
      const res = parseAuto(valOf(d.attrs.get('resource')));
      if (draft.size === 0n && res !== undefined && res !== 0n) zeroResource = res;
    }
    const region: RegionDraft = {
      id,
      path: rpath,
      start: undefined,
      size,
      align,
      dynamic,
      targetNode: drafts[0]?.targetNode ?? dx?.targetNode ?? -1,
      kmemDefault: kmem.value,
      devices: drafts,
      ...(available !== undefined && dynamic ? { availableSize: available } : {}),
      ...(anyLoc ? { loc: anyLoc } : {}),
    };
    if (startFromMappings(size, drafts) === undefined) {
      if (zeroResource !== undefined) {
        region.start = zeroResource;
        p.info(`region ${id}: start ${hex(zeroResource)} taken from the resource of a zero-size device`, anyLoc);
      } else {
        const fromIomem = iomemStart(dump, rpath, size);
        if (fromIomem !== undefined) {
          region.start = fromIomem;
          p.info(`region ${id}: start ${hex(fromIomem)} taken from /proc/iomem`, anyLoc);
        }
      }
    }
    regions.push(region);
  }

  // Only the daxctl section describes the dax devices: use it.
  if (regions.length === 0 && daxctl && daxctl.length > 0) {
    p.info(`no dax_region sections: the regions are taken from the \`${dxSection?.title ?? 'daxctl list'}\` section`, at(dxSection));
    for (const r of daxctl) {
      const kmem = inferKmemDefault(r.id, r.path, kernelRelease, regionIdle);
      r.kmemDefault = kmem.value;
      if (kmem.assumption) assumptions.push(kmem.assumption);
      if (startFromMappings(r.size, r.devices) === undefined) {
        const fromIomem = iomemStart(dump, r.path, r.size);
        if (fromIomem !== undefined) r.start = fromIomem;
      }
      regions.push(r);
    }
  } else if (daxctl) {
    crossCheck(regions, daxctl, p, at(dxSection));
  }

  settleRegionStarts(regions, options.regionStart, p, 'from the capture');
  checkRegions(regions, { pageSize }, p);

  // --- memory block size and auto-online fallbacks -----------------------
  if (blockSize === undefined) {
    if (daxctl) blockSize = inferBlockSize(daxctl, undefined, defs, p, assumptions);
    else {
      blockSize = defs.blockSize;
      assumptions.push(`memory block size assumed ${bytes(blockSize)} (the ${defs.arch} minimum): block_size_bytes was not captured`);
    }
  }
  if (autoOnline === undefined) {
    autoOnline = inferAutoOnline(daxctl ?? [], undefined, assumptions);
  }

  // --- memory blocks -------------------------------------------------------
  const { blocks: captured, nodeLists } = readBlocks(dump);
  const memoryBlocks = daxBlocks(regions, captured, nodeLists, blockSize, daxctl, p, assumptions);
  checkBlocks(memoryBlocks, p);

  // --- nodes -------------------------------------------------------------
  const nodes = readNodes(dump, regions, memoryBlocks, captured, nodeLists, blockSize, p);

  if (p.errorCount > 0) return undefined;

  if (kernelRelease === undefined) {
    p.error('the capture has no `uname -r` section; pass --kernel RELEASE (a `uname -r` string)');
  }
  return {
    source,
    ...(hostname !== undefined ? { hostname } : {}),
    kernelRelease,
    arch,
    pageSize,
    ...(daxAligns !== undefined ? { daxAligns } : {}),
    memoryBlockSize: blockSize,
    autoOnlineBlocks: autoOnline,
    ...(memmapOnMemorySupported !== undefined ? { memmapOnMemorySupported } : {}),
    regions: regions.map(finishRegion),
    memoryBlocks: memoryBlocks.map(({ loc: _l, ...b }) => b),
    nodes,
    assumptions: dedupe(assumptions),
  };
}

function valOf(s: Section | undefined): string | undefined {
  return s && s.status === 'value' ? s.body.join('\n').trim() : undefined;
}

function readDevice(
  d: DeviceSections,
  regionAlign: bigint,
  dx: (DaxctlRegion['devices'][number]) | undefined,
  p: Problems,
): DeviceDraft | undefined {
  const a = d.attrs;
  const loc: Loc | undefined = (() => {
    const s = a.get('size') ?? [...a.values()][0];
    return s ? { line: s.line } : undefined;
  })();
  let size = parseDec(valOf(a.get('size')));
  if (size === undefined) size = dx?.size;
  if (size === undefined) {
    p.error(`${d.name}: its size was not captured`, loc);
    return undefined;
  }
  const align = parseDec(valOf(a.get('align'))) ?? dx?.align ?? regionAlign;

  let targetNode: number;
  const tn = a.get('target_node');
  if (tn?.status === 'value') {
    const v = parseSignedInt(valOf(tn));
    if (v === undefined) {
      p.error(`${d.name}: cannot read target_node "${valOf(tn)}"`, { line: tn.line });
      return undefined;
    }
    targetNode = v;
  } else if (tn?.status === 'absent') targetNode = -1;
  else targetNode = dx?.targetNode ?? -1;

  // driver: the `driver` symlink
  const link = a.get('driver');
  let driver: DriverName | null;
  if (link?.link !== undefined) {
    const name = link.link.split('/').filter((x) => x.length > 0).pop() ?? '';
    if (name === 'device_dax' || name === 'kmem') driver = name;
    else {
      p.warning(`${d.name}: bound to driver "${name}", which is not modelled; taken as device_dax`, { line: link.line });
      driver = 'device_dax';
    }
  } else if (link !== undefined) driver = null;
  else if (dx !== undefined) driver = dx.driver;
  else {
    driver = null;
    p.warning(`${d.name}: its driver link was not captured; taken as unbound`, loc);
  }

  let memmapOnMemory: boolean | undefined;
  const mom = valOf(a.get('memmap_on_memory'));
  if (mom !== undefined) memmapOnMemory = mom === '1' || /^y/i.test(mom);

  // mappings
  const byId = new Map<number, { start?: bigint; end?: bigint; pageOffset?: bigint; unreadable: boolean; line: number }>();
  for (const [attr, s] of a) {
    const m = /^mapping(\d{1,9})\/(start|end|page_offset)$/.exec(attr);
    if (!m) continue;
    const id = Number(m[1]);
    let e = byId.get(id);
    if (!e) byId.set(id, (e = { unreadable: false, line: s.line }));
    if (s.status !== 'value') {
      e.unreadable = true;
      continue;
    }
    const v = parseAuto(valOf(s));
    if (m[2] === 'start') e.start = v;
    else if (m[2] === 'end') e.end = v;
    else e.pageOffset = v;
  }
  let mappings: MappingDraft[] = [];
  const complete = [...byId.entries()].every(([, e]) => !e.unreadable && e.start !== undefined && e.end !== undefined && e.pageOffset !== undefined);
  if (byId.size > 0 && complete) {
    for (const [id, e] of byId) {
      mappings.push({ id, start: e.start ?? 0n, end: e.end ?? 0n, pageOffset: e.pageOffset ?? 0n, loc: { line: e.line } });
    }
  } else if (dx !== undefined && (byId.size > 0 || size > 0n)) {
    mappings = dx.mappings.map((m) => ({ ...m }));
    if (byId.size > 0) p.info(`${d.name}: mappingN files were not readable; the mappings are taken from the daxctl section`, loc);
  } else if (size > 0n) {
    p.error(`${d.name}: its mappingN/start, end and page_offset (root-only) were not captured`, loc);
    return undefined;
  }
  mappings.sort((x, y) => (x.pageOffset < y.pageOffset ? -1 : x.pageOffset > y.pageOffset ? 1 : 0));
  return {
    name: d.name,
    size,
    align,
    driver,
    targetNode,
    ...(memmapOnMemory !== undefined ? { memmapOnMemory } : {}),
    mappings,
    ...(loc ? { loc } : {}),
  };
}

function iomemStart(dump: Dump, rpath: string, size: bigint): bigint | undefined {
  const s = dump.sections.find((x) => x.title.startsWith('/proc/iomem') || x.title.startsWith('cat /proc/iomem'));
  if (!s || s.status !== 'value') return undefined;
  const name = rpath.split('/').pop() ?? '';
  for (const line of s.body) {
    const m = /^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+)\s*:\s*(.+?)\s*$/.exec(line);
    if (!m || !m[1] || !m[2]) continue;
    const start = BigInt('0x' + m[1]);
    const end = BigInt('0x' + m[2]);
    if (m[3] === name && end - start + 1n === size) return start;
  }
  return undefined;
}

function crossCheck(regions: readonly RegionDraft[], daxctl: readonly DaxctlRegion[], p: Problems, loc: Loc | undefined): void {
  const say = (msg: string): void => p.warning(`the sysfs sections and the daxctl section disagree: ${msg}`, loc);
  for (const xr of daxctl) {
    const r = regions.find((x) => x.id === xr.id);
    if (!r) {
      say(`daxctl lists region ${xr.id} (${xr.path}), the sysfs sections do not`);
      continue;
    }
    if (r.size !== xr.size) say(`region ${r.id} size ${r.size} vs ${xr.size}`);
    if (r.align !== xr.align) say(`region ${r.id} align ${r.align} vs ${xr.align}`);
    if (r.path !== xr.path) say(`region ${r.id} path ${r.path} vs ${xr.path}`);
    for (const xd of xr.devices) {
      const d = r.devices.find((x) => x.name === xd.name);
      if (!d) {
        say(`daxctl lists ${xd.name}, the sysfs sections do not`);
        continue;
      }
      if (d.size !== xd.size) say(`${d.name} size ${d.size} vs ${xd.size}`);
      if (d.align !== xd.align) say(`${d.name} align ${d.align} vs ${xd.align}`);
      if (d.driver !== xd.driver) say(`${d.name} driver ${d.driver ?? 'none'} vs ${xd.driver ?? 'none'}`);
      if (d.targetNode !== xd.targetNode) say(`${d.name} target node ${d.targetNode} vs ${xd.targetNode}`);
      const a = d.mappings.map((m) => `${hex(m.start)}-${hex(m.end)}@${m.pageOffset}`).join(',');
      const b = xd.mappings.map((m) => `${hex(m.start)}-${hex(m.end)}@${m.pageOffset}`).join(',');
      if (a !== b) say(`${d.name} mappings ${a || 'none'} vs ${b || 'none'}`);
    }
  }
}

// ---------------------------------------------------------------------------
// Memory blocks

function readBlocks(dump: Dump): { blocks: Map<number, BlockInfo>; nodeLists: Map<number, Set<number>> } {
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

function daxBlocks(
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
    out.set(b.index, { index: b.index, state, ...(zone !== undefined ? { zone } : {}), node, removable, loc: { line: b.line } });
  };

  // Captured blocks that overlap dax memory (regions, or mappings when the start is unknown).
  const spans: { start: bigint; end: bigint; node: number }[] = [];
  for (const r of regions) {
    if (r.start !== undefined) spans.push({ start: r.start, end: r.start + r.size - 1n, node: r.targetNode });
    for (const d of r.devices) for (const m of d.mappings) spans.push({ start: m.start, end: m.end, node: d.targetNode });
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
      const zone: Zone | undefined = allOnline ? (dx?.movable === true ? 'Movable' : dx?.movable === false ? 'Normal' : undefined) : undefined;
      for (const i of missing) {
        out.set(i, { index: i, state: allOnline ? 'online' : 'offline', ...(zone ? { zone } : {}), node: d.targetNode, removable: true });
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

// ---------------------------------------------------------------------------
// NUMA nodes and HMAT

function readNodes(
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
      p.warning(`node${id}: cannot read cpulist "${cpus}"; taken as no CPUs`, { line: attrs.get('cpulist')?.line ?? 0 });
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
        if (states.every((s) => s !== undefined)) memTotal = BigInt(states.filter((s) => s === 'online').length) * blockSize;
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
      p.info(`node${id}: HMAT latency, bandwidth and memory-side cache read from the ACPI HMAT table (the kernel lists them under node${id} once its memory is online)`);
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
    else p.warning(`region ${r.id}: SRAT puts its memory on node${f.node}, the kernel says node${r.targetNode}; the ACPI tables are left out for it`);
  }
  return out;
}

function readAccess(dump: Dump, node: number, k: 0 | 1, attrs: Map<string, Section>, p: Problems): AccessClassFacts | undefined {
  const prefix = `access${k}/initiators/`;
  const initiators = new Set<number>();
  let seen = false;
  const perf: Partial<Record<'readLatency' | 'writeLatency' | 'readBandwidth' | 'writeBandwidth', number>> = {};
  const keys = { read_latency: 'readLatency', write_latency: 'writeLatency', read_bandwidth: 'readBandwidth', write_bandwidth: 'writeBandwidth' } as const;
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
      p.warning(`node${node} memory_side_cache/index${level}: size, line_size, indexing (0-2) or write_policy (0-2) missing or unreadable; the cache is left out`, { line });
      continue;
    }
    out.push({ level, size, lineSize, indexing, writePolicy, ...(addressMode !== undefined ? { addressMode: Number(addressMode) } : {}) });
  }
  return out;
}

