// What the commands that reach a host share: their I/O (terminal, questions, interrupts) and
// the ssh options (known hosts, identity, config) with the transport they make.

import { requireReadable, UsageError } from './io';
import { SshTransport, type SshOptions, type Transport } from '../host/transport';
import type { FlagSpecs } from './args';

export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** stdin is a terminal (apply may ask). */
  readonly isTTY: boolean;
  /** stdout is a terminal (`--color=auto` colours it). */
  readonly stdoutIsTTY?: boolean;
  ask(question: string): Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Called with a cleanup to run if the process is interrupted (SIGINT/SIGTERM). */
  onInterrupt?(cleanup: (() => void) | undefined): void;
  /** While set, the first SIGINT/SIGTERM calls this (an apply asks the host to stop) instead of exiting. */
  onCancel?(handler: ((signal: string) => void) | undefined): void;
  /** Tests: the transport to a layout host's SSH destination, instead of the system ssh. */
  transport?(destination: string, port: number | undefined): Transport;
}

export const SSH_OPTIONS = {
  'known-hosts': { type: 'string', value: 'FILE' },
  identity: { type: 'string', value: 'FILE' },
  'ssh-config': { type: 'string', value: 'FILE' },
} as const satisfies FlagSpecs;

/**
 * The files given to ssh, from the flags or the environment. The identity and the config must
 * be readable (a missing one is a usage error here, not an ssh failure later); a known-hosts
 * file may not exist yet (every key is then unknown, and refused with how to add it).
 */
export function sshExtras(
  values: { 'known-hosts'?: string | undefined; identity?: string | undefined; 'ssh-config'?: string | undefined },
  env: Io['env'],
): Pick<SshOptions, 'knownHosts' | 'identity' | 'config'> {
  const pick = (flag: string, env_: string, v: string | undefined, mustExist: boolean): string | undefined => {
    const value = v ?? env[env_];
    if (value === undefined || value === '') {
      if (v === '') throw new UsageError(`--${flag} needs a FILE`);
      return undefined;
    }
    if (mustExist) requireReadable(value, v !== undefined ? `--${flag}` : `${env_} (--${flag})`);
    return value;
  };
  const knownHosts = pick('known-hosts', 'DAXLAYOUT_KNOWN_HOSTS', values['known-hosts'], false);
  const identity = pick('identity', 'DAXLAYOUT_SSH_IDENTITY', values.identity, true);
  const config = pick('ssh-config', 'DAXLAYOUT_SSH_CONFIG', values['ssh-config'], true);
  return { ...(knownHosts ? { knownHosts } : {}), ...(identity ? { identity } : {}), ...(config ? { config } : {}) };
}

export function sshTransport(o: SshOptions, io: Io): SshTransport {
  let t: SshTransport;
  try {
    t = new SshTransport(o);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  io.onInterrupt?.(() => t.closeSync());
  return t;
}
