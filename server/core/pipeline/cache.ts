// What an analysis can reuse from the previous one of the same document, so
// that a one-character edit re-analyses only the host it touches:
//
// - the parse of a text (the fleet analysis analyses one text once per member host);
// - each host's analysis (facts → kernel model → plan), keyed by the text of the
//   host's blocks (its `host` block and the `region … on HOST` blocks, as written),
//   what its facts file held, and the options that change a plan;
// - facts files parsed once per content.
//
// A host analysis refers to the layout objects it was computed for (a plan is
// keyed by layout devices; rules and hovers compare them by identity) and those
// carry absolute offsets. A hit therefore *relocates* the cached analysis onto
// the new layout objects: the old and new objects of the host's blocks are
// paired by a parallel walk that requires them to be equal except for their
// span offsets (any other difference is a miss; the syntax trees they point to
// are not walked, the key holds their text), and every reference to an old
// object in the analysis and its plan is replaced by its pair (copy on write;
// the kernel model, the facts and the simulated devices hold no layout objects
// and are shared). Results are identical to an analysis without a cache
// (test/lsp/incremental.test.ts compares them along edit sequences).
//
// Memory: `sweep()` (the caller calls it after each analysis) drops every entry
// the analyses since the previous sweep did not use, so a cache holds about one
// analysis' worth of hosts, whatever the number of edits.
//
// Pure: no clocks, no I/O; safe to use from one thread at a time.

import type { LayoutFile } from '../../../grammar/src/ast';
import type { FactsInputKind, ReadFactsResult } from '../facts/read';
import type { HostFacts } from '../host-facts';
import type { LowerMemo } from '../layout/lower';
import type { Layout, LayoutHost, LayoutRegion } from '../layout/types';
import { isInert } from '../kernel/state';
import type { HostAnalysis, RegionAnalysis } from '../analysis/types';

interface HostEntry {
  host: HostAnalysis;
  decl: LayoutHost | undefined;
  regions: readonly LayoutRegion[];
  used: number;
}

interface FactsEntry {
  readonly id: number;
  kind?: FactsInputKind;
  readonly parsed: Map<string, ReadFactsResult<HostFacts>>;
  used: number;
}

/** A text, its parse and its lowering (with what each declaration lowered to, for the next text's lowering). */
export interface ParsedText {
  readonly text: string;
  readonly file: LayoutFile;
  readonly layout: Layout;
  readonly lowered?: LowerMemo;
}

export interface CacheStats {
  /** Host analyses computed (cache misses). */
  hostsAnalysed: number;
  /** Host analyses reused (relocated or shared). */
  hostsReused: number;
  /** Facts files parsed / parses reused. */
  factsParsed: number;
  factsReused: number;
  /** Texts parsed / parses reused. */
  textsParsed: number;
  textsReused: number;
}

export class AnalysisCache {
  private run = 1;
  private readonly hosts = new Map<string, HostEntry>();
  private readonly facts = new Map<string, FactsEntry>();
  private nextFactsId = 1;
  private parsed: ParsedText | undefined;
  readonly stats: CacheStats = {
    hostsAnalysed: 0,
    hostsReused: 0,
    factsParsed: 0,
    factsReused: 0,
    textsParsed: 0,
    textsReused: 0,
  };

  /** Drops what the analyses since the last sweep did not use. Call it after each analysis (or fleet analysis). */
  sweep(): void {
    for (const [k, e] of this.hosts) if (e.used < this.run) this.hosts.delete(k);
    for (const [k, e] of this.facts) if (e.used < this.run) this.facts.delete(k);
    this.run++;
  }

  /** Entries held (for tests and the bench). */
  get size(): { hosts: number; facts: number } {
    return { hosts: this.hosts.size, facts: this.facts.size };
  }

  /**
   * @internal The parse and lowering of `text`, shared while the text is the same;
   * `compute` is given the previous text's, to re-parse and re-lower only what an edit touched.
   */
  parse(text: string, compute: (previous: ParsedText | undefined) => ParsedText): ParsedText {
    const p = this.parsed;
    if (p && p.text === text) {
      this.stats.textsReused++;
      return p;
    }
    const r = compute(p);
    this.parsed = r;
    this.stats.textsParsed++;
    return r;
  }

  private factsEntry(text: string): FactsEntry {
    let e = this.facts.get(text);
    if (!e) this.facts.set(text, (e = { id: this.nextFactsId++, parsed: new Map(), used: this.run }));
    e.used = this.run;
    return e;
  }

  /** @internal A facts text parsed once per content (and per source/options: they change the result's messages and defaults). */
  readFacts(text: string, subkey: string, compute: () => ReadFactsResult<HostFacts>): ReadFactsResult<HostFacts> {
    const e = this.factsEntry(text);
    let r = e.parsed.get(subkey);
    if (r) {
      this.stats.factsReused++;
      return r;
    }
    r = compute();
    e.parsed.set(subkey, r);
    this.stats.factsParsed++;
    return r;
  }

  /** @internal */
  factsKind(text: string, compute: () => FactsInputKind): FactsInputKind {
    const e = this.factsEntry(text);
    return (e.kind ??= compute());
  }

  /** @internal A short stand-in for a facts text in host keys (the text itself is the facts map's key). */
  factsId(text: string): number {
    return this.factsEntry(text).id;
  }

