// The state compared after every write, in one canonical form for both sides: what the real
// guest's sysfs and /proc/iomem say (parsed from the dump `guest.ts` prints) and what the
// kernel model holds (KernelModel.state). Everything the kernel exposes about device-dax
// provisioning is in it: per region available_size, seed and the youngest created device
// (`create` read back); per device size, align, target node, driver, memmap_on_memory (6.8+)
// and every mappingK (id, start, end, page_offset), the kmem `state` attribute (7.3+, while bound
// to kmem; `*` on the model side when the model does not know what it reads); the dax nodes' memory blocks (state,
// zone while online); auto_online_blocks; the iomem reservations under "Soft Reserved"
// (device_dax ranges, kmem memory, stranded kmem memory).

import { cxlSnapshot } from '../../server/core/kernel/cxl-snapshot';
import type { KernelModel } from '../../server/core/kernel/model';
import { parseCxlState } from '../vm/cxl-state.mjs';
import { availableSize, deviceName, deviceSize, regionSize } from '../../server/core/kernel/state';
import { has } from '../../server/core/kernel/version';

export interface CanonDevice {
  size: string;
  align: string;
  target_node: string;
  driver: string;
  memmap_on_memory?: string;
  /** 7.3+: the kmem `state` attribute while bound to kmem; `*` = the model does not know it */
  kmem_state?: string;
  /** `mappingK START-END pgoff PGOFF`, by K */
  mappings: string[];
}

export interface CanonRegion {
  size: string;
  available_size: string;
  seed: string;
  create: string;
}

export interface CanonState {
  auto_online_blocks: string;
  regions: Record<string, CanonRegion>;
  devices: Record<string, CanonDevice>;
  /** memoryN → `offline` | `online ZONE` */
  blocks: Record<string, string>;
  /** reservations under Soft Reserved, `START-END NAME`, children indented by two spaces */
  iomem: string[];
  /** CXL machines: root decoders, endpoint decoders and regions (cxlSnapshot / test/vm/cxl-state.mjs) */
  cxl?: unknown;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;
const num = (s: string): bigint | undefined => {
  const t = s.trim();
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) return undefined;
  return BigInt(t);
};
const byNum = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

function sortRecord<T>(r: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(r).sort(byNum)) out[k] = r[k] as T;
  return out;
}

// ---------------------------------------------------------------- the model

export function modelState(m: KernelModel): CanonState {
  const s = m.state;
  const regions: Record<string, CanonRegion> = {};
  const devices: Record<string, CanonDevice> = {};
  for (const r of s.regions) {
    regions[r.path] = {
      size: regionSize(r).toString(),
      available_size: availableSize(r).toString(),
      seed: r.seed ? deviceName(r.seed) : '',
      create: r.youngest ? deviceName(r.youngest) : '',
    };
    for (const d of r.devices.values()) {
      const dev: CanonDevice = {
        size: deviceSize(d).toString(),
        align: d.align.toString(),
        target_node: String(d.targetNode),
        driver: d.driver ?? '',
        mappings: [...d.ranges]
          .sort((a, b) => a.mappingId - b.mappingId)
          .map((x) => `mapping${x.mappingId} ${hex(x.start)}-${hex(x.end)} pgoff ${hex(x.pgoff)}`),
      };
      if (has(s.version, 'memmapOnMemory')) dev.memmap_on_memory = d.memmapOnMemory ? '1' : '0';
      if (has(s.version, 'kmemState') && d.driver === 'kmem')
        dev.kmem_state = d.kmemState === undefined || d.kmemState === 'unknown' ? '*' : d.kmemState;
      devices[deviceName(d)] = dev;
    }
  }
  const blocks: Record<string, string> = {};
  const nodes = new Set(s.regions.map((r) => r.targetNode));
  for (const b of s.blocks.values()) {
    if (!nodes.has(b.node)) continue;
    blocks[`memory${b.index}`] = b.state === 'online' ? `online ${b.zone ?? '?'}` : 'offline';
  }
  const iomem: string[] = [];
  for (const x of [...s.reservations].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    iomem.push(`${x.start.toString(16)}-${x.end.toString(16)} ${x.owner}`);
    if (x.kind === 'kmem') iomem.push(`  ${x.start.toString(16)}-${x.end.toString(16)} System RAM (kmem)`);
  }
  return {
    auto_online_blocks: s.autoOnline,
    regions: sortRecord(regions),
    devices: sortRecord(devices),
    blocks: sortRecord(blocks),
    iomem,
    ...(m.cxl ? { cxl: cxlSnapshot(m.cxl) } : {}),
  };
}

// ---------------------------------------------------------------- the guest

/**
 * The guest side of `dumpFunction` (guest.ts): lines `FILE:VALUE` from grep, `ls -l` lines
 * of the driver links, and the Soft Reserved subtree of /proc/iomem (7.2+: the top-level dax
 * entries and their children).
 */
