// The outline (hosts, regions with their devices) and folding ranges (blocks,
// runs of whole-line comments), as offsets.

import type { Span } from '../../../grammar/src/ast';
import type { Analysis } from '../analysis/types';
import { deviceSize, regionSize } from '../kernel/state';
import { formatBytes, hex } from '../units';

export interface OutlineSymbol {
  readonly name: string;
  readonly detail?: string;
  readonly kind: 'host' | 'region' | 'device';
  readonly span: Span;
  /** Inside `span`: the name, id or keyword to select. */
  readonly selectionSpan: Span;
  readonly children: readonly OutlineSymbol[];
}

export function outline(a: Analysis): OutlineSymbol[] {
  const out: OutlineSymbol[] = [];
  for (const d of a.file.declarations) {
    if (d.kind === 'host') {
      const h = a.hosts.find((x) => x.decl?.decl === d);
      const facts = h?.decl?.facts
        ? `facts ${h.decl.facts.value}`
        : h?.factsOrigin === 'declared'
          ? 'declared'
          : undefined;
      const detail = [h?.version ? `Linux ${h.version.release}` : undefined, facts].filter(Boolean).join(' · ');
      out.push({
        name: d.name?.text ?? 'host',
        kind: 'host',
        span: d.span,
        selectionSpan: d.name?.span ?? d.keyword,
        children: [],
        ...(detail ? { detail } : {}),
      });
      continue;
    }
    const ra = a.hosts.flatMap((h) => h.regions).find((r) => r.layout.decl === d);
    const sim = ra?.after;
    const children: OutlineSymbol[] = [];
    for (const dev of d.devices) {
      const ld = ra?.layout.devices.find((x) => x.decl === dev);
      const sd = ld ? ra?.host.plan?.assigned.get(ld) : undefined;
      const detail = sd
        ? `dax${sd.region.id}.${sd.id} · ${formatBytes(deviceSize(sd))} · ${ld?.mode ?? 'devdax'}`
        : ld?.mode;
      children.push({
        name: dev.label?.text ?? 'device',
        kind: 'device',
        span: dev.span,
        selectionSpan: dev.label?.span ?? dev.keyword,
        children: [],
        ...(detail ? { detail } : {}),
      });
    }
    const on = d.host ? ` on ${d.host.text}` : '';
    const name = d.cxl ? `cxl region ${d.label?.text ?? '?'}${on}` : `region ${d.id?.text ?? '?'}${on}`;
    // a cxl region: the kernel's name for it (regionN) once planned or adopted, then its range
    const cxlName = d.cxl && ra ? ra.host.plan?.cxl?.get(ra.layout)?.name : undefined;
    const range = sim ? `${hex(sim.start)}..${hex(sim.end)} · ${formatBytes(regionSize(sim))}` : undefined;
    const detail = [cxlName, range].filter(Boolean).join(' · ') || undefined;
    out.push({
      name,
      kind: 'region',
      span: d.span,
      selectionSpan: (d.cxl ? d.label?.span : d.id?.span) ?? d.keyword,
      children,
      ...(detail ? { detail } : {}),
    });
  }
  return out;
}

export interface Fold {
  /** Where the fold starts (its first line) and the offset of its last character (a `}` or a comment's end). */
  readonly span: Span;
  readonly kind: 'block' | 'comment';
}

function lineLeading(text: string, at: number): boolean {
  for (let i = at - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10) return true;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function oneLineBreak(text: string, from: number, to: number): boolean {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return n === 1;
}

export function folds(a: Analysis): Fold[] {
  const out: Fold[] = [];
  for (const d of a.file.declarations) {
    if (d.body) out.push({ span: { start: d.span.start, end: d.body.end - 1 }, kind: 'block' });
    if (d.kind === 'region')
      for (const dev of d.devices)
        if (dev.body) out.push({ span: { start: dev.span.start, end: dev.body.end - 1 }, kind: 'block' });
  }
  const text = a.text;
  const cs = a.file.comments;
  for (let i = 0; i < cs.length;) {
    const first = cs[i];
    if (!first || !lineLeading(text, first.span.start)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < cs.length) {
      const cur = cs[j] as (typeof cs)[number];
      const next = cs[j + 1] as (typeof cs)[number];
      if (!lineLeading(text, next.span.start) || !oneLineBreak(text, cur.span.end, next.span.start)) break;
      j++;
    }
    if (j > i)
      out.push({ span: { start: first.span.start, end: (cs[j] as (typeof cs)[number]).span.end }, kind: 'comment' });
    i = j + 1;
  }
  return out.sort((x, y) => x.span.start - y.span.start);
}
