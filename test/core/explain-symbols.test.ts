// Outline, folding, semantic tokens, navigation, rename and inlay hints as offsets.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  analyze,
  applyEdits,
  definitionAt,
  factsPathAt,
  folds,
  hoverAt,
  inlayHints,
  outline,
  prepareRenameAt,
  referencesAt,
  renameAt,
  semanticTokens,
} from '../../server/core/index';

const SAMPLES = resolve(__dirname, '../../samples');
const read = (name: string) => readFileSync(resolve(SAMPLES, name), 'utf8');
const readFacts = (p: string) => ({ text: read(p) });
const text = read('hbm-lab.dax');
const a = analyze(text, { readFacts });
const at = (needle: string, delta = 0) => text.indexOf(needle) + delta;
const slice = (s: { start: number; end: number }) => text.slice(s.start, s.end);

describe('outline and folding', () => {
  it('lists hosts and regions, devices as children, with predictions as details', () => {
    const o = outline(a);
    expect(o.map((s) => [s.kind, s.name, s.detail])).toEqual([
      ['host', 'lab61', 'Linux 6.1.0-57-amd64 · facts linux-6.1.facts.json'],
      ['region', 'region 0 on lab61', '0x100000000..0x17fffffff · 2 GiB'],
    ]);
    expect(o[1]?.children.map((c) => c.name)).toEqual(['weather', 'spill', 'guest-a', 'scratch']);
    expect(slice(o[1]!.children[1]!.selectionSpan)).toBe('spill');
    for (const s of o) expect(s.selectionSpan.start >= s.span.start && s.selectionSpan.end <= s.span.end).toBe(true);
  });

  it('names a cxl region by its label, with the kernel region it becomes and its range', () => {
    const t = read('cxl2-6.12.dax');
    const o = outline(analyze(t, { readFacts }));
    const r = o.find((x) => x.kind === 'region');
    expect([r?.name, r?.detail]).toEqual(['cxl region pool on cxl2', 'region0 · 0x390000000..0x40fffffff · 2 GiB']);
    expect(t.slice(r!.selectionSpan.start, r!.selectionSpan.end)).toBe('pool');
    expect(r?.children.map((c) => c.name)).toEqual(['tier2', 'app', 'tail']);
  });

  it('renames a cxl region label, refuses a label another cxl region has, and hovers it as its region', () => {
    const t = read('cxl2-6.12.dax') + '\ncxl region other on cxl2 { adopt region9 }\n';
    const ca = analyze(t, { readFacts });
    const at2 = t.indexOf('pool on') + 1;
    expect(prepareRenameAt(ca, at2)).toEqual({ span: { start: at2 - 1, end: at2 + 3 }, placeholder: 'pool' });
    expect(renameAt(ca, at2, 'hot')).toEqual({ edits: [{ span: { start: at2 - 1, end: at2 + 3 }, newText: 'hot' }] });
    expect(renameAt(ca, at2, 'other')).toEqual({ error: 'a cxl region `other` is already declared' });
    expect(referencesAt(ca, at2, true)).toEqual([{ start: at2 - 1, end: at2 + 3 }]);
    expect(hoverAt(ca, at2)?.kind).toBe('region');
  });

  it('folds blocks to their closing brace and runs of whole-line comments only', () => {
    const f = folds(a);
    expect(f.filter((x) => x.kind === 'comment').map((x) => slice(x.span))).toEqual([
      text.slice(0, at('(Debian') + '(Debian 6.1.0-56, QEMU with HMAT data); see docs/facts.md.'.length),
    ]);
    expect(f.filter((x) => x.kind === 'block').map((x) => text[x.span.end])).toEqual(['}', '}', '}', '}', '}', '}']);
    const m = read('mistakes.dax');
    const trailing = folds(analyze(m, { readFacts })).filter((x) => x.kind === 'comment');
    // the trailing comments of consecutive device lines do not fold together
    expect(trailing).toEqual([]);
  });
});

describe('semantic tokens', () => {
  it('classifies keywords, names, numbers, strings, comments and enum words, sorted and disjoint', () => {
    const t = semanticTokens(a);
    for (let i = 1; i < t.length; i++) expect(t[i]!.span.start).toBeGreaterThanOrEqual(t[i - 1]!.span.end);
    const of = (needle: string, delta = 0) => t.find((x) => x.span.start === at(needle, delta));
    expect(of('host lab61')?.type).toBe('keyword');
    expect(of('lab61')).toMatchObject({ type: 'namespace', modifiers: ['declaration'] });
    expect(of('on lab61')?.type).toBe('keyword');
    expect(of('on lab61', 3)?.type).toBe('namespace');
    expect(of('region 0', 7)?.type).toBe('number');
    expect(of('"linux')?.type).toBe('string');
    expect(of('system-ram')?.type).toBe('enumMember');
    expect(of('rest')?.type).toBe('enumMember');
    expect(of('0x1_7000_0000')?.type).toBe('number');
    expect(of('256M }')?.type).toBe('number');
    expect(of('# a 1 GiB')?.type).toBe('comment');
  });
});