export function guestState(lines: readonly string[], regionPaths: readonly string[]): CanonState {
  const devices: Record<string, CanonDevice> = {};
  const regions: Record<string, CanonRegion> = {};
  const blocks: Record<string, string> = {};
  const zones: Record<string, string> = {};
  const iomem: string[] = [];
  let auto = '?';
  const dev = (n: string): CanonDevice =>
    (devices[n] ??= { size: '?', align: '?', target_node: '?', driver: '', mappings: [] });
  const maps: Record<string, Record<number, { start?: string; end?: string; page_offset?: string }>> = {};
  // The subtree under "Soft Reserved" (up to 6.18), or, on 7.2+ where that line is gone, the
  // dax device entries at the top of /proc/iomem with their children (hmemPlatformParent).
  const OUT = -99;
  let iomemBase = OUT;
  let topLevelDax = false;
  const daxName = /^dax\d+\.\d+$/;
  const cxlAt = lines.indexOf('@@CXL');
  const cxl = cxlAt >= 0 ? parseCxlState(lines.slice(cxlAt + 1).join('\n')) : undefined;
  if (cxlAt >= 0) lines = lines.slice(0, cxlAt);
  for (const line of lines) {
    let m: RegExpExecArray | null;
    const io = line.startsWith('/proc/iomem:');
    const l = io ? line.slice('/proc/iomem:'.length) : line;
    if (!io) iomemBase = OUT;
    const e = io ? /^( *)([0-9a-f]+)-([0-9a-f]+) : (.*)$/.exec(l) : null;
    const ind = e?.[1]?.length ?? 0;
    if (e && iomemBase !== OUT && ind > iomemBase && !(topLevelDax && ind === 0 && !daxName.test(e[4] as string))) {
      const depth = (ind - iomemBase) / 2 - 1;
      iomem.push(
        `${'  '.repeat(Math.max(0, depth))}${BigInt('0x' + e[2]).toString(16)}-${BigInt('0x' + e[3]).toString(16)} ${e[4]}`,
      );
      continue;
    }
    if (io) iomemBase = OUT;
    // a CXL region's dax devices: `CXL Window K` › `regionN` › `daxN.M` › `System RAM (kmem)`
    if (e && (e[4] === 'Soft Reserved' || (/^region\d+$/.test(e[4] as string) && ind > 0))) {
      iomemBase = ind;
      topLevelDax = false;
      continue;
    }
    if (e && ind === 0 && daxName.test(e[4] as string)) {
      // 7.2+: a top-level dax entry is at depth 0, its children below it
      iomemBase = -2;
      topLevelDax = true;
      iomem.push(`${BigInt('0x' + e[2]).toString(16)}-${BigInt('0x' + e[3]).toString(16)} ${e[4]}`);
      continue;
    }
    if (io) continue;
    if ((m = /^(?:\/sys\/bus\/dax\/devices\/)?(dax\d+\.\d+)\/uevent:DRIVER=(.*)$/.exec(l))) {
      dev(m[1] as string).driver = (m[2] as string).trim();
      continue;
    }
    if (/^(?:\/sys\/bus\/dax\/devices\/)?dax\d+\.\d+\/uevent:/.test(l)) continue;
    if ((m = /^(?:\/sys\/bus\/dax\/devices\/)?(dax\d+\.\d+)\/state:(.*)$/.exec(l))) {
      dev(m[1] as string).kmem_state = (m[2] as string).trim();
      continue;
    }
    if (
      (m = /^(?:\/sys\/bus\/dax\/devices\/)?(dax\d+\.\d+)\/(size|align|target_node|memmap_on_memory):(.*)$/.exec(l))
    ) {
      const d = dev(m[1] as string);
      const v = (m[3] as string).trim();
      if (m[2] === 'size') d.size = (num(v) ?? v).toString();
      else if (m[2] === 'align') d.align = (num(v) ?? v).toString();
      else if (m[2] === 'target_node') d.target_node = v;
      else d.memmap_on_memory = v;
      continue;
    }
    if ((m = /^(?:\/sys\/bus\/dax\/devices\/)?(dax\d+\.\d+)\/mapping(\d+)\/(start|end|page_offset):(.*)$/.exec(l))) {
      dev(m[1] as string);
      const per = (maps[m[1] as string] ??= {});
      const k = Number(m[2]);
      (per[k] ??= {})[m[3] as 'start' | 'end' | 'page_offset'] = (m[4] as string).trim();
      continue;
    }
    if ((m = /\s(dax\d+\.\d+)\/driver -> .*\/drivers\/([^/\s]+)$/.exec(l))) {
      dev(m[1] as string).driver = m[2] as string;
      continue;
    }
    if ((m = /^(.*)\/dax_region\/(size|available_size|seed|create):(.*)$/.exec(l))) {
      const path = m[1] as string;
      const r = (regions[path] ??= { size: '?', available_size: '?', seed: '?', create: '?' });
      const v = (m[3] as string).trim();
      r[m[2] as keyof CanonRegion] = v;
      continue;
    }
    if ((m = /^\/sys\/devices\/system\/memory\/auto_online_blocks:(.*)$/.exec(l))) {
      auto = (m[1] as string).trim();
      continue;
    }
    if ((m = /^(?:.*\/)?(memory\d+)\/(state|valid_zones):(.*)$/.exec(l))) {
      if (m[2] === 'state') blocks[m[1] as string] = (m[3] as string).trim();
      else zones[m[1] as string] = (m[3] as string).trim();
      continue;
    }
  }
  for (const [name, per] of Object.entries(maps)) {
    const d = dev(name);
    d.mappings = Object.keys(per)
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => {
        const x = per[k] ?? {};
        const f = (v: string | undefined) => (v === undefined ? '?' : hex(num(v) ?? -1n));
        return `mapping${k} ${f(x.start)}-${f(x.end)} pgoff ${f(x.page_offset)}`;
      });
  }
  for (const [b, st] of Object.entries(blocks)) if (st === 'online') blocks[b] = `online ${zones[b] ?? '?'}`;
  for (const p of regionPaths) regions[p] ??= { size: '?', available_size: '?', seed: '?', create: '?' };
  return {
    auto_online_blocks: auto,
    regions: sortRecord(regions),
    devices: sortRecord(devices),
    blocks: sortRecord(blocks),
    iomem,
    ...(cxl ? { cxl } : {}),
  };
}