  /** @internal The cached analysis of a host, relocated onto `decl` and `regions`; undefined on a miss. */
  host(key: string, decl: LayoutHost | undefined, regions: readonly LayoutRegion[]): HostAnalysis | undefined {
    const e = this.hosts.get(key);
    if (!e) return undefined;
    const moved = relocateHost(e, decl, regions);
    if (!moved) return undefined;
    e.host = moved;
    e.decl = decl;
    e.regions = regions;
    e.used = this.run;
    this.stats.hostsReused++;
    return moved;
  }

  /** @internal */
  storeHost(key: string, host: HostAnalysis, decl: LayoutHost | undefined, regions: readonly LayoutRegion[]): void {
    this.hosts.set(key, { host, decl, regions, used: this.run });
    this.stats.hostsAnalysed++;
  }
}

// ---------------------------------------------------------------------------
// Relocation

type Pairing = Map<object, object>;

const isPlain = (x: object): boolean => {
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
};

const isNode = (x: unknown): x is { kind: string; span: { start: number; end: number } } =>
  typeof x === 'object' &&
  x !== null &&
  typeof (x as { kind?: unknown }).kind === 'string' &&
  typeof (x as { span?: { start?: unknown } }).span?.start === 'number';

/**
 * Pairs the objects of `a` with those of `b` (same shape, same values except
 * the numeric `start`/`end` of spans). False when they differ anywhere else.
 */
function pair(a: unknown, b: unknown, map: Pairing): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const known = map.get(a);
  if (known !== undefined) return known === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    map.set(a, b);
    for (let i = 0; i < a.length; i++) if (!pair(a[i], b[i], map)) return false;
    return true;
  }
  if (!isPlain(a) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  map.set(a, b);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra);
  if (ka.length !== Object.keys(rb).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(rb, k)) return false;
    const x = ra[k];
    const y = rb[k];
    // span offsets move with the text; the key guarantees the blocks' texts are the same
    if ((k === 'start' || k === 'end') && typeof x === 'number' && typeof y === 'number') continue;
    // The syntax tree a layout object came from: host analyses and plans refer to layout
    // objects, never into the tree, and the key holds the text the tree was parsed from.
    if (k === 'decl' && isNode(x) && isNode(y)) {
      if (x.kind !== y.kind || x.span.end - x.span.start !== y.span.end - y.span.start) return false;
      continue;
    }
    if (!pair(x, y, map)) return false;
  }
  return true;
}

/** `x` with every paired object replaced by its pair; containers copied only when something inside changed. */
function substitute(x: unknown, map: Pairing, memo: Map<object, unknown>): unknown {
  if (typeof x !== 'object' || x === null) return x;
  const paired = map.get(x);
  if (paired !== undefined) return paired;
  if (memo.has(x)) return memo.get(x);
  // The kernel model's regions and devices and the planner's writes hold no layout objects.
  if (isInert(x)) return x;
  // Provisional: a cycle back to an object being walked keeps the original (cycles run
  // through the kernel model's devices and regions, which hold no layout objects).
  memo.set(x, x);
  let out: unknown = x;
  if (Array.isArray(x)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < x.length; i++) {
      const v = substitute(x[i], map, memo);
      if (v !== x[i]) (copy ??= x.slice())[i] = v;
    }
    if (copy) out = copy;
  } else if (x instanceof Map) {
    let changed = false;
    const entries: [unknown, unknown][] = [];
    for (const [k, v] of x) {
      const k2 = substitute(k, map, memo);
      const v2 = substitute(v, map, memo);
      if (k2 !== k || v2 !== v) changed = true;
      entries.push([k2, v2]);
    }
    if (changed) out = new Map(entries);
  } else if (x instanceof Set) {
    let changed = false;
    const values: unknown[] = [];
    for (const v of x) {
      const v2 = substitute(v, map, memo);
      if (v2 !== v) changed = true;
      values.push(v2);
    }
    if (changed) out = new Set(values);
  } else if (isPlain(x)) {
    let copy: Record<string, unknown> | undefined;
    const r = x as Record<string, unknown>;
    for (const k of Object.keys(r)) {
      const v = substitute(r[k], map, memo);
      if (v !== r[k]) (copy ??= { ...r })[k] = v;
    }
    if (copy) out = Object.getPrototypeOf(x) === null ? Object.assign(Object.create(null), copy) : copy;
  }
  // other class instances (the kernel model) are shared as they are
  memo.set(x, out);
  return out;
}

function relocateHost(
  e: HostEntry,
  decl: LayoutHost | undefined,
  regions: readonly LayoutRegion[],
): HostAnalysis | undefined {
  if (e.decl === decl && e.regions.length === regions.length && e.regions.every((r, i) => r === regions[i]))
    return e.host;
  const map: Pairing = new Map();
  if ((e.decl === undefined) !== (decl === undefined)) return undefined;
  if (e.decl && decl && !pair(e.decl, decl, map)) return undefined;
  if (e.regions.length !== regions.length) return undefined;
  for (let i = 0; i < regions.length; i++) if (!pair(e.regions[i], regions[i], map)) return undefined;
  const old = e.host;
  const memo = new Map<object, unknown>();
  const host: { -readonly [K in keyof HostAnalysis]: HostAnalysis[K] } = { ...old, regions: [] };
  if (old.decl) host.decl = map.get(old.decl) as LayoutHost;
  if (old.plan) host.plan = substitute(old.plan, map, memo) as HostAnalysis['plan'];
  host.regions = old.regions.map((r): RegionAnalysis => ({
    ...r,
    layout: (map.get(r.layout) as LayoutRegion | undefined) ?? r.layout,
    host,
  }));
  return host;
}
