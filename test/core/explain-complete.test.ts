// completeAt: what may be typed where.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, completeAt } from '../../server/core/index';

const SAMPLES = resolve(__dirname, '../../samples');
const readFacts = (p: string) => ({ text: readFileSync(resolve(SAMPLES, p), 'utf8') });

/** Completes at the `|` in `src`. */
function complete(src: string) {
  const offset = src.indexOf('|');
  const text = src.slice(0, offset) + src.slice(offset + 1);
  const c = completeAt(analyze(text, { readFacts }), offset);
  return { ...c, labels: c.items.map((i) => i.label), text };
}

const LAB61 = 'host lab61 {\n  facts "linux-6.1.facts.json"\n}\n\n';

describe('completeAt', () => {
  it('offers the top-level declarations, with snippets', () => {
    const c = complete('|');
    expect(c.labels).toEqual(['host', 'region', 'cxl']);
    expect(c.position).toBe('key');
    expect(c.items[1]?.snippet).toBe('region ${1:0} on ${2:host} {\n  $0\n}');
  });

  it('offers the properties a block does not have yet, replacing the partial word', () => {
    expect(complete(LAB61 + 'region 0 on lab61 {\n  device a { size 1G al| }\n}\n').labels).toEqual([
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
    const c = complete(LAB61 + 'region 0 on lab61 {\n  device a { size 1G al| }\n}\n');
    expect(c.text.slice(c.span.start, c.span.end)).toBe('al');
    expect(complete('host h {\n  kernel "6.12.0"\n  |\n}\n').labels).toEqual([
      'ssh',
      'port',
      'facts',
      'arch',
      'memory-block',
      'auto-online',
      'hosts',
      'inventory',
      'persist',
    ]);
    expect(complete('region 0 {\n  dynamic\n  |\n}\n').labels).toEqual([
      'start',
      'size',
      'align',
      'node',
      'cache',
      'persist',
      'device',
    ]);
  });

  it('offers the words of a colour request and of an expectation', () => {
    const pre = LAB61 + 'region 0 on lab61 {\n  device a { ';
    expect(complete(pre + 'colours | }\n}\n').labels).toEqual(['any']);
    expect(complete(pre + 'colours 0..1 | }\n}\n').labels).toEqual(['of', 'exclusive']);
    expect(complete(pre + 'colours 0..1 of 4 | }\n}\n').labels).toEqual(['exclusive']);
    expect(complete(pre + 'colours 0..1 of | }\n}\n').labels).toEqual([]);
    expect(complete(pre + 'expect | }\n}\n').labels).toEqual([
      'read-latency',
      'write-latency',
      'read-bandwidth',
      'write-bandwidth',
    ]);
    expect(complete(pre + 'expect read-latency 100ns | }\n}\n').labels).toEqual(['from']);
    expect(complete(pre + 'expect read-latency 100ns from node | }\n}\n').labels).toEqual(['0']);
    expect(complete(pre + 'expect read-latency 100ns from node 0 | }\n}\n').labels).toEqual(['access0', 'access1']);
    // `expect` may be repeated; `colours` once.
    const keys = complete(pre + 'colours 0 of 4 exclusive expect read-latency 1ns from node 0 access1 | }\n}\n');
    expect(keys.position).toBe('key');
    expect(keys.labels).toContain('expect');
    expect(keys.labels).not.toContain('colours');
    expect(complete(pre + 'colors 0 | }\n}\n').labels).toEqual(['of', 'exclusive']);
  });

  it('offers modes, then the options that do not clash', () => {
    const pre = LAB61 + 'region 0 on lab61 {\n  device a { size 1G mode ';
    expect(complete(pre + '| }\n}\n').labels).toEqual(['devdax', 'system-ram']);
    expect(complete(pre + 'system-ram | }\n}\n').labels).toEqual([
      'online',
      'offline',
      'movable',
      'normal',
      'memmap-on-memory',
    ]);
    expect(complete(pre + 'system-ram movable | }\n}\n').labels).toEqual(['online', 'offline', 'memmap-on-memory']);
    expect(complete(pre + 'devdax | }\n}\n').position).toBe('key');
  });

  it('offers the alignments the host allows', () => {
    const c = complete(LAB61 + 'region 0 on lab61 {\n  device a { size 1G align | }\n}\n');
    expect(c.labels).toEqual(['4K', '2M', '1G']);
    expect(c.items.map((i) => i.detail)).toEqual(['4 KiB pages (PTE)', '2 MiB pages (PMD)', '1 GiB pages (PUD)']);
  });

  it('offers the free space as a size, rounded down to the device granule, and `rest`', () => {
    const pre = LAB61 + 'region 0 on lab61 {\n  device a { size 512M }\n';
    const free = complete(pre + '  device c { size | }\n}\n');
    expect(free.labels).toEqual(['1536M', 'rest']);
    expect(free.items[0]).toMatchObject({ detail: '1536 MiB: all that is free in region 0', preferred: true });
    expect(complete(pre + '  device c { align 1G size | }\n}\n').labels).toEqual(['1G', 'rest']);
    expect(complete(LAB61 + 'region 0 on lab61 {\n  device a { size 2G }\n  device c { size | }\n}\n').labels).toEqual([
      'rest',
    ]);
  });

  it('offers the free gaps of the region as ranges', () => {
    const c = complete(
      LAB61 + 'region 0 on lab61 {\n  device a { range 0x1_2000_0000 + 512M }\n  device b { range | }\n}\n',
    );
    expect(c.labels).toEqual(['0x1_0000_0000 + 512M', '0x1_4000_0000 + 1G']);
    expect(complete(LAB61 + 'region 0 on lab61 {\n  device b { range 0x1_0000_0000 + 4M, | }\n}\n').labels).toEqual([
      '0x1_0040_0000 + 2044M',
    ]);
  });

  it('offers region ids from the facts, `on`, and the declared hosts', () => {
    expect(complete(LAB61 + 'region |').labels).toEqual(['0 on lab61']);
    expect(complete(LAB61 + 'region |').items[0]?.detail).toBe('0x100000000, 2 GiB, node 1, dynamic');
    expect(complete(LAB61 + 'region 0 |').labels).toEqual(['on']);
    const hosts = complete(LAB61 + 'host other {\n  kernel "6.12.0"\n}\n\nregion 0 on |');
    expect(hosts.labels).toEqual(['lab61', 'other']);
    expect(hosts.items[0]?.preferred).toBe(true);
    expect(hosts.position).toBe('header');
  });

  it('offers node ids and the values of host words', () => {
    const n = complete('host n {\n  facts "linux-6.1-node1-online.facts.json"\n}\n\nregion 0 on n {\n  node |\n}\n');
    expect(n.labels).toEqual(['0', '1']);
    expect(n.items.map((i) => i.detail)).toEqual(['CPUs 0-1', 'CPU-less (memory only)']);
    expect(complete('host h {\n  arch |\n}\n').labels).toEqual(['x86_64', 'aarch64', 'ppc64le']);
    expect(complete('host h {\n  auto-online |\n}\n').labels).toEqual([
      'offline',
      'online',
      'online_kernel',
      'online_movable',
    ]);
    expect(complete('host h {\n  memory-block |\n}\n').labels).toEqual(['128M', '256M', '512M', '1G', '2G']);
  });

  it('offers nothing in a comment, a string, or where a new name goes', () => {
    expect(complete('# a comment |\n').items).toEqual([]);
    expect(complete('host h {\n  ssh "root@|"\n}\n').items).toEqual([]);
    expect(complete('host |').items).toEqual([]);
    expect(complete('region 0 {\n  device |\n}\n').items).toEqual([]);
  });
});
