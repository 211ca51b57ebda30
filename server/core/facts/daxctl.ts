// Import of `daxctl list -RDMi` output (ndctl's daxctl/json.c) into HostFacts,
// with the inferences docs/facts.md "Importing daxctl JSON" describes: what
// daxctl does not print (region start, memory block size, auto-online
// policy, memory blocks, kernel release, arch) is derived where the JSON
// proves it, taken from the options, or assumed and recorded.

import { formatBytes } from '../units';
import type { DriverName, HostFacts, MemoryBlockFacts } from '../host-facts';
import { kindName, ptr, type JNode } from './json';
import { Fields, HUMAN_SIZE } from './fields';
import type { Problems, ReadFactsOptions } from './problems';
import {
  MAX_DERIVED_BLOCKS,
  archDefaults,
  bytes,
  checkRegions,
  daxctlBlockCount,
  dedupe,
  finishRegion,
  inferDynamic,
  inferKmemDefault,
  interiorBlocks,
  settleRegionStarts,
  sysfsRegionPath,
  type ArchDefaults,
  type DeviceDraft,
  type MappingDraft,
  type RegionDraft,
} from './infer';

export interface DaxctlDevice extends DeviceDraft {
  /** daxctl `mode` as printed. */
  readonly mode: string;
  readonly onlineMemblocks?: number;
  readonly totalMemblocks?: number;
  readonly movable?: boolean;
}

export interface DaxctlRegion extends RegionDraft {
  devices: DaxctlDevice[];
}

const SIZE_KEYS = ['size', 'available_size', 'align'];
const HEX_KEYS = ['start', 'end', 'page_offset'];

/** True when the parsed JSON looks like daxctl output (an array, or a bare region or device object). */
export function looksLikeDaxctl(root: JNode): boolean {
  if (root.kind === 'arr') return true;
  if (root.kind !== 'obj') return false;
  const e = root.entries;
  return (
    e.has('chardev') || (e.has('path') && e.has('id')) || (e.has('devices') && !e.has('format') && !e.has('regions'))
  );
}

/** Finds a daxctl -u (human) value: a size like "2.00 GiB (2.15 GB)" or a "0x…" address string. */
function findHuman(n: JNode, path: string): { path: string; key: string; value: string; at: number } | undefined {
  if (n.kind === 'arr') {
    for (let i = 0; i < n.items.length; i++) {
      const item = n.items[i];
      if (!item) continue;
      const h = findHuman(item, ptr(path, i));
      if (h) return h;
    }
    return undefined;
  }
  if (n.kind !== 'obj') return undefined;
  for (const [k, v] of n.entries) {
    // -u prints sizes of 5000 KiB and more as "2.00 GiB (2.15 GB)" and every
    // start/end/page_offset as a "%#llx" string ("0x100000000", "0").
    if (
      v.kind === 'str' &&
      ((SIZE_KEYS.includes(k) && HUMAN_SIZE.test(v.value)) ||
        (HEX_KEYS.includes(k) && /^\s*(0x[0-9a-f]+|0)\s*$/i.test(v.value)))
    ) {
      return { path: ptr(path, k), key: k, value: v.value, at: v.at };
    }
    if (k === 'devices' || k === 'mappings') {
      const h = findHuman(v, ptr(path, k));
      if (h) return h;
    }
  }
  return undefined;
}

const RUN_PLAIN = 'run plain `daxctl list -RDMi` as root (without -u) and use that output';

/**
 * Reads daxctl's regions into drafts (region start not yet settled, no
 * consistency checks). Returns undefined after reporting when the input is
 * not usable daxctl -RDMi output.
 */
