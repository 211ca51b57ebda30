// test/vm/distro/vm.mjs — boots the Debian bookworm guest that build.sh makes (systemd, udev,
// OpenSSH on a disk image that survives reboots) with one of test/vm's extracted kernels,
// under the same QEMU machine as test/vm/vm.mjs (TCG, q35 with HMAT, node 1 soft-reserved).
//
//   import { prepareDisk, bootDistro } from './vm.mjs';
//   const disk = prepareDisk();                       // a fresh copy of the base image
//   let vm = await bootDistro({ kernel: '6.12', disk });
//   await vm.ssh('daxctl list -RDMi');                // a script, fed to `sh -s`
//   vm = await vm.reboot({ memmap: '1G%4G-1+0xefffffff' });   // guest reboots, QEMU exits, starts again
//   await vm.shutdown();
//
// QEMU runs with -no-reboot: a guest reboot ends the QEMU process (an in-place reboot under TCG
// is slow), and reboot() starts a new one on the same disk. QEMU processes are killed on
// shutdown() and on process exit / SIGINT / SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE as VM_CACHE, DEFAULT_MEMMAP, kernelFiles, sshRun } from '../vm.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CACHE = join(VM_CACHE, 'distro');
const KEY = join(VM_CACHE, 'keys', 'id_ed25519');
const KNOWN_HOSTS = join(CACHE, 'known_hosts');
export { DEFAULT_MEMMAP };

