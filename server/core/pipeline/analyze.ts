// The one façade: text in, everything the editor and the CLI show out.
// parse → lower → facts per host → plan through the kernel model → rules.
// Never throws on user input; a crashing rule becomes one DAX099 finding.

import { formatBytes } from '../units';
import { applySuppressions } from '../rules/dax095-suppression';
import type { Span } from '../../../grammar/src/ast';
import { parse, reparse } from '../../../grammar/src/index';
import { colouringCache, defaultColourCount } from '../colour/stripes';
import { detectFactsInput, readFactsAndKind, type FactsInputKind, type FactsProblem } from '../facts/read';
import type { HostFacts, RegionFacts } from '../host-facts';
import { KernelModel } from '../kernel/model';
import { SeedError } from '../kernel/state';
import { ARCHES, DEFAULT_ARCH } from '../kernel/tables';
import {
  DEFAULT_DESIGN_RELEASE,
  hmemRegionPath,
  outsideModelled,
  parseRelease,
  type KernelVersion,
} from '../kernel/version';
import { lower, type LowerMemo } from '../layout/lower';
import type { Finding } from '../analysis/finding';
import type { LayoutHost, LayoutRegion } from '../layout/types';
import { planHost, type DesiredRegion } from '../plan/planner';
import { planCxl, withCxl } from '../plan/cxl';
import { RULES } from '../rules/registry';
import type { AnalysisCache, ParsedText } from './cache';
import { DESIGN_HOST, type Analysis, type FactsLoad, type HostAnalysis } from '../analysis/types';

export { AnalysisCache, type CacheStats } from './cache';

export interface AnalyzeOptions {
  /** Reads a facts file named in the layout (path as written; the caller resolves it). */
  readonly readFacts?: (path: string) => FactsLoad;
  /** Plan removal of devices the layout does not list. */
  readonly prune?: boolean;
  /** The kernel model's work budget per host (KernelModel.budget); the default suits any real layout. */
  readonly workBudget?: number;
  /**
   * Facts that replace what the layout names for a host (fresh facts captured
   * from it, or a simulated target's). Undefined → the layout's own facts.
   */
  readonly hostFacts?: (
    host: LayoutHost,
  ) => { facts: HostFacts; kind: FactsInputKind; problems?: readonly FactsProblem[] } | undefined;
  /**
   * Reuse the parse, the host analyses and the parsed facts of earlier analyses
   * (the language server keeps one per open document; see cache.ts). The result
   * is the same as without it. Not used with `hostFacts`.
   */
  readonly cache?: AnalysisCache;
}

/** Facts for a host known only from the layout's declarations (designing without a machine). */
export function declaredFacts(host: LayoutHost | undefined, regions: readonly LayoutRegion[]): HostFacts {
  const arch =
    ARCHES[host?.arch?.value ?? DEFAULT_ARCH] ?? (ARCHES[DEFAULT_ARCH] as NonNullable<(typeof ARCHES)[string]>);
  const assumptions: string[] = [];
  if (!host?.kernel) assumptions.push(`kernel release not declared: assuming Linux ${DEFAULT_DESIGN_RELEASE}`);
  const wantsMemmap = regions.some((r) => r.devices.some((d) => d.memmapOnMemory));
  if (wantsMemmap)
    assumptions.push('memory hotplug assumed to allow memmap_on_memory (boot with memory_hotplug.memmap_on_memory=1)');
  const out: RegionFacts[] = [];
  const version =
    parseRelease(host?.kernel?.value ?? DEFAULT_DESIGN_RELEASE) ??
    (parseRelease(DEFAULT_DESIGN_RELEASE) as KernelVersion);
  for (const r of regions) {
    const g = r.geometry;
    if (!r.id || !g.start || !g.size) continue;
    const id = r.id.value;
    const align = g.align?.value ?? arch.pmdSize.value ?? arch.pageSize.value;
    const dynamic = g.dynamic?.value ?? true;
    const node = g.node?.value ?? -1;
    // A dynamic region designed from scratch starts empty (as with dax_hmem.region_idle=1);
    // a static one has its single namespace-sized device, bound to device_dax.
    const dev0 = dynamic
      ? { name: `dax${id}.0`, size: 0n, align, driver: null, targetNode: node, mappings: [] }
      : {
          name: `dax${id}.0`,
          size: g.size.value,
          align,
          driver: 'device_dax' as const,
          targetNode: node,
          mappings: [{ id: 0, start: g.start.value, end: g.start.value + g.size.value - 1n, pageOffset: 0n }],
        };
    out.push({
      id,
      path: hmemRegionPath(version, id),
      start: g.start.value,
      size: g.size.value,
      align,
      dynamic,
      targetNode: node,
      kmemDefault: false,
      devices: [dev0],
    });
  }
  // `node N` with `cache S`: the node's direct-mapped memory-side cache, for colours.
  const nodes: HostFacts['nodes'][number][] = [];
  for (const r of regions) {
    const g = r.geometry;
    if (!g.cache || !g.node || nodes.some((n) => n.id === g.node?.value)) continue;
    nodes.push({
      id: g.node.value,
      cpus: '',
      online: true,
      caches: [{ level: 1, size: g.cache.value, lineSize: 64, indexing: 0, writePolicy: 0 }],
    });
    assumptions.push(
      `node ${g.node.value}: memory-side cache declared as ${formatBytes(g.cache.value)}, assumed direct-mapped and indexed by physical address`,
    );
  }
  return {
    source: host ? `declarations of host ${host.name}` : 'layout declarations',
    ...(host ? { hostname: host.name } : {}),
    kernelRelease: host?.kernel?.value ?? DEFAULT_DESIGN_RELEASE,
    arch: arch.name,
    pageSize: arch.pageSize.value,
    memoryBlockSize: host?.memoryBlock?.value ?? arch.minMemoryBlock.value,
    autoOnlineBlocks: host?.autoOnline?.value ?? 'offline',
    memmapOnMemorySupported: wantsMemmap,
    regions: out,
    memoryBlocks: [],
    nodes,
    assumptions,
  };
}