export function parseDaxctl(
  root: JNode,
  kernelRelease: string | undefined,
  problems: Problems,
  assumptions: string[],
): DaxctlRegion[] | undefined {
  const p = problems;
  const human = findHuman(root, '');
  if (human) {
    p.error(
      `this is \`daxctl list -u\` (human) output: "${human.key}" is "${human.value}"${HEX_KEYS.includes(human.key) ? '' : ', a rounded figure'}; ${RUN_PLAIN}`,
      { path: human.path, at: human.at },
    );
    return undefined;
  }
  let items: readonly JNode[];
  let base: (i: number) => string;
  if (root.kind === 'arr') {
    items = root.items;
    base = (i) => ptr('', i);
  } else if (root.kind === 'obj') {
    items = [root];
    base = () => '';
    if (!root.entries.has('chardev')) {
      p.info('a single region object (as `daxctl list -u` prints one) was read as a one-region list', {
        path: '',
        at: root.at,
      });
    }
  } else {
    p.error(`expected daxctl JSON (an array of regions), not ${kindName(root)}`, { path: '', at: root.at });
    return undefined;
  }
  const first = items[0];
  if (first && first.kind === 'obj' && first.entries.has('chardev') && !first.entries.has('devices')) {
    p.error(
      'this is a list of dax devices without their regions; run `daxctl list -RDMi` (-R regions, -D devices, -M mappings, -i include 0-size devices)',
      { path: base(0), at: first.at },
    );
    return undefined;
  }
  const before = p.errorCount;
  const regions: DaxctlRegion[] = [];
  items.forEach((item, i) => {
    const path = base(i);
    if (item.kind !== 'obj') {
      p.error(`daxctl region ${i} must be an object, not ${kindName(item)}`, { path, at: item.at });
      return;
    }
    const idNode = item.entries.get('id');
    const what = idNode?.kind === 'num' ? `region ${idNode.raw}` : `region [${i}]`;
    const f = new Fields(item, path, p, what);
    f.unknownKeys([], 'none');
    const id = f.int('id', true, 0);
    const rawPath = f.str('path', true);
    const size = f.big('size', true, 'daxctl');
    const availableNode = f.get('available_size');
    const available = f.big('available_size', false, 'daxctl');
    const align = f.big('align', true, 'daxctl', 'dax_region/align is root-only: ' + RUN_PLAIN);
    const devNodes = f.arr('devices', false) ?? [];
    if (id === undefined || rawPath === undefined || size === undefined || align === undefined) return;
    const rpath = sysfsRegionPath(rawPath);
    const devices: DaxctlDevice[] = [];
    devNodes.forEach((dn, j) => {
      const d = parseDevice(dn, ptr(ptr(path, 'devices'), j), align, p);
      if (d) devices.push(d);
    });
    const dyn = inferDynamic(id, rpath, availableNode !== undefined);
    if (dyn.assumption) assumptions.push(dyn.assumption);
    const kmem = inferKmemDefault(id, rpath, kernelRelease, undefined);
    if (kmem.assumption) assumptions.push(kmem.assumption);
    const firstDev = devices[0];
    if (!firstDev) {
      p.warning(`${what} lists no devices; its target node is unknown (-1)`, f.loc());
    }
    regions.push({
      id,
      path: rpath,
      start: undefined,
      size,
      align,
      dynamic: dyn.value,
      targetNode: firstDev?.targetNode ?? -1,
      kmemDefault: kmem.value,
      devices,
      // daxctl omits available_size when it is 0 (and on static regions).
      ...(dyn.value ? { availableSize: available ?? 0n } : {}),
      loc: f.loc(),
    });
  });
  if (p.errorCount > before) return undefined;
  return regions;
}

