// The CLI never prints a stack trace: bad flags, bad values and bad files are one line and exit
// 2; every command has usage text (`--help`, `-h`, `help COMMAND`: exit 0); an internal error is
// one line and exit 70 (its stack only with DAXLAYOUT_DEBUG=1); a reader that goes away
// (`apply --events | head -1`) is not an error. Through the built bin, as a user runs it.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const bin = join(root, 'server/bin/daxlayout.cjs');
const T = 120_000;

function daxlayout(args: string[], env: Record<string, string> = {}, cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, DAXLAYOUT_DEBUG: '', ...env },
    input: '',
    timeout: T,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** No stack frame, no Node internals, no raw parser text in what the user sees. */
function expectNoTrace(s: string): void {
  expect(s).not.toMatch(/^\s+at /m);
  expect(s).not.toMatch(/node:internal|ERR_PARSE_ARGS|TypeError|\.cjs:\d+/);
}

/** A usage error: exit 2, stdout empty, one `daxlayout: …` line and the pointer to --help. */
function expectUsage(r: ReturnType<typeof daxlayout>, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expectNoTrace(r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^daxlayout: /);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(/^Run `daxlayout (\w+ --help|help)` for usage\.$/);
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'daxlayout-errors-'));
}

function simHost(): string {
  const f = join(tmp(), 'host.json');
  copyFileSync(join(root, 'samples/linux-6.1.facts.json'), f);
  return f;
}

const COMMANDS = ['check', 'explain', 'fmt', 'sim', 'facts', 'plan', 'apply', 'verify', 'lsp'];

