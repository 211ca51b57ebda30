// The built `daxlayout` bin, as a user runs it: output, --json and exit codes.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const bin = join(root, 'server/bin/daxlayout.cjs');

function daxlayout(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'daxlayout-cli-'));
}

describe('daxlayout check', () => {
  it('a clean sample exits 0 and says so', () => {
    const r = daxlayout(['check', 'samples/hbm-lab.dax']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/1 file checked: 0 errors/);
    expect(r.code).toBe(0);
  });

  it('errors print as file:line:col: severity: message [code] and exit 1', () => {
    const r = daxlayout(['check', 'samples/mistakes.dax']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^samples\/mistakes\.dax:8:\d+: error: size 3 MiB is not a multiple of .*\[DAX010\]$/m);
    expect(r.stdout).toMatch(/^samples\/mistakes\.dax:\d+:\d+: error: .*lab16.*\[DAX002\]$/m);
  });

  it('--json gives positions, codes and rule links', () => {
    const r = daxlayout(['check', '--json', 'samples/mistakes.dax']);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout) as {
      file: string;
      line: number;
      column: number;
      severity: string;
      code: string;
      href: string;
    }[];
    const dax010 = findings.find((f) => f.code === 'DAX010');
    expect(dax010).toMatchObject({ file: 'samples/mistakes.dax', line: 8, severity: 'error' });
    expect(dax010?.href).toMatch(/docs\/rules\/DAX010\.md$/);
  });

  it('an unreadable file is a usage error (exit 2)', () => {
    const r = daxlayout(['check', 'samples/no-such.dax']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read samples\/no-such\.dax: no such file/);
  });

  it('unknown commands and options exit 2', () => {
    expect(daxlayout(['frobnicate']).code).toBe(2);
    expect(daxlayout(['check', '--frob', 'samples/hbm-lab.dax']).code).toBe(2);
    expect(daxlayout([]).code).toBe(2);
  });
});

