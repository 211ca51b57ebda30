// The `cxl` member of a daxlayout-facts/1 file (docs/facts.md, "CXL"): the CXL topology a
// capture read (facts/cxl.ts) written as JSON and read back with validation, so that a facts
// file captured from a CXL host carries its memdevs, ports, decoders, regions and window nodes.

import type {
  CxlDecoderFacts,
  CxlDecoderKind,
  CxlFacts,
  CxlMemdevFacts,
  CxlPortFacts,
  CxlRegionFacts,
  CxlWindowNode,
} from '../cxl-facts';
import { kindName, ptr, type JNode } from './json';
import { Fields, MAX_SAFE } from './fields';
import type { Problems } from './problems';
import { hex } from '../units';

const MEMDEV_KEYS = ['name', 'serial', 'ramSize', 'pmemSize', 'numaNode', 'path', 'ramQosClass'];
const PORT_KEYS = ['name', 'kind', 'parent', 'uport', 'dports'];
const DECODER_KEYS = [
  'name',
  'kind',
  'port',
  'path',
  'start',
  'size',
  'ways',
  'granularity',
  'targets',
  'locked',
  'region',
  'mode',
  'dpaStart',
  'dpaSize',
  'capRam',
  'capPmem',
  'nextRegion',
  'qosClass',
];
const REGION_KEYS = [
  'name',
  'decoder',
  'mode',
  'ways',
  'granularity',
  'size',
  'start',
  'commit',
  'targets',
  'bound',
  'locked',
];
const TOP_KEYS = ['memdevs', 'ports', 'decoders', 'regions', 'windowNodes'];

const known = (keys: readonly string[], f: Fields): string[] => [
  ...keys,
  ...[...f.node.entries.keys()].filter((k) => k.startsWith('$')),
];

function fieldsOf(n: JNode, path: string, what: string, p: Problems): Fields | undefined {
  if (n.kind !== 'obj') {
    p.error(`${what} must be an object, not ${kindName(n)}`, { path, at: n.at });
    return undefined;
  }
  return new Fields(n, path, p, what);
}

/** A name that must look like `prefixN` or `prefixN.M` (a CXL device name). */
function named(f: Fields, key: string, pattern: RegExp, example: string, required = true): string | undefined {
  const v = f.str(key, required);
  if (v === undefined) return undefined;
  if (!pattern.test(v)) {
    f.problems.error(`${f.what}: "${key}" must be a name such as ${example}, not "${v}"`, f.loc(key));
    return undefined;
  }
  return v;
}

/** A string or null (absent: undefined). */
function optStr(f: Fields, key: string): string | undefined {
  const v = f.get(key);
  if (v === undefined || v.kind === 'null') return undefined;
  return f.str(key, false);
}

function each(f: Fields, key: string, what: string, read: (g: Fields) => void): void {
  f.arr(key, true)?.forEach((n, i) => {
    const path = ptr(ptr(f.path, key), i);
    const g = fieldsOf(n, path, `${what}[${i}]`, f.problems);
    if (g) read(g);
  });
}

