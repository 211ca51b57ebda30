// `daxlayout plan` and `apply` with a layout marked `persist` (docs/persist.md, "Apply
// contract"), through the CLI's commands with a fake transport (test/host/fake-host.ts: the
// host is the kernel model and keeps the installed artifacts) in place of ssh: the restorer is
// installed after the writes, never after a failed apply, only verified when it is up to date,
// removed when the layout drops `persist`; the step is in the text, --json and --events output.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mainAsync } from '../../server/cli/main';
import type { Io } from '../../server/cli/plan-apply';
import { readFacts } from '../../server/core/facts/read';
import type { HostFacts } from '../../server/core/host-facts';
import { PERSIST_PATHS } from '../../server/core/persist/artifacts';
import type { Transport } from '../../server/host/transport';
import { ModelHost, type ModelHostOptions } from '../host/fake-host';

const root = resolve(__dirname, '../..');
const plain = readFileSync(join(root, 'samples/hbm-lab.dax'), 'utf8').replace(/\n\s*facts "[^"]*"/, '');
const persisted = plain.replace('region 0 on lab61 {', 'region 0 on lab61 {\n  persist');
const facts61 = () =>
  readFacts(readFileSync(join(root, 'samples/linux-6.1.facts.json'), 'utf8'), 'x').facts as HostFacts;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A fake host and a function running `daxlayout CMD FILE ARGS` against it with the given layout text. */
