// Hover markdown of colours: the region's colour map and a device's colours and stripes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, hoverAt, type RegionHover } from '../../server/core/index';
import { renderColourMap, renderHover } from '../../server/lsp/markdown';
import { SAMPLES, sampleReader } from '../rules/harness';

const text = readFileSync(join(SAMPLES, 'colours.dax'), 'utf8');
const a = analyze(text, { readFacts: sampleReader() });
const md = (offset: number) => {
  const h = hoverAt(a, offset);
  if (!h) throw new Error('no hover');
  return renderHover(h);
};

describe('hover: colours', () => {
  it('a region shows which device holds which colours, and what is free', () => {
    // the hover names the colours in one line (the region map draws them); the table is renderColourMap's
    expect(md(text.indexOf('region 0') + 7)).toContain(
      'colours: 4 of the 256 MiB cache, stripes of 64 MiB (hover a device for its own)',
    );
    const h = hoverAt(a, text.indexOf('region 0') + 7) as RegionHover;
    const m = renderColourMap(h.colours!);
    expect(m).toContain(
      '**Colours** · 4 of 256 MiB (L1 memory-side cache of node 1, direct-mapped) · stripes of 64 MiB',
    );
    expect(m).toContain('| 0..1 | `weather` (exclusive) | – |');
    expect(m).toContain('| 2..3 | `vms` | – |');
  });

  it('a device shows its colours and how many ranges its stripes make', () => {
    const m = md(text.indexOf('device weather') + 8);
    expect(m).toMatch(/\| colours \| 0\.\.1 of 4 \(exclusive\) · 4 ranges · 512 MiB \|/);
  });

  it('a region whose colours are partly free says how much', () => {
    const t = text.replace('colours 2..3 of 4', 'colours 2..3 of 4 size 256M');
    const b = analyze(t, { readFacts: sampleReader() });
    const h = hoverAt(b, t.indexOf('region 0') + 7) as RegionHover;
    expect(renderColourMap(h.colours!)).toContain('| 2..3 | `vms` | 256 MiB |');
  });
});

describe('hover: a device of many stripes', () => {
  it('lists its first 32 ranges and says how many more the plan has', () => {
    // 16 GiB, a 256 MiB cache, colours 0 and 2 of 8: two stripes of 32 MiB per 256 MiB, 128 in all
    const t =
      'region 0 {\n  start 0x1_0000_0000\n  size 16G\n  node 1\n  cache 256M\n  device g { colours 0, 2 of 8 }\n}\n';
    const b = analyze(t);
    const h = hoverAt(b, t.indexOf('device g') + 7);
    if (!h) throw new Error('no hover');
    const m = renderHover(h);
    const rows = m.split('\n').filter((l) => l.startsWith('| `0x'));
    expect(rows).toHaveLength(32);
    expect(rows[0]).toContain('`0x100000000..0x101ffffff`');
    expect(m).toContain('| … 96 more (`daxlayout plan` lists them all) | | |');
  });
});