function parseDevice(n: JNode, path: string, regionAlign: bigint, p: Problems): DaxctlDevice | undefined {
  if (n.kind !== 'obj') {
    p.error(`daxctl device must be an object, not ${kindName(n)}`, { path, at: n.at });
    return undefined;
  }
  const cn = n.entries.get('chardev');
  const what = cn?.kind === 'str' ? cn.value : 'device';
  const f = new Fields(n, path, p, what);
  const before = p.errorCount;
  const name = f.str('chardev', true);
  const size = f.big('size', true, 'daxctl');
  const targetNode = f.int('target_node', false, 0);
  let align = f.big('align', false, 'daxctl');
  const mode = f.str('mode', true);
  const state = f.str('state', false);
  // A negative count is daxctl's -errno when it could not walk the blocks: -2 (ENOENT) when the
  // target node has gone offline with its last memory (7.3 kmem `state` = unplugged, measured).
  const onlineMemblocks = f.int('online_memblocks', false, -4095);
  const totalMemblocks = f.int('total_memblocks', false, -4095);
  const movable = f.bool('movable', false);
  const mappingNodes = f.arr('mappings', false);
  const mappings: MappingDraft[] = [];
  mappingNodes?.forEach((mn, k) => {
    const mpath = ptr(ptr(path, 'mappings'), k);
    if (mn.kind !== 'obj') {
      p.error(`${what}: mapping must be an object, not ${kindName(mn)}`, { path: mpath, at: mn.at });
      return;
    }
    const mf = new Fields(mn, mpath, p, `${what} mapping [${k}]`);
    const pageOffset = mf.big('page_offset', true, 'daxctl');
    const start = mf.big('start', true, 'daxctl');
    const end = mf.big('end', true, 'daxctl');
    const msize = mf.big('size', false, 'daxctl');
    if (pageOffset === undefined || start === undefined || end === undefined) return;
    if (msize !== undefined && end >= start && msize !== end - start + 1n) {
      p.error(`${mf.what}: "size" ${msize} is not end - start + 1 (${end - start + 1n})`, mf.loc('size'));
      return;
    }
    mappings.push({ id: -1, start, end, pageOffset, loc: mf.loc() });
  });
  if (p.errorCount > before || name === undefined || size === undefined || mode === undefined) return undefined;
  if (size > 0n && mappingNodes === undefined) {
    p.error(
      `${what} has ${bytes(size)} but no "mappings": the mappingN attributes need -M and root; ${RUN_PLAIN}`,
      f.loc(),
    );
    return undefined;
  }
  if (align === undefined) {
    align = regionAlign;
    p.info(`${what}: no "align" (a kernel before 5.10); the region align ${bytes(regionAlign)} is used`, f.loc());
  }
  let driver: DriverName | null;
  if (state === 'disabled') driver = null;
  else if (mode === 'system-ram') driver = 'kmem';
  else if (mode === 'devdax') driver = 'device_dax';
  else {
    p.warning(`${what}: mode "${mode}" is not modelled; the device is taken as bound to device_dax`, f.loc('mode'));
    driver = 'device_dax';
  }
  if (state !== undefined && state !== 'disabled')
    p.warning(`${what}: unknown state "${state}" (ignored)`, f.loc('state'));
  // Mapping ids: the index in page-offset order (daxctl prints them in any order).
  mappings.sort((a, b) => (a.pageOffset < b.pageOffset ? -1 : a.pageOffset > b.pageOffset ? 1 : 0));
  mappings.forEach((m, i) => (m.id = i));
  return {
    name,
    size,
    align,
    driver,
    targetNode: targetNode ?? -1,
    mappings,
    mode,
    ...(onlineMemblocks !== undefined ? { onlineMemblocks } : {}),
    ...(totalMemblocks !== undefined ? { totalMemblocks } : {}),
    ...(movable !== undefined ? { movable } : {}),
    loc: f.loc(),
  };
}

function resourceOf(d: DeviceDraft): bigint | undefined {
  return d.mappings.find((m) => m.pageOffset === 0n)?.start ?? d.mappings[0]?.start;
}

/**
 * Memory block size: --block-size, else the one power of two (within the
 * arch's range) that makes every system-ram device's block count match its
 * total_memblocks, else the arch default. Records what it assumed.
 */
