// completeAt: what may be typed at an offset — keywords valid in the block,
// modes and options, alignments the host allows, host names after `on`,
// region ids from the facts, sizes and ranges that fit what is free.

import type { DeviceDecl, HostDecl, RegionDecl, Span } from '../../../grammar/src/ast';
import { KEYWORDS, type KeywordInfo } from '../../../grammar/src/index';
import type { Analysis, HostAnalysis, RegionAnalysis } from '../analysis/types';
import { allocations, availableSize, deviceSize } from '../kernel/state';
import { ARCHES, DEFAULT_ARCH } from '../kernel/tables';
import type { LayoutDevice } from '../layout/types';
import { archOf, hostAligns } from '../rules/util';
import { formatBytes, hex, hexLiteral, maxBig, roundDown, roundUp, sizeLiteral } from '../units';
import { mapLevel } from './describe';
import { cxlValues } from './cxl-hover';
import { CXL_ONLY_KEYS } from '../layout/lower-cxl';

export type CompletionKind = 'keyword' | 'enum' | 'value' | 'host' | 'region';

export interface CompletionEntry {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly documentation?: string;
  /** Plain text to insert (defaults to the label). */
  readonly insertText?: string;
  /** The same as an LSP snippet, for clients that take snippets. */
  readonly snippet?: string;
  /** Sorts before entries without it. */
  readonly preferred?: boolean;
}

export interface Completions {
  /** The partial word the entries replace (empty at the offset when none). */
  readonly span: Span;
  /** Where the offset is: a property name or declaration (`key`), a value, a declaration header, or neither. */
  readonly position: 'key' | 'value' | 'header' | 'none';
  readonly items: readonly CompletionEntry[];
}

/** Inside a comment or a string: nothing to complete. */
function inCommentOrString(a: Analysis, offset: number): boolean {
  const lineStart = a.text.lastIndexOf('\n', offset - 1) + 1;
  const line = a.text.slice(lineStart, offset);
  let quotes = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') i++;
    else if (ch === '"') quotes++;
    else if (ch === '#' && quotes % 2 === 0) return true;
  }
  return quotes % 2 === 1;
}

type Block =
  | { kind: 'host'; decl: HostDecl; body: Span }
  | { kind: 'region'; decl: RegionDecl; body: Span }
  | { kind: 'device'; decl: DeviceDecl; region: RegionDecl; body: Span };

const isWordChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;

function inBody(text: string, body: Span | undefined, offset: number): body is Span {
  if (!body || offset <= body.start) return false;
  const closed = text.charCodeAt(body.end - 1) === 125; /* } */
  return closed ? offset < body.end : offset <= body.end;
}

function blockAt(a: Analysis, offset: number): Block | undefined {
  for (const d of a.file.declarations) {
    if (!inBody(a.text, d.body, offset)) continue;
    if (d.kind === 'host') return { kind: 'host', decl: d, body: d.body };
    for (const dev of d.devices)
      if (inBody(a.text, dev.body, offset)) return { kind: 'device', decl: dev, region: d, body: dev.body };
    return { kind: 'region', decl: d, body: d.body };
  }
  return undefined;
}

/** Words of the statement before the cursor (comments removed). */
function words(text: string): string[] {
  const clean = text.replace(/#[^\r\n]*/g, ' ');
  return clean.match(/"(?:[^"\\\r\n]|\\.)*"?|[^\s,"{}]+|,/g) ?? [];
}

const entry = (k: KeywordInfo, kind: CompletionKind, extra: Partial<CompletionEntry> = {}): CompletionEntry => ({
  label: k.keyword,
  kind,
  detail: k.syntax,
  documentation: k.description,
  ...extra,
});

function regionOf(a: Analysis, decl: RegionDecl): RegionAnalysis | undefined {
  for (const h of a.hosts) for (const r of h.regions) if (r.layout.decl === decl) return r;
  return undefined;
}

function layoutDevice(a: Analysis, decl: DeviceDecl): LayoutDevice | undefined {
  for (const r of a.layout.regions) for (const d of r.devices) if (d.decl === decl) return d;
  return undefined;
}

