// The apply program's text: every path and value is checked against a strict pattern and
// single-quoted; anything else is refused before a program exists. A property test feeds
// random strings and checks that none can put an unquoted shell metacharacter in a program,
// and a real shell confirms each accepted write reaches `w` as exactly one argument each.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/core/pipeline/analyze';
import {
  applyProgram,
  errnoOf,
  parseProgramOutput,
  ProgramRefused,
  shQuote,
  stateDiff,
  stateProblem,
  writeProblem,
} from '../../server/host/shell';
import { sampleReader, SAMPLES } from '../rules/harness';
import { runSh, SHELLS } from './fake-host';

const ok = (path: string, value: string) => expect(writeProblem(path, value)).toBeUndefined();
const refused = (path: string, value: string) => expect(writeProblem(path, value)).toMatch(/^refusing to send/);

describe('write validation', () => {
  it('accepts every write the planner makes for the samples (and with --prune)', () => {
    for (const [name, prune] of [
      ['hbm-lab.dax', false],
      ['cxl-6.12.dax', false],
      ['hbm-lab.dax', true],
      ['hmat-node1.dax', false],
    ] as const) {
      const a = analyze(readFileSync(join(SAMPLES, name), 'utf8'), { readFacts: sampleReader(), prune });
      const writes = a.hosts.flatMap((h) => h.plan?.steps ?? []).flatMap((s) => s.writes);
      expect(writes.length).toBeGreaterThan(0);
      for (const w of writes) ok(w.path, w.value);
    }
  });

  it('knows each attribute and what it takes', () => {
    ok('/sys/bus/dax/devices/dax0.1/size', '536870912');
    ok('/sys/bus/dax/devices/dax12.345/align', '0');
    ok('/sys/bus/dax/devices/dax0.2/mapping', '170000000-17fffffff');
    ok('/sys/bus/dax/devices/dax0.2/memmap_on_memory', '1');
    ok('/sys/bus/dax/drivers/kmem/new_id', 'dax0.1');
    ok('/sys/bus/dax/drivers/device_dax/unbind', 'dax0.0');
    ok('/sys/devices/platform/hmem.0/dax_region/create', '1');
    ok('/sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax_region/delete', 'dax1.3');
    ok('/sys/devices/system/memory/memory40/state', 'online_movable');
    ok('/sys/devices/system/node/node1/memory40/state', 'offline');
    ok('/sys/devices/system/memory/auto_online_blocks', 'offline');
    refused('/sys/bus/dax/devices/dax0.1/size', '1G');
    refused('/sys/bus/dax/devices/dax0.1/size', '-1');
    refused('/sys/bus/dax/devices/dax0.1/size', '0x1000');
    refused('/sys/bus/dax/devices/dax0.1/size', '1 2');
    refused('/sys/bus/dax/devices/dax0.1/mapping', '0x1-0x2');
    refused('/sys/bus/dax/devices/dax0.1/uevent', 'add');
    refused('/sys/bus/dax/devices/dax0.1/../../../../etc/passwd', '1');
    refused('/sys/bus/dax/drivers/kmem/new_id', 'dax0.1;reboot');
    refused('/sys/bus/dax/drivers/nvme/bind', 'dax0.1');
    refused('/sys/devices/../../etc/dax_region/create', '1');
    refused('/sys/devices/platform/hmem.0 x/dax_region/create', '1');
    refused("/sys/devices/platform/hmem'0/dax_region/create", '1');
    refused('/sys/devices/platform/$(id)/dax_region/create', '1');
    refused('/sys/devices/system/memory/memory40/state', 'online; reboot');
    refused('/etc/shadow', 'x');
    refused('/sys/devices/system/memory/memory40/state\n', 'offline');
  });

  it('shQuote makes any text one literal word', async () => {
    const shell = SHELLS[0];
    if (!shell) return;
    const words = ["it's", '$(reboot)', '`id`', 'a\nb', '"; rm -rf / #', '\\', '', "''", "'\\''"];
    const r = await runSh(shell, `for x in ${words.map(shQuote).join(' ')}; do printf '[%s]' "$x"; done`);
    expect(r.stdout).toBe(words.map((w) => `[${w}]`).join(''));
  });
});

