// test/vm/vm.mjs — the one VM harness of the real-kernel suites: boots a Debian kernel (prepared
// by test/vm/setup.sh) under QEMU TCG with a dynamic hmem dax region, or one of the CXL machines
// (MACHINES below), and talks to it over SSH with the guest's host key pinned. The distro suite
// (distro/vm.mjs) boots its systemd guest through the same startGuest().
//
//   import { boot } from './vm.mjs';
//   const vm = await boot({ kernel: '6.1' });
//   const r = await vm.ssh(['daxctl', 'list', '-RDMi']);   // argv: run as one remote command
//   const s = await vm.ssh('uname -r; cat /proc/cmdline');  // string: a script fed to `sh -s`
//   await vm.shutdown();
//
// QEMU is always killed on shutdown(), and on process exit / SIGINT / SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CACHE = join(HERE, '.cache');
const KEYS = join(CACHE, 'keys');
/** One ssh run: `ssh BASE… REMOTE` with `input` on its standard input; { code, stdout, stderr } (255 when killed). */
export function sshRun(base, remote, input, timeoutMs) {
  return new Promise((resolve, reject) => {
    const p = spawn('ssh', [...base, remote], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('close', (code, signal) => { clearTimeout(timer); resolve({ code: code ?? (signal ? 255 : -1), stdout, stderr }); });
    p.stdin.on('error', () => {});
    p.stdin.end(input ?? '');
  });
}

export const DEFAULT_MEMMAP = '2G%4G-1+0xefffffff';

// The hmem machine: q35 with HMAT, 4 GiB in two NUMA nodes, node 1 soft-reserved by memmap=.
const HMEM_NUMA = [
  '-object', 'memory-backend-ram,size=2G,id=m0', '-object', 'memory-backend-ram,size=2G,id=m1',
  '-numa', 'node,nodeid=0,memdev=m0,cpus=0-1', '-numa', 'node,nodeid=1,memdev=m1,initiator=0',
  '-numa', 'hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-latency,latency=10',
  '-numa', 'hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-bandwidth,bandwidth=10G',
  '-numa', 'hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-latency,latency=40',
  '-numa', 'hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-bandwidth,bandwidth=2G',
  '-numa', 'hmat-cache,node-id=1,size=256M,level=1,associativity=direct,policy=write-back,line=64',
];
/**
 * One CXL host bridge (pxb-cxl, bus 12) with `n` root ports, a volatile 1 GiB type-3 device on
 * each (serial i+1, or serials[i]), and one 4 GiB fixed memory window on that bridge.
 */
function cxlDevices(n, serials = Array.from({ length: n }, (_, i) => i + 1)) {
  const a = ['-device', 'pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1'];
  for (let i = 0; i < n; i++) {
    a.push('-object', `memory-backend-ram,id=vmem${i},share=on,size=1G`,
      '-device', `cxl-rp,port=${i},bus=cxl.1,id=rp${i},chassis=0,slot=${2 + i}`,
      '-device', `cxl-type3,bus=rp${i},volatile-memdev=vmem${i},id=cxl-vmem${i},sn=${serials[i]}`);
  }
  a.push('-M', 'cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G');
  return a;
}
/** The cxl1 and cxl2 machines: `n` CXL memdevs (serials as cxlDevices). */
const cxlMachine = (n, serials) => ['-machine', 'q35,cxl=on', '-m', '2G,maxmem=8G,slots=4', ...cxlDevices(n, serials)];

/** A machine's QEMU arguments; on cxl1 and cxl2 with other memdev serial numbers when `serials` is given. */
export function machineArgs(name, { serials } = {}) {
  if (!serials) return MACHINES[name].args;
  if (name !== 'cxl1' && name !== 'cxl2') throw new Error(`machine ${name} has no memdev serials to set`);
  return cxlMachine(MACHINES[name].cxl, serials);
}

/**
 * The machines (test/vm/README.md, "CXL machines"). CXL ones run
 * on QEMU 10 (cxl-type3 volatile-memdev=) with `-cpu max,hypervisor=off` (with the hypervisor
 * CPUID bit every region commit fails with ENXIO: Debian kernels lack
 * CONFIG_CXL_REGION_INVALIDATION_TEST), and virtio-net on pcie.0.
 *   hmem      the default: the dynamic hmem region on NUMA node 1
 *   cxl2      one host bridge, two root ports, two 1 GiB volatile type-3 devices (interleave 2)
 *   cxl1      the same with one root port and one device
 *   hmem-cxl  the hmem machine plus cxl2: hmem.0 and a CXL window in one guest
 */
export const MACHINES = {
  hmem: { cxl: 0, hmem: true, args: ['-machine', 'q35,hmat=on', '-m', '4G', ...HMEM_NUMA] },
  cxl2: { cxl: 2, hmem: false, args: cxlMachine(2) },
  cxl1: { cxl: 1, hmem: false, args: cxlMachine(1) },
  'hmem-cxl': { cxl: 2, hmem: true, args: ['-machine', 'q35,hmat=on,cxl=on', '-m', '4G,maxmem=12G,slots=4', ...HMEM_NUMA, ...cxlDevices(2)] },
};
const QEMU10 = join(CACHE, 'qemu10');

/**
 * How QEMU runs a machine: the CXL ones on QEMU 10 (its modules beside it) with
 * `-cpu max,hypervisor=off`, the others on the system's QEMU. Throws when QEMU 10 is missing.
 */
export function machineQemu(machineName, kernel = '') {
  const machine = MACHINES[machineName];
  if (!machine) throw new Error(`unknown machine ${machineName} (${Object.keys(MACHINES).join(', ')})`);
  if (machine.cxl === 0) return { qemu: 'qemu-system-x86_64', env: undefined, cpu: 'max' };
  const qemu = join(QEMU10, 'usr', 'bin', 'qemu-system-x86_64');
  if (!existsSync(qemu)) throw new Error(`${qemu} missing: run \`sh test/vm/setup.sh ${kernel}\` first`);
  return { qemu, env: { ...process.env, QEMU_MODULE_DIR: join(QEMU10, 'usr', 'lib', 'x86_64-linux-gnu', 'qemu') }, cpu: 'max,hypervisor=off' };
}
const READY = 'DAXLAYOUT-VM-READY';

const live = new Set(); // pids of QEMU processes this process started
function killAll() {
  for (const pid of live) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  live.clear();
}
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { killAll(); process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[sig]); });
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const shq = (s) => (/^[A-Za-z0-9_.,:/=@%+-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`);
function tail(file, n = 40) {
  try { return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n'); } catch { return '(no console log)'; }
}

/** Paths of a prepared kernel (with the CXL initramfs when `cxl`); throws if setup.sh has not been run for it. */
export function kernelFiles(kernel, cxl = false) {
  const dir = join(CACHE, `kernel-${kernel}`);
  const f = { dir, vmlinuz: join(dir, 'vmlinuz'), initrd: join(dir, cxl ? 'initramfs-cxl.cpio.gz' : 'initramfs.cpio.gz'), kver: join(dir, 'kver') };
  for (const p of [f.vmlinuz, f.initrd, f.kver, join(KEYS, 'id_ed25519'), join(KEYS, 'known_hosts')]) {
    if (!existsSync(p)) throw new Error(`${p} missing: run \`sh test/vm/setup.sh ${kernel}\` first`);
  }
  return { ...f, release: readFileSync(f.kver, 'utf8').trim() };
}