function alignItems(h: HostAnalysis | undefined): CompletionEntry[] {
  if (!h?.model) return [];
  const state = h.model.state;
  return hostAligns(h).map((x) => {
    const level = mapLevel(state, x);
    return {
      label: sizeLiteral(x),
      kind: 'value',
      detail: `${formatBytes(x)}${level ? ` pages (${level})` : ''}`,
      documentation: `An alignment ${h.name} allows (${archOf(h).name}).`,
    };
  });
}

function granule(h: HostAnalysis, ra: RegionAnalysis, ld: LayoutDevice | undefined): bigint {
  const align = ld?.align?.value ?? ra.before?.align ?? ra.after?.align ?? archOf(h).compatAlign.value;
  return maxBig(align, archOf(h).compatAlign.value);
}

function sizeItems(a: Analysis, region: RegionDecl, device: DeviceDecl): CompletionEntry[] {
  const items: CompletionEntry[] = KEYWORDS.sizeWords.map((k) => entry(k, 'enum'));
  const ra = regionOf(a, region);
  const ld = layoutDevice(a, device);
  const h = ra?.host;
  if (!ra?.after || !h?.plan) return items;
  const own = ld ? h.plan.assigned.get(ld) : undefined;
  const free = availableSize(ra.after) + (own ? deviceSize(own) : 0n);
  const fit = roundDown(free, granule(h, ra, ld));
  if (fit > 0n) {
    items.unshift({
      label: sizeLiteral(fit),
      kind: 'value',
      detail: `${formatBytes(fit)}: all that is free in region ${ra.after.id}`,
      preferred: true,
    });
  }
  return items;
}

function rangeItems(a: Analysis, region: RegionDecl, device: DeviceDecl): CompletionEntry[] {
  const ra = regionOf(a, region);
  const h = ra?.host;
  const sim = ra?.after;
  if (!sim || !h) return [];
  const g = granule(h, ra, layoutDevice(a, device));
  const out: CompletionEntry[] = [];
  let at = sim.start;
  const gaps: [bigint, bigint][] = [];
  for (const { range } of allocations(sim)) {
    if (range.start > at) gaps.push([at, range.start - 1n]);
    if (range.end + 1n > at) at = range.end + 1n;
  }
  if (at <= sim.end) gaps.push([at, sim.end]);
  for (const [s, e] of gaps) {
    const start = roundUp(s, g);
    const len = roundDown(e + 1n - start, g);
    if (len <= 0n) continue;
    out.push({
      label: `${hexLiteral(start)} + ${sizeLiteral(len)}`,
      kind: 'value',
      detail: `free: ${hex(start)}..${hex(start + len - 1n)} (${formatBytes(len)})`,
    });
  }
  return out.slice(0, 10);
}

function hostItems(a: Analysis, regionId?: string): CompletionEntry[] {
  return a.layout.hosts.map((lh) => {
    const h = a.hosts.find((x) => x.decl === lh);
    const has = regionId !== undefined && h?.before?.regions.some((r) => String(r.id) === regionId);
    const detail = h?.version ? `Linux ${h.version.release}` : 'host';
    return {
      label: lh.name,
      kind: 'host',
      detail: has ? `${detail} · has region ${regionId}` : detail,
      ...(has ? { preferred: true } : {}),
    };
  });
}

function regionIdItems(a: Analysis): CompletionEntry[] {
  const out: CompletionEntry[] = [];
  for (const h of a.hosts) {
    if (!h.decl || !h.before) continue;
    for (const r of h.before.regions) {
      if (h.regions.some((x) => x.layout.id?.value === r.id)) continue;
      const where = r.start !== undefined ? `${hex(r.start)}, ` : '';
      out.push({
        label: `${r.id} on ${h.name}`,
        kind: 'region',
        detail: `${where}${formatBytes(r.size)}, node ${r.targetNode}, ${r.dynamic ? 'dynamic' : 'static'}`,
      });
    }
  }
  return out;
}

function headerCompletions(a: Analysis, line: string): CompletionEntry[] | undefined {
  let m: RegExpExecArray | null;
  if (/(?:^|[\s}])region\s+$/.test(line)) return regionIdItems(a);
  if ((m = /(?:^|[\s}])region\s+(\S+)\s+on\s+$/.exec(line))) return hostItems(a, m[1]);
  if (/(?:^|[\s}])region\s+\S+\s+$/.test(line)) return KEYWORDS.regionHeader.map((k) => entry(k, 'keyword'));
  if (/(?:^|[\s}])(?:host|device)\s+$/.test(line)) return [];
  return undefined;
}

