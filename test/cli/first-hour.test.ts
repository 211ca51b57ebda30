// What a new user meets in a terminal: colour (--color, NO_COLOR), a facts file given where a
// layout is expected, the rule pages on this machine, and the shipped samples formatted.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { colourFlag, colourLine, wantColour } from '../../server/cli/colour';

const root = resolve(__dirname, '../..');
const bin = join(root, 'server/bin/daxlayout.cjs');
const ESC = '\x1b[';

function daxlayout(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: undefined, ...env },
    input: '',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('colour', () => {
  it('--color=always colours findings, steps and the summary; never, NO_COLOR and a pipe do not', () => {
    const always = daxlayout(['check', 'samples/mistakes.dax', '--color=always']);
    expect(always.code).toBe(1);
    expect(always.stdout).toContain(`${ESC}31merror${ESC}0m: size 3 MiB is not a multiple of align 2 MiB`);
    const plan = daxlayout(['plan', 'samples/quickstart.dax', '--color', 'always']);
    expect(plan.stdout).toContain(`  ${ESC}32m+ create dax0.1 (spill)${ESC}0m`);
    expect(plan.stdout).toContain(`  ${ESC}33m~ unbind dax0.0 from device_dax${ESC}0m`);
    for (const r of [
      daxlayout(['check', 'samples/mistakes.dax', '--color=never']),
      daxlayout(['check', 'samples/mistakes.dax']), // stdout is a pipe: auto means none
      daxlayout(['check', 'samples/mistakes.dax', '--color=auto'], { NO_COLOR: '1' }),
      daxlayout(['plan', 'samples/quickstart.dax', '--json', '--color=always']), // machine output never
    ]) {
      expect(r.stdout).not.toContain(ESC);
    }
    expect(daxlayout(['check', 'samples/mistakes.dax', '--color=sometimes']).stderr).toMatch(
      /--color takes auto, always or never, got `sometimes`/,
    );
  });

  it('auto colours a terminal unless NO_COLOR is set (and not empty) or TERM is dumb; always wins over NO_COLOR', () => {
    expect(wantColour('auto', {}, true, [])).toBe(true);
    expect(wantColour('auto', { NO_COLOR: '1' }, true, [])).toBe(false);
    expect(wantColour('auto', { NO_COLOR: '' }, true, [])).toBe(true);
    expect(wantColour('auto', { TERM: 'dumb' }, true, [])).toBe(false);
    expect(wantColour('auto', {}, false, [])).toBe(false);
    expect(wantColour('always', { NO_COLOR: '1' }, false, [])).toBe(true);
    expect(wantColour('always', {}, true, ['--events'])).toBe(false);
    expect(colourFlag(['a', '--no-color', 'b'])).toEqual({ mode: 'never', rest: ['a', 'b'] });
    expect(colourFlag(['--', '--color'])).toEqual({ mode: 'auto', rest: ['--', '--color'] });
    expect(colourLine('plain text')).toBe('plain text');
  });
});

describe('a facts file where a layout is expected', () => {
  it('explain, check and plan say what the file is and how a layout names it, instead of 74 syntax errors', () => {
    for (const cmd of ['explain', 'check', 'plan', 'fmt']) {
      const r = daxlayout([cmd, 'samples/linux-6.1.facts.json']);
      expect(r.code, cmd).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^daxlayout: samples\/linux-6\.1\.facts\.json is a host facts file \(daxlayout-facts\/1\)\. .*`host NAME \{ facts "linux-6\.1\.facts\.json" \}`/,
      );
    }
    expect(daxlayout(['explain', 'samples/linux-6.12.daxctl.json']).stderr).toMatch(/is `daxctl list` JSON/);
  });
});

describe('rule pages, offline', () => {
  it('check --json links each finding to its page as a file on this machine, and the text output says where the pages are', () => {
    const r = daxlayout(['check', 'samples/mistakes.dax', '--json']);
    const findings = JSON.parse(r.stdout) as { code: string; href: string }[];
    for (const f of findings) {
      expect(f.href).toMatch(/^file:\/\//);
      expect(existsSync(fileURLToPath(f.href)), f.href).toBe(true);
      expect(f.href.endsWith(`/docs/rules/${f.code}.md`)).toBe(true);
    }
    const text = daxlayout(['check', 'samples/mistakes.dax']).stdout;
    // run in the repository: the pages' path relative to it
    expect(text.trimEnd().split('\n').pop()).toBe('Rules: docs/rules/{DAX002,DAX010,DAX011,DAX020,DAX021}.md');
  });
});

describe('the shipped samples', () => {
  it('are formatted: fmt --check samples/*.dax passes', () => {
    const files = readdirSync(join(root, 'samples'))
      .filter((f) => f.endsWith('.dax'))
      .map((f) => `samples/${f}`);
    expect(files.length).toBeGreaterThan(5);
    const r = daxlayout(['fmt', '--check', ...files]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('quickstart.dax is valid and plans without a machine', () => {
    expect(daxlayout(['check', 'samples/quickstart.dax']).stdout).toBe(
      '1 file checked: 0 errors, 0 warnings, 0 info\n',
    );
    expect(daxlayout(['plan', 'samples/quickstart.dax']).code).toBe(0);
  });
});
