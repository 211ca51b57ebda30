// Unit tests of the fidelity harness itself (no VM): the generator is reproducible and only
// makes lines the model can answer, the guest-state parser reads what the guest prints into
// the same form as the model's state, and the shrinkers find minimal subsequences.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelModel } from '../../server/core/kernel/model';
import { parseScript } from '../../server/core/kernel/script';
import { diffCanon, guestState, modelState } from './canon';
import { factsFrom } from './compare';
import { generateSequence } from './gen';
import { batchProgram, layoutOf, newIdNames, parseBatch } from './guest';
import { ddminSync, modelReduce } from './shrink';

const FIX = join(__dirname, '..', 'fixtures', 'facts');
const boot = (k: '6.1' | '6.12' | '6.18' | '7.2' | '7.3') => {
  const text = readFileSync(
    k === '7.3' ? join(__dirname, '..', 'kernel', 'fixtures', 'linux-7.3-boot.txt') : join(FIX, `linux-${k}-boot.txt`),
    'utf8',
  );
  const release = /### uname -r\n(\S+)/.exec(text)?.[1] as string;
  const f = factsFrom(text, release);
  if (!f.facts) throw new Error(f.error);
  return { facts: f.facts, release };
};

describe.each(['6.1', '6.12', '6.18', '7.2', '7.3'] as const)('generator on %s', (k) => {
  const { facts, release } = boot(k);

  it('is reproducible from its seed, and seeds differ', () => {
    const a = generateSequence(facts, release, 's/1', 150).lines;
    expect(generateSequence(facts, release, 's/1', 150).lines).toEqual(a);
    expect(generateSequence(facts, release, 's/2', 150).lines).not.toEqual(a);
    expect(a).toHaveLength(150);
  });

  it('makes `echo VALUE > PATH` lines the model answers (never "cannot model")', () => {
    for (let i = 0; i < 8; i++) {
      const { lines } = generateSequence(facts, release, `u/${i}`, 120);
      const m = KernelModel.fromFacts(facts, release);
      const parsed = parseScript(lines.join('\n'));
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.writes).toHaveLength(lines.length);
      for (const w of parsed.writes) expect(m.write(w.path, w.value).kind).not.toBe('unmodelled');
    }
  });

  it('reaches the states where bugs hide', () => {
    const all = Array.from({ length: 12 }, (_, i) => generateSequence(facts, release, `cov/${i}`, 130).stats);
    const sum = (f: (s: (typeof all)[number]) => number) => all.reduce((a, s) => a + f(s), 0);
    expect(Math.max(...all.map((s) => s.maxRanges))).toBeGreaterThanOrEqual(4);
    expect(Math.max(...all.map((s) => s.maxHoles))).toBeGreaterThanOrEqual(3);
    expect(sum((s) => s.fullRegion)).toBeGreaterThan(50);
    expect(sum((s) => s.kmemBinds)).toBeGreaterThan(3);
    expect(sum((s) => s.blockWrites)).toBeGreaterThan(20);
    const outcomes = new Set(all.flatMap((s) => Object.keys(s.outcomes)));
    for (const o of [
      'create:ok',
      'create:ENOSPC',
      'delete:ok',
      'delete:EBUSY',
      'size:ok',
      'size:EINVAL',
      'size:ENOSPC',
      'align:ok',
      'align:EINVAL',
      'align:ENXIO',
      'mapping:ok',
      'mapping:ENOMEM',
      'bind:ok',
      'bind:ENODEV',
      'unbind:ok',
      'new_id:ok',
      'state:ok',
    ]) {
      expect(outcomes, o).toContain(o);
    }
  });
});

