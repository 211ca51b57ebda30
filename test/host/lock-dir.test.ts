// The host-side lock and cancel requests live in a private directory (default
// /run/daxlayout-lock): made with mode 0700 by the user running the apply, or refused when what
// is there is a symlink, a file, another user's directory, or cannot be made. They never fall
// back to a predictable world-writable place such as /tmp. Real shells (dash, busybox sh) on a
// fake sysfs tree; the directory is the test's own.
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFacts } from '../../server/core/facts/read';
import type { HostFacts } from '../../server/core/host-facts';
import {
  applyProgram,
  cancelProgram,
  captureProgram,
  LOCK_DIR,
  parseProgramOutput,
  stateText,
} from '../../server/host/shell';
import { SAMPLES } from '../rules/harness';
import { runSh, SHELLS, startSh, tmp, writeTree } from './fake-host';

const W = [{ path: '/sys/bus/dax/devices/dax0.0/size', value: '0' }];

async function tree(shell: string) {
  const root = tmp('daxlayout-lockdir-');
  const r = readFacts(readFileSync(join(SAMPLES, 'linux-6.1.facts.json'), 'utf8'), 'x');
  writeTree(root, r.facts as HostFacts);
  const state = stateText((await runSh(shell, captureProgram(root))).stdout) ?? '';
  return { root, state, size: () => readFileSync(join(root, '/sys/bus/dax/devices/dax0.0/size'), 'utf8') };
}

describe('the default lock place', () => {
  it('is /run/daxlayout-lock, for the apply and the cancel program; /tmp appears in neither', () => {
    expect(LOCK_DIR).toBe('/run/daxlayout-lock');
    const apply = applyProgram(W, { expectedState: '', lockTimeoutS: 1 });
    const cancel = cancelProgram(4242);
    for (const p of [apply, cancel]) {
      expect(p).toContain("\nK='/run/daxlayout-lock'\n");
      expect(p).not.toMatch(/\/tmp|TMPDIR/);
    }
    expect(apply).toContain('L="$K/lock"');
    expect(apply).toContain('C="$K/cancel.$$"');
  });
});

describe.each(SHELLS)('the lock directory under %s', (shell) => {
  it('is made with mode 0700 when missing; the apply runs', async () => {
    const { root, state, size } = await tree(shell);
    const dir = join(root, 'lockdir');
    const r = await runSh(shell, applyProgram(W, { expectedState: state, lockTimeoutS: 1, root, lockDir: dir }));
    expect(r.code).toBe(0);
    expect(parseProgramOutput(r.stdout).done).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(size()).toBe('0\n');
  });

  it('an existing directory of ours that others can write is made private first', async () => {
    const { root, state } = await tree(shell);
    const dir = join(root, 'lockdir');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const r = await runSh(shell, applyProgram(W, { expectedState: state, lockTimeoutS: 1, root, lockDir: dir }));
    expect(r.code).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  for (const kind of ['a symlink to a directory', 'a dangling symlink', 'a file'] as const) {
    it(`${kind} where the directory should be: refused before any write (exit 3, lock-error)`, async () => {
      const { root, state, size } = await tree(shell);
      const dir = join(root, 'lockdir');
      const elsewhere = join(root, 'elsewhere');
      if (kind === 'a symlink to a directory') {
        mkdirSync(elsewhere, { mode: 0o700 });
        symlinkSync(elsewhere, dir);
      } else if (kind === 'a dangling symlink') symlinkSync(join(root, 'nothing'), dir);
      else writeFileSync(dir, '');
      const r = await runSh(shell, applyProgram(W, { expectedState: state, lockTimeoutS: 1, root, lockDir: dir }));
      const rep = parseProgramOutput(r.stdout);
      expect(r.code).toBe(3);
      expect(rep.lockError).toMatch(
        /^no safe place for the lock: .*lockdir is not a directory \(a symlink or a file is there; remove it\)$/,
      );
      expect(rep.outcomes).toEqual([]);
      expect(size()).toBe('2147483648\n');
      expect(existsSync(join(root, 'nothing'))).toBe(false);
      if (kind === 'a symlink to a directory') expect(existsSync(join(elsewhere, 'lock'))).toBe(false);
    });
  }

  it('a place that cannot be made (its parent is missing): refused, nothing written', async () => {
    const { root, state, size } = await tree(shell);
    const r = await runSh(
      shell,
      applyProgram(W, { expectedState: state, lockTimeoutS: 1, root, lockDir: join(root, 'no', 'such', 'lockdir') }),
    );
    expect(r.code).toBe(3);
    expect(parseProgramOutput(r.stdout).lockError).toMatch(
      /^no safe place for the lock: cannot create .*\/no\/such\/lockdir \(apply runs as root/,
    );
    expect(size()).toBe('2147483648\n');
  });

  it("another user's directory (as root: one owned by nobody): refused, nothing written", async () => {
    const { root, state, size } = await tree(shell);
    const dir = join(root, 'lockdir');
    mkdirSync(dir, { mode: 0o700 });
    const me = process.getuid?.() ?? 0;
    if (me === 0) chownSync(dir, 65534, 65534);
    const r = await runSh(shell, applyProgram(W, { expectedState: state, lockTimeoutS: 1, root, lockDir: dir }));
    if (me !== 0) {
      // an ordinary user cannot give a directory away: the test's own directory is accepted
      expect(r.code).toBe(0);
      return;
    }
    expect(r.code).toBe(3);
    expect(parseProgramOutput(r.stdout).lockError).toMatch(
      /^no safe place for the lock: .*lockdir belongs to uid 65534, not to uid 0 \(remove it\)$/,
    );
    expect(size()).toBe('2147483648\n');
  });

  it('a cancel request is made in the private directory without following a link planted at its name', async () => {
    const { root, state } = await tree(shell);
    const dir = join(root, 'lockdir');
    const victim = join(root, 'victim');
    writeFileSync(victim, 'precious\n');
    let pid = 0;
    let paused!: () => void;
    const isPaused = new Promise<void>((r) => (paused = r));
    const run = startSh(
      shell,
      applyProgram([...W, { path: '/sys/bus/dax/devices/dax0.0/align', value: '4096' }], {
        expectedState: state,
        lockTimeoutS: 1,
        root,
        lockDir: dir,
        pauseAfter: 1,
      }),
      {},
      (l) => {
        const m = /^@@ pid (\d+)$/.exec(l);
        if (m) pid = Number(m[1]);
        if (l.startsWith('@@ paused')) paused();
      },
    );
    await isPaused;
    symlinkSync(victim, join(dir, `cancel.${pid}`));
    await runSh(shell, cancelProgram(pid, { lockDir: dir }));
    // (the apply may already have taken the link for a request and removed it: either way the
    // victim is never written through it)
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    const r = await run.result;
    expect(parseProgramOutput(r.stdout).cancelledBefore).toBe(2);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(existsSync(join(dir, `cancel.${pid}`))).toBe(false);
  }, 30_000);

  it('the cancel program writes nothing into a lock place that is a symlink', async () => {
    const { root } = await tree(shell);
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, join(root, 'lockdir'));
    const c = await runSh(shell, cancelProgram(process.pid, { lockDir: join(root, 'lockdir') }));
    expect(c.stdout).toMatch(/@@ lock-error no safe place for the lock/);
    expect(c.stdout).not.toContain('@@ cancel requested');
    expect(existsSync(join(elsewhere, `cancel.${process.pid}`))).toBe(false);
  });
});