/** Reads `cxl`; undefined (with errors reported) when it cannot be read whole. */
export function readCxlDocument(top: Fields): CxlFacts | undefined {
  const c = top.obj('cxl', false, 'cxl');
  if (!c) return undefined;
  const p = c.problems;
  const before = p.errorCount;
  c.unknownKeys(known(TOP_KEYS, c));
  const memdevs: CxlMemdevFacts[] = [];
  each(c, 'memdevs', 'cxl memdevs', (f) => {
    f.unknownKeys(known(MEMDEV_KEYS, f));
    const name = named(f, 'name', /^mem\d+$/, 'mem0');
    const serial = f.big('serial', true, 'facts');
    const ramSize = f.big('ramSize', true, 'facts');
    const pmemSize = f.big('pmemSize', true, 'facts');
    const numaNode = f.int('numaNode', true, -1);
    const path = f.str('path', true);
    if (name === undefined || serial === undefined || ramSize === undefined || pmemSize === undefined) return;
    const qos: number[] = [];
    f.arr('ramQosClass', false)?.forEach((n, i) => {
      if (n.kind === 'num' && /^\d{1,9}$/.test(n.raw)) qos.push(Number(n.raw));
      else
        p.error(`${f.what}: ramQosClass[${i}] must be a QoS class id (a number)`, {
          path: ptr(f.path, 'ramQosClass'),
          at: n.at,
        });
    });
    if (numaNode === undefined || path === undefined) return;
    memdevs.push({ name, serial, ramSize, pmemSize, numaNode, path, ...(qos.length ? { ramQosClass: qos } : {}) });
  });
  const ports: CxlPortFacts[] = [];
  each(c, 'ports', 'cxl ports', (f) => {
    f.unknownKeys(known(PORT_KEYS, f));
    const name = named(f, 'name', /^(root|port|endpoint)\d+$/, 'root0, port1 or endpoint2');
    const kind = f.str('kind', true);
    if (kind !== undefined && kind !== 'root' && kind !== 'port' && kind !== 'endpoint')
      p.error(`${f.what}: "kind" must be "root", "port" or "endpoint", not "${kind}"`, f.loc('kind'));
    const dports: { id: number; device: string }[] = [];
    each(f, 'dports', `${f.what} dports`, (d) => {
      d.unknownKeys(known(['id', 'device'], d));
      const id = d.int('id', true, 0);
      const device = d.str('device', true);
      if (id !== undefined && device !== undefined) dports.push({ id, device });
    });
    if (name === undefined || (kind !== 'root' && kind !== 'port' && kind !== 'endpoint')) return;
    ports.push({ name, kind, parent: optStr(f, 'parent'), uport: optStr(f, 'uport'), dports });
  });
  const decoders: CxlDecoderFacts[] = [];
  each(c, 'decoders', 'cxl decoders', (f) => {
    f.unknownKeys(known(DECODER_KEYS, f));
    const name = named(f, 'name', /^decoder\d+\.\d+$/, 'decoder0.0');
    const kind = f.str('kind', true) as CxlDecoderKind | undefined;
    if (kind !== undefined && kind !== 'root' && kind !== 'switch' && kind !== 'endpoint')
      p.error(`${f.what}: "kind" must be "root", "switch" or "endpoint", not "${kind}"`, f.loc('kind'));
    const port = f.str('port', true);
    const path = f.str('path', true);
    const start = f.big('start', true, 'facts');
    const size = f.big('size', true, 'facts');
    const ways = f.int('ways', true, 0);
    const granularity = f.int('granularity', true, 0);
    const locked = f.bool('locked', true);
    const targets: number[] = [];
    f.arr('targets', true)?.forEach((n, i) => {
      if (n.kind === 'num' && /^\d+$/.test(n.raw)) targets.push(Number(n.raw));
      else
        p.error(`${f.what}: targets[${i}] must be a dport id (a number)`, { path: ptr(f.path, 'targets'), at: n.at });
    });
    const mode = f.str('mode', false);
    const dpaStartNode = f.get('dpaStart');
    const dpaStart = dpaStartNode?.kind === 'null' ? undefined : f.big('dpaStart', false, 'facts');
    const dpaSize = f.big('dpaSize', false, 'facts');
    const capRam = f.bool('capRam', false);
    const capPmem = f.bool('capPmem', false);
    const nextRegion = f.int('nextRegion', false, 0);
    const qosClass = f.int('qosClass', false, 0);
    if (name === undefined || port === undefined || path === undefined || start === undefined) return;
    if (size === undefined || ways === undefined || granularity === undefined || locked === undefined) return;
    if (kind !== 'root' && kind !== 'switch' && kind !== 'endpoint') return;
    decoders.push({
      name,
      kind,
      port,
      path,
      index: Number(name.split('.')[1]),
      start,
      size,
      ways,
      granularity,
      targets,
      locked,
      region: optStr(f, 'region'),
      ...(kind === 'endpoint'
        ? { mode: mode ?? 'none', dpaStart, dpaSize: dpaSize ?? 0n }
        : kind === 'root'
          ? {
              capRam: capRam ?? false,
              capPmem: capPmem ?? false,
              ...(nextRegion !== undefined ? { nextRegion } : {}),
              ...(qosClass !== undefined ? { qosClass } : {}),
            }
          : {}),
    });
  });
  const regions: CxlRegionFacts[] = [];
  each(c, 'regions', 'cxl regions', (f) => {
    f.unknownKeys(known(REGION_KEYS, f));
    const name = named(f, 'name', /^region\d+$/, 'region0');
    const decoder = named(f, 'decoder', /^decoder\d+\.\d+$/, 'decoder0.0');
    const mode = f.str('mode', true);
    const ways = f.int('ways', true, 0);
    const granularity = f.int('granularity', true, 0);
    const size = f.big('size', true, 'facts');
    const startNode = f.get('start');
    const start = startNode?.kind === 'null' ? undefined : f.big('start', false, 'facts');
    const commit = f.bool('commit', true);
    const bound = f.bool('bound', true);
    const locked = f.bool('locked', false);
    const targets: (string | undefined)[] = [];
    f.arr('targets', true)?.forEach((n, i) => {
      if (n.kind === 'null') targets.push(undefined);
      else if (n.kind === 'str' && /^decoder\d+\.\d+$/.test(n.value)) targets.push(n.value);
      else
        p.error(`${f.what}: targets[${i}] must be an endpoint decoder name or null`, {
          path: ptr(f.path, 'targets'),
          at: n.at,
        });
    });
    if (name === undefined || decoder === undefined || mode === undefined || ways === undefined) return;
    if (granularity === undefined || size === undefined || commit === undefined || bound === undefined) return;
    if (targets.length !== ways)
      p.error(`${f.what}: ${targets.length} targets for ${ways} interleave ways`, f.loc('targets'));
    regions.push({
      name,
      id: Number(name.slice('region'.length)),
      decoder,
      mode,
      ways,
      granularity,
      size,
      start,
      commit,
      targets,
      bound,
      ...(locked !== undefined ? { locked } : {}),
    });
  });
  const windowNodes: CxlWindowNode[] = [];
  const wn = c.arr('windowNodes', false);
  wn?.forEach((n, i) => {
    const f = fieldsOf(n, ptr(ptr(c.path, 'windowNodes'), i), `cxl windowNodes[${i}]`, p);
    if (!f) return;
    f.unknownKeys(known(['decoder', 'node', 'inferred'], f));
    const decoder = named(f, 'decoder', /^decoder\d+\.\d+$/, 'decoder0.0');
    const node = f.int('node', true, 0);
    const inferred = f.bool('inferred', false) ?? false;
    if (decoder !== undefined && node !== undefined) windowNodes.push({ decoder, node, inferred });
  });
  if (p.errorCount > before) return undefined;
  for (const d of decoders)
    if (d.kind === 'root' && !windowNodes.some((w) => w.decoder === d.name))
      p.warning(
        `cxl: the NUMA node of ${d.name}'s window is not given (windowNodes): a region made there cannot be modelled`,
        c.loc('windowNodes'),
      );
  return { memdevs, ports, decoders, regions, windowNodes };
}

