// Dax regions and devices in a capture dump: the `daxctl list` section (cross-check and
// fallback), then each region's and device's sysfs attributes, mappings and driver link.

import type { DriverName, KmemStateValue } from '../host-facts';
import { KMEM_STATE_VALUES } from '../host-facts';
import { parseJson } from './json';
import { Problems, type Loc } from './problems';
import {
  hex,
  inferDynamic,
  inferKmemDefault,
  startFromMappings,
  sysfsRegionPath,
  type DeviceDraft,
  type MappingDraft,
  type RegionDraft,
} from './infer';
import { parseDaxctl, type DaxctlRegion } from './daxctl';
import { at, parseAuto, parseDec, parseSignedInt, valOf, type Dump, type Section } from './capture-sections';

const REGION_ATTR = /^(\/sys\/devices\/.+)\/dax_region\/([A-Za-z_]+)$/;
const DEVICE_ATTR = /^(\/sys\/devices\/.+)\/(dax\d{1,9}\.\d{1,9})\/(.+)$/;
const BUS_DEVICE_ATTR = /^\/sys\/bus\/dax\/devices\/(dax\d{1,9}\.\d{1,9})\/(.+)$/;

interface DeviceSections {
  name: string;
  parent?: string;
  attrs: Map<string, Section>;
}

export interface DaxctlSection {
  /** The regions of the section, when it is JSON that `daxctl list` could have printed. */
  daxctl?: DaxctlRegion[];
  section?: Section;
}

/** The `daxctl list …` section, if any. */
export function readDaxctlSection(dump: Dump, kernelRelease: string | undefined, p: Problems): DaxctlSection {
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
  return { ...(daxctl ? { daxctl } : {}), ...(dxSection ? { section: dxSection } : {}) };
}

/** The regions of the dump with their devices; from the daxctl section when sysfs shows none. */
export function readRegions(
  dump: Dump,
  { daxctl, section: dxSection }: DaxctlSection,
  kernelRelease: string | undefined,
  regionIdle: boolean | undefined,
  p: Problems,
  assumptions: string[],
): RegionDraft[] {
  const dxRegion = (id: number): DaxctlRegion | undefined => daxctl?.find((r) => r.id === id);
  const dxDevice = (name: string): DaxctlRegion['devices'][number] | undefined =>
    daxctl?.flatMap((r) => r.devices).find((d) => d.name === name);

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
    // (a CXL region's dax region is a device `dax_regionN`: only the `dax_region` attribute group is not a parent)
    if (dm && dm[1] && dm[2] && dm[3] && !/\/dax_region(\/|$)/.test(dm[1])) {
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
      p.error(
        `region ${id} (${rpath}): ${size === undefined ? 'dax_region/size' : 'dax_region/align (root-only)'} was not captured`,
        anyLoc,
      );
      continue;
    }
    const avStatus = attrs.get('available_size')?.status;
    const crStatus = attrs.get('create')?.status;
    const available = parseDec(val('available_size'));
    let dynamic: boolean;
    if (avStatus === 'value' || avStatus === 'unreadable' || crStatus === 'value' || crStatus === 'unreadable')
      dynamic = true;
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
    p.info(
      `no dax_region sections: the regions are taken from the \`${dxSection?.title ?? 'daxctl list'}\` section`,
      at(dxSection),
    );
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
  return regions;
}

function readDevice(
  d: DeviceSections,
  regionAlign: bigint,
  dx: DaxctlRegion['devices'][number] | undefined,
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
    const name =
      link.link
        .split('/')
        .filter((x) => x.length > 0)
        .pop() ?? '';
    if (name === 'device_dax' || name === 'kmem') driver = name;
    else {
      p.warning(`${d.name}: bound to driver "${name}", which is not modelled; taken as device_dax`, {
        line: link.line,
      });
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
  // 7.3+: the kmem `state` attribute (present only while bound to kmem)
  let kmemState: KmemStateValue | undefined;
  const ks = valOf(a.get('state'));
  if (ks !== undefined) {
    if ((KMEM_STATE_VALUES as readonly string[]).includes(ks)) kmemState = ks as KmemStateValue;
    else
      p.warning(
        `${d.name}: its kmem \`state\` reads "${ks}", which is not a value the model knows (${KMEM_STATE_VALUES.join(', ')}); ignored`,
        { line: a.get('state')?.line ?? 0 },
      );
  }

  // mappings
  const byId = new Map<
    number,
    { start?: bigint; end?: bigint; pageOffset?: bigint; unreadable: boolean; line: number }
  >();
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
  const complete = [...byId.entries()].every(
    ([, e]) => !e.unreadable && e.start !== undefined && e.end !== undefined && e.pageOffset !== undefined,
  );
  if (byId.size > 0 && complete) {
    for (const [id, e] of byId) {
      mappings.push({
        id,
        start: e.start ?? 0n,
        end: e.end ?? 0n,
        pageOffset: e.pageOffset ?? 0n,
        loc: { line: e.line },
      });
    }
  } else if (dx !== undefined && (byId.size > 0 || size > 0n)) {
    mappings = dx.mappings.map((m) => ({ ...m }));
    if (byId.size > 0)
      p.info(`${d.name}: mappingN files were not readable; the mappings are taken from the daxctl section`, loc);
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
    ...(kmemState !== undefined ? { kmemState } : {}),
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

function crossCheck(
  regions: readonly RegionDraft[],
  daxctl: readonly DaxctlRegion[],
  p: Problems,
  loc: Loc | undefined,
): void {
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
