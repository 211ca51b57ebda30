// The remote programs run by real shells (dash and busybox sh) on a fake sysfs tree:
// the capture reads back the facts it was laid out from; the apply program takes the
// lock, checks the guard, writes exactly the values given, stops at the first failure,
// runs nothing when cut short, and two of them never interleave.
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFacts } from '../../server/core/facts/read';
import type { HostFacts } from '../../server/core/host-facts';
import { factsCanonical } from '../../server/core/explain/render-plan';
import { readCapture, unreadableNote } from '../../server/host/capture';
import { applyProgram, cancelProgram, captureProgram, parseProgramOutput, stateText } from '../../server/host/shell';
import { SAMPLES } from '../rules/harness';
import { hasCommand, runSh, SHELLS, startSh, tmp, writeTree } from './fake-host';

function sample(name: string): HostFacts {
  const r = readFacts(readFileSync(join(SAMPLES, name), 'utf8'), name);
  if (!r.facts) throw new Error(name);
  return r.facts;
}

async function treeFor(name: string, shell: string) {
  const root = tmp('daxlayout-tree-');
  writeTree(root, sample(name));
  const cap = await runSh(shell, captureProgram(root));
  return { root, cap, state: stateText(cap.stdout) ?? '' };
}

/** A PATH with busybox applets but no flock: forces the mkdir lock. */
function noFlockPath(): string {
  const bin = tmp('daxlayout-bin-');
  for (const a of ['mkdir', 'rm', 'mv', 'sleep', 'cat', 'uname', 'id', 'kill', 'ls', 'chmod'])
    symlinkSync('/usr/bin/busybox', join(bin, a));
  return bin;
}