const size = (v: bigint): number | string => (v <= MAX_SAFE ? Number(v) : v.toString());

/** The `cxl` member as written by writeFacts: addresses as 0x strings, sizes as numbers. */
export function cxlDocument(c: CxlFacts): Record<string, unknown> {
  return {
    memdevs: c.memdevs.map((m) => ({
      name: m.name,
      serial: hex(m.serial),
      ramSize: size(m.ramSize),
      pmemSize: size(m.pmemSize),
      numaNode: m.numaNode,
      path: m.path,
      ...(m.ramQosClass ? { ramQosClass: [...m.ramQosClass] } : {}),
    })),
    ports: c.ports.map((x) => ({
      name: x.name,
      kind: x.kind,
      parent: x.parent ?? null,
      uport: x.uport ?? null,
      dports: x.dports.map((d) => ({ id: d.id, device: d.device })),
    })),
    decoders: c.decoders.map((d) => ({
      name: d.name,
      kind: d.kind,
      port: d.port,
      path: d.path,
      start: hex(d.start),
      size: size(d.size),
      ways: d.ways,
      granularity: d.granularity,
      targets: d.targets,
      locked: d.locked,
      region: d.region ?? null,
      ...(d.kind === 'endpoint'
        ? {
            mode: d.mode ?? 'none',
            dpaStart: d.dpaStart === undefined ? null : hex(d.dpaStart),
            dpaSize: size(d.dpaSize ?? 0n),
          }
        : {}),
      ...(d.kind === 'root'
        ? {
            capRam: d.capRam ?? false,
            capPmem: d.capPmem ?? false,
            ...(d.nextRegion !== undefined ? { nextRegion: d.nextRegion } : {}),
            ...(d.qosClass !== undefined ? { qosClass: d.qosClass } : {}),
          }
        : {}),
    })),
    regions: c.regions.map((r) => ({
      name: r.name,
      decoder: r.decoder,
      mode: r.mode,
      ways: r.ways,
      granularity: r.granularity,
      size: size(r.size),
      start: r.start === undefined ? null : hex(r.start),
      commit: r.commit,
      targets: r.targets.map((t) => t ?? null),
      bound: r.bound,
      ...(r.locked !== undefined ? { locked: r.locked } : {}),
    })),
    windowNodes: c.windowNodes.map((w) => ({ decoder: w.decoder, node: w.node, inferred: w.inferred })),
  };
}
