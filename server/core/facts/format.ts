// The daxlayout-facts/1 file format (docs/facts.md): reading with validation — the top level,
// regions, devices and memory blocks here; NUMA nodes and their HMAT data in format-nodes.ts;
// writing in format-write.ts.

import type {
  BlockState,
  DriverName,
  HostFacts,
  KmemStateValue,
  MemoryBlockFacts,
  NodeFacts,
  Zone,
} from '../host-facts';
import { KMEM_STATE_VALUES } from '../host-facts';
import type { JNode } from './json';
import { kindName, ptr } from './json';
import { Fields, asFields, bigInt, known } from './fields';
import { readNode } from './format-nodes';
import { readCxlDocument } from './format-cxl';
import { AUTO_ONLINE_POLICIES, type Loc, type Problems, type ReadFactsOptions } from './problems';
import {
  ZONES,
  archDefaults,
  bytes,
  checkBlocks,
  checkRegions,
  dedupe,
  finishRegion,
  hex,
  inferDynamic,
  inferKmemDefault,
  isPowerOfTwo,
  settleRegionStarts,
  sortBlocks,
  sysfsRegionPath,
  type DeviceDraft,
  type MappingDraft,
  type RegionDraft,
} from './infer';

export const FACTS_FORMAT = 'daxlayout-facts/1';

const TOP_KEYS = [
  'format',
  'source',
  'hostname',
  'kernelRelease',
  'arch',
  'pageSize',
  'daxAligns',
  'memoryBlockSize',
  'autoOnlineBlocks',
  'memmapOnMemorySupported',
  'regions',
  'memoryBlocks',
  'nodes',
  'cxl',
  'assumptions',
];
const REGION_KEYS = [
  'id',
  'path',
  'start',
  'end',
  'size',
  'align',
  'availableSize',
  'dynamic',
  'targetNode',
  'kmemDefault',
  'devices',
];
const DEVICE_KEYS = ['name', 'size', 'align', 'driver', 'targetNode', 'memmapOnMemory', 'kmemState', 'mappings'];
const MAPPING_KEYS = ['id', 'start', 'end', 'pageOffset'];
const BLOCK_KEYS = ['index', 'state', 'zone', 'node', 'removable'];