export function inferBlockSize(
  regions: readonly DaxctlRegion[],
  given: bigint | undefined,
  defs: ArchDefaults,
  p: Problems,
  assumptions: string[],
): bigint {
  const counted = regions
    .flatMap((r) => r.devices)
    .filter(
      (d) => d.totalMemblocks !== undefined && d.totalMemblocks >= 0 && d.size > 0n && resourceOf(d) !== undefined,
    );
  const fits = (b: bigint): boolean =>
    counted.every((d) => daxctlBlockCount(resourceOf(d) ?? 0n, d.size, b) === BigInt(d.totalMemblocks ?? -1));
  if (given !== undefined) {
    for (const d of counted) {
      const n = daxctlBlockCount(resourceOf(d) ?? 0n, d.size, given);
      if (n !== BigInt(d.totalMemblocks ?? -1)) {
        p.warning(
          `${d.name}: daxctl counts ${d.totalMemblocks} memory blocks, but with the given block size ${bytes(given)} it would count ${n}`,
          d.loc,
        );
      }
    }
    return given;
  }
  const whence =
    'the daxctl JSON does not carry it (it is /sys/devices/system/memory/block_size_bytes; pass --block-size)';
  if (counted.length === 0) {
    assumptions.push(`memory block size assumed ${bytes(defs.blockSize)} (the ${defs.arch} minimum): ${whence}`);
    return defs.blockSize;
  }
  const candidates = defs.blockSizes.filter(fits);
  const names = counted.map((d) => `${d.name} total_memblocks ${d.totalMemblocks}`).join(', ');
  const only = candidates[0];
  if (candidates.length === 1 && only !== undefined) {
    assumptions.push(`memory block size ${bytes(only)} inferred from ${names}: ${whence}`);
    return only;
  }
  if (candidates.includes(defs.blockSize)) {
    assumptions.push(
      `memory block size assumed ${bytes(defs.blockSize)} (the ${defs.arch} minimum, consistent with ${names}): ${whence}`,
    );
    return defs.blockSize;
  }
  p.warning(`no memory block size fits ${names}; ${bytes(defs.blockSize)} is assumed — pass --block-size`);
  assumptions.push(`memory block size assumed ${bytes(defs.blockSize)} (the ${defs.arch} minimum): ${whence}`);
  return defs.blockSize;
}

/** Memory blocks of the kmem devices, from their ranges and the daxctl block counts. */
export function daxctlBlocks(
  regions: readonly DaxctlRegion[],
  blockSize: bigint,
  p: Problems,
  assumptions: string[],
): MemoryBlockFacts[] {
  const out: MemoryBlockFacts[] = [];
  let removableAssumed = false;
  for (const r of regions) {
    for (const d of r.devices) {
      if (d.driver !== 'kmem') continue;
      if (d.totalMemblocks !== undefined && d.totalMemblocks < 0) {
        // daxctl answered -errno: no memory block of the node was there to count (7.3 `state`
        // unplugged removes them all; the node goes offline with the last one).
        assumptions.push(
          `${d.name}: daxctl could not count its memory blocks (${d.totalMemblocks}: its node has no memory, as after 7.3's kmem state "unplugged"); none are taken as present`,
        );
        continue;
      }
      const indices = new Set<bigint>();
      let tooMany = false;
      for (const m of d.mappings) {
        const span = (m.end + 1n) / blockSize - (m.start + blockSize - 1n) / blockSize;
        if (span + BigInt(indices.size) > BigInt(MAX_DERIVED_BLOCKS)) {
          tooMany = true;
          break;
        }
        for (const k of interiorBlocks(m.start, m.end, blockSize)) indices.add(k);
      }
      if (tooMany) {
        p.warning(`${d.name}: more than ${MAX_DERIVED_BLOCKS} memory blocks; its blocks are not listed`, d.loc);
        continue;
      }
      const sorted = [...indices].sort((a, b) => (a < b ? -1 : 1)).map(Number);
      if (sorted.length === 0) continue;
      removableAssumed = true;
      const online = d.onlineMemblocks;
      let nOnline: number;
      let zone: MemoryBlockFacts['zone'];
      if (online === undefined) {
        nOnline = 0;
        assumptions.push(
          `${d.name}: daxctl does not say how many of its ${sorted.length} memory blocks are online; all are assumed offline`,
        );
      } else if (online >= sorted.length) {
        nOnline = sorted.length;
        if (d.movable === true) zone = 'Movable';
        else if (d.movable === false) {
          zone = 'Normal';
          assumptions.push(
            `${d.name}: all blocks online with "movable": false, taken as zone Normal (daxctl only says they are not all Movable)`,
          );
        } else {
          p.warning(
            `${d.name}: all ${sorted.length} memory blocks are online but daxctl does not say "movable"; their zone is unknown`,
            d.loc,
          );
        }
      } else {
        nOnline = online;
        if (online > 0) {
          assumptions.push(
            `${d.name}: ${online} of ${sorted.length} memory blocks are online and daxctl does not say which; the lowest ${online} (memory${sorted[0]}…) are taken as online, zone unknown`,
          );
        }
      }
      sorted.forEach((index, i) => {
        const isOnline = i < nOnline;
        out.push({
          index,
          state: isOnline ? 'online' : 'offline',
          ...(isOnline && zone !== undefined ? { zone } : {}),
          node: d.targetNode,
          removable: true,
        });
      });
    }
  }
  if (removableAssumed) {
    assumptions.push('memory blocks of kmem devices are assumed removable (daxctl does not print `removable`)');
  }
  return out.sort((a, b) => a.index - b.index);
}

