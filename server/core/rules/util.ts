// Shared views over an analysis for the rules: devices with their host and
// region, the host's architecture facts, and each device's predicted result.

import type { Span } from '../../../grammar/src/ast';
import type { Analysis, HostAnalysis, RegionAnalysis } from '../analysis/types';
import type { Finding, Fix, Severity } from '../analysis/finding';
import { hotplugRange, type SimDevice } from '../kernel/state';
import { ARCHES, DEFAULT_ARCH, allowedAligns, type ArchFacts } from '../kernel/tables';
import type { LayoutDevice } from '../layout/types';
import type { PlanFailure } from '../plan/planner';

/** A rule, as the registry runs it: its code, title, default severity and page, declared once. */
export interface Rule {
  readonly code: string;
  readonly title: string;
  /** The severity of its findings unless one says otherwise. */
  readonly severity: Severity;
  /** Its page in the repository: docs/rules/DAXnnn.md. */
  readonly page: string;
  check(a: Analysis): Finding[];
}

/** Makes a finding of the rule: its code, and its default severity unless `severity` is given. */
export type Report = (span: Span, message: string, extra?: FindingExtra, severity?: Severity) => Finding;

export interface FindingExtra {
  readonly related?: Finding['related'];
  readonly fixes?: Fix[];
}

/** Declares a rule: `check` reports through `report`, which knows the rule's code and severity. */
export function defineRule(def: {
  code: string;
  title: string;
  severity: Severity;
  check(a: Analysis, report: Report): Finding[];
}): Rule {
  const report: Report = (span, message, extra = {}, severity = def.severity) =>
    finding(def.code, severity, span, message, extra);
  return {
    code: def.code,
    title: def.title,
    severity: def.severity,
    page: `docs/rules/${def.code}.md`,
    check: (a) => def.check(a, report),
  };
}

export interface DeviceView {
  readonly device: LayoutDevice;
  readonly region: RegionAnalysis;
  readonly host: HostAnalysis;
}

const deviceViews = new WeakMap<Analysis, DeviceView[]>();

/** Every layout device with its region and host (computed once per analysis). */
export function devices(a: Analysis): readonly DeviceView[] {
  let list = deviceViews.get(a);
  if (!list) {
    list = [];
    for (const host of a.hosts)
      for (const region of host.regions)
        for (const device of region.layout.devices) list.push({ device, region, host });
    deviceViews.set(a, list);
  }
  return list;
}

export function archOf(host: HostAnalysis): ArchFacts {
  return ARCHES[host.before?.arch ?? DEFAULT_ARCH] ?? (ARCHES[DEFAULT_ARCH] as ArchFacts);
}

/** The alignments this host accepts: the arch table, narrowed by captured facts when present. */
export function hostAligns(host: HostAnalysis): bigint[] {
  const arch = allowedAligns(archOf(host));
  const captured = host.before?.daxAligns;
  return captured && captured.length > 0 ? arch.filter((x) => captured.includes(x)) : arch;
}

/** The device's align: its own, else the region's (new devices start with the region align). */
export function alignOf(v: DeviceView): bigint | undefined {
  return v.device.align?.value ?? v.region.before?.align;
}

/** granule(dev) = max(align, memremap_compat_align()) — every size and range length is a multiple. */
export function granuleOf(v: DeviceView): bigint | undefined {
  const align = alignOf(v);
  if (align === undefined) return undefined;
  const compat = archOf(v.host).compatAlign.value;
  return align > compat ? align : compat;
}

export function assigned(v: DeviceView): SimDevice | undefined {
  return v.host.plan?.assigned.get(v.device);
}

export function failuresOf(v: DeviceView): PlanFailure[] {
  return v.host.plan?.failures.filter((f) => f.device === v.device) ?? [];
}

export function finding(
  code: string,
  severity: Severity,
  span: Span,
  message: string,
  extra: FindingExtra = {},
): Finding {
  return {
    code,
    severity,
    span,
    message,
    ...(extra.related && extra.related.length > 0 ? { related: extra.related } : {}),
    ...(extra.fixes && extra.fixes.length > 0 ? { fixes: extra.fixes } : {}),
  };
}

/** System-ram devices that the plan placed, with what kmem will make of their ranges. */
export function placedSystemRam(a: Analysis): { v: DeviceView; blockSize: bigint; use: KmemUse }[] {
  const out: { v: DeviceView; blockSize: bigint; use: KmemUse }[] = [];
  for (const v of devices(a)) {
    if (v.device.mode !== 'system-ram' || !v.host.before) continue;
    const dev = assigned(v);
    if (!dev || dev.ranges.length === 0) continue;
    const blockSize = v.host.before.memoryBlockSize;
    out.push({ v, blockSize, use: kmemUse(dev.ranges, blockSize) });
  }
  return out;
}

export interface KmemUse {
  readonly usable: bigint;
  readonly lost: bigint;
  readonly blocks: bigint;
  readonly perRange: { start: bigint; end: bigint; head: bigint; tail: bigint; usable: bigint }[];
}

/** What kmem will hot-plug of these ranges: the memory-block-aligned interior of each. */
export function kmemUse(ranges: readonly { start: bigint; end: bigint }[], blockSize: bigint): KmemUse {
  let usable = 0n;
  let total = 0n;
  const perRange = ranges.map((r) => {
    const len = r.end - r.start + 1n;
    total += len;
    const h = hotplugRange(r.start, r.end, blockSize);
    if (!h) return { start: r.start, end: r.end, head: len, tail: 0n, usable: 0n };
    const u = h.end - h.start + 1n;
    usable += u;
    return { start: r.start, end: r.end, head: h.start - r.start, tail: r.end - h.end, usable: u };
  });
  return { usable, lost: total - usable, blocks: usable / blockSize, perRange };
}

export function regionLabel(r: RegionAnalysis): string {
  const on = r.layout.hostName ? ` on ${r.layout.hostName.value}` : '';
  if (r.layout.cxl) return `cxl region ${r.layout.cxl.label.value}${r.after ? ` (region ${r.after.id})` : ''}${on}`;
  return `region ${r.layout.id?.value ?? '?'}${on}`;
}

/** The span to report a region-level finding at: its id (a `cxl region`'s label), else its keyword. */
export function regionSpan(r: RegionAnalysis): Span {
  return r.layout.id?.span ?? r.layout.cxl?.label.span ?? r.layout.decl.keyword;
}

/**
 * Spans, to ask whether one of them meets [start, end): sorted by start with the
 * running maximum of their ends, so a question is a binary search (a rule asking
 * it for each of thousands of devices stays linear, not quadratic).
 */
export function spanIndex(spans: readonly { readonly start: number; readonly end: number }[]): {
  meets(start: number, end: number): boolean;
} {
  const sorted = [...spans].sort((x, y) => x.start - y.start);
  const maxEnd: number[] = [];
  for (const s of sorted) maxEnd.push(Math.max(maxEnd[maxEnd.length - 1] ?? -Infinity, s.end));
  return {
    meets(start, end) {
      // how many spans start before `end`: the furthest end among them must pass `start`
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((sorted[mid] as { start: number }).start < end) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 && (maxEnd[lo - 1] as number) > start;
    },
  };
}
