// Files saved with a byte-order mark, through the built CLI: a layout (check, fmt, explain), the
// facts file it names, an inventory (-i) and a capture dump (facts --from).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const bin = join(root, 'server/bin/daxlayout.cjs');
const BOM = '\uFEFF';

function daxlayout(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'daxlayout-bom-'));
  writeFileSync(
    join(d, 'linux-6.1.facts.json'),
    BOM + readFileSync(join(root, 'samples/linux-6.1.facts.json'), 'utf8'),
  );
  writeFileSync(join(d, 'lab.dax'), BOM + readFileSync(join(root, 'samples/hbm-lab.dax'), 'utf8'));
  return d;
}

describe('a byte-order mark at the start of a file', () => {
  it('check and explain read the layout and its facts file as without it', () => {
    const d = dir();
    const r = daxlayout(['check', join(d, 'lab.dax')]);
    expect(r.stdout).toMatch(/1 file checked: 0 errors, 0 warnings/);
    expect(r.code).toBe(0);
    const e = daxlayout(['explain', join(d, 'lab.dax')]);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/weather\s+dax0\.0\s+1 GiB/);
  }, 120_000);

  it('columns of the first line do not count the mark', () => {
    const d = mkdtempSync(join(tmpdir(), 'daxlayout-bom-'));
    writeFileSync(join(d, 'x.dax'), `${BOM}host a { kernel "6.1.0" size 3 }\n`);
    const r = daxlayout(['check', '--json', join(d, 'x.dax')]);
    const f = (JSON.parse(r.stdout) as { line: number; column: number; code: string }[]).find(
      (x) => x.code !== 'DAX007',
    );
    // `size` is at column 25 as an editor shows the line (offset 25: the mark counts in offsets)
    expect(f).toMatchObject({ line: 1, column: 25, endColumn: 29 });
  }, 120_000);

  it('fmt keeps the mark; fmt --check finds nothing to change in a formatted file with one', () => {
    const d = dir();
    const before = readFileSync(join(d, 'lab.dax'), 'utf8');
    expect(daxlayout(['fmt', '--check', join(d, 'lab.dax')]).code).toBe(0);
    writeFileSync(join(d, 'messy.dax'), `${BOM}host   lab {\n facts "linux-6.1.facts.json"\n}\n`);
    expect(daxlayout(['fmt', join(d, 'messy.dax')]).code).toBe(0);
    expect(readFileSync(join(d, 'messy.dax'), 'utf8')).toBe(`${BOM}host lab {\n  facts "linux-6.1.facts.json"\n}\n`);
    expect(readFileSync(join(d, 'lab.dax'), 'utf8')).toBe(before);
  }, 120_000);

  it('an inventory (-i) and a capture dump (facts --from)', () => {
    const d = mkdtempSync(join(tmpdir(), 'daxlayout-bom-'));
    for (const f of ['rack.dax', 'facts/hbm01.json', 'facts/hbm02.json', 'facts/hbm03.json']) {
      spawnSync('mkdir', ['-p', join(d, 'facts')]);
      copyFileSync(join(root, 'test/fleet/fixtures', f), join(d, f));
    }
    writeFileSync(join(d, 'inv.ini'), BOM + readFileSync(join(root, 'test/fleet/fixtures/inventory.ini'), 'utf8'));
    const plain = daxlayout(['check', join(d, 'rack.dax'), '-i', join(root, 'test/fleet/fixtures/inventory.ini')]);
    const bom = daxlayout(['check', join(d, 'rack.dax'), '-i', join(d, 'inv.ini')]);
    expect(bom.code).toBe(plain.code);
    expect(
      bom.stdout
        .replaceAll(d, 'D')
        .replaceAll(join(root, 'test/fleet/fixtures'), 'D')
        .replace('inv.ini', 'inventory.ini'),
    ).toBe(plain.stdout.replaceAll(d, 'D').replaceAll(join(root, 'test/fleet/fixtures'), 'D'));
    writeFileSync(
      join(d, 'dump.txt'),
      BOM + readFileSync(join(root, 'test/fixtures/facts/linux-6.1-boot.txt'), 'utf8'),
    );
    const withBom = daxlayout(['facts', '--from', join(d, 'dump.txt')]);
    const without = daxlayout(['facts', '--from', join(root, 'test/fixtures/facts/linux-6.1-boot.txt')]);
    expect(withBom.code).toBe(0);
    expect(withBom.stdout.replace(/"source": ".*"/, '')).toBe(without.stdout.replace(/"source": ".*"/, ''));
  }, 120_000);
});