/**
 * Boots a guest, retrying a boot that fails before SSH answers (7.3.4 under QEMU 7.2 TCG oopses
 * early in about 1 boot of 12, as measured). Options as bootOnce, plus attempts
 * (default 3). Each failed attempt is reported on stderr; the last one's error is thrown.
 */
export async function boot(opts = {}) {
  const attempts = opts.attempts ?? 3;
  for (let i = 1; ; i++) {
    try {
      const vm = await bootOnce(opts);
      return { ...vm, attempts: i };
    } catch (e) {
      if (i >= attempts || !(e instanceof BootError)) throw e;
      process.stderr.write(`vm: boot attempt ${i} of ${attempts} failed, retrying: ${String(e.message).split('\n')[0]}\n`);
    }
  }
}

export class BootError extends Error {}

/**
 * Starts one QEMU guest and waits until SSH answers: the part every suite shares. QEMU runs
 * daemonized (pid file and serial console in `runDir`, user networking with port 22 forwarded to
 * a free local port, virtio-net on pcie.0) and is killed by stop() and on process exit. Options:
 *   label          names the guest in errors
 *   qemu, env      the binary and its environment (default: the system's qemu-system-x86_64)
 *   cpu            -cpu value (default max)
 *   args           the machine: everything but kernel, network, console and daemon options
 *   vmlinuz, initrd, append   the kernel, its initramfs and command line
 *   runDir, tag    where console-TAG.log / qemu-TAG.pid go (tag default: none)
 *   key, knownHosts, hostKeyAlias, aliveInterval   the SSH client side (the host key is pinned)
 *   marker         a console line to wait for before probing SSH (none: probe from the start)
 *   oops           a kernel oops on the console fails the boot (default: with a marker)
 *   startDelayMs, probeTimeoutMs, timeoutMs
 * Returns {port, pid, bootMs, consoleLog, ssh(cmd, stdin?, {timeoutMs}), stop()}; a boot that fails
 * throws BootError with the console's tail, after stopping QEMU (`onFail` runs first).
 */
