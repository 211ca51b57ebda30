// The analysis cache (server/core/pipeline/cache.ts): along edit sequences, an
// analysis that reuses the previous one's hosts, parse and facts gives exactly
// what a fresh analysis gives (findings, and every editor view of it), holds no
// layout object of an older version, re-analyses only the hosts an edit touches,
// and holds no more than one analysis' worth of entries.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AnalysisCache,
  analyzeFleet,
  completeAt,
  folds,
  hoverAt,
  inlayHints,
  outline,
  semanticTokens,
  type Analysis,
  type FleetAnalysis,
  type FleetOptions,
} from '../../server/core/index';
// @ts-expect-error: a plain .mjs module without types
import { generate } from '../bench/generate.mjs';
import { SAMPLES } from './harness';

const FLEET = resolve(__dirname, '../fleet/fixtures');

const reader = (dir: string) => (p: string) => {
  try {
    return { text: readFileSync(join(dir, p), 'utf8') };
  } catch {
    return { error: `no such file: ${p}` };
  }
};

/** A deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = ['1', '2', 'G', 'M', ' ', '\n', '{', '}', 'x', '"', '#', '.', '+', '0', 'k'];

const blockSizes = (t: string) => (t.match(/memory-block[^\n]*/g) ?? []).join('|');

/**
 * One random edit. Edits that change a `memory-block` line are not made: the
 * kernel model allocates per memory block, and a block size typed down to a
 * few bytes asks it for billions (a known limit of the model, not of the cache).
 */
function edit(text: string, r: () => number): string {
  for (;;) {
    const out = anyEdit(text, r);
    if (blockSizes(out) === blockSizes(text)) return out;
  }
}

function anyEdit(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  const x = r();
  if (x < 0.4) return text.slice(0, at) + (CHARS[Math.floor(r() * CHARS.length)] as string) + text.slice(at);
  if (x < 0.7) return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 3));
  const swaps: [RegExp, string][] = [
    [/size 8G/, 'size 6G'],
    [/size 6G/, 'size 8G'],
    [/size 1G/, 'size 2G'],
    [/align 2M/, 'align 1G'],
    [/mode devdax/, 'mode system-ram'],
    [/\n\n/, '\n\n\n'],
  ];
  const [re, to] = swaps[Math.floor(r() * swaps.length)] as [RegExp, string];
  return text.replace(re, to);
}

/** Everything an editor shows of an analysis, at a sample of offsets. */
function views(a: Analysis, stride: number) {
  const hovers: unknown[] = [];
  const completions: unknown[] = [];
  for (let o = 0; o <= a.text.length; o += stride) {
    hovers.push(hoverAt(a, o));
    completions.push(completeAt(a, o));
  }
  return {
    findings: a.findings,
    outline: outline(a),
    folds: folds(a),
    tokens: semanticTokens(a),
    inlay: inlayHints(a),
    hovers,
    completions,
  };
}

/** The plans, as what they do (kernel names, writes), keyed by layout labels. */
function plans(a: Analysis) {
  return a.hosts.map((h) => ({
    name: h.name,
    origin: h.factsOrigin,
    problems: h.factsProblems,
    modelError: h.modelError,
    steps: h.plan?.steps.map((s) => [
      s.op,
      s.target,
      s.summary,
      s.device?.label,
      s.region.id?.value,
      s.writes.map((w) => `${w.path}=${w.value}`),
    ]),
    assigned: h.plan
      ? [...h.plan.assigned].map(([ld, sd]) => [ld.label, ld.labelSpan, sd.region.id, sd.id])
      : undefined,
    failures: h.plan?.failures.map((f) => [f.purpose, f.device?.label, f.write.path, f.errno]),
  }));
}

/** Every layout object the analysis refers to is one of its own layout's. */
function staleReferences(a: Analysis): string[] {
  const regions = new Set(a.layout.regions);
  const devices = new Set(a.layout.regions.flatMap((r) => r.devices));
  const hosts = new Set(a.layout.hosts);
  const out: string[] = [];
  for (const h of a.hosts) {
    if (h.decl && !hosts.has(h.decl)) out.push(`${h.name}: decl`);
    for (const r of h.regions) {
      if (!regions.has(r.layout)) out.push(`${h.name}: region analysis`);
      if (r.host !== h) out.push(`${h.name}: region's host`);
    }
    const plan = h.plan;
    if (!plan) continue;
    for (const s of plan.steps)
      if (!regions.has(s.region) || (s.device && !devices.has(s.device))) out.push(`${h.name}: step ${s.target}`);
    for (const f of plan.failures)
      if (!regions.has(f.region) || (f.device && !devices.has(f.device))) out.push(`${h.name}: failure`);
    for (const f of plan.refusals)
      if (!regions.has(f.region) || (f.device && !devices.has(f.device))) out.push(`${h.name}: refusal`);
    for (const u of plan.unlisted) if (!regions.has(u.region)) out.push(`${h.name}: unlisted`);
    for (const m of [plan.assigned, plan.targetSize, plan.colours])
      for (const k of m.keys()) if (!devices.has(k)) out.push(`${h.name}: plan map key ${k.label}`);
    for (const c of plan.colours.values()) if (!devices.has(c.key)) out.push(`${h.name}: colour placement`);
  }
  return out;
}

