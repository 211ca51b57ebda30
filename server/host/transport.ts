// The SSH transport: the system OpenSSH client, so ~/.ssh/config aliases,
// agents, ProxyJump and known_hosts all work. One multiplexed connection per
// use (ControlMaster in a private temp dir, closed by close()); every program
// is fed to `sh -s` on stdin. Arguments are always an argv array; no user text
// ever reaches a local shell. Host keys are always checked.

import type * as ChildProcess from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** node:child_process, loaded on first use: a command that never runs ssh (`check`) does not pay for it. */
let childProcessModule: typeof ChildProcess | undefined;
const childProcess = (): typeof ChildProcess =>
  (childProcessModule ??= require('node:child_process') as typeof ChildProcess);

export interface RemoteResult {
  /** Exit status of the remote program (255: ssh itself failed). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Called with each complete line of stdout as it arrives. */
  readonly onLine?: (line: string) => void;
  readonly timeoutMs?: number;
}

/** Something that runs a POSIX sh program on a host: one call is one round trip. */
export interface Transport {
  /** `root@db1 port 2222` */
  readonly description: string;
  run(program: string, options?: RunOptions): Promise<RemoteResult>;
  close(): Promise<void>;
  /** Programs run so far (SSH round trips). */
  readonly roundTrips: number;
  /** SSH connections opened so far. */
  readonly connections: number;
}

/** ssh refused the host key (unknown or changed): exit 3, with how to fix it. */
export class HostKeyError extends Error {}
/** ssh could not connect or log in. */
export class ConnectError extends Error {}

export interface SshOptions {
  readonly destination: string;
  readonly port?: number;
  /** `-o UserKnownHostsFile=FILE`. */
  readonly knownHosts?: string;
  /** `-i FILE -o IdentitiesOnly=yes`. */
  readonly identity?: string;
  /** `-F FILE`. */
  readonly config?: string;
  /** The ssh program (tests). */
  readonly ssh?: string;
  readonly connectTimeoutS?: number;
}

// user@host, an ssh config alias, an IPv4/IPv6 literal (bracketed or not).
const DEST =
  /^(?:[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}@)?(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}|\[[0-9A-Fa-f:.]{2,45}\]|[0-9A-Fa-f:.]{2,45})$/;
const FILE_ARG = /^[^\0-\x1f\x7f]+$/;

/** Why an SSH destination is refused, or undefined when it is fine to pass to ssh. */
export function destinationProblem(dest: string): string | undefined {
  if (dest === '') return 'the SSH destination is empty';
  if (dest.startsWith('-')) return `the SSH destination \`${dest}\` starts with \`-\` (ssh would read it as an option)`;
  if (/[\s\0-\x1f\x7f]/.test(dest))
    return `the SSH destination \`${JSON.stringify(dest).slice(1, -1)}\` contains whitespace or control characters`;
  if (!DEST.test(dest))
    return `the SSH destination \`${dest}\` is not [user@]host (letters, digits, \`._+-\`, an IP address)`;
  return undefined;
}

export function portProblem(port: number): string | undefined {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : `port ${port} is not a TCP port (1–65535)`;
}

/** The message for a refused host key: what happened and how to add the key. */
export function hostKeyMessage(o: { destination: string; port?: number; knownHosts?: string }, stderr: string): string {
  const changed = /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed|key for .* differs/i.test(stderr);
  const host = o.destination.replace(/^[^@]*@/, '');
  const hostArg = o.port && o.port !== 22 ? `-p ${o.port} ` : '';
  const file = o.knownHosts ?? '~/.ssh/known_hosts';
  const fp = /(SHA256:[A-Za-z0-9+/=]+)/.exec(stderr)?.[1];
  const first = changed
    ? `the host key of ${o.destination}${o.port ? ` port ${o.port}` : ''} has CHANGED since it was added to ${file}${fp ? ` (it now offers ${fp})` : ''}. This may be a reinstalled host, or someone intercepting the connection. daxlayout never ignores host keys.`
    : `the host key of ${o.destination}${o.port ? ` port ${o.port}` : ''} is not known (not in ${file}${fp ? `; it offers ${fp}` : ''}). daxlayout checks host keys and never adds them by itself.`;
  const fix = changed
    ? `If the change is expected, remove the old key with \`ssh-keygen -R ${o.port && o.port !== 22 ? `'[${host}]:${o.port}'` : host}${o.knownHosts ? ` -f ${o.knownHosts}` : ''}\`, then add the new one as below.`
    : '';
  const add = `To add the key, check its fingerprint with the host's administrator (on the host: \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\`), then either log in once with \`ssh ${hostArg}${o.destination}\` and accept it, or run \`ssh-keyscan ${hostArg}${host} >> ${file}\`.`;
  return [first, fix, add].filter((x) => x).join('\n');
}

const HOST_KEY =
  /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known for|host key for .* has changed|Host key for .* has changed/i;

export class SshTransport implements Transport {
  readonly description: string;
  private dir: string | undefined;
  private rt = 0;
  private conns = 0;
  private readonly children = new Set<ChildProcess.ChildProcess>();

  constructor(private readonly o: SshOptions) {
    const p = destinationProblem(o.destination);
    if (p) throw new Error(p);
    if (o.port !== undefined && portProblem(o.port)) throw new Error(portProblem(o.port));
    for (const f of [o.knownHosts, o.identity, o.config]) {
      if (f !== undefined && (!FILE_ARG.test(f) || f.startsWith('-')))
        throw new Error(`file argument \`${f}\` is not usable`);
    }
    this.description = `${o.destination}${o.port ? ` port ${o.port}` : ''}`;
  }

