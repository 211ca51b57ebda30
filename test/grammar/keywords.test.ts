import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEYWORDS, parse } from '../../grammar/src/index';

const grammar = JSON.parse(
  readFileSync(new URL('../../grammar/syntaxes/dax.tmLanguage.json', import.meta.url), 'utf8'),
) as { scopeName: string; repository: Record<string, { match?: string; patterns?: { match?: string }[] }> };
const config = JSON.parse(
  readFileSync(new URL('../../grammar/language-configuration.json', import.meta.url), 'utf8'),
) as { comments: { lineComment: string }; wordPattern: string; folding?: unknown };

const names = (list: readonly { keyword: string }[]): string[] => list.map((k) => k.keyword);

/** A valid value for a property, from its syntax line. */
function sample(syntax: string): string {
  const [key] = syntax.split(' ');
  switch (key) {
    case 'mode':
      return 'mode system-ram movable';
    case 'range':
      return 'range 0x100..0x1ff, 0x200 + 4K';
    case 'arch':
      return 'arch x86_64';
    case 'auto-online':
      return 'auto-online online_movable';
    case 'name':
      return 'name dax0.1';
    case 'colours':
      return 'colours 0, 2..3 of 8 exclusive';
    case 'expect':
      return 'expect read-bandwidth 20000MB/s from node 0 access1';
    case 'owner':
      return 'owner qemu';
    case 'group':
      return 'group kvm';
    case 'permissions':
      return 'permissions 0660';
    case 'memdevs':
      return 'memdevs mem0, 0x2';
    default:
      return syntax.split('|')[0]!.trim().replace('NUMBER', '4G').replace('STRING', '"x"');
  }
}

describe('KEYWORDS', () => {
  it('lists the keywords of each block with a description', () => {
    expect(names(KEYWORDS.topLevel)).toEqual(['host', 'region', 'cxl']);
    expect(names(KEYWORDS.host)).toEqual([
      'ssh',
      'port',
      'facts',
      'kernel',
      'arch',
      'memory-block',
      'auto-online',
      'hosts',
      'inventory',
      'persist',
    ]);
    expect(names(KEYWORDS.region)).toEqual([
      'start',
      'size',
      'align',
      'node',
      'cache',
      'window',
      'memdevs',
      'granularity',
      'adopt',
      'dynamic',
      'static',
      'persist',
      'device',
    ]);
    expect(names(KEYWORDS.device)).toEqual([
      'size',
      'align',
      'mode',
      'range',
      'name',
      'colours',
      'expect',
      'owner',
      'group',
      'permissions',
    ]);
    expect(names(KEYWORDS.colourWords)).toEqual(['of', 'exclusive', 'any']);
    expect(names(KEYWORDS.modes)).toEqual(['devdax', 'system-ram']);
    expect(names(KEYWORDS.modeOptions)).toEqual(['online', 'offline', 'movable', 'normal', 'memmap-on-memory']);
    for (const list of Object.values(KEYWORDS)) {
      for (const k of list) {
        expect(k.description.length, k.keyword).toBeGreaterThan(10);
        expect(k.description, k.keyword).not.toContain('\n');
        expect(k.syntax, k.keyword).toContain(k.keyword);
      }
    }
  });

  it('agrees with the parser', () => {
    for (const k of KEYWORDS.host) {
      expect(parse(`host h { ${sample(k.syntax)} }`).errors, k.keyword).toEqual([]);
    }
    for (const k of KEYWORDS.region.filter((r) => r.keyword !== 'device')) {
      expect(parse(`region 0 { ${sample(k.syntax)} }`).errors, k.keyword).toEqual([]);
    }
    for (const k of KEYWORDS.device) {
      expect(parse(`region 0 { device d { ${sample(k.syntax)} } }`).errors, k.keyword).toEqual([]);
    }
    for (const k of [...KEYWORDS.modes, ...KEYWORDS.modeOptions]) {
      const mode = KEYWORDS.modes.some((m) => m.keyword === k.keyword) ? k.keyword : `system-ram ${k.keyword}`;
      expect(parse(`region 0 { device d { mode ${mode} } }`).errors, k.keyword).toEqual([]);
    }
  });
});

describe('editor files', () => {
  const regex = (source: string): RegExp => new RegExp(source);

  it('has a TextMate grammar whose patterns compile and name every keyword', () => {
    expect(grammar.scopeName).toBe('source.dax');
    const sources: string[] = [];
    for (const rule of Object.values(grammar.repository)) {
      if (rule.match) sources.push(rule.match);
      for (const p of rule.patterns ?? []) if (p.match) sources.push(p.match);
    }
    for (const s of sources) expect(() => regex(s)).not.toThrow();
    const all = sources.join('\n');
    const words = [
      ...names(KEYWORDS.topLevel),
      ...names(KEYWORDS.regionHeader),
      ...names(KEYWORDS.host),
      ...names(KEYWORDS.region),
      ...names(KEYWORDS.device),
      ...names(KEYWORDS.modes),
      ...names(KEYWORDS.modeOptions),
      ...names(KEYWORDS.arch),
      ...names(KEYWORDS.autoOnline),
      ...names(KEYWORDS.sizeWords),
      ...names(KEYWORDS.colourWords),
      ...names(KEYWORDS.expectMetrics),
      ...names(KEYWORDS.expectWords),
    ];
    for (const w of words) expect(all, w).toContain(w);
  });

  it('highlights declarations, numbers with units and keywords inside names correctly', () => {
    const host = regex(grammar.repository['host-declaration']!.match!);
    expect('host hbm01 {'.match(host)?.[2]).toBe('hbm01');
    const region = regex(grammar.repository['region-declaration']!.match!);
    expect('region 0 on hbm01 {'.match(region)?.slice(1, 5)).toEqual(['region', '0', 'on', 'hbm01']);
    const [hex, dec] = grammar.repository['number']!.patterns!.map((p) => regex(p.match!));
    expect('0x10_8000_0000'.match(hex!)?.[1]).toBe('0x10_8000_0000');
    expect('48G'.match(dec!)?.slice(1, 3)).toEqual(['48', 'G']);
    expect('4 GiB'.match(dec!)?.[3]).toBe('GiB');
    // No number inside `dax0.3`, no keyword inside `guest-size`.
    expect('dax0.3'.match(dec!)).toBeNull();
    const keys = regex(grammar.repository['keyword']!.patterns![0]!.match!);
    expect('guest-size'.match(keys)).toBeNull();
    expect('  size 4G'.match(keys)?.[1]).toBe('size');
  });

  it('has a language configuration for `#` comments and names with `-` and `.`', () => {
    expect(config.comments.lineComment).toBe('#');
    const word = new RegExp(`^(?:${config.wordPattern})$`);
    for (const w of ['guest-a', 'dax0.3', 'memmap-on-memory', '0x10_8000_0000', '48G']) expect(w, w).toMatch(word);
    // folding comes from the language server: markers would show as minimap section headers (the text after `{`)
    expect(config.folding).toBeUndefined();
  });
});
