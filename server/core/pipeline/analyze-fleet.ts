// Layouts for groups of hosts: a host block with `hosts "PATTERN"` stands for
// every inventory host the Ansible pattern matches, each with its own facts
// (`facts "facts/{host}.json"`). The layout is analysed once per member host
// (the core's one simulation, from that host's facts); a finding that depends
// on a member's facts is reported once per member, naming it in the message
// and in related information. Findings that do not depend on facts are
// reported once.

import type { Span } from '../../../grammar/src/ast';
import type { Analysis, FactsLoad, FleetAnalysis, FleetMember, HostAnalysis } from '../analysis/types';

export type { FleetAnalysis, FleetMember } from '../analysis/types';
import { analyzeSteps, memberAnalysis, runSteps, type AnalyzeOptions } from './analyze';
import type { Finding } from '../analysis/finding';
import type { LayoutHost } from '../layout/types';
import { matchPattern, parseInventory, type Inventory } from '../fleet/inventory';

export interface FleetOptions extends AnalyzeOptions {
  /** The inventory patterns are matched against (`-i`); else each block's `inventory "…"` is read. */
  readonly inventory?: Inventory;
  /** Where `inventory` came from, for messages. */
  readonly inventoryName?: string;
}

/** The facts path of one member: `{host}` replaced by its inventory name. */
export function memberPath(path: string, host: string): string {
  return path.split('{host}').join(host);
}

/** A reader that resolves `{host}` to one member's name. */
export function memberReader(readFacts: AnalyzeOptions['readFacts'], host: string): (path: string) => FactsLoad {
  return (path) => (readFacts ? readFacts(memberPath(path, host)) : { error: 'facts files cannot be read here' });
}

/** Stands for a member's facts path in an analysis shared by members that cannot read theirs. */
const PATH_MARK = '\u0000facts-path\u0000';

/** `shared` (made with PATH_MARK for the facts path) as the member whose facts path is `path`. */
function naming(shared: Analysis, t: LayoutHost, path: string): Analysis {
  const put = (m: string): string => (m.includes(PATH_MARK) ? m.split(PATH_MARK).join(path) : m);
  const finding = (f: Finding): Finding => ({
    ...f,
    message: put(f.message),
    ...(f.related ? { related: f.related.map((r) => ({ ...r, message: put(r.message) })) } : {}),
    ...(f.fixes
      ? {
          fixes: f.fixes.map((x) => ({
            title: put(x.title),
            edits: x.edits.map((e) => ({ ...e, newText: put(e.newText) })),
          })),
        }
      : {}),
  });
  return {
    ...shared,
    hosts: shared.hosts.map((h) => {
      if (h.decl !== t) return h;
      const own: { -readonly [K in keyof HostAnalysis]: HostAnalysis[K] } = {
        ...h,
        factsProblems: h.factsProblems.map((p) => ({ ...p, message: put(p.message) })),
      };
      own.regions = h.regions.map((r) => ({ ...r, host: own }));
      return own;
    }),
    findings: shared.findings.map(finding),
    ...(shared.suppressed ? { suppressed: shared.suppressed.map(finding) } : {}),
  };
}

/** The first few of many names, for a message (a pattern may match thousands of hosts). */
const nameList = (names: readonly string[]): string =>
  names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');

const inside = (s: Span, areas: readonly Span[]): boolean => areas.some((a) => s.start >= a.start && s.end <= a.end);
const key = (f: Finding): string => `${f.code}|${f.span.start}|${f.span.end}|${f.severity}|${f.message}`;

/** The inventory of a template: the one given, or its `inventory "…"` file. */
export function templateInventory(
  t: LayoutHost,
  options: FleetOptions,
): { inventory?: Inventory; name?: string; error?: string } {
  if (options.inventory) return { inventory: options.inventory, name: options.inventoryName ?? 'the inventory' };
  if (!t.inventory)
    return {
      error: `hosts "${t.pattern?.value}" needs an inventory to match: write \`inventory "FILE"\` in host ${t.name}, or pass -i INVENTORY`,
    };
  const load = options.readFacts ? options.readFacts(t.inventory.value) : { error: 'files cannot be read here' };
  if ('error' in load) return { error: `inventory "${t.inventory.value}": ${load.error}` };
  return { inventory: inventoryOf(load.text, t.inventory.value), name: t.inventory.value };
}

/** Inventories read lately, by name and text: an edit to the layout does not read its inventory again. */
const inventories = new Map<string, { text: string; inventory: Inventory }>();

function inventoryOf(text: string, name: string): Inventory {
  const hit = inventories.get(name);
  if (hit && hit.text === text) return hit.inventory;
  const inventory = parseInventory(text, name);
  inventories.delete(name);
  inventories.set(name, { text, inventory });
  // the few an open workspace uses; the oldest goes first
  if (inventories.size > 8) inventories.delete(inventories.keys().next().value as string);
  return inventory;
}

/** The members of each `hosts "…"` block (empty lists when there is no inventory to match). */
export function fleetMembers(a: Analysis, options: FleetOptions): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of a.layout.hosts) {
    if (!t.pattern) continue;
    const inv = templateInventory(t, options).inventory;
    out.set(t.name, inv ? matchPattern(inv, t.pattern.value) : []);
  }
  return out;
}

export function analyzeFleet(text: string, options: FleetOptions = {}): FleetAnalysis {
  return runSteps(analyzeFleetSteps(text, options));
}

