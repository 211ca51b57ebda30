// test/vm/apply/lib.mjs — helpers for the plan/apply real-kernel tests: boot a guest with the
// harness (test/vm/vm.mjs), point daxlayout at it with the harness' pinned host key and test
// identity, and run the built CLI.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boot, CACHE } from '../vm.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..', '..', '..');
export const CLI = join(ROOT, 'server', 'bin', 'daxlayout.cjs');
export const KEYS = join(CACHE, 'keys');

/** Boots a guest and prepares a known_hosts file pinning its key for 127.0.0.1:PORT. */
export async function bootGuest(kernel, opts = {}) {
  const vm = await boot({ kernel, ...opts });
  const dir = mkdtempSync(join(tmpdir(), `daxlayout-vm-apply-${kernel}-`));
  // the harness pins the key under an alias; daxlayout checks it under [127.0.0.1]:PORT
  const key = readFileSync(join(KEYS, 'known_hosts'), 'utf8').trim().split(/\s+/).slice(1, 3).join(' ');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${vm.port} ${key}\n`);
  return { vm, dir, knownHosts, identity: join(KEYS, 'id_ed25519') };
}

/** Runs the CLI; resolves { code, stdout, stderr, ms }. `env` adds variables; `onStdout` sees output as it comes. */
export function daxlayout(args, { env = {}, stdin = '', onStdout, timeoutMs = 300_000 } = {}) {
  const t0 = Date.now();
  return new Promise((resolvePromise) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; onStdout?.(d, p); });
    p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code, signal) => { clearTimeout(timer); resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - t0, pid: p.pid }); });
    p.stdin.end(stdin);
    resolvePromise.proc = p;
  });
}

/** The CLI options that reach a booted guest. */
export function sshArgs(g) {
  return ['--known-hosts', g.knownHosts, '--identity', g.identity];
}
