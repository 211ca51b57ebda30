// Files daxlayout replaces (the simulated host's facts file on apply, `facts -o`, `fmt`): written
// to a temporary file created exclusively under a random name beside them, then renamed. A
// symlink planted at a predictable temporary name, or at the file itself, is never followed.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempNameFor, writeFileAtomic } from '../../server/host/atomic';

const root = resolve(__dirname, '../..');
const bin = join(root, 'server/bin/daxlayout.cjs');

const dir = () => mkdtempSync(join(tmpdir(), 'daxlayout-atomic-'));

describe('writeFileAtomic', () => {
  it('temporary names are beside the file, hidden, and carry 128 random bits', () => {
    const names = new Set(Array.from({ length: 200 }, () => tempNameFor('/a/b/host.json')));
    expect(names.size).toBe(200);
    for (const n of names) {
      expect(dirname(n)).toBe('/a/b');
      expect(basename(n)).toMatch(/^\.host\.json\.[0-9a-f]{32}\.tmp$/);
    }
  });

  it('replaces a symlink at the destination instead of writing through it, and leaves no temporary file', () => {
    const d = dir();
    const victim = join(d, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(d, 'out.json'));
    writeFileAtomic(join(d, 'out.json'), 'new\n');
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(join(d, 'out.json')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(d, 'out.json'), 'utf8')).toBe('new\n');
    expect(readdirSync(d).sort()).toEqual(['out.json', 'victim']);
  });

  it('keeps the permission bits of the file it replaces', () => {
    const d = dir();
    const f = join(d, 'f');
    writeFileSync(f, 'a');
    chmodSync(f, 0o640);
    writeFileAtomic(f, 'b');
    expect(statSync(f).mode & 0o777).toBe(0o640);
    expect(readFileSync(f, 'utf8')).toBe('b');
  });

  it('a missing folder is an error, and nothing is left behind', () => {
    const d = dir();
    expect(() => writeFileAtomic(join(d, 'no', 'f'), 'x')).toThrow(/ENOENT/);
    expect(readdirSync(d)).toEqual([]);
  });
});

describe('apply --target sim:F', () => {
  it('follows no symlink planted at the old fixed temporary name F.daxlayout-tmp (nor any other)', () => {
    const d = dir();
    const host = join(d, 'host.json');
    copyFileSync(join(root, 'samples/linux-6.1.facts.json'), host);
    const victim = join(d, 'victim');
    writeFileSync(victim, 'owned by someone else\n');
    symlinkSync(victim, `${host}.daxlayout-tmp`);
    const r = spawnSync(process.execPath, [bin, 'apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--yes'], {
      cwd: root,
      encoding: 'utf8',
      input: '',
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('owned by someone else\n');
    expect(lstatSync(`${host}.daxlayout-tmp`).isSymbolicLink()).toBe(true);
    expect(lstatSync(host).isFile()).toBe(true);
    expect(readFileSync(host, 'utf8')).toMatch(/"name": "dax0\.3"/);
    // nothing else is left in the folder
    expect(readdirSync(d).sort()).toEqual(['host.json', 'host.json.daxlayout-tmp', 'victim']);
  }, 120_000);
});
