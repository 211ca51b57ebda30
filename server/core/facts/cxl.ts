// CXL facts: the topology under /sys/bus/cxl (memdevs, ports, decoders, regions) as a capture dump
// shows it, read into plain data for the CXL region model (kernel/cxl-model.ts). Pure.
// The dump format is docs/facts.md ("Capture dumps"): `### /sys/bus/cxl/devices/NAME -> PATH`
// for each device, then `### /sys/bus/cxl/devices/NAME/ATTR` sections with the attribute's text
// (test/vm/cxl-capture.sh prints it; docs/cxl.md lists what each attribute means).

import { splitSections, type Section } from './capture-sections';

import type {
  CxlDecoderKind,
  CxlMemdevFacts,
  CxlDportFacts,
  CxlPortFacts,
  CxlDecoderFacts,
  CxlRegionFacts,
  CxlWindowNode,
  CxlFacts,
} from '../cxl-facts';

export type {
  CxlDecoderKind,
  CxlMemdevFacts,
  CxlDportFacts,
  CxlPortFacts,
  CxlDecoderFacts,
  CxlRegionFacts,
  CxlWindowNode,
  CxlFacts,
} from '../cxl-facts';

const BUS = '/sys/bus/cxl/devices/';

function parseBig(s: string | undefined): bigint | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) return undefined;
  return BigInt(t);
}
function parseNum(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (/^-?[0-9]+$/.test(t)) return Number(t);
  if (/^0x[0-9a-fA-F]+$/.test(t)) return Number(BigInt(t));
  return undefined;
}
/** A QoS class list (`0` or `0,2`); negative ids (CXL_QOS_CLASS_INVALID) and junk are dropped. */
function qosList(s: string | undefined): number[] | undefined {
  if (s === undefined) return undefined;
  const ids = s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => /^[0-9]{1,9}$/.test(x))
    .map(Number);
  return ids.length > 0 ? ids : undefined;
}
const last = (p: string): string => p.replace(/\/+$/, '').split('/').pop() ?? '';

/** Node lists as the kernel prints them (`0-2,4`). */
function nodeList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b && i - a < 4096; i++) out.push(i);
  }
  return out;
}

interface Dev {
  name: string;
  path: string | undefined;
  attrs: Map<string, string>;
  links: Map<string, string>;
}

/**
 * Reads the CXL part of a capture dump; undefined when the dump has no CXL device. The NUMA node
 * of each window (root decoder) is inferred when no region of it exists yet: the firmware's
 * fixed memory windows get the highest possible node ids, one each, in decoder order (the ACPI
 * CEDT CFMWS parser adds a node per window after the SRAT ones: drivers/acpi/numa/srat.c
 * acpi_parse_cfmws; measured on the cxl2 machine, node 1, and hmem-cxl, node 2).
 */
export function readCxlFacts(text: string): CxlFacts | undefined {
  return readCxlSections(splitSections(text));
}