describe('daxlayout explain', () => {
  it('prints each device with its kernel name and placement', () => {
    const r = daxlayout(['explain', 'samples/hbm-lab.dax']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/weather\s+dax0\.0\s+1 GiB\s+1 GiB\s+devdax\s+0x100000000\.\.0x13fffffff @0x0/);
    expect(r.stdout).toMatch(/guest-a\s+dax0\.2\s+256 MiB/);
  });

  it('--json is daxctl list -RDMi shaped, with labels', () => {
    const r = daxlayout(['explain', '--json', 'samples/hbm-lab.dax']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Record<
      string,
      {
        path: string;
        id: number;
        devices: {
          chardev: string;
          label?: string;
          mode: string;
          mappings?: { start: number; end: number; page_offset: number; size: number }[];
        }[];
      }[]
    >;
    const region = json.lab61?.[0];
    expect(region?.path).toBe('/platform/hmem.0');
    const spill = region?.devices.find((d) => d.label === 'spill');
    expect(spill).toMatchObject({ chardev: 'dax0.1', mode: 'system-ram' });
    expect(spill?.mappings).toEqual([{ page_offset: 0, start: 0x140000000, end: 0x15fffffff, size: 512 * 2 ** 20 }]);
  });

  /** hbm-lab with its region marked persist, next to a copy of its facts file. */
  function persistedSample(): string {
    const dir = tmp();
    copyFileSync(join(root, 'samples/linux-6.1.facts.json'), join(dir, 'linux-6.1.facts.json'));
    const file = join(dir, 'lab.dax');
    writeFileSync(
      file,
      readFileSync(join(root, 'samples/hbm-lab.dax'), 'utf8').replace(
        'region 0 on lab61 {',
        'region 0 on lab61 {\n  persist',
      ),
    );
    return file;
  }

  it('a persisted region shows the stable name next to the kernel name; one that does not persist has no such column', () => {
    const r = daxlayout(['explain', persistedSample()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/LABEL\s+KERNEL\s+STABLE NAME\s+SIZE/);
    expect(r.stdout).toMatch(/weather\s+dax0\.0\s+\/dev\/dax\/by-label\/weather\s+1 GiB/);
    expect(r.stdout).toMatch(/spill\s+dax0\.1\s+\/run\/daxlayout\/by-label\/spill\s+512 MiB\s+2 MiB\s+system-ram/);
    const plain = daxlayout(['explain', 'samples/hbm-lab.dax']);
    expect(plain.stdout).not.toContain('STABLE NAME');
    expect(plain.stdout).not.toContain('by-label');
  });

  it('--daxctl-input prints, per device, a comment saying what to run and the JSON daxctl create-device --input accepts', () => {
    const r = daxlayout(['explain', '--daxctl-input', 'samples/hbm-lab.dax']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe(
      '# lab61 region 0: weather → dax0.0 (devdax): save as weather.json, run daxctl create-device -r 0 --input weather.json',
    );
    expect(JSON.parse(lines[1] as string)).toEqual({
      chardev: 'dax0.0',
      size: 1073741824,
      target_node: 1,
      align: 1073741824,
      mode: 'devdax',
      mappings: [{ page_offset: 0, start: 0x100000000, end: 0x13fffffff, size: 1073741824 }],
    });
    expect(lines[2]).toMatch(
      /^# lab61 region 0: spill → dax0\.1 \(system-ram\): .*; then daxctl reconfigure-device -m system-ram/,
    );
    expect(JSON.parse(lines[3] as string)).toMatchObject({ chardev: 'dax0.1', mode: 'system-ram', size: 536870912 });
    for (let i = 1; i < 8; i += 2) expect(() => JSON.parse(lines[i] as string)).not.toThrow();
  });

  it('help lists --daxctl-input and points to the persist docs', () => {
    const r = daxlayout(['help']);
    expect(r.stdout).toMatch(
      /daxlayout explain FILE\.\.\. --daxctl-input\s+per device, the JSON `daxctl create-device --input` accepts/,
    );
    expect(r.stdout).toContain('docs/persist.md');
  });

  it('--daxctl-input with --json is a usage error; with errors in the layout it exits 1', () => {
    const both = daxlayout(['explain', '--daxctl-input', '--json', 'samples/hbm-lab.dax']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--daxctl-input prints JSON objects already/);
    const bad = daxlayout(['explain', '--daxctl-input', 'samples/mistakes.dax']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/mistakes\.dax has errors; devices the kernel would refuse are left out/);
  });
});

describe('daxlayout fmt', () => {
  it('rewrites a file, then --check passes; --check on an unformatted file exits 1 and changes nothing', () => {
    const dir = tmp();
    const file = join(dir, 'x.dax');
    const messy = 'region 1 {start 0x1_0000_0000\n   size 4G node 1\ndevice a {size 1G} # keep me\n}\n';
    writeFileSync(file, messy);
    const check = daxlayout(['fmt', '--check', file]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/would be reformatted/);
    expect(readFileSync(file, 'utf8')).toBe(messy);
    expect(daxlayout(['fmt', file]).code).toBe(0);
    const formatted = readFileSync(file, 'utf8');
    expect(formatted).toContain('# keep me');
    expect(formatted).not.toBe(messy);
    expect(daxlayout(['fmt', '--check', file]).code).toBe(0);
  });

  it('refuses to format a file with syntax errors', () => {
    const dir = tmp();
    const file = join(dir, 'bad.dax');
    writeFileSync(file, 'region 0 { device a { size } ');
    const r = daxlayout(['fmt', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/syntax errors/);
  });
});

describe('daxlayout sim', () => {
  const facts61 = join(root, 'samples/linux-6.1.daxctl.json');

  it('reproduces the real 6.1 session: shrink dax0.0, create dax0.1 of 256 MiB at the region start', () => {
    const dir = tmp();
    const script = join(dir, 's.sh');
    writeFileSync(
      script,
      [
        '# as on the real 6.1 guest',
        'echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind',
        'echo 0 > /sys/bus/dax/devices/dax0.0/size',
        '',
        'echo 1 > /sys/devices/platform/hmem.0/dax_region/create',
        'echo 268435456 > /sys/bus/dax/devices/dax0.1/size',
        'echo 0 > /sys/bus/dax/devices/dax0.0/size',
        'echo dax0.0 > /sys/devices/platform/hmem.0/dax_region/delete',
      ].join('\n'),
    );
    const r = daxlayout(['sim', '--facts', facts61, '--kernel', '6.1.0-56-amd64', '--json', script]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      results: { line: number; result: string }[];
      state: {
        available_size?: number;
        devices: { chardev: string; state?: string; mappings?: { start: number; end: number }[] }[];
      }[];
    };
    expect(out.results).toEqual([
      { line: 2, result: 'ok' },
      { line: 3, result: 'ok' },
      { line: 5, result: 'ok' },
      { line: 6, result: 'ok' },
      { line: 7, result: 'ok' },
      { line: 8, result: 'EBUSY' },
    ]);
    const dax01 = out.state[0]?.devices.find((d) => d.chardev === 'dax0.1');
    expect(dax01?.mappings?.[0]).toMatchObject({ start: 0x100000000, end: 0x10fffffff });
    expect(dax01?.state).toBe('disabled');
    expect(out.state[0]?.available_size).toBe(2 ** 31 - 2 ** 28);
  });

  it('a line it cannot model is a usage error naming the line', () => {
    const dir = tmp();
    const script = join(dir, 's.sh');
    writeFileSync(script, 'echo 1 > /sys/devices/platform/hmem.0/dax_region/create\ncat /proc/iomem\n');
    const r = daxlayout(['sim', '--facts', facts61, '--kernel', '6.1.0-56-amd64', script]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 2/);
  });

  it('daxctl JSON without a kernel release needs --kernel', () => {
    const dir = tmp();
    const script = join(dir, 's.sh');
    writeFileSync(script, 'echo 1 > /sys/devices/platform/hmem.0/dax_region/create\n');
    const r = daxlayout(['sim', '--facts', facts61, script]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--kernel/);
  });

  it('a --kernel newer than the modelled range is warned about on stderr, naming 7.3 (never a silent answer)', () => {
    const dir = tmp();
    const script = join(dir, 's.sh');
    writeFileSync(script, 'echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind\n');
    const r = daxlayout(['sim', '--facts', join(root, 'samples/linux-6.12.facts.json'), '--kernel', '8.0.1', script]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^daxlayout sim: warning: Linux 8\.0\.1 is newer than the newest release daxlayout models \(7\.3, .*\); it is modelled as 7\.3\. What may differ:/,
    );
    const inRange = daxlayout(['sim', '--facts', join(root, 'samples/linux-6.12.facts.json'), script]);
    expect(inRange.stderr).toBe('');
  });

  it('the same facts as a daxlayout facts file need no --kernel', () => {
    const dir = tmp();
    copyFileSync(join(root, 'samples/linux-6.12.facts.json'), join(dir, 'f.json'));
    const script = join(dir, 's.sh');
    writeFileSync(script, 'echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind\n');
    const r = daxlayout(['sim', '--facts', join(dir, 'f.json'), script]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/device_dax\/bind\s+ENODEV/);
  });
});