describe('usage text', () => {
  it(
    'every command: --help, -h and `help COMMAND` print its usage, examples and exit codes, and exit 0',
    () => {
      for (const c of COMMANDS) {
        const texts = [
          daxlayout([c, '--help']),
          daxlayout([c, '-h']),
          daxlayout(['help', c]),
          daxlayout([c, 'some-file.dax', '--frob', '--help']),
        ].map((r) => {
          expect(r.code, `${c}: ${r.stderr}`).toBe(0);
          expect(r.stderr).toBe('');
          return r.stdout;
        });
        for (const t of texts) expect(t).toBe(texts[0]);
        const u = texts[0] as string;
        expect(u).toMatch(new RegExp(`^Usage: daxlayout ${c}\\b`));
        expect(u).toMatch(/\nExamples:\n {2}daxlayout /);
        expect(u).toMatch(/\nExit codes:\n {2}0 /);
        expect(u).toMatch(/\n {2}2 +usage error/);
        expect(u).toMatch(/\n {2}70 +internal error/);
        // quotes and backquotes come in pairs (no half-quoted parser text)
        expect((u.match(/`/g) ?? []).length % 2).toBe(0);
      }
    },
    T,
  );

  it(
    'the overview names every command and how to get its usage; no command is exit 2 on stderr',
    () => {
      const r = daxlayout(['help']);
      expect(r.code).toBe(0);
      for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`daxlayout ${c}\\b`));
      expect(r.stdout).toContain('`daxlayout COMMAND --help`');
      expect(r.stdout).toContain('70 internal error');
      const none = daxlayout([]);
      expect(none.code).toBe(2);
      expect(none.stdout).toBe('');
      expect(none.stderr).toBe(r.stdout);
    },
    T,
  );

  it(
    'lsp: no transport is a usage error, not a silent exit 1',
    () => {
      expectUsage(daxlayout(['lsp']), /lsp needs a transport: --stdio/);
      expectUsage(daxlayout(['lsp', '--stdio', '--node-ipc']), /one transport/);
      expectUsage(
        daxlayout(['lsp', '--sdtio']),
        /unknown option `--sdtio` for `daxlayout lsp`; did you mean --stdio\?/,
      );
      expectUsage(daxlayout(['lsp', '--socket=http']), /--socket takes a whole number 1–65535, got `http`/);
    },
    T,
  );
});

describe('bad flags and values: one line, exit 2', () => {
  const host = simHost();
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command `frobnicate`; the commands are check, explain/],
    [['--json'], /unknown command `--json` \(options come after the command/],
    [['check', '--frob', 'samples/hbm-lab.dax'], /unknown option `--frob` for `daxlayout check`/],
    [['check', '--jsno', 'samples/hbm-lab.dax'], /did you mean --json\?/],
    [['check', '--json=yes', 'samples/hbm-lab.dax'], /--json is a switch: it takes no value/],
    [['check', 'samples/hbm-lab.dax', '-i'], /-i\/--inventory needs a value: -i\/--inventory INVENTORY/],
    [['check'], /check needs at least one FILE/],
    [['explain', 'samples/hbm-lab.dax', '--vm'], /--vm needs a value/],
    [['fmt', '-x', 'a.dax'], /unknown option `-x` for `daxlayout fmt`/],
    [
      ['sim', '--facts', 'samples/linux-6.1.facts.json', '--kernel', '', 'x.sh'],
      /--kernel needs a release, such as 6\.1\.0-56-amd64/,
    ],
    [
      ['sim', '--facts', 'samples/linux-6.1.facts.json', '--kernel', 'six', 'x.sh'],
      /--kernel `six` is not a kernel release/,
    ],
    [
      ['sim', '--facts', 'samples/linux-6.1.facts.json', '--region-start', '0=zz', 'x.sh'],
      /--region-start takes ID=ADDR/,
    ],
    [
      ['sim', '--facts', 'samples/linux-6.1.facts.json', '--facts', 'samples/linux-6.1.facts.json', 'x.sh'],
      /--facts is given twice/,
    ],
    [['facts', 'root@h', '--port', '99999'], /--port takes a whole number 1–65535, got `99999`/],
    [['facts', 'root@h', '--port'], /--port needs a value/],
    [['facts', '-oops'], /unknown option|needs|DEST/],
    [['facts', 'root@h', '--identity', '/nonexistent/key'], /--identity \/nonexistent\/key: no such file/],
    [['facts', '--program', '--from', 'x'], /--program and --from are two uses of facts: pick one/],
    [['plan', 'samples/hbm-lab.dax', '--host', '--json'], /--host needs a value, got the option `--json`/],
    [['plan', 'samples/hbm-lab.dax', 'samples/design.dax'], /plan takes one layout FILE, got 2/],
    [
      ['plan', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--yes'],
      /unknown option `--yes` for `daxlayout plan`/,
    ],
    [
      ['plan', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--ssh-config', '/nonexistent/cfg'],
      /--ssh-config \/nonexistent\/cfg: no such file/,
    ],
    [['plan', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--identity', ''], /--identity needs a FILE/],
    [
      ['apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--yes', '--lock-timeout', '-5'],
      /--lock-timeout takes a whole number 0–86400, got `-5`/,
    ],
    [
      ['apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--yes', '--lock-timeout', '1e3'],
      /--lock-timeout takes a whole number/,
    ],
    [
      ['plan', 'samples/hbm-lab.dax', '-i', 'test/fleet/fixtures/inventory.ini', '--forks', '0'],
      /--forks takes a whole number 1–256, got `0`/,
    ],
    [
      ['plan', 'samples/hbm-lab.dax', '-i', 'test/fleet/fixtures/inventory.ini', '--forks', 'many'],
      /--forks takes a whole number 1–256, got `many`/,
    ],
    [
      ['plan', 'samples/hbm-lab.dax', '-i', 'test/fleet/fixtures/inventory.ini', '--host', 'lab61'],
      /unknown option `--host` for `daxlayout plan`/,
    ],
    [['verify', '--prediction', 'samples/linux-6.1.facts.json'], /verify needs --prediction FILE and --capture DUMP/],
    [['help', 'plan', 'apply'], /help takes one COMMAND/],
    [['--version', 'x'], /takes nothing after it/],
  ];
  for (const [args, message] of cases) {
    it(`daxlayout ${args.join(' ')}`, () => expectUsage(daxlayout(args), message), T);
  }
});

describe('bad files: one line, exit 2', () => {
  const dir = tmp();
  const binary = join(dir, 'bin.dat');
  writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x0d, 0x0a, 0xe2, 0x80, 0xa8]));
  const host = simHost();
  const cases: [string, string[], RegExp][] = [
    [
      'check -i a binary file',
      ['check', 'test/fleet/fixtures/rack.dax', '-i', binary],
      /cannot read .*bin\.dat: not a text file \(a NUL byte at offset 7\)/,
    ],
    [
      'check -i a missing inventory',
      ['check', 'test/fleet/fixtures/rack.dax', '-i', join(dir, 'none.ini')],
      /cannot read .*none\.ini: no such file/,
    ],
    ['check a directory', ['check', dir], /cannot read .*: is a directory/],
    ['check a binary layout', ['check', binary], /not a text file/],
    [
      'plan --target sim:a missing file',
      ['plan', 'samples/hbm-lab.dax', '--target', `sim:${join(dir, 'missing.json')}`],
      /--target sim:.*missing\.json: cannot read .*: no such file/,
    ],
    [
      'verify --apply-output a missing file',
      [
        'verify',
        '--prediction',
        'samples/linux-6.1.facts.json',
        '--capture',
        'test/fixtures/facts/linux-6.1-boot.txt',
        '--apply-output',
        join(dir, 'nope'),
      ],
      /cannot read .*nope: no such file/,
    ],
    [
      'verify --capture a missing file',
      ['verify', '--prediction', 'samples/linux-6.1.facts.json', '--capture', join(dir, 'nope')],
      /cannot read .*nope: no such file/,
    ],
    [
      'verify --prediction not facts',
      ['verify', '--prediction', 'samples/hbm-lab.dax', '--capture', 'test/fixtures/facts/linux-6.1-boot.txt'],
      /not a facts file/,
    ],
    ['facts --from a missing dump', ['facts', '--from', join(dir, 'nope')], /cannot read .*nope: no such file/],
    [
      'facts --program -o into a missing folder',
      ['facts', '--program', '-o', join(dir, 'no/such/dir/capture.sh')],
      /cannot write .*capture\.sh: no such file/,
    ],
    [
      'sim --facts a missing file',
      ['sim', '--facts', join(dir, 'nope.json'), binary],
      /cannot read .*nope\.json: no such file/,
    ],
    [
      'sim SCRIPT a binary file',
      ['sim', '--facts', 'samples/linux-6.1.facts.json', binary],
      /cannot read .*bin\.dat: not a text file/,
    ],
    [
      'plan -i a binary inventory',
      ['plan', 'test/fleet/fixtures/rack.dax', '-i', binary],
      /cannot read .*bin\.dat: not a text file/,
    ],
    [
      'apply -i an inventory with a lone CR',
      ['apply', 'test/fleet/fixtures/rack.dax', '-i', join(dir, 'cr.ini'), '--yes'],
      /cr\.ini: line 2: column 6: a carriage return/,
    ],
    [
      'apply --target sim: a directory',
      ['apply', 'samples/hbm-lab.dax', '--target', `sim:${dir}`, '--yes'],
      /cannot read .*: is a directory/,
    ],
    [
      'plan --fingerprint on plan',
      ['plan', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--fingerprint', 'x'],
      /unknown option `--fingerprint` for `daxlayout plan`/,
    ],
  ];
  writeFileSync(join(dir, 'cr.ini'), '[rack1]\nhbm01\rhbm02\n');
  for (const [name, args, message] of cases) {
    it(name, () => expectUsage(daxlayout(args), message), T);
  }

  it(
    'an inventory with a lone CR or U+2028 in `check -i` is a warning with its line, never a crash (exit 0, not 3)',
    () => {
      for (const odd of ['\r', '\u2028']) {
        writeFileSync(join(dir, 'odd.ini'), `[rack1]\nhbm02${odd}hbm03\nhbm01\n`);
        const r = daxlayout(['check', 'test/fleet/fixtures/rack.dax', '-i', join(dir, 'odd.ini')]);
        expectNoTrace(r.stderr);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/warning: .*odd\.ini:2: column 6: .*\[DAX005\]/);
      }
    },
    T,
  );
});

describe('a simulated host whose folder is not writable', () => {
  it(
    'apply is refused before planning (exit 2), not an internal error when the state is written back',
    () => {
      const d = tmp();
      const host = join(d, 'h.json');
      copyFileSync(join(root, 'samples/linux-6.1.facts.json'), host);
      chmodSync(d, 0o555);
      chmodSync(host, 0o444);
      // as root every folder is writable: run as nobody (setpriv), or as the ordinary user we are
      const asRoot = process.getuid?.() === 0;
      const cmd = asRoot
        ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath]
        : [process.execPath];
      const r = spawnSync(
        cmd[0] as string,
        [...cmd.slice(1), bin, 'apply', join(root, 'samples/hbm-lab.dax'), '--target', `sim:${host}`, '--yes'],
        { cwd: d, encoding: 'utf8', input: '', timeout: T },
      );
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /^daxlayout: --target sim:.*h\.json: apply writes the new state back to .*h\.json, but its folder is not writable\n/,
      );
      expectNoTrace(r.stderr);
    },
    T,
  );
});

describe('internal errors: one line, exit 70', () => {
  for (const where of ['command', 'uncaught', 'rejection']) {
    it(
      `${where}: "daxlayout: internal error: … (please report)", the stack only with DAXLAYOUT_DEBUG=1`,
      () => {
        const r = daxlayout(['check', 'samples/hbm-lab.dax'], { DAXLAYOUT_TEST_CRASH: where });
        expect(r.code).toBe(70);
        expect(r.stderr).toMatch(/^daxlayout: internal error: simulated .* \(please report\)\n$/);
        expectNoTrace(r.stderr);
        const d = daxlayout(['check', 'samples/hbm-lab.dax'], { DAXLAYOUT_TEST_CRASH: where, DAXLAYOUT_DEBUG: '1' });
        expect(d.code).toBe(70);
        expect(d.stderr).toMatch(/^daxlayout: internal error: simulated .* \(please report\)\n/);
        expect(d.stderr).toMatch(/^\s+at /m);
      },
      T,
    );
  }
});

describe('a reader that goes away', () => {
  function run(closing: 'stdout' | 'stderr') {
    const host = simHost();
    const child = spawn(
      process.execPath,
      [bin, 'apply', 'samples/hbm-lab.dax', '--target', `sim:${host}`, '--yes', '--events'],
      {
        cwd: root,
        env: { ...process.env, DAXLAYOUT_DEBUG: '', DAXLAYOUT_TEST_PAUSE_AFTER: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    let closed = false;
    return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; host: string }>(
      (res) => {
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          // paused after its first write: the reader goes away, then the apply is cancelled and
          // reports (more events, and a line on stderr) into the closed pipe
          if (!closed && out.includes('"state":"running"')) {
            closed = true;
            if (closing === 'stdout') child.stdout.destroy();
            else child.stderr.destroy();
            setTimeout(() => child.kill('SIGINT'), 200);
          }
        });
        child.on('exit', (code, signal) => res({ code, signal, out, err, host }));
      },
    );
  }

  it(
    'apply --events | head -1: stdout closed mid-apply; no EPIPE trace, the apply reports its own exit code',
    async () => {
      const r = await run('stdout');
      expect(r.signal).toBeNull();
      expect(r.code).toBe(130);
      expectNoTrace(r.err);
      expect(r.err).not.toMatch(/EPIPE|internal error/);
      // the cancelled apply still wrote what ran (write 1) back to the simulated host
      expect(readFileSync(r.host, 'utf8')).not.toBe(readFileSync(join(root, 'samples/linux-6.1.facts.json'), 'utf8'));
    },
    T,
  );

  it(
    'stderr closed mid-apply: the same',
    async () => {
      const r = await run('stderr');
      expect(r.signal).toBeNull();
      expect(r.code).toBe(130);
      expect(r.out).toMatch(/"event":"done","result":"cancelled"/);
    },
    T,
  );
});