function compareAlong(name: string, start: string, options: FleetOptions, steps: number, seed: number, stride: number) {
  const cache = new AnalysisCache();
  const r = rng(seed);
  let text = start;
  for (let i = 0; i <= steps; i++) {
    const cached = analyzeFleet(text, { ...options, cache });
    cache.sweep();
    const fresh = analyzeFleet(text, options);
    const where = `${name}, step ${i}`;
    expect(views(cached, stride), where).toEqual(views(fresh, stride));
    expect(plans(cached), where).toEqual(plans(fresh));
    expect(staleReferences(cached), where).toEqual([]);
    for (const m of (cached as FleetAnalysis).members)
      expect(staleReferences(m.analysis), `${where}, member ${m.host}`).toEqual([]);
    expect(
      (cached as FleetAnalysis).members.map((m) => [m.host, m.analysis.findings]),
      where,
    ).toEqual((fresh as FleetAnalysis).members.map((m) => [m.host, m.analysis.findings]));
    text = edit(text, r);
  }
  // the comparison is not vacuous: hosts were reused along the way
  expect(cache.stats.hostsReused, name).toBeGreaterThan(0);
  return cache;
}

describe('the analysis cache gives what a fresh analysis gives', () => {
  for (const sample of [
    'hbm-lab.dax',
    'cxl-6.12.dax',
    'colours.dax',
    'design.dax',
    'mistakes.dax',
    'hmat-node1.dax',
    'syntax-tour.dax',
  ]) {
    it(`${sample}: 40 random edits`, () => {
      const text = readFileSync(join(SAMPLES, sample), 'utf8');
      compareAlong(sample, text, { readFacts: reader(SAMPLES) }, 40, sample.length * 7919, 5);
    });
  }

  it('a fleet layout (hosts "PATTERN", per-member facts): 30 random edits', () => {
    const text = readFileSync(join(FLEET, 'rack.dax'), 'utf8');
    compareAlong('rack.dax', text, { readFacts: reader(FLEET) }, 30, 4242, 7);
  });

  it('a generated layout of 12 hosts: 40 random edits', () => {
    compareAlong('generated', generate(12, 6).dax as string, {}, 40, 99, 97);
  });

  it('typing `memory-block 128M` and `size 64G` character by character', () => {
    const base = readFileSync(join(SAMPLES, 'hbm-lab.dax'), 'utf8');
    const cache = new AnalysisCache();
    const readFacts = reader(SAMPLES);
    for (const [anchor, typed] of [
      ['port 2222\n', '  memory-block 128M\n'],
      ['device weather { size 1G align 1G }\n', '  device typed { size 64G }\n'],
    ] as const) {
      const at = base.indexOf(anchor) + anchor.length;
      for (let n = 0; n <= typed.length; n++) {
        const text = base.slice(0, at) + typed.slice(0, n) + base.slice(at);
        const cached = analyzeFleet(text, { readFacts, cache });
        cache.sweep();
        expect(views(cached, 3), `${JSON.stringify(typed.slice(0, n))}`).toEqual(
          views(analyzeFleet(text, { readFacts }), 3),
        );
      }
    }
  });
});

describe('what the cache reuses', () => {
  it('a one-character edit re-analyses only the host it touches, wherever it is', () => {
    const text = generate(20, 8).dax as string;
    const cache = new AnalysisCache();
    analyzeFleet(text, { cache });
    cache.sweep();
    expect(cache.stats.hostsAnalysed).toBe(20);
    // in the 11th host's region: every host after it moves by one character
    const at = text.indexOf('size 32G', text.indexOf('region 0 on node010'));
    const edited = text.slice(0, at) + 'size 33G' + text.slice(at + 'size 32G'.length);
    const a = analyzeFleet(edited, { cache });
    cache.sweep();
    expect(cache.stats.hostsAnalysed).toBe(21);
    expect(cache.stats.hostsReused).toBe(19);
    expect(a.findings.map((f) => f.code)).toEqual(analyzeFleet(edited).findings.map((f) => f.code));
    // a line inserted at the top moves every host: all reused
    analyzeFleet(`# a comment\n${edited}`, { cache });
    cache.sweep();
    expect(cache.stats.hostsAnalysed).toBe(21);
    expect(cache.stats.hostsReused).toBe(39);
  });

  it('parses a facts file once per content, for every host and member that reads it', () => {
    const cache = new AnalysisCache();
    const text = readFileSync(join(FLEET, 'rack.dax'), 'utf8');
    const readFacts = reader(FLEET);
    analyzeFleet(text, { readFacts, cache });
    cache.sweep();
    const parsed = cache.stats.factsParsed;
    expect(parsed).toBeGreaterThan(0);
    // an edit outside every host block: nothing parsed again
    analyzeFleet(`${text}\n# note\n`, { readFacts, cache });
    cache.sweep();
    expect(cache.stats.factsParsed).toBe(parsed);
  });

  it('holds one analysis worth of entries over many edits (no growth)', () => {
    const text = generate(10, 4).dax as string;
    const cache = new AnalysisCache();
    const at = text.indexOf('size 8G');
    for (let i = 0; i < 200; i++) {
      // a size toggled in the first host, and a growing comment at the top that moves every host
      const t = `${'#'.repeat(i % 7)}\n${text.slice(0, at)}size ${i % 2 ? 8 : 6}G${text.slice(at + 'size 8G'.length)}`;
      analyzeFleet(t, { cache });
      cache.sweep();
    }
    expect(cache.size.hosts).toBe(10);
    expect(cache.size.facts).toBe(0);
  });
});
