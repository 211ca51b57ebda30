// The remote programs the apply sends over SSH (`sh -s`): valid sh, files written byte for byte
// with their modes, verify and remove naming every artifact, and parseChecks reading the result.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  installProgram,
  parseChecks,
  PERSIST_PATHS,
  persistArtifacts,
  removeProgram,
  sha256,
  verifyProgram,
} from '../../server/core/index';
import { layout } from './helpers';

const art = persistArtifacts(
  layout(
    '6.1',
    '  device weather { size 1G align 1G }\n  device spill { size 512M mode system-ram movable }\n  device rest { size rest }',
  ),
  'lab',
);

describe('remote programs', () => {
  it('are valid sh for dash and busybox', () => {
    for (const prog of [installProgram(art), verifyProgram(art), removeProgram()]) {
      for (const [cmd, args] of [
        ['dash', ['-n']],
        ['busybox', ['sh', '-n']],
      ] as const) {
        const r = spawnSync(cmd, [...args], { input: prog, encoding: 'utf8' });
        expect(r.stderr, cmd).toBe('');
        expect(r.status).toBe(0);
      }
    }
  });

  it('install writes every file byte for byte, with its mode', () => {
    const root = mkdtempSync(join(tmpdir(), 'daxlayout-install-'));
    try {
      let prog = installProgram(art);
      prog = prog.slice(0, prog.indexOf('systemctl daemon-reload')) + 'exit 0\n';
      for (const p of new Set([
        ...art.files.map((f) => f.path),
        ...art.files.map((f) => f.path.replace(/\/[^/]+$/, '')),
      ]))
        prog = prog.split(`'${p}`).join(`'${root}${p}`);
      const r = spawnSync('dash', [], { input: prog, encoding: 'utf8' });
      expect(r.stderr + r.stdout).toBe('');
      for (const f of art.files) {
        const got = readFileSync(join(root, f.path), 'utf8');
        expect(got).toBe(f.content);
        expect(sha256(got)).toBe(f.sha256);
        expect(statSync(join(root, f.path)).mode & 0o777).toBe(f.mode);
        const sum = spawnSync('sha256sum', [join(root, f.path)], { encoding: 'utf8' }).stdout.split(' ')[0];
        expect(sum).toBe(f.sha256);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('verify checks files, units, the last run and every stable name; remove names every file', () => {
    const v = verifyProgram(art);
    for (const f of art.files) expect(v).toContain(`file '${f.path}' ${f.mode.toString(8)} ${f.sha256}`);
    expect(v).toContain("systemctl is-enabled 'daxlayout-restore.service'");
    expect(v).toContain("systemctl is-enabled 'daxlayout.target'");
    expect(v).toContain("readlink -f '/dev/dax/by-label/weather'");
    expect(v).toContain("cat '/run/daxlayout/by-label/spill'");
    const rm = removeProgram();
    for (const p of Object.values(PERSIST_PATHS)) expect(rm).toContain(`'${p}'`);
  });

  it('parseChecks reads ok and bad lines', () => {
    expect(parseChecks('ok a\nok b\n')).toEqual({
      ok: true,
      checks: [
        { ok: true, text: 'a' },
        { ok: true, text: 'b' },
      ],
    });
    expect(parseChecks('ok a\nbad b: why\n').ok).toBe(false);
    expect(parseChecks('nothing\n').ok).toBe(false);
  });

  it('install refuses artifacts with problems or none', () => {
    expect(() => installProgram({ ...art, files: [], problems: ['x'] })).toThrow(/nothing to install/);
  });
});