/** What `readFacts` gave for the host's `facts` path (read once per host and analysis). */
function loadFacts(decl: LayoutHost | undefined, options: AnalyzeOptions): FactsLoad | undefined {
  if (!decl?.facts) return undefined;
  return options.readFacts ? options.readFacts(decl.facts.value) : { error: 'facts files cannot be read here' };
}

function analyzeHost(
  name: string,
  decl: LayoutHost | undefined,
  regions: LayoutRegion[],
  options: AnalyzeOptions,
  preloaded?: FactsLoad,
): HostAnalysis {
  const cache = options.hostFacts ? undefined : options.cache;
  const factsProblems: FactsProblem[] = [];
  let facts: HostFacts | undefined;
  let origin: HostAnalysis['factsOrigin'] = 'none';
  let kind: FactsInputKind | undefined;
  // A region start the facts cannot tell (daxctl JSON of a partly used region) may be declared.
  const fillStarts = (
    f: HostFacts,
    problems: readonly FactsProblem[],
  ): { facts: HostFacts; problems: FactsProblem[] } => {
    const declared = new Map<number, bigint>();
    for (const x of regions) if (x.id && x.geometry.start) declared.set(x.id.value, x.geometry.start.value);
    const filled = f.regions.filter((x) => x.start === undefined && declared.has(x.id)).map((x) => x.id);
    if (filled.length === 0) return { facts: f, problems: [...problems] };
    return {
      facts: { ...f, regions: f.regions.map((x) => (filled.includes(x.id) ? { ...x, start: declared.get(x.id) } : x)) },
      problems: problems.filter((p) => !filled.some((id) => p.message.startsWith(`region ${id}: its physical start`))),
    };
  };
  const given = decl ? options.hostFacts?.(decl) : undefined;
  if (given) {
    const r = fillStarts(given.facts, given.problems ?? []);
    facts = r.facts;
    origin = 'file';
    kind = given.kind;
    factsProblems.push(...r.problems);
  } else if (decl?.facts) {
    const load = preloaded ?? loadFacts(decl, options) ?? { error: 'facts files cannot be read here' };
    if ('error' in load) {
      factsProblems.push({ severity: 'error', message: load.error });
    } else {
      const readOptions = {
        ...(decl.kernel ? { kernelRelease: decl.kernel.value } : {}),
        ...(decl.memoryBlock ? { memoryBlockSize: decl.memoryBlock.value } : {}),
        ...(decl.autoOnline ? { autoOnline: decl.autoOnline.value } : {}),
        ...(decl.arch ? { arch: decl.arch.value } : {}),
      };
      const source = decl.facts.value;
      const text = load.text;
      // the text is parsed once for both the facts and their kind
      let seen: FactsInputKind | undefined;
      const read = () => {
        const x = readFactsAndKind(text, source, readOptions);
        seen = x.kind;
        return x.result;
      };
      const r = cache
        ? cache.readFacts(
            text,
            JSON.stringify([source, readOptions], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
            read,
          )
        : read();
      kind = cache ? cache.factsKind(text, () => seen ?? detectFactsInput(text)) : (seen ?? detectFactsInput(text));
      let problems = r.problems;
      if (r.facts) {
        ({ facts, problems } = fillStarts(r.facts, problems));
        origin = 'file';
      }
      factsProblems.push(...problems);
    }
  } else {
    facts = declaredFacts(decl, regions);
    origin = 'declared';
  }
  const host: {
    -readonly [K in keyof HostAnalysis]: HostAnalysis[K];
  } = {
    name,
    regions: [],
    factsOrigin: origin,
    factsProblems,
    ...(decl ? { decl } : {}),
    ...(kind ? { factsKind: kind } : {}),
  };
  if (facts) {
    host.before = facts;
    const release = facts.kernelRelease ? parseRelease(facts.kernelRelease) : undefined;
    const note = release ? outsideModelled(release) : undefined;
    if (note) host.kernelNote = note;
    try {
      const model = KernelModel.fromFacts(facts, undefined, options.workBudget);
      host.model = model;
      host.version = model.version;
      const desired: DesiredRegion[] = [];
      // `cxl region`s first: their writes make the dax regions the devices go in (plan/cxl.ts)
      const cxl = planCxl(model, facts, regions, { prune: options.prune ?? false });
      for (const r of regions) {
        const made = cxl.regions.get(r);
        const rid = r.id?.value ?? made?.id;
        const sim = rid !== undefined ? model.state.regions.find((x) => x.id === rid) : undefined;
        // a cxl region the plan makes (again) has no dax region before it
        const kept = !r.cxl || made?.action === 'keep' || made?.action === 'bind';
        const before = rid !== undefined && kept ? facts.regions.find((x) => x.id === rid) : undefined;
        host.regions.push({ layout: r, host, ...(before ? { before } : {}), ...(sim ? { after: sim } : {}) });
        if (sim) {
          const cache = colouringCache(facts.nodes.find((n) => n.id === sim.targetNode));
          const compat = model.state.arch.compatAlign.value;
          const granule = sim.align > compat ? sim.align : compat;
          desired.push({
            layout: r,
            sim,
            ...(cache ? { colouring: { cache, defaultK: defaultColourCount(cache.size, granule) } } : {}),
          });
        }
      }
      host.plan = withCxl(planHost(model, desired, { prune: options.prune ?? false }), cxl);
    } catch (e) {
      host.modelError = e instanceof SeedError ? e.message : `internal error while modelling the host: ${String(e)}`;
      const v = facts.kernelRelease ? parseRelease(facts.kernelRelease) : undefined;
      if (v) host.version = v;
      for (const r of regions) {
        if (host.regions.some((x) => x.layout === r)) continue;
        const before = r.id ? facts.regions.find((x) => x.id === r.id?.value) : undefined;
        host.regions.push({ layout: r, host, ...(before ? { before } : {}) });
      }
    }
  } else {
    for (const r of regions) host.regions.push({ layout: r, host });
  }
  return host;
}

/** The text of the host's blocks and what its analysis depends on besides them: the host cache's key. */
function hostKey(
  text: string,
  name: string,
  decl: LayoutHost | undefined,
  regions: readonly LayoutRegion[],
  load: FactsLoad | undefined,
  options: AnalyzeOptions,
  cache: AnalysisCache,
): string {
  const facts = load === undefined ? '-' : 'error' in load ? `e${load.error}` : `t${cache.factsId(load.text)}`;
  const blocks = regions.map((r) => text.slice(r.decl.span.start, r.decl.span.end)).join('\u0002');
  return `${name}\u0001${decl ? text.slice(decl.decl.span.start, decl.decl.span.end) : ''}\u0001${blocks}\u0001${facts}\u0001${options.prune ? 1 : 0}\u0001${options.workBudget ?? '-'}`;
}

function analyzeHostCached(
  text: string,
  name: string,
  decl: LayoutHost | undefined,
  regions: LayoutRegion[],
  options: AnalyzeOptions,
): HostAnalysis {
  const cache = options.cache;
  if (!cache || options.hostFacts) return analyzeHost(name, decl, regions, options);
  const load = loadFacts(decl, options);
  const key = hostKey(text, name, decl, regions, load, options, cache);
  const hit = cache.host(key, decl, regions);
  if (hit) return hit;
  const host = analyzeHost(name, decl, regions, options, load);
  cache.storeHost(key, host, decl, regions);
  return host;
}

/**
 * Parses and lowers `text`. Given the previous text's (a cache keeps it), only the
 * declarations an edit touched are parsed and lowered again (grammar/src/incremental.ts);
 * the others keep their objects, so the per-host cache finds them as they were.
 */
function parseText(text: string, previous: ParsedText | undefined): ParsedText {
  const file = previous ? reparse(previous.file, previous.text, text) : parse(text);
  const lowered: LowerMemo = new Map();
  return { text, file, layout: lower(file, previous?.lowered, lowered), lowered };
}

/**
 * The analysis as steps: it yields after the parse, after each host and after
 * the rules, so that a caller on an event loop can run it in slices (the
 * language server does, on its message loop). `analyze` runs it to the end.
 */
export function* analyzeSteps(text: string, options: AnalyzeOptions = {}): Generator<void, Analysis, void> {
  const { file, layout } = options.cache
    ? options.cache.parse(text, (previous) => parseText(text, previous))
    : parseText(text, undefined);
  yield;
  const hosts: HostAnalysis[] = [];
  const byHost = new Map<string, LayoutRegion[]>();
  for (const r of layout.regions) {
    const key = r.hostName?.value ?? DESIGN_HOST;
    const list = byHost.get(key) ?? [];
    list.push(r);
    byHost.set(key, list);
  }
  for (const h of layout.hosts) {
    hosts.push(analyzeHostCached(text, h.name, h, byHost.get(h.name) ?? [], options));
    yield;
  }
  const design = byHost.get(DESIGN_HOST);
  if (design) {
    hosts.push(analyzeHostCached(text, DESIGN_HOST, undefined, design, options));
    yield;
  }
  const analysis: Analysis = { text, file, layout, hosts, findings: [] };
  runRules(analysis);
  return analysis;
}

/** Runs every rule over `analysis` into its findings (sorted), then applies the suppressions. */
function runRules(analysis: Analysis): void {
  for (const rule of RULES) {
    try {
      // One by one: spreading a rule's findings into push() would overflow the stack past ~100k.
      for (const f of rule.check(analysis)) analysis.findings.push(f);
    } catch (e) {
      analysis.findings.push({
        code: 'DAX099',
        severity: 'error',
        message: `internal error in rule ${rule.code} (${rule.title}): ${e instanceof Error ? e.message : String(e)} — please report it`,
        span: { start: 0, end: Math.min(analysis.text.length, 1) } as Span,
      });
    }
  }
  analysis.findings.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
  const suppressed = applySuppressions(analysis);
  if (suppressed.length > 0) (analysis as { suppressed?: Finding[] }).suppressed = suppressed;
}

/**
 * The analysis of one member of a `hosts "…"` block: `base` (the text's analysis) with that
 * block's host analysed again from the member's facts (`options.readFacts` reads them); the
 * parse and every other host are the base's, so a member costs its own host and the rules,
 * not the whole text again.
 */
export function memberAnalysis(base: Analysis, template: LayoutHost, options: AnalyzeOptions): Analysis {
  const regions = base.layout.regions.filter((r) => r.hostName?.value === template.name);
  const hosts = base.hosts.map((h) =>
    h.decl === template ? analyzeHostCached(base.text, template.name, template, regions, options) : h,
  );
  const analysis: Analysis = { text: base.text, file: base.file, layout: base.layout, hosts, findings: [] };
  runRules(analysis);
  return analysis;
}

/** Runs steps to the end. */
export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  return runSteps(analyzeSteps(text, options));
}

/**
 * The syntax of a text as an Analysis without hosts or findings: what the
 * editor features that need only the text (outline, folding, tokens, names)
 * read. Shares the parse with `cache`, when given.
 */
export function syntaxAnalysis(text: string, cache?: AnalysisCache): Analysis {
  const { file, layout } = cache
    ? cache.parse(text, (previous) => parseText(text, previous))
    : parseText(text, undefined);
  return { text, file, layout, hosts: [], findings: [] };
}
