// hoverAt: what the thing under the cursor is and what the kernel will make of
// it, as plain data (offsets in, no Markdown). Rendered by server/lsp/markdown.ts.

import type { DeviceDecl, NumberValue, RegionDecl, Span, Value } from '../../../grammar/src/ast';
import { KEYWORDS, type KeywordInfo } from '../../../grammar/src/index';
import type { Analysis, HostAnalysis, RegionAnalysis } from '../analysis/types';
import { deviceColours, regionColourMap, type DeviceColours, type RegionColourMap } from './colours';
import { FEATURES, atLeast, parseRelease } from '../kernel/version';
import type { LayoutDevice } from '../layout/types';
import { stablePath } from '../persist/spec';
import { applyUnit } from '../units';
import {
  deviceContext,
  deviceState,
  factsStatus,
  hostState,
  nodeInfo,
  regionState,
  type DeviceState,
  type FactsStatus,
  type HostState,
  type NodeInfo,
  type RegionState,
} from './describe';
import { locate, type BlockKind, type Hit } from './locate';
import { cxlHover, type CxlHover } from './cxl-hover';

export interface RegionHover {
  readonly kind: 'region';
  readonly span: Span;
  readonly id?: number;
  readonly hostName?: string;
  readonly kernel?: string;
  readonly facts: FactsStatus;
  readonly region?: RegionState;
  readonly node?: NodeInfo;
  /** The memory-side-cache colour map after the plan: who holds which colours, what is free (docs/colours.md). */
  readonly colours?: RegionColourMap;
  /** Why there is no prediction for the region. */
  readonly missing?: string;
}

export interface DeviceHover {
  readonly kind: 'device';
  readonly span: Span;
  readonly label: string;
  readonly regionId?: number;
  readonly hostName?: string;
  readonly kernel?: string;
  readonly facts: FactsStatus;
  readonly requested: {
    readonly size?: bigint;
    readonly rest: boolean;
    /** What `size rest` resolved to. */
    readonly restSize?: bigint;
    readonly align?: bigint;
    readonly mode: 'devdax' | 'system-ram';
    readonly kernelName?: string;
  };
  readonly predicted?: DeviceState;
  /** `colours …`: the colours it holds and the stripes the plan pins it to. */
  readonly colours?: DeviceColours;
  /** Where the device is found after any reboot, when its region persists (docs/persist.md). */
  readonly stablePath?: string;
  /** Why the device has no predicted state (writes the kernel refuses, changes the planner will not make). */
  readonly problems: readonly string[];
  /** Codes of the findings inside the device block. */
  readonly codes: readonly string[];
}

export interface ValueHover {
  readonly kind: 'value';
  readonly span: Span;
  /** What the value is, e.g. `device size`, `physical range`, `NUMA node`. */
  readonly what: string;
  /** A size or an address, in bytes. */
  readonly bytes?: bigint;
  /** A plain count (port, node). */
  readonly count?: bigint;
  /** A physical range (end inclusive). */
  readonly range?: { readonly start: bigint; readonly end: bigint; readonly size: bigint };
  /** A word or string value as written. */
  readonly text?: string;
  readonly error?: string;
  readonly node?: NodeInfo;
  /** For `facts "…"`: what was read from the file. */
  readonly facts?: FactsStatus;
  /** For `kernel "…"`: the model's version-dependent behaviours and whether the release has them. */
  readonly features?: readonly { readonly what: string; readonly since: string; readonly has: boolean }[];
}

export interface KeywordHover {
  readonly kind: 'keyword';
  readonly span: Span;
  readonly keyword: string;
  readonly syntax: string;
  readonly description: string;
}

export interface HostHover {
  readonly kind: 'host';
  readonly span: Span;
  readonly host: HostState;
}

export type HoverInfo = RegionHover | DeviceHover | ValueHover | KeywordHover | HostHover | CxlHover;

function keyword(span: Span, list: readonly KeywordInfo[], word: string): KeywordHover | undefined {
  const k = list.find((x) => x.keyword === word);
  return k ? { kind: 'keyword', span, keyword: k.keyword, syntax: k.syntax, description: k.description } : undefined;
}

function regionOfDecl(a: Analysis, decl: RegionDecl): RegionAnalysis | undefined {
  for (const h of a.hosts) for (const r of h.regions) if (r.layout.decl === decl) return r;
  return undefined;
}

function layoutDevice(a: Analysis, decl: DeviceDecl): LayoutDevice | undefined {
  for (const r of a.layout.regions) for (const d of r.devices) if (d.decl === decl) return d;
  return undefined;
}

function hostByName(a: Analysis, name: string | undefined): HostAnalysis | undefined {
  return name === undefined ? undefined : a.hosts.find((h) => h.name === name && h.decl);
}