/** The program with everything inside single quotes removed: what the shell interprets. */
function unquoted(line: string): string {
  return line.replace(/'[^']*'/g, "''");
}

describe('apply program text (property)', () => {
  const meta = fc.constantFrom(
    ...';|&$`\'"\\<>(){}[]*?!~#=% \t\n\r\0'.split(''),
    '$(id)',
    '`id`',
    '../',
    '\u00e9',
    '\u202e',
  );
  const safe = fc.constantFrom(
    '/sys/bus/dax/devices/dax',
    '/sys/bus/dax/drivers/kmem/',
    'bind',
    'new_id',
    '/size',
    '/mapping',
    'dax0.1',
    '0',
    '1',
    'a',
    '-',
    '.',
    '/',
  );
  const piece = fc.oneof(meta, safe, fc.string({ maxLength: 4 }));
  const text = fc.array(piece, { maxLength: 8 }).map((a) => a.join(''));
  const planned = fc.record({
    path: fc.oneof(
      text,
      fc.constantFrom(
        '/sys/bus/dax/devices/dax0.1/size',
        '/sys/bus/dax/drivers/kmem/new_id',
        '/sys/devices/platform/hmem.0/dax_region/create',
      ),
    ),
    value: fc.oneof(text, fc.constantFrom('1', 'dax0.1', '536870912', '100000000-10fffffff', 'offline')),
  });

  it('random paths and values are refused, or appear only single-quoted and verbatim', () => {
    fc.assert(
      fc.property(fc.array(planned, { minLength: 1, maxLength: 4 }), (writes) => {
        let program: string;
        try {
          program = applyProgram(writes, { expectedState: '### /sys/x\n1', lockTimeoutS: 5 });
        } catch (e) {
          expect(e).toBeInstanceOf(ProgramRefused);
          expect(writes.some((w) => writeProblem(w.path, w.value) !== undefined)).toBe(true);
          return;
        }
        const lines = program.split('\n').filter((l) => /^ {2}w /.test(l));
        expect(lines).toHaveLength(writes.length);
        lines.forEach((l, i) => {
          expect(unquoted(l)).toBe(`  w ${i + 1} '' '' || exit 1`);
          expect(l).toBe(`  w ${i + 1} '${writes[i]?.path}' '${writes[i]?.value}' || exit 1`);
          expect(`${writes[i]?.path}${writes[i]?.value}`).toMatch(/^[A-Za-z0-9_./:+-]+$/);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('a real shell hands each accepted write to `w` as exactly its path and value', async () => {
    const shell = SHELLS[0];
    if (!shell) return;
    const cases = fc
      .sample(fc.array(planned, { minLength: 1, maxLength: 3 }), 300)
      .filter((ws) => ws.every((w) => !writeProblem(w.path, w.value)));
    cases.push([{ path: '/sys/bus/dax/devices/dax0.1/size', value: '536870912' }]);
    for (const writes of cases.slice(0, 25)) {
      const program = applyProgram(writes, {
        expectedState: '',
        lockTimeoutS: 0,
        lockDir: join(tmpdir(), 'daxlayout-test-lock'),
      })
        // replace the real helpers by ones that print what they are given
        .replace(
          /\nmain\n$/,
          '\nlock() { :; }\nstate() { :; }\nw() { printf \'<%s|%s|%s>\\n\' "$1" "$2" "$3"; }\nmain\n',
        );
      const r = await runSh(shell, program);
      expect(r.stdout.split('\n').filter((l) => l.startsWith('<'))).toEqual(
        writes.map((w, i) => `<${i + 1}|${w.path}|${w.value}>`),
      );
    }
  });

  it('refuses a wait (settle) for anything but a dax device, a dax driver, block numbers and a bounded timeout', () => {
    const bind = { path: '/sys/bus/cxl/drivers/cxl_region/bind', value: 'region0' };
    const ok = { device: 'dax0.0', driver: 'kmem' as const, blocks: { first: 114, last: 129 }, timeoutS: 120 };
    const program = applyProgram([{ ...bind, settle: ok }], { expectedState: '', lockTimeoutS: 1 });
    expect(program).toContain('\n  settle 120 dax0.0 kmem 114 129 || {');
    expect(applyProgram([bind], { expectedState: '', lockTimeoutS: 1 })).not.toContain('settle()');
    for (const bad of [
      { ...ok, device: 'dax0.0;id' },
      { ...ok, device: '../dax0.0' },
      { ...ok, driver: 'kmem/../x' as 'kmem' },
      { ...ok, blocks: { first: 129, last: 114 } },
      { ...ok, blocks: { first: -1, last: 2 } },
      { ...ok, timeoutS: 0 },
      { ...ok, timeoutS: 1.5 },
      { ...ok, timeoutS: 86400 },
    ])
      expect(() => applyProgram([{ ...bind, settle: bad }], { expectedState: '', lockTimeoutS: 1 })).toThrow(
        ProgramRefused,
      );
  });

  it('refuses a guard state holding a quote, and hostile lock paths', () => {
    expect(stateProblem("### /sys/x\nit's")).toMatch(/will not put in a program/);
    expect(() => applyProgram([], { expectedState: "'", lockTimeoutS: 1 })).toThrow(ProgramRefused);
    expect(() => applyProgram([], { expectedState: '', lockTimeoutS: 1, lockDir: '/run/x;id' })).toThrow(
      ProgramRefused,
    );
    expect(() => applyProgram([], { expectedState: '', lockTimeoutS: 1, lockDir: '/run/daxlayout-lock/../x' })).toThrow(
      ProgramRefused,
    );
    expect(() => applyProgram([], { expectedState: '', lockTimeoutS: 1, lockDir: '/tmp' })).toThrow(ProgramRefused);
    expect(() => applyProgram([], { expectedState: '', lockTimeoutS: 1, root: '/run/daxlayout-root/$(id)' })).toThrow(
      ProgramRefused,
    );
    expect(() => applyProgram([], { expectedState: '', lockTimeoutS: -1 })).toThrow(ProgramRefused);
  });
});

describe('program output', () => {
  it('reads the protocol lines', () => {
    const r = parseProgramOutput(
      [
        '@@ lock-wait',
        '@@ locked mkdir',
        '@@ guard ok',
        '@@ step 1 ok',
        '@@ step 2 fail sh: write error: Device or resource busy',
        'stray',
      ].join('\n'),
    );
    expect(r).toMatchObject({ lock: 'mkdir', lockWaited: true, guard: 'ok', done: false, other: ['stray'] });
    expect(r.outcomes).toEqual([
      { index: 1, ok: true },
      { index: 2, ok: false, error: 'sh: write error: Device or resource busy', errno: 'EBUSY' },
    ]);
  });

  it('names errnos from busybox, dash and bash wordings', () => {
    expect(errnoOf('sh: write error: Invalid argument')).toBe('EINVAL');
    expect(errnoOf("sh: can't create /sys/bus/dax/devices/dax0.9/size: nonexistent directory")).toBe('ENOENT');
    expect(errnoOf('bash: line 1: echo: write error: No space left on device')).toBe('ENOSPC');
    expect(errnoOf('dash: 1: echo: echo: I/O error')).toBe('EIO');
    expect(errnoOf('sh: write error: No such device')).toBe('ENODEV');
    expect(errnoOf('something else')).toBeUndefined();
  });

  it('says what changed between two states', () => {
    const a =
      '### /sys/bus/dax/devices/dax0.0/size\n2147483648\n### /sys/bus/dax/devices/dax0.0/driver -> /sys/bus/dax/drivers/kmem\n### memory blocks of node1\nmemory32: state=offline zones=Normal removable=1 node=1';
    const b =
      '### /sys/bus/dax/devices/dax0.0/size\n1073741824\n### /sys/bus/dax/devices/dax0.0/driver\ndaxlayout: unbound: No such file or directory\n### memory blocks of node1\nmemory32: state=online zones=Movable removable=1 node=1\n### /sys/bus/dax/devices/dax0.1/size\n0';
    expect(stateDiff(a, b)).toEqual([
      '/sys/bus/dax/devices/dax0.0/size: 2147483648 → 1073741824',
      '/sys/bus/dax/devices/dax0.0/driver: → /sys/bus/dax/drivers/kmem → daxlayout: unbound: No such file or directory',
      '/sys/devices/system/memory/memory32: state=offline zones=Normal removable=1 node=1 → state=online zones=Movable removable=1 node=1',
      '/sys/bus/dax/devices/dax0.1/size: new (0)',
    ]);
  });
});