// ---------------------------------------------------------------- comparison

/** Differences `path: real=… model=…`; empty when the states agree. */
export function diffCanon(real: unknown, model: unknown, path = ''): string[] {
  if (JSON.stringify(real) === JSON.stringify(model)) return [];
  if (model === '*' && typeof real === 'string') return []; // the model does not know this value
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(real) && Array.isArray(model)) {
    // devices of daxctl JSON: keyed by chardev; other arrays element by element
    const named = (v: unknown[]) => v.every((x) => isObj(x) && 'chardev' in x);
    if (named(real) && named(model)) {
      const get = (v: unknown[], n: unknown) => v.find((x) => (x as Record<string, unknown>).chardev === n);
      const names = [...new Set([...real, ...model].map((x) => (x as Record<string, unknown>).chardev))];
      return names.flatMap((n) => diffCanon(get(real, n), get(model, n), `${path}[${String(n)}]`));
    }
    if (real.every((x) => typeof x !== 'object') && model.every((x) => typeof x !== 'object')) {
      return [`${path}: real=${JSON.stringify(real)} model=${JSON.stringify(model)}`];
    }
    const out: string[] = [];
    for (let i = 0; i < Math.max(real.length, model.length); i++)
      out.push(...diffCanon(real[i], model[i], `${path}[${i}]`));
    return out;
  }
  if (isObj(real) && isObj(model)) {
    const keys = [...new Set([...Object.keys(real), ...Object.keys(model)])].sort(byNum);
    return keys.flatMap((k) => diffCanon(real[k], model[k], path ? `${path}.${k}` : k));
  }
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  return [`${path}: real=${show(real)} model=${show(model)}`];
}

// ---------------------------------------------------------------- daxctl JSON

const REGION_KEYS = ['id', 'path', 'size', 'available_size', 'align'];
const DEVICE_KEYS = [
  'chardev',
  'size',
  'target_node',
  'align',
  'mode',
  'state',
  'online_memblocks',
  'total_memblocks',
  'movable',
];

/** `daxctl list -RDMi` output normalised the way test/vm/run-script.mjs does (regions by id, devices by name, mappings by page offset). */
export function normaliseDaxctl(state: unknown): unknown {
  if (!Array.isArray(state)) return state;
  return [...state]
    .sort((a, b) => a.id - b.id)
    .map((r: Record<string, unknown>) => {
      const o: Record<string, unknown> = {};
      for (const k of REGION_KEYS) o[k] = r[k] ?? (k === 'available_size' ? 0 : null);
      o.devices = [...((r.devices as Record<string, unknown>[] | undefined) ?? [])]
        .sort((a, b) => String(a.chardev).localeCompare(String(b.chardev), 'en', { numeric: true }))
        .map((d) => {
          const x: Record<string, unknown> = {};
          for (const k of DEVICE_KEYS) if (d[k] !== undefined) x[k] = d[k];
          x.mappings = [...((d.mappings as Record<string, number>[] | undefined) ?? [])]
            // a range shorter than a page adds no page offset: ties are broken by address
            .sort((a, b) => (a.page_offset ?? 0) - (b.page_offset ?? 0) || (a.start ?? 0) - (b.start ?? 0))
            .map((mp) => ({ page_offset: mp.page_offset, start: mp.start, end: mp.end, size: mp.size }));
          return x;
        });
      return o;
    });
}