export function readFactsDocument(
  top: Fields,
  source: string,
  options: ReadFactsOptions,
  problems: Problems,
): { facts?: HostFacts; kernelMissing: boolean } {
  const p = problems;
  top.unknownKeys(known(TOP_KEYS, top));
  const before = p.errorCount;

  const format = top.str('format', true);
  if (format !== undefined && format !== FACTS_FORMAT) {
    if (/^daxlayout-facts\//.test(format)) {
      p.error(`this reader understands ${FACTS_FORMAT}, not ${format}`, top.loc('format'));
    } else {
      p.error(`"format" must be "${FACTS_FORMAT}", not "${format}"`, top.loc('format'));
    }
  }

  const assumptions: string[] = [];
  const fileAssumptions = top.arr('assumptions', false);
  fileAssumptions?.forEach((a, i) => {
    if (a.kind === 'str') assumptions.push(a.value);
    else p.error(`assumptions[${i}] must be a string, not ${kindName(a)}`, { path: ptr('/assumptions', i), at: a.at });
  });

  const fileSource = top.str('source', false);
  const hostname = top.str('hostname', false);

  // kernel release, arch: options win (with a warning when they differ).
  const fileKernel = top.str('kernelRelease', false);
  let kernelRelease = fileKernel;
  if (options.kernelRelease !== undefined) {
    if (fileKernel !== undefined && fileKernel !== options.kernelRelease) {
      p.warning(
        `--kernel ${options.kernelRelease} replaces kernelRelease "${fileKernel}" from the file`,
        top.loc('kernelRelease'),
      );
    }
    kernelRelease = options.kernelRelease;
  }
  const fileArch = top.str('arch', options.arch === undefined);
  let arch = fileArch;
  if (options.arch !== undefined) {
    if (fileArch !== undefined && fileArch !== options.arch) {
      p.warning(`--arch ${options.arch} replaces arch "${fileArch}" from the file`, top.loc('arch'));
    }
    arch = options.arch;
  }
  const defs = archDefaults(arch ?? 'x86_64');
  if (arch !== undefined && !defs.known) {
    p.warning(
      `architecture "${arch}" is not modelled; x86_64 defaults are used where the file gives nothing`,
      top.loc('arch'),
    );
  }

  const pageSize = top.big('pageSize', true, 'facts');
  if (pageSize !== undefined && !isPowerOfTwo(pageSize))
    p.error(`"pageSize" ${pageSize} is not a power of two`, top.loc('pageSize'));

  let daxAligns: bigint[] | undefined;
  const alignsNode = top.arr('daxAligns', false);
  if (alignsNode) {
    daxAligns = [];
    alignsNode.forEach((n, i) => {
      const v = bigInt(n, ptr('/daxAligns', i), `daxAligns[${i}]`, 'facts', p);
      if (v === undefined) return;
      if (!isPowerOfTwo(v))
        p.error(`daxAligns[${i}] ${v} is not a power of two`, { path: ptr('/daxAligns', i), at: n.at });
      daxAligns?.push(v);
    });
  }

  const fileBlock = top.big('memoryBlockSize', options.memoryBlockSize === undefined, 'facts');
  let memoryBlockSize = fileBlock;
  if (options.memoryBlockSize !== undefined) {
    if (fileBlock !== undefined && fileBlock !== options.memoryBlockSize) {
      p.warning(
        `--block-size ${bytes(options.memoryBlockSize)} replaces memoryBlockSize ${bytes(fileBlock)} from the file`,
        top.loc('memoryBlockSize'),
      );
    }
    memoryBlockSize = options.memoryBlockSize;
  }
  if (memoryBlockSize !== undefined) {
    if (!isPowerOfTwo(memoryBlockSize))
      p.error(`memory block size ${memoryBlockSize} is not a power of two`, top.loc('memoryBlockSize'));
    else if (pageSize !== undefined && memoryBlockSize < pageSize)
      p.error(`memory block size ${memoryBlockSize} is smaller than a page`, top.loc('memoryBlockSize'));
  }

  const fileAuto = enumField(top, 'autoOnlineBlocks', AUTO_ONLINE_POLICIES, options.autoOnline === undefined);
  let autoOnlineBlocks = fileAuto;
  if (options.autoOnline !== undefined) {
    if (fileAuto !== undefined && fileAuto !== options.autoOnline) {
      p.warning(
        `--auto-online ${options.autoOnline} replaces autoOnlineBlocks "${fileAuto}" from the file`,
        top.loc('autoOnlineBlocks'),
      );
    }
    autoOnlineBlocks = options.autoOnline;
  }

  const memmapOnMemorySupported = top.bool('memmapOnMemorySupported', false);

  // regions
  const regions: RegionDraft[] = [];
  const regionNodes = top.arr('regions', true);
  regionNodes?.forEach((rn, i) => {
    const r = readRegion(rn, ptr('/regions', i), kernelRelease, p, assumptions);
    if (r) regions.push(r);
  });
  settleRegionStarts(regions, options.regionStart, p, 'from the file');
  if (pageSize !== undefined && isPowerOfTwo(pageSize)) checkRegions(regions, { pageSize }, p);

  // memory blocks
  const blocks: (MemoryBlockFacts & { loc?: Loc })[] = [];
  top.arr('memoryBlocks', false)?.forEach((bn, i) => {
    const b = readBlock(bn, ptr('/memoryBlocks', i), p);
    if (b) blocks.push(b);
  });
  checkBlocks(blocks, p);

  // nodes
  const nodes: NodeFacts[] = [];
  const nodeIds = new Set<number>();
  top.arr('nodes', false)?.forEach((nn, i) => {
    const n = readNode(nn, ptr('/nodes', i), p);
    if (!n) return;
    if (nodeIds.has(n.id)) p.error(`node ${n.id} appears more than once`, { path: ptr('/nodes', i), at: nn.at });
    nodeIds.add(n.id);
    nodes.push(n);
  });

  const cxl = readCxlDocument(top);

  if (
    p.errorCount > before ||
    pageSize === undefined ||
    memoryBlockSize === undefined ||
    autoOnlineBlocks === undefined ||
    arch === undefined
  ) {
    return { kernelMissing: false };
  }

  let kernelMissing = false;
  if (kernelRelease === undefined) {
    kernelMissing = true;
    p.error(
      'the facts file does not give "kernelRelease"; add it or pass --kernel RELEASE (a `uname -r` string)',
      top.loc(),
    );
  }

  const facts: HostFacts = {
    source: fileSource !== undefined && fileSource !== source ? `${source} (from ${fileSource})` : source,
    ...(hostname !== undefined ? { hostname } : {}),
    kernelRelease,
    arch,
    pageSize,
    ...(daxAligns !== undefined ? { daxAligns } : {}),
    memoryBlockSize,
    autoOnlineBlocks,
    ...(memmapOnMemorySupported !== undefined ? { memmapOnMemorySupported } : {}),
    regions: regions.map(finishRegion),
    memoryBlocks: sortBlocks(blocks.map(stripLoc)),
    nodes: [...nodes].sort((a, b) => a.id - b.id),
    ...(cxl ? { cxl } : {}),
    assumptions: dedupe(assumptions),
  };
  return { facts, kernelMissing };
}