describe.each(SHELLS)('capture program under %s', (shell) => {
  for (const name of ['linux-6.1.facts.json', 'linux-6.12.facts.json', 'linux-6.1-node1-online.facts.json']) {
    it(`reads back ${name}: every region, device, mapping, driver and dax memory block`, async () => {
      const { cap } = await treeFor(name, shell);
      expect(cap.code).toBe(0);
      const c = readCapture(cap.stdout, 'fake');
      expect(c.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(c.facts).toBeDefined();
      expect(factsCanonical(c.facts as HostFacts)).toBe(factsCanonical(sample(name)));
      expect(c.unreadable).toEqual([]);
      expect(c.uid).toBe(process.getuid?.());
    });
  }

  it('is deterministic: the state part is the same on every run', async () => {
    const { root, state } = await treeFor('linux-6.12.facts.json', shell);
    const again = stateText((await runSh(shell, captureProgram(root))).stdout);
    expect(again).toBe(state);
    expect(state).toMatch(
      /### memory blocks of node1\nmemory32: state=offline zones=Normal Movable removable=1 node=1/,
    );
  });

  it('as an ordinary user, reads what it can and says what it could not (root-only files)', async () => {
    if (process.getuid?.() !== 0 || !hasCommand('setpriv')) return;
    const { root } = await treeFor('linux-6.1.facts.json', shell);
    execFileSync('chmod', ['-R', 'a+rX', root]);
    let dir = root;
    while (dir !== '/') {
      chmodSync(dir, 0o755);
      dir = join(dir, '..');
      if (dir === tmpdir() || dir === '/tmp') break;
    }
    for (const f of ['mapping0/start', 'mapping0/end', 'mapping0/page_offset', 'resource'])
      chmodSync(join(root, '/sys/devices/platform/hmem.0/dax0.0', f), 0o400);
    const [cmd, ...rest] = shell.split(' ');
    const r = await runSh(
      `setpriv --reuid=65534 --regid=65534 --clear-groups ${cmd} ${rest.join(' ')}`.trim(),
      captureProgram(root),
    );
    const c = readCapture(r.stdout, 'fake');
    expect(c.uid).toBe(65534);
    expect(c.unreadable).toEqual(
      ['resource', 'mapping0/start', 'mapping0/end', 'mapping0/page_offset'].map(
        (f) => `/sys/devices/platform/hmem.0/dax0.0/${f}`,
      ),
    );
    expect(unreadableNote(c)).toMatch(
      /^4 file\(s\) could not be read as uid 65534 \(root-only\): mappingN\/\{start,end,page_offset\}, resource\./,
    );
    expect(c.facts).toBeUndefined();
    expect(c.problems.map((p) => p.message)).toContain(
      'dax0.0: its mappingN/start, end and page_offset (root-only) were not captured',
    );
  });
});

describe.each(SHELLS)('apply program under %s', (shell) => {
  const W = (path: string, value: string) => ({ path, value });

  it('writes exactly the values given, reports each write, and finishes', async () => {
    const { root, state } = await treeFor('linux-6.1.facts.json', shell);
    const writes = [
      W('/sys/bus/dax/drivers/device_dax/unbind', 'dax0.0'),
      W('/sys/bus/dax/devices/dax0.0/size', '1073741824'),
      W('/sys/devices/platform/hmem.0/dax_region/create', '1'),
    ];
    const lock = join(root, 'lock');
    const r = await runSh(shell, applyProgram(writes, { expectedState: state, lockTimeoutS: 1, root, lockDir: lock }));
    const rep = parseProgramOutput(r.stdout);
    expect(r.code).toBe(0);
    expect(rep.guard).toBe('ok');
    expect(rep.outcomes).toEqual([1, 2, 3].map((index) => ({ index, ok: true })));
    expect(rep.done).toBe(true);
    expect(readFileSync(join(root, '/sys/bus/dax/devices/dax0.0/size'), 'utf8')).toBe('1073741824\n');
    expect(readFileSync(join(root, '/sys/bus/dax/drivers/device_dax/unbind'), 'utf8')).toBe('dax0.0\n');
  });

  // A CXL region's bind: 7.3 probes its dax device after the write returns (docs/cxl.md); the
  // program waits for the device, its driver and its memory blocks before the next write.
  const BIND = '/sys/bus/cxl/drivers/cxl_region/bind';
  const settle = (over: object = {}) => ({
    device: 'dax0.0',
    driver: 'kmem' as const,
    blocks: { first: 32, last: 47 },
    timeoutS: 30,
    ...over,
  });

  it('after a write with a settle, goes on once the device is bound and its memory blocks exist', async () => {
    const { root, state } = await treeFor('linux-6.12.facts.json', shell);
    mkdirSync(join(root, '/sys/bus/cxl/drivers/cxl_region'), { recursive: true });
    const writes = [{ ...W(BIND, 'region0'), settle: settle() }, W('/sys/bus/dax/drivers/kmem/unbind', 'dax0.0')];
    const r = await runSh(
      shell,
      applyProgram(writes, { expectedState: state, lockTimeoutS: 1, root, lockDir: join(root, 'lock') }),
    );
    const rep = parseProgramOutput(r.stdout);
    expect(rep.outcomes).toEqual([1, 2].map((index) => ({ index, ok: true })));
    expect(rep.done).toBe(true);
  });

  it('waits for a device that appears after the write returned', async () => {
    const { root, state } = await treeFor('linux-6.12.facts.json', shell);
    mkdirSync(join(root, '/sys/bus/cxl/drivers/cxl_region'), { recursive: true });
    // the kmem binding is not there yet: it appears while the program waits
    const link = join(root, '/sys/bus/dax/drivers/kmem/dax0.0');
    rmSync(link);
    const writes = [{ ...W(BIND, 'region0'), settle: settle() }, W('/sys/bus/dax/drivers/kmem/unbind', 'dax0.0')];
    const running = runSh(
      shell,
      applyProgram(writes, { expectedState: state, lockTimeoutS: 1, root, lockDir: join(root, 'lock') }),
    );
    // once the bind is written, the program waits: the write after it has not run
    const bound = () => existsSync(join(root, BIND)) && readFileSync(join(root, BIND), 'utf8') === 'region0\n';
    for (let i = 0; i < 1200 && !bound(); i++) await new Promise((res) => setTimeout(res, 50));
    expect(readFileSync(join(root, BIND), 'utf8')).toBe('region0\n');
    expect(readFileSync(join(root, '/sys/bus/dax/drivers/kmem/unbind'), 'utf8')).toBe('');
    symlinkSync(join(root, '/sys/bus/dax/devices/dax0.0'), link);
    const rep = parseProgramOutput((await running).stdout);
    expect(rep.outcomes).toEqual([1, 2].map((index) => ({ index, ok: true })));
    expect(readFileSync(join(root, '/sys/bus/dax/drivers/kmem/unbind'), 'utf8')).toBe('dax0.0\n');
  });

  it('fails the write, with what it waited for, when the device does not settle in time', async () => {
    const { root, state } = await treeFor('linux-6.12.facts.json', shell);
    mkdirSync(join(root, '/sys/bus/cxl/drivers/cxl_region'), { recursive: true });
    // memory block 48 does not exist: the wait cannot end
    const writes = [
      { ...W(BIND, 'region0'), settle: settle({ blocks: { first: 32, last: 48 }, timeoutS: 1 }) },
      W('/sys/bus/dax/drivers/kmem/unbind', 'dax0.0'),
    ];
    const r = await runSh(
      shell,
      applyProgram(writes, { expectedState: state, lockTimeoutS: 1, root, lockDir: join(root, 'lock') }),
    );
    const rep = parseProgramOutput(r.stdout);
    expect(r.code).toBe(1);
    expect(rep.outcomes).toEqual([
      { index: 1, ok: true },
      {
        index: 1,
        ok: false,
        error: 'timed out waiting until dax0.0 bound to kmem, memory32-memory48 added (up to 1 s)',
      },
    ]);
    expect(readFileSync(join(root, '/sys/bus/dax/drivers/kmem/unbind'), 'utf8')).toBe('');
  });

  it('stops at the first failure and says which write failed and why', async () => {
    const { root, state } = await treeFor('linux-6.1.facts.json', shell);
    rmSync(join(root, '/sys/bus/dax/drivers/kmem/new_id'));
    mkdirSync(join(root, '/sys/bus/dax/drivers/kmem/new_id')); // writing to it fails: EISDIR
    const writes = [
      W('/sys/bus/dax/devices/dax0.0/size', '0'),
      W('/sys/bus/dax/drivers/kmem/new_id', 'dax0.0'),
      W('/sys/bus/dax/devices/dax0.0/align', '4096'),
    ];
    const r = await runSh(
      shell,
      applyProgram(writes, { expectedState: state, lockTimeoutS: 1, root, lockDir: join(root, 'lock') }),
    );
    const rep = parseProgramOutput(r.stdout);
    expect(r.code).toBe(1);
    expect(rep.outcomes.map((o) => [o.index, o.ok])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(rep.outcomes[1]?.error).toMatch(/directory/i);
    expect(rep.done).toBe(false);
    expect(readFileSync(join(root, '/sys/bus/dax/devices/dax0.0/align'), 'utf8')).toBe('2097152\n');
  });

  it('refuses when the host changed since the plan, and says what changed', async () => {
    const { root, state } = await treeFor('linux-6.1.facts.json', shell);
    const writes = [W('/sys/bus/dax/devices/dax0.0/size', '0')];
    const changed = state.replace(
      '### /sys/devices/platform/hmem.0/dax0.0/size\n2147483648',
      '### /sys/devices/platform/hmem.0/dax0.0/size\n1073741824',
    );
    expect(changed).not.toBe(state);
    const r = await runSh(
      shell,
      applyProgram(writes, { expectedState: changed, lockTimeoutS: 1, root, lockDir: join(root, 'lock') }),
    );
    const rep = parseProgramOutput(r.stdout);
    expect(r.code).toBe(3);
    expect(rep.guard).toBe('changed');
    expect(rep.outcomes).toEqual([]);
    expect(rep.changedState).toBe(state);
    expect(readFileSync(join(root, '/sys/bus/dax/devices/dax0.0/size'), 'utf8')).toBe('2147483648\n');
  });

  it('runs nothing when the program is cut short in transit', async () => {
    const { root, state } = await treeFor('linux-6.1.facts.json', shell);
    const p = applyProgram([W('/sys/bus/dax/devices/dax0.0/size', '0')], {
      expectedState: state,
      lockTimeoutS: 1,
      root,
      lockDir: join(root, 'lock'),
    });
    for (const cut of [p.length - 6, Math.floor(p.length / 2), p.indexOf("w 1 '") + 20]) {
      const r = await runSh(shell, p.slice(0, cut));
      expect(r.stdout).not.toMatch(/@@ step/);
      expect(readFileSync(join(root, '/sys/bus/dax/devices/dax0.0/size'), 'utf8')).toBe('2147483648\n');
    }
  });

  it('a cancel stops the program before its next write', async () => {
    const { root, state } = await treeFor('linux-6.1.facts.json', shell);
    const lock = join(root, 'lock');
    const writes = [W('/sys/bus/dax/devices/dax0.0/size', '0'), W('/sys/bus/dax/devices/dax0.0/align', '4096')];
    let pid = 0;
    let paused!: () => void;
    const isPaused = new Promise<void>((r) => (paused = r));
    const run = runSh(
      shell,
      applyProgram(writes, { expectedState: state, lockTimeoutS: 1, root, lockDir: lock, pauseAfter: 1 }),
      {},
      (l) => {
        const m = /^@@ pid (\d+)$/.exec(l);
        if (m) pid = Number(m[1]);
        if (l.startsWith('@@ paused')) paused();
      },
    );
    await isPaused;
    expect(pid).toBeGreaterThan(1);
    const c = await runSh(shell, cancelProgram(pid, { lockDir: lock }));
    expect(c.stdout).toBe('@@ cancel requested\n');
    const r = await run;
    const rep = parseProgramOutput(r.stdout);
    expect(r.code).toBe(5);
    expect(rep.cancelledBefore).toBe(2);
    expect(rep.outcomes).toEqual([{ index: 1, ok: true }]);
    expect(readFileSync(join(root, '/sys/bus/dax/devices/dax0.0/align'), 'utf8')).toBe('2097152\n');
    expect(existsSync(join(lock, `cancel.${pid}`))).toBe(false);
  }, 90_000);

  for (const mode of ['flock', 'mkdir'] as const) {
    it(`a second apply waits for the lock (${mode}), then refuses; never interleaves`, async () => {
      if (mode === 'flock' && !hasCommand('flock')) return;
      const { root, state } = await treeFor('linux-6.1.facts.json', shell);
      const env: Record<string, string> = mode === 'mkdir' ? { PATH: noFlockPath() } : {};
      const lock = join(root, 'lock');
      const writes = [W('/sys/bus/dax/devices/dax0.0/size', '0'), W('/sys/bus/dax/devices/dax0.0/align', '4096')];
      let paused!: () => void;
      const isPaused = new Promise<void>((r) => (paused = r));
      const first = startSh(
        shell,
        applyProgram(writes, { expectedState: state, lockTimeoutS: 1, root, lockDir: lock, pauseAfter: 1 }),
        env,
        (l) => {
          if (l.startsWith('@@ paused')) paused();
        },
      );
      await isPaused;
      const t0 = Date.now();
      const second = await runSh(
        shell,
        applyProgram(writes, { expectedState: state, lockTimeoutS: 1, root, lockDir: lock }),
        env,
      );
      const rep = parseProgramOutput(second.stdout);
      expect(second.code).toBe(3);
      expect(rep.lockWaited).toBe(true);
      expect(rep.lockBusy).toBeDefined();
      expect(rep.outcomes).toEqual([]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
      expect(rep.lock).toBeUndefined();
      // the paused apply is stopped by its (test) hook: kill its shell, as a dropped connection would end it
      first.child.kill('SIGKILL');
      await first.result;
      // the lock is free again (a dead holder's mkdir lock is taken over)
      const third = await runSh(
        shell,
        applyProgram([], {
          expectedState: stateText((await runSh(shell, captureProgram(root))).stdout) ?? '',
          lockTimeoutS: 3,
          root,
          lockDir: lock,
        }),
        env,
      );
      const rep3 = parseProgramOutput(third.stdout);
      expect(rep3.lock).toBe(mode);
      expect(rep3.done).toBe(true);
      if (mode === 'mkdir') expect(existsSync(join(lock, 'lock.d'))).toBe(false);
    }, 90_000);
  }
});