function setup(o: ModelHostOptions = {}, facts: HostFacts = facts61()) {
  const h = ModelHost.fromFacts(facts, o);
  cleanups.push(() => h.close());
  const dir = mkdtempSync(join(tmpdir(), 'daxlayout-persist-cli-'));
  const run = async (
    cmd: 'plan' | 'apply',
    text: string,
    args: string[] = [],
    tty?: { tty: boolean; answer: string; asked: string[] },
  ) => {
    const file = join(dir, 'lab.dax');
    writeFileSync(file, text);
    let out = '';
    let err = '';
    const destinations: string[] = [];
    const io: Io = {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      isTTY: tty?.tty ?? false,
      ask: async (q) => {
        tty?.asked.push(q);
        return tty?.answer ?? '';
      },
      env: {},
      transport: (dest, port): Transport => {
        destinations.push(`${dest}:${port}`);
        // one transport per command, as ssh is (round trips counted from 0); the host stays
        const start = h.roundTrips;
        return {
          description: h.description,
          run: (program, options) => h.run(program, options),
          close: async () => {},
          get roundTrips() {
            return h.roundTrips - start;
          },
          connections: 1,
        };
      },
    };
    const before = h.programs.length;
    const code = await mainAsync(cmd, [file, ...args], io);
    const programs = h.programs.slice(before).map(
      (x) =>
        x
          .split('\n')
          .find((l) => l.startsWith('# daxlayout'))
          ?.replace(/ on lab61.*| \(.*/, '') ?? '?',
    );
    return { code, out, err, programs, destinations };
  };
  return { h, run, dir };
}

const CAPTURE = '# daxlayout facts capture';
const APPLY = '# daxlayout apply program';
const INSTALL = '# daxlayout: install the persist artifacts';
const VERIFY = '# daxlayout: verify the persist artifacts';
const REMOVE = '# daxlayout: remove the persist artifacts';

describe('apply with persist (fake transport)', () => {
  it('--json: the restorer is installed after the writes and verified; the JSON says so', async () => {
    const { h, run } = setup();
    const r = await run('apply', persisted, ['--yes', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.destinations).toEqual(['root@127.0.0.1:2222']);
    expect(r.programs).toEqual([CAPTURE, APPLY, CAPTURE, INSTALL]);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ result: 'applied', exitCode: 0, roundTrips: 4, verification: { ok: true } });
    expect(j.persist).toMatchObject({ action: 'installed', status: 'ok', present: [], problems: [] });
    expect(j.persist.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    // no device of hbm-lab sets owner/group/mode: no access rules file
    expect(j.persist.files.map((f: { path: string }) => f.path)).toEqual(
      Object.values(PERSIST_PATHS).filter((x) => x !== PERSIST_PATHS.access),
    );
    expect(j.persist.names).toContainEqual({
      label: 'weather',
      kernelName: 'dax0.0',
      path: '/dev/dax/by-label/weather',
    });
    expect(j.persist.checks.length).toBeGreaterThan(0);
    expect(j.persist.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(h.installed.size).toBe(5);
  });

  it('a second apply where everything matches: no writes, only the verify round trip', async () => {
    const { run } = setup();
    expect((await run('apply', persisted, ['--yes'])).code).toBe(0);
    const r = await run('apply', persisted, ['--yes', '--json']);
    expect(r.code).toBe(0);
    expect(r.programs).toEqual([CAPTURE, VERIFY]);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({
      result: 'no-changes',
      writesTotal: 0,
      roundTrips: 2,
      persist: { action: 'up-to-date', status: 'ok' },
    });
    const text = await run('apply', persisted, ['--yes']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(
      /No changes\. The host matches the layout\.\n\nPersistence: the boot-time restorer of region 0 \(daxlayout-restore\.service, \/dev\/dax\/by-label names\) is installed and up to date \(checksum sha256:[0-9a-f]{16}\)\.\n$/,
    );
    expect(text.programs).toEqual([CAPTURE, VERIFY]);
  });

  it('text: the plan says the restorer will be installed; apply reports the install after the writes', async () => {
    const { run } = setup();
    const plan = await run('plan', persisted);
    expect(plan.code).toBe(0);
    expect(plan.programs).toEqual([CAPTURE]);
    expect(plan.out).toMatch(
      /Plan: 3 devices to create, 1 to change, 0 to destroy\.\n\nPersistence: the boot-time restorer of region 0 .* will be installed \(5 files, checksum sha256:[0-9a-f]{16}\)\.\n$/,
    );
    const r = await run('apply', persisted, ['--yes']);
    expect(r.code).toBe(0);
    const installing = r.out.indexOf('Installing the restorer on lab61…');
    expect(installing).toBeGreaterThan(r.out.lastIndexOf('      ok    echo'));
    expect(r.out).toMatch(
      /  ok: the boot-time restorer of region 0 .* was installed and verified \(checksum sha256:[0-9a-f]{16}\)\n/,
    );
    expect(r.out).toMatch(/Apply complete and verified: 3 devices created, 1 changed, 0 destroyed\./);
    const again = await run('plan', persisted);
    expect(again.programs).toEqual([CAPTURE, VERIFY]);
    expect(again.out).toMatch(
      /No changes\. The host matches the layout\.\n\nPersistence: .* is installed and up to date/,
    );
  });

  it('--events: a persist event after the writes and the verify, and the done event carries the step', async () => {
    const { run } = setup();
    const r = await run('apply', persisted, ['--yes', '--events']);
    expect(r.code).toBe(0);
    const ev = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const kinds = ev.map((e) => (e.event === 'persist' ? `persist ${e.action} ${e.state}` : e.event));
    expect(kinds[0]).toBe('plan');
    expect(ev[0].persist).toMatchObject({ action: 'install' });
    // after every step: the host's verification, then the persist step, then done
    expect(kinds.lastIndexOf('step')).toBe(kinds.length - 5);
    expect(kinds.slice(-4)).toEqual(['verify', 'persist install running', 'persist installed ok', 'done']);
    expect(ev.at(-2).checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(ev.at(-1)).toMatchObject({ result: 'applied', exitCode: 0, persist: { action: 'installed', status: 'ok' } });
  });

  it('a failed apply installs nothing: the restorer is not touched, exit 1', async () => {
    const { h, run } = setup({ failAt: { index: 3, error: 'sh: write error: Invalid argument' } });
    const r = await run('apply', persisted, ['--yes', '--json']);
    expect(r.code).toBe(1);
    expect(r.programs).toEqual([CAPTURE, APPLY, CAPTURE]);
    const j = JSON.parse(r.out);
    expect(j.result).toBe('failed');
    expect(j.persist).toMatchObject({
      action: 'installed',
      status: 'not-run',
      message: 'the restorer was not touched: the apply did not complete',
    });
    expect(h.installed.size).toBe(0);
    const e = await run('apply', persisted, ['--yes', '--events']);
    expect(e.programs).not.toContain(INSTALL);
    expect(e.out).not.toContain('"event":"persist"');
  });

  it('a failed install makes the apply fail (exit 1) and says why', async () => {
    const { run } = setup({ installFails: true });
    const r = await run('apply', persisted, ['--yes', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({
      result: 'failed',
      exitCode: 1,
      verification: { ok: true },
      persist: { action: 'installed', status: 'failed' },
    });
    expect(j.message).toMatch(
      /^Apply complete and verified: .* But: installing the restorer failed: daxlayout-restore\.service: failed/,
    );
  });

  it('a changed file on the host: plan says it will be updated; apply (no writes) installs again', async () => {
    const { h, run } = setup();
    await run('apply', persisted, ['--yes']);
    h.installed.set(PERSIST_PATHS.rules, 'f'.repeat(64));
    const plan = await run('plan', persisted, ['--json']);
    expect(JSON.parse(plan.out).persist).toMatchObject({ action: 'update' });
    expect(JSON.parse(plan.out).persist.checks).toContainEqual({
      ok: false,
      text: `${PERSIST_PATHS.rules}: sha256 ${'f'.repeat(64)}, expected ${JSON.parse(plan.out).persist.files[3].sha256} (changed on the host?)`,
    });
    const r = await run('apply', persisted, ['--yes', '--json']);
    expect(r.programs).toEqual([CAPTURE, VERIFY, INSTALL]);
    expect(JSON.parse(r.out)).toMatchObject({
      result: 'no-changes',
      exitCode: 0,
      persist: { action: 'updated', status: 'ok' },
    });
  });

  it('dropping persist from the layout removes the artifacts; then a plain host costs one round trip again', async () => {
    const { h, run } = setup();
    await run('apply', persisted, ['--yes']);
    const plan = await run('plan', plain);
    expect(plan.programs).toEqual([CAPTURE]);
    expect(plan.out).toContain(
      'Persistence: the layout no longer persists (nor sets device access): the restorer and its files will be removed (5 file(s); the regions stay as they are until the next boot).',
    );
    const r = await run('apply', plain, ['--yes', '--json']);
    expect(r.code).toBe(0);
    expect(r.programs).toEqual([CAPTURE, REMOVE]);
    expect(JSON.parse(r.out)).toMatchObject({ result: 'no-changes', persist: { action: 'removed', status: 'ok' } });
    expect(h.installed.size).toBe(0);
    const again = await run('apply', plain, ['--yes', '--json']);
    expect(again.programs).toEqual([CAPTURE]);
    expect(JSON.parse(again.out)).toMatchObject({ result: 'no-changes', roundTrips: 1, persist: null });
  });

  it('a layout that never persisted: apply pays no extra round trip (3 with writes, 1 without)', async () => {
    const { run } = setup();
    const r = await run('apply', plain, ['--yes', '--json']);
    expect(r.programs).toEqual([CAPTURE, APPLY, CAPTURE]);
    expect(JSON.parse(r.out)).toMatchObject({ result: 'applied', roundTrips: 3, persist: null });
    expect((await run('apply', plain, ['--yes', '--json'])).programs).toEqual([CAPTURE]);
  });

  it('without --yes off a terminal an install alone is refused like writes are', async () => {
    const { h, run } = setup();
    await run('apply', plain, ['--yes']);
    const r = await run('apply', persisted);
    expect(r.code).toBe(2);
    expect(h.installed.size).toBe(0);
  });

  it('on a terminal, an install without writes is asked for: anything but yes installs nothing', async () => {
    const { h, run } = setup();
    await run('apply', plain, ['--yes']);
    const asked: string[] = [];
    const no = await run('apply', persisted, [], { tty: true, answer: 'no', asked });
    expect(no.code).toBe(3);
    expect(asked).toEqual(["\nDo you want to install the restorer on lab61? Only 'yes' will be accepted: "]);
    expect(no.programs).toEqual([CAPTURE]);
    expect(h.installed.size).toBe(0);
    const yes = await run('apply', persisted, [], { tty: true, answer: 'yes', asked });
    expect(yes.code).toBe(0);
    expect(yes.programs).toEqual([CAPTURE, INSTALL]);
    expect(h.installed.size).toBe(5);
  });
});

describe('persist on the simulated target', () => {
  it('apply does not fail: a note says the artifacts are not installed on a simulated host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlayout-persist-sim-'));
    const host = join(dir, 'h.json');
    copyFileSync(join(root, 'samples/linux-6.1.facts.json'), host);
    const file = join(dir, 'lab.dax');
    writeFileSync(file, persisted);
    let out = '';
    const io: Io = { out: (s) => void (out += s), err: () => {}, isTTY: false, ask: async () => '', env: {} };
    expect(await mainAsync('apply', [file, '--target', `sim:${host}`, '--yes'], io)).toBe(0);
    expect(out).toContain('Persistence: persistence artifacts are not installed on a simulated host (sim ');
    out = '';
    expect(await mainAsync('apply', [file, '--target', `sim:${host}`, '--yes', '--json'], io)).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ result: 'no-changes', persist: { action: 'sim', status: 'not-run' } });
  });
});

describe('a hostile kernel release on the host', () => {
  it('`$(…)`, backticks or quotes in the release the host reports: nothing runs, nothing is installed, the problem is named (exit 1)', async () => {
    for (const release of [
      '6.1.0-56-amd64$(touch daxlayout-pwned)',
      '6.1.0-56-amd64`reboot`',
      "6.1.0-56-amd64'; reboot; '",
    ]) {
      const { h, run } = setup({}, { ...facts61(), kernelRelease: release });
      const r = await run('apply', persisted, ['--yes']);
      expect(r.code, release).toBe(1);
      expect(r.err).toMatch(
        /no restorer can be made for lab61; nothing was run: kernel release ".*" cannot be written into the files apply installs/,
      );
      expect(r.programs).toEqual([CAPTURE]);
      expect(h.installed.size).toBe(0);
      const p = await run('plan', persisted);
      expect(p.code).toBe(1);
      expect(p.out).toMatch(
        /Persistence: no restorer can be made, so nothing will be installed \(1 problem\(s\)\)\n {2}error: kernel release /,
      );
    }
  });
});