function stripLoc(b: MemoryBlockFacts & { loc?: Loc }): MemoryBlockFacts {
  return {
    index: b.index,
    state: b.state,
    ...(b.zone !== undefined ? { zone: b.zone } : {}),
    node: b.node,
    removable: b.removable,
  };
}

function enumField<T extends string>(f: Fields, key: string, values: readonly T[], required: boolean): T | undefined {
  const v = f.str(key, required);
  if (v === undefined) return undefined;
  if ((values as readonly string[]).includes(v)) return v as T;
  f.problems.error(
    `${f.what}: "${key}" must be one of ${values.map((x) => `"${x}"`).join(', ')}, not "${v}"`,
    f.loc(key),
  );
  return undefined;
}

function readRegion(
  n: JNode,
  path: string,
  kernelRelease: string | undefined,
  p: Problems,
  assumptions: string[],
): RegionDraft | undefined {
  const f0 = asFields(n, path, `regions[${path.split('/').pop()}]`, p);
  if (!f0) return undefined;
  const idNode = f0.get('id');
  const rid = idNode?.kind === 'num' && /^\d+$/.test(idNode.raw) ? `region ${idNode.raw}` : f0.what;
  const f = new Fields(f0.node, path, p, rid);
  f.unknownKeys(known(REGION_KEYS, f));
  const before = p.errorCount;
  const id = f.int('id', true, 0);
  let rpath = f.str('path', true);
  if (rpath !== undefined) {
    const norm = sysfsRegionPath(rpath);
    if (norm !== rpath) {
      p.info(`${rid}: path "${rpath}" read as "${norm}" (the sysfs path of the region's parent device)`, f.loc('path'));
      rpath = norm;
    }
  }
  const startNode = f.get('start');
  const start = startNode?.kind === 'null' ? undefined : f.big('start', false, 'facts');
  const endNode = f.get('end');
  const end = endNode?.kind === 'null' ? undefined : f.big('end', false, 'facts');
  const size = f.big('size', true, 'facts');
  const align = f.big('align', true, 'facts');
  const availableSize = f.big('availableSize', false, 'facts');
  const dynamicGiven = f.bool('dynamic', false);
  const targetGiven = f.int('targetNode', false, -1);
  const kmemGiven = f.bool('kmemDefault', false);

  const devices: DeviceDraft[] = [];
  f.arr('devices', true)?.forEach((dn, j) => {
    const d = readDevice(dn, ptr(ptr(path, 'devices'), j), p);
    if (d) devices.push(d);
  });

  if (p.errorCount > before || id === undefined || rpath === undefined || size === undefined || align === undefined)
    return undefined;

  let regionStart = start;
  if (end !== undefined) {
    if (start !== undefined && end !== start + size - 1n) {
      p.error(`${rid}: end ${hex(end)} is not start + size - 1 (${hex(start + size - 1n)})`, f.loc('end'));
      return undefined;
    }
    if (end + 1n < size) {
      p.error(`${rid}: end ${hex(end)} is below the region size`, f.loc('end'));
      return undefined;
    }
    regionStart = end - size + 1n;
  }

  let dynamic = dynamicGiven;
  if (dynamic === undefined) {
    const inf = inferDynamic(id, rpath, availableSize !== undefined);
    dynamic = inf.value;
    if (inf.assumption) assumptions.push(inf.assumption);
  }
  let kmemDefault = kmemGiven;
  if (kmemDefault === undefined) {
    const inf = inferKmemDefault(id, rpath, kernelRelease, undefined);
    kmemDefault = inf.value;
    if (inf.assumption) assumptions.push(inf.assumption);
  }
  const targetNode = targetGiven ?? devices[0]?.targetNode ?? -1;

  return {
    id,
    path: rpath,
    start: regionStart,
    size,
    align,
    dynamic,
    targetNode,
    kmemDefault,
    devices,
    ...(availableSize !== undefined ? { availableSize } : {}),
    loc: f.loc(),
  };
}