describe('navigation and rename', () => {
  it('goes from `on HOST` to its declaration and lists references', () => {
    expect(definitionAt(a, at('on lab61', 5)).map(slice)).toEqual(['lab61']);
    expect(definitionAt(a, at('on lab61', 5))[0]?.start).toBe(at('lab61'));
    expect(referencesAt(a, at('lab61'), true).map((s) => s.start)).toEqual([at('lab61'), at('on lab61', 3)]);
    expect(referencesAt(a, at('lab61'), false).map((s) => s.start)).toEqual([at('on lab61', 3)]);
    expect(definitionAt(a, at('size 1G'))).toEqual([]);
    expect(factsPathAt(a, at('"linux', 3))?.path).toBe('linux-6.1.facts.json');
  });

  it('renames hosts everywhere and labels in place; refuses bad names, clashes and other words', () => {
    expect(prepareRenameAt(a, at('guest-a', 7))).toEqual({
      span: { start: at('guest-a'), end: at('guest-a', 7) },
      placeholder: 'guest-a',
    });
    expect(prepareRenameAt(a, at('mode'))).toMatchObject({ error: expect.stringMatching(/Only host names/) });
    const r = renameAt(a, at('lab61'), 'lab-b');
    expect('edits' in r && r.edits.map((e) => [slice(e.span), e.newText])).toEqual([
      ['lab61', 'lab-b'],
      ['lab61', 'lab-b'],
    ]);
    expect(renameAt(a, at('spill'), 'spill over')).toMatchObject({ error: expect.stringMatching(/not a valid name/) });
    expect(renameAt(a, at('spill'), 'scratch')).toMatchObject({
      error: expect.stringMatching(/already has a device `scratch`/),
    });
    const two = 'host a {\n  kernel "6.12.0"\n}\n\nhost b {\n  kernel "6.12.0"\n}\n';
    expect(renameAt(analyze(two), two.indexOf('a {'), 'b')).toMatchObject({ error: 'a host `b` is already declared' });
  });

  it('renames a host used by 40 000 regions: every `on` and the declaration, in one pass over the text', () => {
    // applying the edits once rewrote the whole text per edit: 10 000 regions took 2.5 s, 40 000 about 40 s
    const n = 40_000;
    let big = 'host h {\n  kernel "6.12.0"\n}\n';
    for (let i = 0; i < n; i++) big += `region ${i} on h {\n}\n`;
    const r = renameAt(analyze(big), big.indexOf('host h') + 5, 'rack-7');
    expect('edits' in r).toBe(true);
    const edits = 'edits' in r ? r.edits : [];
    expect(edits).toHaveLength(n + 1);
    expect(applyEdits(big, edits)).toBe(big.replace('host h {', 'host rack-7 {').replaceAll(' on h {', ' on rack-7 {'));
  });
});

describe('inlay hints', () => {
  it('puts the predicted kernel name and start at the end of each device line (after its comment), and the size of `rest`', () => {
    const h = inlayHints(a);
    const eol = (needle: string) => text.indexOf('\n', at(needle));
    expect(h.map((x) => [x.offset, x.label])).toEqual([
      [eol('device weather'), '→ dax0.0 @ 0x100000000'],
      [eol('device spill'), '→ dax0.1 @ 0x140000000'],
      [eol('device guest-a'), '→ dax0.2 @ 0x170000000'],
      [eol('device scratch'), '→ dax0.3 @ 0x160000000'],
      [eol('device scratch'), 'rest = 256 MiB'],
    ]);
    expect(h[0]?.tooltip).toBe('weather becomes dax0.0\n0x100000000..0x13fffffff (1 GiB) at page offset 0');
    expect(inlayHints(a, { start: at('spill'), end: at('guest-a') }).map((x) => x.label)).toEqual([
      '→ dax0.1 @ 0x140000000',
    ]);
  });

  it('counts the extra ranges of a split device', () => {
    const t =
      'host d {\n  kernel "6.12.0"\n}\n\nregion 0 on d {\n  start 0x1_0000_0000\n  size 8G\n  device split { range 0x1_0000_0000 + 2G, 0x2_0000_0000 + 1G }\n}\n';
    expect(inlayHints(analyze(t))[0]?.label).toBe('→ dax0.0 @ 0x100000000 (+1 range)');
  });
});