/** `analyzeFleet` as steps (see `analyzeSteps`): the language server runs it in slices. */
export function* analyzeFleetSteps(text: string, options: FleetOptions = {}): Generator<void, FleetAnalysis, void> {
  const hasTemplate = /\bhosts\b/.test(text);
  const base = yield* analyzeSteps(text, options);
  const templates = hasTemplate ? base.layout.hosts.filter((h) => h.pattern) : [];
  if (templates.length === 0) return { ...base, members: [] };
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const push = (f: Finding): void => {
    const k = key(f);
    if (seen.has(k)) return;
    seen.add(k);
    findings.push(f);
  };
  const areaOf = (t: LayoutHost): Span[] => [
    t.decl.span,
    ...base.layout.regions.filter((r) => r.hostName?.value === t.name).map((r) => r.decl.span),
  ];
  const allAreas = templates.flatMap(areaOf);
  // findings outside every template's blocks are the same whatever the members
  for (const f of base.findings) if (!inside(f.span, allAreas)) push(f);
  const baseKeys = new Set(base.findings.map(key));
  const members: FleetMember[] = [];
  for (const t of templates) {
    const area = areaOf(t);
    const pattern = t.pattern as NonNullable<LayoutHost['pattern']>;
    const inv = templateInventory(t, options);
    const names = inv.inventory ? matchPattern(inv.inventory, pattern.value) : [];
    for (const p of inv.inventory?.problems ?? []) {
      push({
        code: 'DAX005',
        severity: 'warning',
        message: `${inv.name}${p.line ? `:${p.line}` : ''}: ${p.message}`,
        span: t.inventory?.span ?? pattern.span,
      });
    }
    if (!t.facts && names.length > 0) {
      // no per-host facts to check against: the hosts' own facts come at plan time
      for (const f of base.findings) if (inside(f.span, area) && f.code !== 'DAX009' && f.code !== 'DAX007') push(f);
      push({
        code: 'DAX005',
        severity: 'info',
        message: `hosts "${pattern.value}" matches ${names.length} host(s) (${nameList(names)}); without \`facts "facts/{host}.json"\` each is checked against its fresh facts only when planned (plan -i, or the Ansible role)`,
        span: pattern.span,
      });
      continue;
    }
    if (names.length === 0) {
      // nothing to check against: the block's facts-independent findings, and why
      for (const f of base.findings)
        if (inside(f.span, area) && f.code !== 'DAX005' && (t.facts || (f.code !== 'DAX009' && f.code !== 'DAX007')))
          push(f);
      push({
        code: 'DAX005',
        severity: 'warning',
        message:
          inv.error ??
          `hosts "${pattern.value}" matches no host of ${inv.name}: its regions are not checked against any host's facts`,
        span: pattern.span,
      });
      continue;
    }
    const perMember = new Map<string, Finding[]>();
    const count = new Map<string, number>();
    // Members whose facts read the same text have the same analysis: made once, shared.
    const byFacts = new Map<string, Analysis>();
    // Members whose facts file cannot be read for the same reason (most often: not captured yet)
    // differ only by their path in the message: analysed once with a placeholder for the path,
    // which each member's copy then names (an inventory of 10 000 hosts without facts files).
    const byError = new Map<string, Analysis>();
    const factsPath = t.facts?.value;
    for (const host of names) {
      const read = memberReader(options.readFacts, host);
      const load = factsPath === undefined ? undefined : read(factsPath);
      let a: Analysis | undefined;
      if (load && 'text' in load) {
        a = byFacts.get(load.text);
        if (!a) {
          a = memberAnalysis(base, t, { ...options, readFacts: (p) => (p === factsPath ? load : read(p)) });
          byFacts.set(load.text, a);
        }
      } else if (load && factsPath !== undefined) {
        const path = memberPath(factsPath, host);
        const generic = path === '' ? load.error : load.error.split(path).join(PATH_MARK);
        if (generic.includes(PATH_MARK) && !path.includes(PATH_MARK)) {
          let shared = byError.get(generic);
          if (!shared) {
            shared = memberAnalysis(base, t, {
              ...options,
              readFacts: (p) => (p === factsPath ? { error: generic } : read(p)),
            });
            byError.set(generic, shared);
          }
          a = naming(shared, t, path);
        }
      }
      a ??= memberAnalysis(base, t, { ...options, readFacts: (p) => (p === factsPath && load ? load : read(p)) });
      yield;
      members.push({ template: t.name, host, analysis: a });
      const fs = a.findings.filter((f) => inside(f.span, area));
      perMember.set(host, fs);
      for (const f of fs) count.set(key(f), (count.get(key(f)) ?? 0) + 1);
    }
    for (const [host, fs] of perMember) {
      for (const f of fs) {
        const k = key(f);
        // the same finding from the layout alone (no facts involved): once, as it is
        if (baseKeys.has(k) && count.get(k) === names.length && f.code !== 'DAX005') {
          push(f);
          continue;
        }
        const every = names.length > 1 && count.get(k) === names.length;
        if (every && host !== names[0]) continue;
        const who = every ? `every host of "${pattern.value}" (${nameList(names)})` : host;
        push({
          ...f,
          message: `${who}: ${f.message}`,
          related: [
            {
              span: pattern.span,
              message: every
                ? `${names.length} hosts match "${pattern.value}"`
                : `${host} is one of the ${names.length} host(s) "${pattern.value}" matches`,
            },
            ...(f.related ?? []),
          ],
        });
      }
    }
  }
  findings.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
  return { ...base, findings, members };
}