/** auto_online_blocks: --auto-online, else `offline` when a kmem device shows all its blocks offline, else assumed `offline`. */
export function inferAutoOnline(
  regions: readonly DaxctlRegion[],
  given: ReadFactsOptions['autoOnline'],
  assumptions: string[],
): NonNullable<ReadFactsOptions['autoOnline']> {
  if (given !== undefined) return given;
  const witness = regions
    .flatMap((r) => r.devices)
    .find((d) => d.driver === 'kmem' && d.onlineMemblocks === 0 && (d.totalMemblocks ?? 0) > 0);
  if (witness) {
    assumptions.push(
      `auto_online_blocks inferred "offline": ${witness.name} (system-ram) has 0 of ${witness.totalMemblocks} memory blocks online (pass --auto-online if they were offlined by hand)`,
    );
    return 'offline';
  }
  assumptions.push(
    'auto_online_blocks assumed "offline": the daxctl JSON does not show it (it is /sys/devices/system/memory/auto_online_blocks; pass --auto-online)',
  );
  return 'offline';
}

/** `daxctl list -RDMi` JSON → HostFacts. */
export function importDaxctl(
  root: JNode,
  source: string,
  options: ReadFactsOptions,
  p: Problems,
): { facts?: HostFacts; kernelMissing: boolean } {
  const assumptions: string[] = [];
  const before = p.errorCount;
  const kernelRelease = options.kernelRelease;
  const regions = parseDaxctl(root, kernelRelease, p, assumptions);
  if (!regions) return { kernelMissing: false };
  let arch = options.arch;
  if (arch === undefined) {
    arch = 'x86_64';
    assumptions.push('architecture assumed x86_64: the daxctl JSON does not carry it (pass --arch)');
  }
  const defs = archDefaults(arch);
  if (!defs.known) p.warning(`architecture "${arch}" is not modelled; x86_64 page and block sizes are assumed`);
  assumptions.push(`page size assumed ${formatBytes(defs.pageSize)} (the ${defs.known ? arch : 'x86_64'} default)`);
  const memoryBlockSize = inferBlockSize(regions, options.memoryBlockSize, defs, p, assumptions);
  settleRegionStarts(regions, options.regionStart, p, 'from daxctl JSON');
  checkRegions(regions, { pageSize: defs.pageSize }, p);
  if (p.errorCount > before) return { kernelMissing: false };
  const memoryBlocks = daxctlBlocks(regions, memoryBlockSize, p, assumptions);
  const autoOnlineBlocks = inferAutoOnline(regions, options.autoOnline, assumptions);
  assumptions.push('no NUMA node facts: the daxctl JSON has no HMAT or node information');
  let kernelMissing = false;
  if (kernelRelease === undefined) {
    kernelMissing = true;
    p.error('the daxctl JSON does not carry the kernel release; pass --kernel RELEASE (a `uname -r` string)', {
      path: '',
    });
  }
  const facts: HostFacts = {
    source,
    kernelRelease,
    arch,
    pageSize: defs.pageSize,
    memoryBlockSize,
    autoOnlineBlocks,
    regions: regions.map(finishRegion),
    memoryBlocks,
    nodes: [],
    assumptions: dedupe(assumptions),
  };
  return { facts, kernelMissing };
}
