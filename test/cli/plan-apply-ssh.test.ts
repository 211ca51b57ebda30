// plan / apply / facts over SSH through the built bin, with a fake `ssh` first on PATH that
// logs its argv: host keys are always checked (an unknown or changed key is refused with
// exit 3 and a message saying how to add it), the connection is one multiplexed master in a
// private directory, options come from the layout and flags only, and a layout with shell
// metacharacters is rejected before ssh ever runs.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const bin = join(root, 'server/bin/daxlayout.cjs');

const FAKE_SSH = `#!/bin/sh
# fake ssh: logs argv (one line per call, NUL-free), then behaves as FAKE_SSH_MODE says
printf '%s\\n' "$*" >> "$FAKE_SSH_LOG"
case "$FAKE_SSH_MODE" in
  unknown-key)
    echo 'No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.' >&2
    echo 'Host key verification failed.' >&2
    exit 255 ;;
  changed-key)
    cat >&2 <<'EOF'
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
The fingerprint for the ED25519 key sent by the remote host is
SHA256:Qm9ndXNLZXlGaW5nZXJwcmludEZvclRlc3RzMTIzNDU2Nzg.
Host key for [127.0.0.1]:2222 has changed and you have requested strict checking.
Host key verification failed.
EOF
    exit 255 ;;
  refused)
    echo 'ssh: connect to host 127.0.0.1 port 2222: Connection refused' >&2
    exit 255 ;;
esac
exit 255
`;

function fakeSsh(mode: string) {
  const dir = mkdtempSync(join(tmpdir(), 'daxlayout-fakessh-'));
  writeFileSync(join(dir, 'ssh'), FAKE_SSH);
  chmodSync(join(dir, 'ssh'), 0o755);
  const log = join(dir, 'log');
  writeFileSync(log, '');
  return { dir, log, env: { PATH: `${dir}:${process.env.PATH}`, FAKE_SSH_MODE: mode, FAKE_SSH_LOG: log } };
}

function daxlayout(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    input: '',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function layout(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'daxlayout-l-')), 'l.dax');
  writeFileSync(f, text);
  return f;
}

describe('over ssh (fake ssh)', () => {
  it('an unknown host key is refused with exit 3 and how to add it; ssh got safe options only', () => {
    const s = fakeSsh('unknown-key');
    const kh = join(tmpdir(), 'daxlayout-kh-unused');
    const r = daxlayout(['plan', 'samples/hbm-lab.dax', '--known-hosts', kh], s.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`refused: the host key of root@127.0.0.1 port 2222 is not known (not in ${kh})`);
    expect(r.stderr).toContain(`ssh-keyscan -p 2222 127.0.0.1 >> ${kh}`);
    const calls = readFileSync(s.log, 'utf8').trim().split('\n');
    expect(calls).toHaveLength(1);
    const argv = calls[0] as string;
    for (const o of [
      '-p 2222',
      `-o UserKnownHostsFile=${kh}`,
      '-o BatchMode=yes',
      '-o StrictHostKeyChecking=yes',
      '-o ControlMaster=yes',
      '-o ControlPersist=60',
      '-f -N -- root@127.0.0.1',
    ])
      expect(argv).toContain(o);
    expect(argv).not.toMatch(/StrictHostKeyChecking=(no|accept-new|off)/i);
    const cp = /ControlPath=(\S+)/.exec(argv)?.[1] as string;
    expect(cp).toMatch(/daxlayout-ssh-\w+\/cm$/);
    expect(existsSync(resolve(cp, '..'))).toBe(false); // the private directory is removed
    const j = daxlayout(['plan', 'samples/hbm-lab.dax', '--json'], s.env);
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout)).toMatchObject({ host: 'lab61', result: 'refused', exitCode: 3, error: 'host-key' });
  });

  it('a changed host key is refused with exit 3, naming the new fingerprint and how to replace the old key', () => {
    const s = fakeSsh('changed-key');
    for (const cmd of [
      ['apply', 'samples/hbm-lab.dax', '--yes'],
      ['facts', 'root@127.0.0.1', '--port', '2222'],
    ]) {
      const r = daxlayout(cmd, s.env);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /host key of root@127\.0\.0\.1 port 2222 has CHANGED .*SHA256:Qm9ndXNLZXlGaW5nZXJwcmludEZvclRlc3RzMTIzNDU2Nzg/,
      );
      expect(r.stderr).toContain("ssh-keygen -R '[127.0.0.1]:2222'");
    }
  });

  it('a host that cannot be reached is a failure (exit 1), not a refusal', () => {
    const s = fakeSsh('refused');
    const r = daxlayout(['plan', 'samples/hbm-lab.dax'], s.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /cannot connect to root@127\.0\.0\.1 port 2222: ssh: connect to host 127\.0\.0\.1 port 2222: Connection refused/,
    );
  });

  it('a destination with shell metacharacters, or a layout that does not parse, is rejected before ssh runs', () => {
    const s = fakeSsh('unknown-key');
    for (const dest of ['root@lab;reboot', 'root@$(id)', '`id`', 'root@lab|x', "o'neil@lab", 'lab&']) {
      const r = daxlayout(
        [
          'apply',
          layout(`host h {\n  ssh ${JSON.stringify(dest)}\n}\nregion 0 on h {\n  device a { size 1G }\n}\n`),
          '--yes',
        ],
        s.env,
      );
      expect(r.code, dest).toBe(2);
      expect(r.stderr).toMatch(/the SSH destination .* is not \[user@\]host/);
    }
    const bad = daxlayout(
      ['apply', layout('host h {\n  ssh "root@lab"\n}\nregion 0 on h {\n  device we$ather { size 1G }\n}\n'), '--yes'],
      s.env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/has errors; nothing was run/);
    expect(daxlayout(['facts', '-oProxyCommand=id'], s.env).code).toBe(2);
    expect(daxlayout(['facts', 'root@lab', '--port', '70000'], s.env).code).toBe(2);
    expect(readFileSync(s.log, 'utf8')).toBe('');
  });
});