export function readCxlSections(sections: readonly Section[]): CxlFacts | undefined {
  const devs = new Map<string, Dev>();
  let possible: number[] | undefined;
  for (const s of sections) {
    const m = /^possible: *(.*)$/m.exec(s.body.join('\n'));
    if (m && s.title.startsWith('/sys/devices/system/node')) possible = nodeList(m[1] ?? '');
    if (!s.title.startsWith(BUS)) continue;
    const rest = s.title.slice(BUS.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    if (!/^[a-z_]+[0-9][0-9.]*$/.test(name) && !/^nvdimm-bridge\d+$/.test(name)) continue;
    let d = devs.get(name);
    if (!d) devs.set(name, (d = { name, path: undefined, attrs: new Map(), links: new Map() }));
    if (slash < 0) {
      if (s.link !== undefined) d.path = s.link;
      continue;
    }
    const attr = rest.slice(slash + 1);
    if (s.link !== undefined) d.links.set(attr, s.link);
    else if (s.status === 'value') d.attrs.set(attr, s.body.join('\n').trim());
  }
  if (devs.size === 0) return undefined;

  const ports: CxlPortFacts[] = [];
  const memdevs: CxlMemdevFacts[] = [];
  const decoders: CxlDecoderFacts[] = [];
  const regions: CxlRegionFacts[] = [];
  const portNames = [...devs.keys()].filter((n) => /^(root|port|endpoint)\d+$/.test(n));
  const portOf = (path: string | undefined, self: string): string | undefined => {
    if (!path) return undefined;
    const segs = path.split('/').filter((x) => x !== '');
    for (let i = segs.length - 1; i >= 0; i--)
      if (segs[i] !== self && portNames.includes(segs[i] as string)) return segs[i];
    return undefined;
  };
  for (const d of devs.values()) {
    const a = d.attrs;
    if (/^(root|port|endpoint)\d+$/.test(d.name)) {
      const dports: CxlDportFacts[] = [];
      for (const [k, v] of d.links) {
        const m = /^dport(\d+)$/.exec(k);
        if (m) dports.push({ id: Number(m[1]), device: last(v) });
      }
      dports.sort((x, y) => x.id - y.id);
      const uport = d.links.get('uport');
      ports.push({
        name: d.name,
        kind: d.name.startsWith('root') ? 'root' : d.name.startsWith('port') ? 'port' : 'endpoint',
        parent: d.name.startsWith('root') ? undefined : portOf(d.path, d.name),
        dports,
        uport: uport === undefined ? undefined : last(uport),
      });
    } else if (/^mem\d+$/.test(d.name)) {
      const qos = qosList(a.get('ram/qos_class'));
      memdevs.push({
        name: d.name,
        serial: parseBig(a.get('serial')) ?? 0n,
        ramSize: parseBig(a.get('ram/size')) ?? 0n,
        pmemSize: parseBig(a.get('pmem/size')) ?? 0n,
        numaNode: parseNum(a.get('numa_node')) ?? -1,
        path: d.path ?? '',
        ...(qos ? { ramQosClass: qos } : {}),
      });
    } else if (/^decoder\d+\.\d+$/.test(d.name)) {
      const devtype = a.get('devtype') ?? '';
      const kind: CxlDecoderKind =
        devtype === 'cxl_decoder_root' ? 'root' : devtype === 'cxl_decoder_endpoint' ? 'endpoint' : 'switch';
      const port = portOf(d.path, d.name) ?? '';
      const targets = (a.get('target_list') ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter((x) => /^\d+$/.test(x))
        .map(Number);
      const region = a.get('region');
      const dpa = parseBig(a.get('dpa_resource'));
      const next = /^region(\d+)$/.exec(a.get('create_ram_region') ?? '');
      const qos = qosList(a.get('qos_class'));
      decoders.push({
        name: d.name,
        kind,
        port,
        path: d.path ?? '',
        index: Number(d.name.split('.')[1]),
        start: parseBig(a.get('start')) ?? 0n,
        size: parseBig(a.get('size')) ?? 0n,
        ways: parseNum(a.get('interleave_ways')) ?? 1,
        granularity: parseNum(a.get('interleave_granularity')) ?? 256,
        targets,
        locked: a.get('locked') === '1',
        region: region ? region : undefined,
        ...(kind === 'endpoint'
          ? {
              mode: a.get('mode') ?? 'none',
              dpaStart: dpa === undefined || dpa === 0xffffffffffffffffn ? undefined : dpa,
              dpaSize: parseBig(a.get('dpa_size')) ?? 0n,
            }
          : {}),
        ...(kind === 'root'
          ? {
              capRam: a.get('cap_ram') === '1',
              capPmem: a.get('cap_pmem') === '1',
              ...(next ? { nextRegion: Number(next[1]) } : {}),
              ...(qos ? { qosClass: qos[0] as number } : {}),
            }
          : {}),
      });
    } else if (/^region\d+$/.test(d.name)) {
      const ways = parseNum(a.get('interleave_ways')) ?? 0;
      const targets: (string | undefined)[] = [];
      for (let i = 0; i < ways; i++) {
        const t = a.get(`target${i}`);
        targets.push(t ? t : undefined);
      }
      const res = parseBig(a.get('resource'));
      const decoder =
        (d.path ?? '')
          .split('/')
          .filter((x) => /^decoder\d+\.\d+$/.test(x))
          .pop() ?? '';
      const locked = a.get('locked');
      regions.push({
        name: d.name,
        id: Number(d.name.slice('region'.length)),
        decoder,
        mode: a.get('mode') ?? 'ram',
        ways,
        granularity: parseNum(a.get('interleave_granularity')) ?? 0,
        size: parseBig(a.get('size')) ?? 0n,
        start: res === undefined || res === 0xffffffffffffffffn ? undefined : res,
        commit: a.get('commit') === '1',
        targets,
        bound: d.links.has('driver'),
        ...(locked !== undefined ? { locked: locked === '1' } : {}),
      });
    }
  }
  const byName = <T extends { name: string }>(x: T, y: T): number =>
    x.name.localeCompare(y.name, 'en', { numeric: true });
  ports.sort(byName);
  memdevs.sort(byName);
  decoders.sort(byName);
  regions.sort(byName);
  const roots = decoders.filter((x) => x.kind === 'root');
  const windowNodes: CxlWindowNode[] = [];
  if (possible && possible.length > roots.length) {
    roots.forEach((r, i) =>
      windowNodes.push({
        decoder: r.name,
        node: possible[possible.length - roots.length + i] as number,
        inferred: true,
      }),
    );
  }
  return { memdevs, ports, decoders, regions, windowNodes };
}