describe('generator on 7.3: the kmem state attribute', () => {
  it('writes daxX.Y/state, and the model answers ok, EBUSY and EINVAL there', () => {
    const { facts, release } = boot('7.3');
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const { lines } = generateSequence(facts, release, `ks/${i}`, 130);
      const m = KernelModel.fromFacts(facts, release);
      const parsed = parseScript(lines.join('\n'));
      if (!parsed.ok) throw new Error('unparsable');
      for (const w of parsed.writes) {
        const r = m.write(w.path, w.value);
        if (/\/dax\d+\.\d+\/state$/.test(w.path))
          seen.add(r.kind === 'ok' ? 'ok' : r.kind === 'errno' ? r.errno : r.kind);
      }
    }
    for (const o of ['ok', 'EBUSY', 'EINVAL']) expect(seen, o).toContain(o);
  });
});

describe('guest program and state parser', () => {
  it('reads a guest state dump into the model state form', () => {
    const { facts, release } = boot('6.12');
    const dump = readFileSync(join(__dirname, 'fixtures', 'state-6.12-boot.txt'), 'utf8').split('\n');
    const layout = layoutOf(facts);
    const real = guestState(dump, layout.regionPaths);
    expect(diffCanon(real, modelState(KernelModel.fromFacts(facts, release)))).toEqual([]);
    expect(real.iomem).toEqual(['100000000-17fffffff dax0.0', '  100000000-17fffffff System RAM (kmem)']);
    expect(real.blocks.memory32).toBe('offline');
  });

  it('runs each write in the shell itself and parses what it prints', () => {
    const { facts } = boot('6.1');
    const layout = layoutOf(facts);
    const prog = batchProgram(
      layout,
      [
        {
          id: 'a',
          lines: [
            'echo 1 > /sys/devices/platform/hmem.0/dax_region/create',
            'echo dax0.1 > /sys/bus/dax/drivers/kmem/new_id',
          ],
        },
      ],
      '### uname -r\nx',
      false,
    );
    expect(prog).toContain('{ echo 1 > /sys/devices/platform/hmem.0/dax_region/create; } 2>/tmp/.e; rc=$?');
    expect(
      newIdNames([
        'echo dax0.1 > /sys/bus/dax/drivers/kmem/new_id',
        "echo 'dax0.2' > /sys/bus/dax/drivers/device_dax/new_id",
        'echo foo > /sys/bus/dax/drivers/kmem/new_id',
      ]),
    ).toEqual(['dax0.1', 'dax0.2']);
    const out = [
      '@@ITEM a',
      '@@CAPTURE',
      '### uname -r',
      'x',
      '@@END',
      '@@S start',
      'l1',
      '@@E',
      '@@W 0 0',
      '@@S 0',
      'l2',
      '@@E',
      '@@W 1 1 sh: write error: No such device',
      '@@S 1',
      '@@E',
      '@@DAXCTL',
      '[]',
      '@@END',
      '@@DMESG',
      'd',
      '@@END',
      '@@DONE a',
    ].join('\n');
    const [r] = parseBatch(out);
    expect(r).toMatchObject({ id: 'a', done: true, start: ['l1'], daxctl: [], dmesg: 'd' });
    expect(r?.writes).toEqual([
      { rc: 0, text: '', state: ['l2'] },
      { rc: 1, text: 'sh: write error: No such device', state: [] },
    ]);
  });
});

describe('shrinking', () => {
  it('ddmin finds a 1-minimal subsequence', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const keeps = (c: string[]) => c.includes('w7') && c.includes('w31') && c.indexOf('w7') < c.indexOf('w31');
    expect(ddminSync(lines, keeps)).toEqual(['w7', 'w31']);
  });

  it('the model-only stage drops writes that change nothing and writes that cancel out', () => {
    const { facts, release } = boot('6.1');
    const D = '/sys/bus/dax/devices';
    const lines = [
      `echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind`,
      `echo abc > ${D}/dax0.0/size`,
      `echo 0 > ${D}/dax0.0/size`,
      `echo 4096 > ${D}/dax0.0/align`,
      `echo 2097152 > ${D}/dax0.0/align`,
      `echo 1 > /sys/devices/platform/hmem.0/dax_region/create`,
      `echo 0 > /sys/devices/platform/hmem.0/dax_region/create`,
    ];
    expect(modelReduce(facts, release, lines)).toEqual([lines[0], lines[2], lines[5]]);
  });
});
