// Plan rendering (terraform-style text, summary counts) and the facts fingerprint.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/core/pipeline/analyze';
import { readFacts } from '../../server/core/facts/read';
import type { HostFacts } from '../../server/core/host-facts';
import {
  factsFingerprint,
  planSummary,
  planView,
  renderPlan,
  sha256Hex,
  summaryLine,
} from '../../server/core/explain/render-plan';
import { sampleReader, SAMPLES } from '../rules/harness';

const facts = (name: string) => readFacts(readFileSync(join(SAMPLES, name), 'utf8'), name).facts as HostFacts;

describe('sha256 (pure, for the fingerprint)', () => {
  it('matches node:crypto on any text', () => {
    for (const s of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'é∑😀'])
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        (s) => sha256Hex(s) === createHash('sha256').update(s, 'utf8').digest('hex'),
      ),
      { numRuns: 300 },
    );
  });
});

describe('facts fingerprint', () => {
  it('is stable, ignores where the facts came from, and changes with anything a plan depends on', () => {
    const f = facts('linux-6.1.facts.json');
    expect(factsFingerprint(f)).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(factsFingerprint({ ...f, source: 'elsewhere', hostname: 'x', assumptions: ['y'], nodes: [] })).toBe(
      factsFingerprint(f),
    );
    const r0 = f.regions[0] as HostFacts['regions'][number];
    const d0 = r0.devices[0] as (typeof r0.devices)[number];
    const variants: HostFacts[] = [
      { ...f, autoOnlineBlocks: 'online' },
      { ...f, kernelRelease: '6.1.0-58-amd64' },
      { ...f, regions: [{ ...r0, devices: [{ ...d0, driver: 'kmem' }] }] },
      { ...f, regions: [{ ...r0, devices: [{ ...d0, align: 4096n }] }] },
      {
        ...f,
        regions: [
          { ...r0, devices: [{ ...d0, mappings: [{ ...d0.mappings[0]!, end: d0.mappings[0]!.end - 0x200000n }] }] },
        ],
      },
      { ...f, memoryBlocks: [{ index: 40, state: 'online', zone: 'Movable', node: 1, removable: true }] },
    ];
    for (const v of variants) expect(factsFingerprint(v)).not.toBe(factsFingerprint(f));
  });
});

describe('plan text', () => {
  it('shows each step with its op and exact writes, and the summary terraform-style', () => {
    const a = analyze(readFileSync(join(SAMPLES, 'hbm-lab.dax'), 'utf8'), { readFacts: sampleReader() });
    const h = a.hosts[0]!;
    const v = planView(h, h.plan!, 'sha256:0123456789abcdef');
    expect(v.summary).toEqual({ create: 3, change: 1, destroy: 0 });
    const text = renderPlan(v);
    expect(text).toContain(
      '  ~ shrink dax0.0 (weather) from 2 GiB to 1 GiB\n      echo 1073741824 > /sys/bus/dax/devices/dax0.0/size\n',
    );
    expect(text).toContain(
      '  + create dax0.1 (spill)\n      echo 1 > /sys/devices/platform/hmem.0/dax_region/create\n',
    );
    expect(text).toContain('      echo online_movable > /sys/devices/system/memory/memory43/state\n');
    expect(text.trimEnd().split('\n').pop()).toBe('Plan: 3 devices to create, 1 to change, 0 to destroy.');
    expect(v.steps[0]).toMatchObject({
      index: 1,
      op: '~',
      target: 'dax0.0',
      summary: 'unbind dax0.0 from device_dax',
      destructive: true,
      writes: [{ path: '/sys/bus/dax/drivers/device_dax/unbind', value: 'dax0.0', predicted: 'ok' }],
    });
    expect(v.steps.find((s) => s.label === 'spill')?.target).toBe('dax0.1');
    expect(v.steps.filter((s) => s.destructive).map((s) => s.summary)).toEqual([
      'unbind dax0.0 from device_dax',
      'shrink dax0.0 (weather) from 2 GiB to 1 GiB',
    ]);
  });

  it('counts one per device: created, changed, destroyed', () => {
    expect(planSummary([])).toEqual({ create: 0, change: 0, destroy: 0 });
    expect(
      planSummary([
        { op: '~', target: 'dax0.1' },
        { op: '-', target: 'dax0.1' },
        { op: '+', target: 'dax0.2' },
        { op: '~', target: 'dax0.2' },
        { op: '-', target: 'dax0.3' },
      ]),
    ).toEqual({ create: 1, change: 0, destroy: 2 });
    expect(summaryLine({ create: 0, change: 0, destroy: 0 })).toBe('No changes. The host matches the layout.');
    expect(summaryLine({ create: 3, change: 1, destroy: 0 })).toBe(
      'Plan: 3 devices to create, 1 to change, 0 to destroy.',
    );
    expect(summaryLine({ create: 1, change: 0, destroy: 2 })).toBe(
      'Plan: 1 device to create, 0 to change, 2 to destroy.',
    );
  });

  it('notes unlisted devices: kept, or destroyed with --prune', () => {
    const text = 'host h { facts "linux-6.1.facts.json" }\nregion 0 on h {\n  device a { name dax0.0 size 1G }\n}\n';
    // a first apply makes dax0.0 1 GiB; a device made outside the layout is then unlisted
    const f = facts('linux-6.1.facts.json');
    const r0 = f.regions[0]!;
    const withExtra = {
      ...f,
      regions: [
        {
          ...r0,
          devices: [
            {
              ...r0.devices[0]!,
              size: 1n << 30n,
              mappings: [{ id: 0, start: 0x100000000n, end: 0x13fffffffn, pageOffset: 0n }],
            },
            {
              name: 'dax0.1',
              size: 1n << 30n,
              align: 2n << 20n,
              driver: 'device_dax' as const,
              targetNode: 1,
              mappings: [{ id: 0, start: 0x140000000n, end: 0x17fffffffn, pageOffset: 0n }],
            },
          ],
        },
      ],
    };
    const hf = () => ({ facts: withExtra, kind: 'facts' as const });
    const kept = analyze(text, { readFacts: sampleReader(), hostFacts: hf });
    const kh = kept.hosts[0]!;
    const kt = renderPlan(planView(kh, kh.plan!, 'sha256:0'));
    expect(kt).toContain('note: dax0.1 (1 GiB, devdax) is not in the layout; it is kept (--prune removes it)');
    expect(kt).toContain('No changes. The host matches the layout.');
    const pruned = analyze(text, { readFacts: sampleReader(), hostFacts: hf, prune: true });
    const ph = pruned.hosts[0]!;
    const pt = renderPlan(planView(ph, ph.plan!, 'sha256:0'));
    expect(pt).toContain('  - destroy dax0.1\n');
    expect(pt).toContain('Plan: 0 devices to create, 0 to change, 1 to destroy.');
  });
});
