// `daxlayout sim` on the shell scripts in test/fixtures/sim: every write's outcome must be the
// one its `# expect:` comment records (what the real kernel returned, or what ndctl's test asserts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const bin = join(root, 'server/bin/daxlayout.cjs');
const dir = join(root, 'test/fixtures/sim');

function expectations(script: string): { line: number; result: string }[] {
  return readFileSync(join(dir, script), 'utf8')
    .split('\n')
    .map((text, i) => ({ line: i + 1, m: /^echo .*# expect: (\S+)/.exec(text) }))
    .filter((x) => x.m)
    .map((x) => ({ line: x.line, result: (x.m as RegExpExecArray)[1] as string }));
}

function sim(script: string, facts: string, kernel: string) {
  const r = spawnSync(
    process.execPath,
    [bin, 'sim', '--json', '--facts', join(root, 'samples', facts), '--kernel', kernel, join(dir, script)],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as {
    results: { line: number; result: string }[];
    state: {
      available_size?: number;
      devices: {
        chardev: string;
        mode: string;
        online_memblocks?: number;
        mappings?: { start: number; end: number; page_offset: number }[];
      }[];
    }[];
  };
}

describe('daxlayout sim reproduces real kernels and ndctl', () => {
  it('the Linux 6.1 session', () => {
    const out = sim('real-6.1.sh', 'linux-6.1.daxctl.json', '6.1.0-56-amd64');
    expect(out.results).toEqual(expectations('real-6.1.sh'));
    const devices = out.state[0]?.devices ?? [];
    expect(devices.find((d) => d.chardev === 'dax0.2')?.mappings).toEqual([
      { page_offset: 0, start: 0x118000000, end: 0x118000000 + 4 * 2 ** 20 - 1, size: 4 * 2 ** 20 },
    ]);
    expect(devices.find((d) => d.chardev === 'dax0.0')?.mappings?.map((m) => [m.start, m.end])).toEqual([
      [0x160000000, 0x16fffffff],
    ]);
  });

  it('the Linux 6.12 session', () => {
    const out = sim('real-6.12.sh', 'linux-6.12.daxctl.json', '6.12.117+deb12-amd64');
    expect(out.results).toEqual(expectations('real-6.12.sh'));
    const dax00 = out.state[0]?.devices.find((d) => d.chardev === 'dax0.0');
    expect(dax00?.mode).toBe('devdax');
    expect(dax00?.mappings?.map((m) => [m.start, m.end])).toEqual([[0x160000000, 0x167ffffff]]);
  });

  it('ndctl test/daxctl-create.sh test 2', () => {
    const out = sim('ndctl-create-test2.sh', 'linux-6.1.daxctl.json', '6.1.0-56-amd64');
    expect(out.results).toEqual(expectations('ndctl-create-test2.sh'));
    const dax01 = out.state[0]?.devices.find((d) => d.chardev === 'dax0.1');
    expect(dax01?.mappings?.map((m) => [m.start, m.end, m.page_offset])).toEqual([
      [0x120000000, 0x13fffffff, 0],
      [0x160000000, 0x17fffffff, 0x20000],
    ]);
    expect(out.state[0]?.available_size).toBeUndefined();
  });
});