const SNIPPETS: Readonly<Record<string, string>> = {
  host: 'host ${1:name} {\n  facts "${2:name.facts.json}"\n}',
  region: 'region ${1:0} on ${2:host} {\n  $0\n}',
  cxl: 'cxl region ${1:pool} on ${2:host} {\n  memdevs ${3:mem0, mem1}\n  $0\n}',
  device: 'device ${1:label} { size ${2:1G} }',
};

function keyItems(block: Block, replace: Span): CompletionEntry[] {
  const present = new Set(
    block.decl.properties.filter((p) => p.key.span.start !== replace.start).map((p) => p.key.text),
  );
  if (present.has('dynamic') || present.has('static')) present.add('dynamic').add('static');
  present.delete('range');
  present.delete('expect');
  if (present.has('colors')) present.add('colours');
  // a `cxl region` takes its own keys and not those the kernel sets; a plain region not the CXL ones
  if (block.kind === 'region')
    for (const k of block.decl.cxl ? ['start', 'align', 'node', 'dynamic', 'static'] : CXL_ONLY_KEYS) present.add(k);
  const list = KEYWORDS[block.kind].filter((k) => !present.has(k.keyword));
  return list.map((k) => entry(k, 'keyword', SNIPPETS[k.keyword] ? { snippet: SNIPPETS[k.keyword] as string } : {}));
}

function memoryBlockItems(a: Analysis, host: HostDecl): CompletionEntry[] {
  const lh = a.layout.hosts.find((h) => h.decl === host);
  const arch = ARCHES[lh?.arch?.value ?? DEFAULT_ARCH] ?? ARCHES[DEFAULT_ARCH];
  if (!arch) return [];
  const out: CompletionEntry[] = [];
  for (let s = arch.minMemoryBlock.value; s <= arch.maxMemoryBlock.value; s *= 2n)
    out.push({ label: sizeLiteral(s), kind: 'value', detail: `${formatBytes(s)} memory blocks (${arch.name})` });
  return out;
}