function regionHover(a: Analysis, decl: RegionDecl, span: Span): RegionHover {
  const ra = regionOfDecl(a, decl);
  const host = ra?.host ?? hostByName(a, decl.host?.text);
  const id = decl.id?.value !== undefined ? Number(decl.id.value) : undefined;
  const base = {
    kind: 'region' as const,
    span,
    ...(id !== undefined ? { id } : {}),
    ...(decl.host ? { hostName: decl.host.text } : {}),
    ...(host?.version ? { kernel: host.version.release } : {}),
    facts: factsStatus(host),
  };
  if (!ra || !host)
    return {
      ...base,
      missing: decl.host ? `no host \`${decl.host.text}\` is declared in this file` : 'the region has no prediction',
    };
  const region = regionState(host, ra);
  if (!region) {
    const ids = host.before?.regions.map((r) => r.id) ?? [];
    const why = !host.model
      ? 'no facts to predict from'
      : `region ${id ?? '?'} is not in the facts of ${host.name}${ids.length ? ` (it has region${ids.length === 1 ? '' : 's'} ${ids.join(', ')})` : ''}`;
    return { ...base, missing: why };
  }
  const node = host.model ? nodeInfo(host.model.state.nodes, region.targetNode) : undefined;
  const colours = regionColourMap(host, ra);
  return { ...base, region, ...(node ? { node } : {}), ...(colours ? { colours } : {}) };
}

function deviceHover(a: Analysis, region: RegionDecl, decl: DeviceDecl, span: Span): DeviceHover {
  const ld = layoutDevice(a, decl);
  const ctx = ld ? deviceContext(a, ld) : undefined;
  const host = ctx?.host ?? hostByName(a, region.host?.text);
  const sim = ld && host?.plan?.assigned.get(ld);
  const codes = [
    ...new Set(
      a.findings.filter((f) => f.span.start >= decl.span.start && f.span.end <= decl.span.end).map((f) => f.code),
    ),
  ];
  const problems: string[] = [];
  if (ld && host?.plan) {
    for (const f of host.plan.failures) {
      if (f.device === ld)
        problems.push(
          `the kernel refuses \`echo ${f.write.value} > ${f.write.path}\`${f.errno ? ` (${f.errno})` : ''}`,
        );
    }
    for (const r of host.plan.refusals) if (r.device === ld) problems.push(`${r.kernelName}: ${r.reason}`);
  }
  const restSize = ld?.rest ? host?.plan?.targetSize.get(ld) : undefined;
  const colours = ld ? deviceColours(host, ld) : undefined;
  return {
    kind: 'device',
    span,
    label: decl.label?.text ?? '?',
    ...(region.id?.value !== undefined ? { regionId: Number(region.id.value) } : {}),
    ...(region.host ? { hostName: region.host.text } : {}),
    ...(host?.version ? { kernel: host.version.release } : {}),
    facts: factsStatus(host),
    requested: {
      ...(ld?.size ? { size: ld.size.value } : {}),
      rest: ld?.rest !== undefined,
      ...(restSize !== undefined ? { restSize } : {}),
      ...(ld?.align ? { align: ld.align.value } : {}),
      mode: ld?.mode ?? 'devdax',
      ...(ld?.kernelName ? { kernelName: ld.kernelName.value } : {}),
    },
    ...(sim && host?.model ? { predicted: deviceState(host.model, sim) } : {}),
    ...(colours ? { colours } : {}),
    ...(ld && host?.decl && stablePath(host, ld) ? { stablePath: stablePath(host, ld) as string } : {}),
    problems,
    codes,
  };
}

const BYTE_KEYS: Readonly<Record<BlockKind, readonly string[]>> = {
  host: ['memory-block'],
  region: ['start', 'size', 'align'],
  device: ['size', 'align'],
};

function bytesOf(n: NumberValue): { bytes?: bigint; error?: string } {
  if (n.value === undefined) return { error: n.error ?? `cannot read \`${n.text}\`` };
  const r = applyUnit(n.value, n.unit);
  return r.ok ? { bytes: r.bytes } : { error: r.message };
}

function wordHover(hit: Extract<Hit, { kind: 'value' }>, w: string, span: Span): KeywordHover | undefined {
  const key = hit.property.key.text;
  if (hit.block === 'device' && key === 'mode') {
    return keyword(span, hit.property.values[0] === hit.value ? KEYWORDS.modes : KEYWORDS.modeOptions, w);
  }
  if (hit.block === 'device' && key === 'size') return keyword(span, KEYWORDS.sizeWords, w);
  if (hit.block === 'device' && (key === 'colours' || key === 'colors')) return keyword(span, KEYWORDS.colourWords, w);
  if (hit.block === 'device' && key === 'expect')
    return keyword(span, [...KEYWORDS.expectMetrics, ...KEYWORDS.expectWords], w);
  if (hit.block === 'host' && key === 'arch') return keyword(span, KEYWORDS.arch, w);
  if (hit.block === 'host' && key === 'auto-online') return keyword(span, KEYWORDS.autoOnline, w);
  return undefined;
}

