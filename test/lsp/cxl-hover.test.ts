// Hover on the memdevs and the window of a `cxl region`: where they sit in the CXL topology and
// what is free, from the host's facts (server/core/explain/cxl-hover.ts, rendered by markdown.ts).
import { describe, expect, it } from 'vitest';
import { analyze, completeAt, hoverAt, semanticTokens } from '../../server/core/index';
import { renderHover } from '../../server/lsp/markdown';
import { readFileSync } from 'node:fs';
import { sampleReader } from '../rules/harness';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/rule-pages/${name}`, import.meta.url), 'utf8');

const at = (text: string, needle: string): string => {
  const a = analyze(text, { readFacts: sampleReader() });
  const h = hoverAt(a, text.indexOf(needle) + 1);
  if (!h) throw new Error(`no hover at ${needle}`);
  return renderHover(h);
};

describe('hover: CXL', () => {
  const T73 = 'host h { facts "cxl2-7.3-region.facts.json" }\ncxl region p on h { adopt region0 }\n';
  const T612 = 'host h { facts "cxl2-6.12.facts.json" }\ncxl region p on h { window decoder0.0 memdevs mem0, 0x2 }\n';

  it('a memdev: serial, position, RAM and what is free, its host bridge and the decoders that hold it', () => {
    const md = at(T612, '0x2');
    expect(md).toContain('**CXL memdev `mem1`** · interleave position 1 · serial 0x2');
    expect(md).toContain('| RAM | 1 GiB · **1 GiB free** |');
    expect(md).toContain('| topology | `endpoint3` below host bridge dport 12 |');
    expect(at(T612, 'mem0')).toContain('interleave position 0');
  });

  it('a window: its range, interleave, what it holds, the regions in it and what is free', () => {
    const md = at(T612, 'decoder0.0');
    expect(md).toContain('**CXL window `decoder0.0`** · node 1');
    expect(md).toContain('| range | `0x390000000..0x48fffffff` · 4 GiB · **4 GiB free** |');
    expect(md).toContain('| interleave | 1 way × 256 B over host bridge 12 |');
    expect(md).toContain('| next region | `region0` |');
    const taken = at(T73, 'region0');
    expect(taken).toContain('**2 GiB free**');
    expect(taken).toContain('| `region0` | 2 GiB at `0x390000000` |');
  });

  it("QoS classes: the window's and a memdev's RAM class when the facts carry them", () => {
    expect(at(T612, 'decoder0.0')).toContain('| QoS class | 0 |');
    expect(at(T612, 'mem0')).not.toContain('QoS class');
    const QOS = 'host h { facts "cxl2-qos.facts.json" }\ncxl region p on h { memdevs mem0 }\n';
    const a = analyze(QOS, { readFacts: sampleReader({ 'cxl2-qos.facts.json': fixture('cxl2-qos.facts.json') }) });
    expect(renderHover(hoverAt(a, QOS.indexOf('mem0') + 1)!)).toContain('| QoS class | 1 |');
  });
});

describe('completion: CXL', () => {
  const complete = (src: string) => {
    const offset = src.indexOf('|');
    const text = src.slice(0, offset) + src.slice(offset + 1);
    return completeAt(analyze(text, { readFacts: sampleReader() }), offset).items;
  };
  const H = 'host h { facts "cxl2-6.12.facts.json" }\n';

  it('offers the memdevs not yet listed, with serial, free RAM and host bridge', () => {
    expect(complete(`${H}cxl region p on h { memdevs mem0, | }\n`).map((i) => [i.label, i.detail])).toEqual([
      ['mem1', 'serial 0x2 · 1 GiB of 1 GiB RAM free · host bridge 12'],
    ]);
  });

  it('offers the windows, and the keys of a cxl region (not those the kernel sets)', () => {
    expect(complete(`${H}cxl region p on h { window | }\n`).map((i) => i.label)).toEqual(['decoder0.0']);
    const keys = complete(`${H}cxl region p on h {\n  |\n}\n`).map((i) => i.label);
    expect(keys).toEqual(['size', 'cache', 'window', 'memdevs', 'granularity', 'adopt', 'persist', 'device']);
    expect(complete(`${H}region 0 on h {\n  |\n}\n`).map((i) => i.label)).not.toContain('memdevs');
  });
});

describe('semantic tokens: CXL', () => {
  it('marks `cxl` and `region` as keywords and the label as a declaration', () => {
    const text = 'cxl region pool on h { memdevs mem0 }\n';
    const toks = semanticTokens(analyze(text)).map((t) => [text.slice(t.span.start, t.span.end), t.type]);
    expect(toks.slice(0, 5)).toEqual([
      ['cxl', 'keyword'],
      ['region', 'keyword'],
      ['pool', 'variable'],
      ['on', 'keyword'],
      ['h', 'namespace'],
    ]);
  });
});