const live = new Set();
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const pid of live) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    live.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { killAll(); process.exit(130); });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}
function tail(file, n = 40) {
  try { return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n'); } catch { return '(no console log)'; }
}

/** Paths of the built guest; throws when build.sh has not run. */
export function distroFiles(kernel) {
  const k = kernelFiles(kernel);
  const f = { ...k, initrd: join(CACHE, `initrd-${kernel}.cpio.gz`), base: join(CACHE, 'base.img') };
  for (const p of [f.initrd, f.base, KNOWN_HOSTS]) {
    if (!existsSync(p)) throw new Error(`${p} missing: run \`sh test/vm/distro/build.sh\` first`);
  }
  return f;
}

/** A fresh, sparse copy of the base image in a run directory of its own. */
export function prepareDisk(name = 'run') {
  mkdirSync(join(CACHE, 'runs'), { recursive: true });
  const dir = mkdtempSync(join(CACHE, 'runs', `${name}-`));
  const disk = join(dir, 'disk.img');
  const r = spawnSync('cp', ['--sparse=always', join(CACHE, 'base.img'), disk]);
  if (r.status !== 0) throw new Error(`cannot copy the base image: ${r.stderr}`);
  return { dir, disk, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Boots the guest from `disk` ({dir, disk} from prepareDisk). Options: kernel ('6.1' | '6.12'),
 * memmap (default: all of node 1 soft-reserved), append (extra kernel arguments), timeoutMs.
 */
export async function bootDistro(opts) {
  const kernel = opts.kernel ?? '6.1';
  const f = distroFiles(kernel);
  hookExit();
  const port = await freePort();
  const tag = `${Date.now()}`;
  const consoleLog = join(opts.disk.dir, `console-${tag}.log`);
  const pidFile = join(opts.disk.dir, `qemu-${tag}.pid`);
  const append = [
    'root=/dev/vda', 'rw', 'console=ttyS0', 'loglevel=4', 'nokaslr', 'memhp_default_state=offline',
    `memmap=${opts.memmap ?? DEFAULT_MEMMAP}`, ...(opts.append ? [opts.append] : []),
  ].join(' ');
  const args = [
    '-accel', 'tcg', '-cpu', 'max', '-smp', '2', '-machine', 'q35,hmat=on', '-m', '4G',
    '-object', 'memory-backend-ram,size=2G,id=m0', '-object', 'memory-backend-ram,size=2G,id=m1',
    '-numa', 'node,nodeid=0,memdev=m0,cpus=0-1', '-numa', 'node,nodeid=1,memdev=m1,initiator=0',
    '-numa', 'hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-latency,latency=10',
    '-numa', 'hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-bandwidth,bandwidth=10G',
    '-numa', 'hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-latency,latency=40',
    '-numa', 'hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-bandwidth,bandwidth=2G',
    '-numa', 'hmat-cache,node-id=1,size=256M,level=1,associativity=direct,policy=write-back,line=64',
    '-kernel', f.vmlinuz, '-initrd', f.initrd, '-append', append,
    '-drive', `file=${opts.disk.disk},if=virtio,format=raw`,
    '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=n0',
    '-display', 'none', '-monitor', 'none', '-serial', `file:${consoleLog}`, '-no-reboot',
    '-daemonize', '-pidfile', pidFile,
  ];
  const t0 = Date.now();
  const q = spawnSync('qemu-system-x86_64', args, { encoding: 'utf8' });
  if (q.status !== 0) throw new Error(`qemu failed to start (${q.status ?? q.error}): ${q.stderr}`);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  live.add(pid);

  const sshBase = [
    '-i', KEY, '-p', String(port), '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${KNOWN_HOSTS}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes', '-o', 'HostKeyAlias=daxlayout-distro',
    '-o', 'LogLevel=ERROR', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=6', 'root@127.0.0.1',
  ];
  /** Runs a script (fed to `sh -s`), or argv as one remote command with `stdin`. */
  function ssh(cmd, stdin, { timeoutMs = 300_000 } = {}) {
    return Array.isArray(cmd) ? sshRun(sshBase, cmd.join(' '), stdin, timeoutMs) : sshRun(sshBase, 'sh -s', cmd, timeoutMs);
  }

  async function stop() {
    if (alive(pid)) {
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
      for (let i = 0; i < 30 && alive(pid); i++) await sleep(100);
      if (alive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    live.delete(pid);
  }
  const fail = async (why) => {
    const t = tail(consoleLog);
    await stop();
    throw new Error(`${kernel}: ${why} after ${((Date.now() - t0) / 1000).toFixed(1)} s; console (${consoleLog}) tail:\n${t}`);
  };
  // 8 min: on this 2-core host shared with other VMs (load 25) a systemd boot of 7.3 took 182 s and
  // a reboot more than 240 s (systemd-networkd alone 80 s), everything slow, nothing stuck
  const timeoutMs = opts.timeoutMs ?? 480_000;
  await sleep(3000);
  for (;;) {
    if (!alive(pid)) return fail('QEMU exited');
    if (Date.now() - t0 > timeoutMs) return fail('no SSH');
    if (/Kernel panic/.test(tail(consoleLog, 200))) return fail('kernel panic');
    // QEMU accepts the forwarded connection before sshd listens: bound every probe
    const r = await ssh(['true'], undefined, { timeoutMs: 12_000 });
    if (r.code === 0) break;
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(r.stderr)) return fail(`host key mismatch: ${r.stderr.trim()}`);
    await sleep(500);
  }
  const bootMs = Date.now() - t0;

  /** Reboots the guest: `systemctl reboot`, QEMU exits (-no-reboot), a new QEMU boots the same disk. */
  async function reboot(next = {}) {
    await ssh('systemctl reboot', undefined, { timeoutMs: 20_000 });
    const t = Date.now();
    while (alive(pid) && Date.now() - t < 120_000) await sleep(200);
    await stop();
    return bootDistro({ ...opts, memmap: undefined, append: undefined, ...next, kernel: next.kernel ?? kernel, disk: opts.disk });
  }

  return { kernel, release: f.release, port, pid, bootMs, consoleLog, ssh, reboot, shutdown: stop, options: opts };
}

/** Size in bytes of the space the disk copy uses (it is sparse). */
export function diskUse(path) {
  return statSync(path).blocks * 512;
}
export { HERE };