function valueHover(a: Analysis, hit: Extract<Hit, { kind: 'value' }>): HoverInfo | undefined {
  const v: Value = hit.value;
  const key = hit.property.key.text;
  const span = v.span;
  if (
    hit.block === 'region' &&
    hit.decl.kind === 'region' &&
    hit.decl.cxl &&
    ['memdevs', 'window', 'adopt'].includes(key)
  ) {
    const c = cxlHover(a, hit.decl.host?.text, key, v, hit.property.values);
    if (c) return c;
  }
  if (v.kind === 'word')
    return wordHover(hit, v.text, span) ?? { kind: 'value', span, what: `${hit.block} ${key}`, text: v.text };
  if (v.kind === 'string') {
    if (key === 'kernel') {
      const ver = parseRelease(v.value);
      if (!ver)
        return {
          kind: 'value',
          span,
          what: 'kernel release',
          text: v.value,
          error: `cannot read kernel release "${v.value}"`,
        };
      const features = FEATURES.map((f) => ({
        what: f.what,
        since: `${f.since[0]}.${f.since[1]}`,
        has: atLeast(ver, f.since),
      }));
      return { kind: 'value', span, what: 'kernel release', text: v.value, features };
    }
    if (key === 'facts' && hit.decl.kind === 'host') {
      const h = a.hosts.find((x) => x.decl?.decl === hit.decl);
      return { kind: 'value', span, what: 'facts file', text: v.value, facts: factsStatus(h) };
    }
    return { kind: 'value', span, what: `${hit.block} ${key}`, text: v.value };
  }
  if (v.kind === 'range') {
    const start = bytesOf(v.start);
    const second = v.end ?? v.length;
    const other = second ? bytesOf(second) : { error: 'the range is incomplete' };
    const error = start.error ?? other.error;
    if (error || start.bytes === undefined || other.bytes === undefined)
      return { kind: 'value', span, what: 'physical range', error: error ?? 'the range is incomplete' };
    const end = v.op === '..' ? other.bytes : start.bytes + other.bytes - 1n;
    if (end < start.bytes)
      return { kind: 'value', span, what: 'physical range', error: 'the range ends before it starts' };
    return {
      kind: 'value',
      span,
      what: 'physical range',
      range: { start: start.bytes, end, size: end - start.bytes + 1n },
    };
  }
  // a number
  if (BYTE_KEYS[hit.block].includes(key)) {
    const b = bytesOf(v);
    const what = `${hit.block} ${key === 'start' ? 'start address' : key}`;
    return { kind: 'value', span, what, ...b };
  }
  if (v.value === undefined) return { kind: 'value', span, what: key, error: v.error ?? `cannot read \`${v.text}\`` };
  if (hit.block === 'region' && key === 'node') {
    const ra = hit.decl.kind === 'region' ? regionOfDecl(a, hit.decl) : undefined;
    const node = ra?.host.before ? nodeInfo(ra.host.before.nodes, Number(v.value)) : undefined;
    return { kind: 'value', span, what: 'NUMA node', count: v.value, ...(node ? { node } : {}) };
  }
  return { kind: 'value', span, what: key === 'port' ? 'SSH port' : key, count: v.value };
}

export function hoverAt(a: Analysis, offset: number): HoverInfo | undefined {
  const hit = locate(a.file, a.text, offset);
  if (!hit) return undefined;
  switch (hit.kind) {
    case 'decl-keyword': {
      const list =
        hit.word === 'on' ? KEYWORDS.regionHeader : hit.word === 'device' ? KEYWORDS.region : KEYWORDS.topLevel;
      return keyword(hit.span, list, hit.word);
    }
    case 'key':
      return keyword(
        hit.property.key.span,
        KEYWORDS[hit.block],
        hit.property.key.text === 'colors' ? 'colours' : hit.property.key.text,
      );
    case 'value':
      return valueHover(a, hit);
    case 'host-name': {
      const h = a.hosts.find((x) => x.decl?.decl === hit.host);
      return h ? { kind: 'host', span: hit.word.span, host: hostState(h) } : undefined;
    }
    case 'host-ref':
      return regionHover(a, hit.region, hit.word.span);
    case 'region-id':
      return regionHover(a, hit.region, hit.value.span);
    case 'cxl-label':
      return regionHover(a, hit.region, hit.word.span);
    case 'device-label':
      return deviceHover(a, hit.region, hit.device, hit.word.span);
    case 'device-body':
      return deviceHover(a, hit.region, hit.device, hit.device.span);
    default:
      return undefined;
  }
}