export async function startGuest(o) {
  hookExit();
  const port = await freePort();
  const sfx = o.tag ? `-${o.tag}` : '';
  const consoleLog = join(o.runDir, `console${sfx}.log`);
  const pidFile = join(o.runDir, `qemu${sfx}.pid`);
  const args = [
    '-accel', 'tcg', '-cpu', o.cpu ?? 'max', '-smp', '2', ...o.args,
    '-kernel', o.vmlinuz, '-initrd', o.initrd, '-append', o.append,
    '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=n0,bus=pcie.0',
    '-display', 'none', '-monitor', 'none', '-serial', `file:${consoleLog}`,
    '-daemonize', '-pidfile', pidFile,
  ];
  const t0 = Date.now();
  const q = spawnSync(o.qemu ?? 'qemu-system-x86_64', args, { encoding: 'utf8', env: o.env ?? process.env });
  if (q.status !== 0) throw new Error(`qemu failed to start (${q.status ?? q.error}): ${q.stderr}`);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  live.add(pid);

  const sshBase = [
    '-i', o.key, '-p', String(port),
    '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${o.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes', '-o', `HostKeyAlias=${o.hostKeyAlias}`,
    '-o', 'LogLevel=ERROR', '-o', `ServerAliveInterval=${o.aliveInterval ?? 10}`, '-o', 'ServerAliveCountMax=6',
    'root@127.0.0.1',
  ];
  /** Runs argv (array, one remote command) or a script (string, fed to `sh -s`). */
  function ssh(cmd, stdin, { timeoutMs = 300_000 } = {}) {
    return Array.isArray(cmd) ? sshRun(sshBase, cmd.map(shq).join(' '), stdin, timeoutMs) : sshRun(sshBase, 'sh -s', cmd, timeoutMs);
  }
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (alive(pid)) {
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
      for (let i = 0; i < 30 && alive(pid); i++) await sleep(100);
      if (alive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    live.delete(pid);
  }
  const fail = async (why) => {
    const t = tail(consoleLog);
    o.onFail?.();
    await stop();
    throw new BootError(`${o.label}: ${why} after ${((Date.now() - t0) / 1000).toFixed(1)} s; console (${consoleLog}) tail:\n${t}`);
  };
  const oops = o.oops ?? Boolean(o.marker);
  if (o.startDelayMs) await sleep(o.startDelayMs);
  // wait for the ready marker on the console (when there is one), then for an SSH round trip;
  // QEMU accepts the forwarded connection before sshd listens, so every probe is bounded
  for (;;) {
    if (Date.now() - t0 > o.timeoutMs) return fail(o.marker ? 'no ready marker' : 'no SSH');
    if (!alive(pid)) return fail('QEMU exited');
    const c = tail(consoleLog, o.marker ? 1e9 : 200);
    if (!o.marker || c.includes(o.marker)) break;
    if (/Kernel panic/.test(c)) return fail('kernel panic');
    if (oops && /\bOops: /.test(c)) return fail('kernel oops');
    await sleep(200);
  }
  for (;;) {
    const r = await ssh(['true'], undefined, { timeoutMs: o.probeTimeoutMs ?? 15_000 });
    if (r.code === 0) break;
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(r.stderr)) return fail(`host key mismatch: ${r.stderr.trim()}`);
    if (Date.now() - t0 > o.timeoutMs) return fail(`no SSH (${r.stderr.trim()})`);
    if (!alive(pid)) return fail('QEMU exited');
    if (!o.marker && /Kernel panic/.test(tail(consoleLog, 200))) return fail('kernel panic');
    await sleep(o.marker ? 300 : 500);
  }
  return { port, pid, bootMs: Date.now() - t0, consoleLog, ssh, stop };
}

