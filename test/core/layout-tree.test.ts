// layoutTree: each device's planned change, read from the plan and the predicted state.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, layoutTree } from '../../server/core/index';

const SAMPLES = resolve(__dirname, '../../samples');
const readFacts = (p: string) => {
  try {
    return { text: readFileSync(resolve(SAMPLES, p), 'utf8') };
  } catch {
    return { error: `no such file: ${p}` };
  }
};

describe('layout tree', () => {
  it('a design host: every device is created, on the host named by the layout', () => {
    const text = `host t { kernel "6.1.0" }
region 0 on t {
  start 0x1_0000_0000
  size 2G
  node 1
  device a { size 1G }
  device b { size 512M mode system-ram }
}
`;
    const tree = layoutTree(analyze(text));
    expect(tree).toHaveLength(1);
    expect(tree[0]).toMatchObject({ name: 't', target: 'declared geometry', kernel: '6.1.0' });
    const devs = tree[0]?.regions[0]?.devices ?? [];
    expect(devs.map((d) => [d.label, d.kernelName, d.change])).toEqual([
      ['a', 'dax0.0', 'create'],
      ['b', 'dax0.1', 'create'],
    ]);
    expect(devs[0]?.declaration).toEqual({ start: text.indexOf('a {'), end: text.indexOf('a {') + 1 });
    expect(tree[0]?.regions[0]?.detail).toBe('0x1_0000_0000 · 2 GiB · node 1');
  });

  it('from facts: the boot device is resized, kmem devices bound, a refused device says why', () => {
    // the facts have dax0.0 spanning the 2 GiB region, bound to device_dax
    const facts = JSON.parse(readFileSync(resolve(SAMPLES, 'linux-6.1.facts.json'), 'utf8')) as {
      regions: { id: number; devices: { name: string; driver: string | null }[] }[];
    };
    const dev0 = facts.regions[0]?.devices.find((d) => d.name === 'dax0.0');
    expect(dev0?.driver).toBe('device_dax');
    const text = `host lab { facts "linux-6.1.facts.json" }
region 0 on lab {
  device first { size 1G }
  device ram { size 512M mode system-ram }
  device big { size 4G }
}
`;
    const tree = layoutTree(analyze(text, { readFacts }));
    const devs = tree[0]?.regions[0]?.devices ?? [];
    expect(tree[0]?.target).toBe('facts linux-6.1.facts.json');
    expect(devs.map((d) => [d.label, d.kernelName, d.change])).toEqual([
      ['first', 'dax0.0', 'resize'],
      ['ram', 'dax0.1', 'create'],
      ['big', 'dax0.2', 'refused'],
    ]);
    expect(devs[0]?.detail).toBe('2 GiB → 1 GiB');
    expect(devs[2]?.detail).toMatch(/refuse/);
  });

  it('an unchanged host: a layout of what the host has plans nothing', () => {
    const text = `host lab { facts "linux-6.1.facts.json" }
region 0 on lab {
  device all { size 2G }
}
`;
    const devs = layoutTree(analyze(text, { readFacts }))[0]?.regions[0]?.devices ?? [];
    expect(devs.map((d) => [d.label, d.change, d.detail])).toEqual([['all', 'unchanged', 'as the host has it']]);
  });

  it('a device moved to another driver is a rebind', () => {
    // on the 6.12 capture, dax0.0 holds the whole 2 GiB region, bound to kmem at boot
    const facts = JSON.parse(readFileSync(resolve(SAMPLES, 'linux-6.12.facts.json'), 'utf8')) as {
      regions: { devices: { name: string; driver: string | null; size: number | string }[] }[];
    };
    expect(facts.regions[0]?.devices.find((d) => d.name === 'dax0.0')?.driver).toBe('kmem');
    const text = `host lab { facts "linux-6.12.facts.json" }
region 0 on lab {
  device whole { size 2G }
}
`;
    const devs = layoutTree(analyze(text, { readFacts }))[0]?.regions[0]?.devices ?? [];
    expect(devs.map((d) => [d.label, d.kernelName, d.change, d.detail])).toEqual([
      ['whole', 'dax0.0', 'rebind', 'kmem → device_dax'],
    ]);
  });

  it('a device the layout does not list is kept (or destroyed with prune)', () => {
    const text = `host lab { facts "linux-6.1.facts.json" }\nregion 0 on lab {\n}\n`;
    const kept = layoutTree(analyze(text, { readFacts }))[0]?.regions[0]?.devices ?? [];
    expect(kept.map((d) => [d.label, d.kernelName, d.change])).toEqual([[undefined, 'dax0.0', 'keep']]);
    const pruned = layoutTree(analyze(text, { readFacts, prune: true }))[0]?.regions[0]?.devices ?? [];
    expect(pruned.map((d) => [d.kernelName, d.change])).toEqual([['dax0.0', 'destroy']]);
  });

  it('a host without facts has no regions to predict and says why', () => {
    const tree = layoutTree(
      analyze(`host x { facts "missing.json" }\nregion 0 on x { device a { size 1G } }\n`, { readFacts }),
    );
    expect(tree[0]?.error).toMatch(/no such file/);
    expect(tree[0]?.regions[0]?.devices.map((d) => d.change)).toEqual(['unknown']);
  });
});