function readDevice(n: JNode, path: string, p: Problems): DeviceDraft | undefined {
  const f0 = asFields(n, path, `device ${path}`, p);
  if (!f0) return undefined;
  const nameNode = f0.get('name');
  const what = nameNode?.kind === 'str' ? nameNode.value : `devices[${path.split('/').pop()}]`;
  const f = new Fields(f0.node, path, p, what);
  f.unknownKeys(known(DEVICE_KEYS, f));
  const before = p.errorCount;
  const name = f.str('name', true);
  const size = f.big('size', true, 'facts');
  const align = f.big('align', true, 'facts');
  let driver: DriverName | null | undefined;
  const dn = f.get('driver');
  if (dn === undefined) f.missing('driver', 'null when unbound');
  else if (dn.kind === 'null') driver = null;
  else if (dn.kind === 'str' && (dn.value === 'device_dax' || dn.value === 'kmem')) driver = dn.value;
  else
    p.error(
      `${what}: "driver" must be "device_dax", "kmem" or null, not ${dn.kind === 'str' ? `"${dn.value}"` : kindName(dn)}`,
      f.loc('driver'),
    );
  const targetNode = f.int('targetNode', true, -1);
  const memmapOnMemory = f.bool('memmapOnMemory', false);
  let kmemState: KmemStateValue | undefined;
  const ks = f.get('kmemState');
  if (ks?.kind === 'str' && (KMEM_STATE_VALUES as readonly string[]).includes(ks.value))
    kmemState = ks.value as KmemStateValue;
  else if (ks !== undefined)
    p.error(
      `${what}: "kmemState" must be one of ${KMEM_STATE_VALUES.map((v) => `"${v}"`).join(', ')} (what the 7.3 kmem \`state\` attribute reads), not ${ks.kind === 'str' ? `"${ks.value}"` : kindName(ks)}`,
      f.loc('kmemState'),
    );
  const mappings: (MappingDraft & { idGiven: boolean })[] = [];
  f.arr('mappings', true)?.forEach((mn, k) => {
    const mpath = ptr(ptr(path, 'mappings'), k);
    const mf0 = asFields(mn, mpath, `${what} mappings[${k}]`, p);
    if (!mf0) return;
    mf0.unknownKeys(known(MAPPING_KEYS, mf0));
    const id = mf0.int('id', false, 0);
    const start = mf0.big('start', true, 'facts');
    const end = mf0.big('end', true, 'facts');
    const pageOffset = mf0.big('pageOffset', true, 'facts');
    if (start === undefined || end === undefined || pageOffset === undefined) return;
    mappings.push({ id: id ?? -1, idGiven: id !== undefined, start, end, pageOffset, loc: mf0.loc() });
  });
  if (
    p.errorCount > before ||
    name === undefined ||
    size === undefined ||
    align === undefined ||
    driver === undefined ||
    targetNode === undefined
  ) {
    return undefined;
  }
  // Missing ids: the index in page-offset order.
  const sorted = [...mappings].sort((a, b) => (a.pageOffset < b.pageOffset ? -1 : a.pageOffset > b.pageOffset ? 1 : 0));
  sorted.forEach((m, i) => {
    if (!m.idGiven) m.id = i;
  });
  return {
    name,
    size,
    align,
    driver,
    targetNode,
    ...(memmapOnMemory !== undefined ? { memmapOnMemory } : {}),
    ...(kmemState !== undefined ? { kmemState } : {}),
    mappings: sorted.map(({ idGiven: _ignored, ...m }) => m),
    loc: f.loc(),
  };
}

function readBlock(n: JNode, path: string, p: Problems): (MemoryBlockFacts & { loc?: Loc }) | undefined {
  const f = asFields(n, path, `memoryBlocks[${path.split('/').pop()}]`, p);
  if (!f) return undefined;
  f.unknownKeys(known(BLOCK_KEYS, f));
  const before = p.errorCount;
  const index = f.int('index', true, 0);
  const state = enumField<BlockState>(f, 'state', ['online', 'offline'], true);
  let zone = enumField<Zone>(f, 'zone', ZONES, false);
  const node = f.int('node', true, 0);
  const removable = f.bool('removable', true);
  if (
    p.errorCount > before ||
    index === undefined ||
    state === undefined ||
    node === undefined ||
    removable === undefined
  )
    return undefined;
  if (state === 'offline' && zone !== undefined) {
    p.warning(
      `memory${index}: a zone is given for an offline block (ignored: offline blocks have no zone)`,
      f.loc('zone'),
    );
    zone = undefined;
  }
  return { index, state, ...(zone !== undefined ? { zone } : {}), node, removable, loc: f.loc() };
}