/**
 * Boots a guest once. Options: kernel ('6.1' | '6.12' | '6.18' | '7.2' | '7.3'), machine (a key of
 * MACHINES, default hmem; the CXL ones need the initramfs-cxl setup.sh builds for 6.12, 6.18, 7.2 and 7.3),
 * memmap (kernel memmap= value, default the whole of NUMA node 1 soft-reserved; hmem machines only), regionIdle (dax_hmem.region_idle=1: region empty
 * at boot), append (extra kernel arguments), timeoutMs (boot to SSH, default 180 s), keep
 * (keep the run directory with console.log after shutdown).
 */
async function bootOnce(opts = {}) {
  const kernel = opts.kernel ?? '6.1';
  const machineName = opts.machine ?? 'hmem';
  const machine = MACHINES[machineName];
  if (!machine) throw new Error(`unknown machine ${machineName} (${Object.keys(MACHINES).join(', ')})`);
  const k = kernelFiles(kernel, machine.cxl > 0);
  const { qemu, env, cpu } = machineQemu(machineName, kernel);
  let keep = opts.keep;
  mkdirSync(join(CACHE, 'runs'), { recursive: true });
  const run = mkdtempSync(join(CACHE, 'runs', `${kernel}-${machineName === 'hmem' ? '' : `${machineName}-`}`));
  const append = [
    'console=ttyS0', 'loglevel=6', 'nokaslr', 'memhp_default_state=offline',
    ...(machine.hmem ? [`memmap=${opts.memmap ?? DEFAULT_MEMMAP}`] : []),
    ...(machine.cxl > 0 ? [`daxlayout.cxl=${machine.cxl}`] : []),
    ...(opts.regionIdle ? ['dax_hmem.region_idle=1'] : []),
    ...(opts.append ? [opts.append] : []),
  ].join(' ');
  const g = await startGuest({
    label: kernel,
    qemu,
    env,
    cpu,
    args: machine.args,
    vmlinuz: k.vmlinuz,
    initrd: k.initrd,
    append,
    runDir: run,
    key: join(KEYS, 'id_ed25519'),
    knownHosts: join(KEYS, 'known_hosts'),
    hostKeyAlias: 'daxlayout-vm',
    marker: READY,
    // CXL guests boot in about a minute on an idle host (hmem ones in 5-10 s): more room for a busy one
    timeoutMs: opts.timeoutMs ?? (machine.cxl > 0 ? 360_000 : 180_000),
    onFail: () => { keep = true; }, // keep the console log for a look
  });
  let down = false;
  async function shutdown() {
    if (down) return;
    down = true;
    await g.stop();
    if (!keep) rmSync(run, { recursive: true, force: true });
  }
  return { kernel, machine: machineName, release: k.release, port: g.port, pid: g.pid, bootMs: g.bootMs, runDir: run, consoleLog: g.consoleLog, ssh: g.ssh, shutdown };
}