  get roundTrips(): number {
    return this.rt;
  }

  get connections(): number {
    return this.conns;
  }

  private get controlPath(): string {
    if (!this.dir) {
      let base = tmpdir();
      // a unix socket path must stay under ~100 bytes
      if (base.length > 60) base = '/tmp';
      this.dir = mkdtempSync(join(base, 'daxlayout-ssh-'));
    }
    return join(this.dir, 'cm');
  }

  /** Options every ssh call gets: the ones that keep it safe come last-but-win on the command line. */
  private baseArgs(): string[] {
    const a: string[] = [];
    if (this.o.config) a.push('-F', this.o.config);
    if (this.o.port) a.push('-p', String(this.o.port));
    if (this.o.identity) a.push('-i', this.o.identity, '-o', 'IdentitiesOnly=yes');
    if (this.o.knownHosts) a.push('-o', `UserKnownHostsFile=${this.o.knownHosts}`);
    a.push(
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'UpdateHostKeys=no',
      '-o',
      `ConnectTimeout=${this.o.connectTimeoutS ?? 15}`,
      '-o',
      'ServerAliveInterval=15',
      '-o',
      'ServerAliveCountMax=4',
      '-o',
      `ControlPath=${this.controlPath}`,
    );
    return a;
  }

  /** Opens the shared connection (ssh -f -N as ControlMaster), unless it is up. */
  private async master(): Promise<void> {
    const cp = this.controlPath;
    if (existsSync(cp)) return;
    const errFile = join(this.dir as string, 'master.err');
    const fd = openSync(errFile, 'w', 0o600);
    const args = [
      ...this.baseArgs(),
      '-o',
      'ControlMaster=yes',
      '-o',
      'ControlPersist=60',
      '-f',
      '-N',
      '--',
      this.o.destination,
    ];
    const code = await new Promise<number>((resolve) => {
      const p = childProcess().spawn(this.o.ssh ?? 'ssh', args, { stdio: ['ignore', 'ignore', fd] });
      p.on('error', (e) => {
        closeSync(fd);
        resolve((e as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 255);
      });
      p.on('exit', (c) => {
        closeSync(fd);
        resolve(c ?? 255);
      });
    });
    const err = readFileSync(errFile, 'utf8');
    if (code === 127) throw new ConnectError('ssh is not installed (daxlayout uses the system OpenSSH client)');
    if (code !== 0) {
      if (HOST_KEY.test(err)) throw new HostKeyError(hostKeyMessage(this.o, err));
      throw new ConnectError(
        `cannot connect to ${this.description}: ${err.trim().split('\n').pop() ?? `ssh exited ${code}`}`,
      );
    }
    this.conns++;
  }

  async run(program: string, options: RunOptions = {}): Promise<RemoteResult> {
    await this.master();
    this.rt++;
    const args = [...this.baseArgs(), '-o', 'ControlMaster=no', '-T', '--', this.o.destination, 'sh', '-s'];
    return new Promise<RemoteResult>((resolve, reject) => {
      // its own process group: a Ctrl-C at the terminal reaches daxlayout (which asks the host
      // to stop between writes and reports), not the session carrying the report
      const p = childProcess().spawn(this.o.ssh ?? 'ssh', args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      this.children.add(p);
      let stdout = '';
      let stderr = '';
      let partial = '';
      p.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (options.onLine) {
          partial += d;
          let nl: number;
          while ((nl = partial.indexOf('\n')) >= 0) {
            options.onLine(partial.slice(0, nl));
            partial = partial.slice(nl + 1);
          }
        }
      });
      p.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const timer = options.timeoutMs ? setTimeout(() => p.kill('SIGKILL'), options.timeoutMs) : undefined;
      let settled = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        this.children.delete(p);
        p.stdout.destroy();
        p.stderr.destroy();
        if (partial && options.onLine) options.onLine(partial);
        if (code === 255 && HOST_KEY.test(stderr)) return reject(new HostKeyError(hostKeyMessage(this.o, stderr)));
        resolve({ code: code ?? (signal ? 255 : -1), stdout, stderr });
      };
      p.on('error', (e) => {
        if (timer) clearTimeout(timer);
        this.children.delete(p);
        settled = true;
        reject(e);
      });
      // A mux client hands its stdio to the master, which writes our pipes directly: when the
      // client dies (killed, connection lost) they may never close. Its exit ends the session.
      p.on('exit', (code, signal) => {
        setTimeout(() => finish(code, signal), 1000).unref();
      });
      p.on('close', (code, signal) => finish(code, signal));
      p.stdin.on('error', () => {});
      p.stdin.end(program);
    });
  }

  async close(): Promise<void> {
    this.closeSync();
  }

  /** Closes the shared connection and removes the private directory (also from a signal handler). */
  closeSync(): void {
    for (const c of this.children) c.kill('SIGTERM');
    this.children.clear();
    if (!this.dir) return;
    const cp = join(this.dir, 'cm');
    if (existsSync(cp)) {
      childProcess().spawnSync(
        this.o.ssh ?? 'ssh',
        ['-o', `ControlPath=${cp}`, '-O', 'exit', '--', this.o.destination],
        {
          stdio: 'ignore',
          timeout: 10_000,
        },
      );
    }
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
