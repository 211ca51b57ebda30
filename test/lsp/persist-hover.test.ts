// Hover on a device of a persisted region shows its stable name (docs/persist.md, "Stable
// names") in the same table as its kernel name: /dev/dax/by-label/LABEL for devdax devices,
// /run/daxlayout/by-label/LABEL (the NUMA node) for system-ram ones; none without `persist`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, hoverAt } from '../../server/core/index';
import { renderHover } from '../../server/lsp/markdown';
import { SAMPLES, sampleReader } from '../rules/harness';

const sample = readFileSync(join(SAMPLES, 'hbm-lab.dax'), 'utf8');

function hoverMarkdown(text: string, label: string): string {
  const a = analyze(text, { readFacts: sampleReader() });
  const h = hoverAt(a, text.indexOf(`device ${label}`) + 8);
  if (!h) throw new Error(`no hover on ${label}`);
  return renderHover(h);
}

/** A device hover's title line (its name and kernel name) and its table (under the placement). */
const firstTable = (md: string) => {
  const parts = md.split('\n\n');
  return `${parts[0] ?? ''}\n${parts.find((p) => p.startsWith('| |')) ?? ''}`;
};

describe('hover: stable names of persisted devices', () => {
  const persisted = sample.replace('region 0 on lab61 {', 'region 0 on lab61 {\n  persist');

  it('a devdax device: /dev/dax/by-label/LABEL next to its kernel name', () => {
    const t = firstTable(hoverMarkdown(persisted, 'weather'));
    expect(t).toContain('**device `weather`** → `dax0.0`');
    expect(t).toMatch(/\| stable name \| `\/dev\/dax\/by-label\/weather` · survives reboots \|/);
  });

  it('a system-ram device: the file that holds its NUMA node', () => {
    const t = firstTable(hoverMarkdown(persisted, 'spill'));
    expect(t).toContain('**device `spill`** → `dax0.1`');
    expect(t).toMatch(
      /\| stable name \| `\/run\/daxlayout\/by-label\/spill` \(holds the NUMA node\) · survives reboots \|/,
    );
  });

  it('persist on the host block works the same; without persist there is no stable name', () => {
    const onHost = sample.replace('host lab61 {', 'host lab61 {\n  persist');
    expect(firstTable(hoverMarkdown(onHost, 'guest-a'))).toContain('`/dev/dax/by-label/guest-a`');
    const plain = hoverMarkdown(sample, 'weather');
    expect(plain).toContain('→ `dax0.0`');
    expect(plain).not.toContain('stable name');
    expect(plain).not.toContain('by-label');
  });
});