function valueItems(a: Analysis, block: Block, key: string, values: string[]): CompletionEntry[] | undefined {
  const k = block.kind;
  if (k === 'device') {
    const ra = regionOf(a, block.region);
    if (key === 'mode') {
      if (values.length === 0) return KEYWORDS.modes.map((x) => entry(x, 'enum'));
      if (values[0] !== 'system-ram') return undefined;
      const used = new Set(values.slice(1));
      const clash: Record<string, string> = {
        online: 'offline',
        offline: 'online',
        movable: 'normal',
        normal: 'movable',
      };
      return KEYWORDS.modeOptions
        .filter((o) => !used.has(o.keyword) && !used.has(clash[o.keyword] ?? ''))
        .map((x) => entry(x, 'enum'));
    }
    if (key === 'colours' || key === 'colors') {
      const last = values[values.length - 1];
      const word = (w: string) =>
        entry(KEYWORDS.colourWords.find((x) => x.keyword === w) as (typeof KEYWORDS.colourWords)[number], 'enum');
      const [any, of, exclusive] = [word('any'), word('of'), word('exclusive')];
      if (values.length === 0) return [any];
      if (last === 'of' || last === 'any' || last === ',' || last?.endsWith('..')) return [];
      const more: CompletionEntry[] = [];
      if (!values.includes('of')) more.push(of);
      if (!values.includes('exclusive')) more.push(exclusive);
      return more.length > 0 ? more : undefined;
    }
    if (key === 'expect') {
      const last = values[values.length - 1];
      if (values.length === 0) return KEYWORDS.expectMetrics.map((x) => entry(x, 'enum'));
      if (values.length === 1) return [];
      const [from, access0, access1] = KEYWORDS.expectWords.map((x) => entry(x, 'enum')) as [
        CompletionEntry,
        CompletionEntry,
        CompletionEntry,
      ];
      if (last === 'from') return [{ label: 'node', kind: 'keyword', detail: 'from node N: the initiator node' }];
      if (last === 'node')
        return (ra?.host.before?.nodes ?? [])
          .filter((n) => n.cpus !== '')
          .map((n) => ({ label: String(n.id), kind: 'value', detail: `CPUs ${n.cpus}` }));
      if (!values.includes('from')) return [from];
      if (!values.includes('access0') && !values.includes('access1')) return [access0, access1];
      return undefined;
    }
    if (key === 'range') {
      const last = values[values.length - 1];
      if (values.length === 0 || last === ',') return rangeItems(a, block.region, block.decl);
      if (last === '+' || last?.endsWith('..')) return [];
      return undefined;
    }
    if (values.length > 0) return undefined;
    if (key === 'size') return sizeItems(a, block.region, block.decl);
    if (key === 'align') return alignItems(ra?.host);
    if (key === 'name') {
      const ld = layoutDevice(a, block.decl);
      const sim = ld && ra?.host.plan?.assigned.get(ld);
      return sim
        ? [
            {
              label: `dax${sim.region.id}.${sim.id}`,
              kind: 'value',
              detail: 'the name the kernel will give this device',
            },
          ]
        : [];
    }
    return [];
  }
  if (k === 'region' && block.decl.cxl && CXL_ONLY_KEYS.includes(key)) {
    const items = cxlValues(regionOf(a, block.decl)?.host.before?.cxl, key, values);
    return items?.map((x) => ({ ...x, kind: 'value' as const }));
  }
  if (values.length > 0) return undefined;
  if (k === 'region') {
    const ra = regionOf(a, block.decl);
    const before = ra?.before;
    if (key === 'align') return alignItems(ra?.host);
    if (key === 'node') {
      return (ra?.host.before?.nodes ?? []).map((n) => ({
        label: String(n.id),
        kind: 'value',
        detail: n.cpus ? `CPUs ${n.cpus}` : 'CPU-less (memory only)',
        ...(before?.targetNode === n.id ? { preferred: true } : {}),
      }));
    }
    if (key === 'start' && before?.start !== undefined)
      return [{ label: hexLiteral(before.start), kind: 'value', detail: 'the region start in the facts' }];
    if (key === 'size' && before)
      return [
        {
          label: sizeLiteral(before.size),
          kind: 'value',
          detail: `${formatBytes(before.size)}: the region size in the facts`,
        },
      ];
    return [];
  }
  if (key === 'arch') return KEYWORDS.arch.map((x) => entry(x, 'enum'));
  if (key === 'auto-online') return KEYWORDS.autoOnline.map((x) => entry(x, 'enum'));
  if (key === 'memory-block') return memoryBlockItems(a, block.decl as HostDecl);
  return [];
}

const FLAG_KEYS = new Set(['dynamic', 'static']);

export function completeAt(a: Analysis, offset: number): Completions {
  const text = a.text;
  let s = offset;
  while (s > 0 && isWordChar(text.charCodeAt(s - 1))) s--;
  const span = { start: s, end: offset };
  if (inCommentOrString(a, offset)) return { span, position: 'none', items: [] };
  const block = blockAt(a, offset);
  if (!block) {
    const lineStart = Math.max(text.lastIndexOf('\n', s - 1) + 1, text.lastIndexOf('}', s - 1) + 1);
    const line = text.slice(lineStart, s);
    const header = headerCompletions(a, line);
    if (header) return { span, position: 'header', items: header };
    if (line.trim() !== '') return { span, position: 'none', items: [] };
    return {
      span,
      position: 'key',
      items: KEYWORDS.topLevel.map((k) =>
        entry(k, 'keyword', SNIPPETS[k.keyword] ? { snippet: SNIPPETS[k.keyword] as string } : {}),
      ),
    };
  }
  let from = block.body.start + 1;
  if (block.kind === 'region')
    for (const d of block.decl.devices)
      if (d.body && text.charCodeAt(d.body.end - 1) === 125 && d.span.end <= s && d.span.end > from) from = d.span.end;
  const ws = words(text.slice(from, s));
  const keys = new Set(KEYWORDS[block.kind].map((k) => k.keyword));
  if (block.kind === 'device') keys.add('colors');
  let i = ws.length - 1;
  while (i >= 0 && !keys.has(ws[i] as string)) i--;
  const key = i >= 0 ? (ws[i] as string) : undefined;
  if (key === 'device') return { span, position: 'header', items: [] };
  if (key !== undefined && !FLAG_KEYS.has(key)) {
    const values = ws.slice(i + 1);
    const items = valueItems(a, block, key, values);
    if (items) return { span, position: 'value', items };
  }
  return { span, position: 'key', items: keyItems(block, span) };
}
