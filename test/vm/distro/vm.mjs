// test/vm/distro/vm.mjs — boots the Debian bookworm guest that build.sh makes (systemd, udev,
// OpenSSH on a disk image that survives reboots) with one of test/vm's extracted kernels, on
// test/vm's hmem machine through test/vm/vm.mjs's startGuest (one harness: QEMU, SSH, clean-up).
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
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE as VM_CACHE, DEFAULT_MEMMAP, kernelFiles, machineArgs, machineQemu, MACHINES, startGuest, BootError } from '../vm.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CACHE = join(VM_CACHE, 'distro');
const KEY = join(VM_CACHE, 'keys', 'id_ed25519');
const KNOWN_HOSTS = join(CACHE, 'known_hosts');
export { DEFAULT_MEMMAP };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

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
 * Boots the guest from `disk` ({dir, disk} from prepareDisk) on a machine of test/vm (startGuest
 * there). Options: kernel ('6.1' | '6.12' | '7.3'), machine ('hmem', the default, or 'cxl2': two
 * CXL type-3 memdevs on QEMU 10), serials (cxl2: the memdevs' serial numbers, default 1 and 2),
 * memmap (hmem: default all of node 1 soft-reserved), append (extra kernel arguments), timeoutMs.
 */
export async function bootDistro(opts) {
  const kernel = opts.kernel ?? '6.1';
  const f = distroFiles(kernel);
  const machine = opts.machine ?? 'hmem';
  const { qemu, env, cpu } = machineQemu(machine, kernel);
  const args = machineArgs(machine, { serials: opts.serials });
  const append = [
    'root=/dev/vda', 'rw', 'console=ttyS0', 'loglevel=4', 'nokaslr', 'memhp_default_state=offline',
    ...(MACHINES[machine].hmem ? [`memmap=${opts.memmap ?? DEFAULT_MEMMAP}`] : []), ...(opts.append ? [opts.append] : []),
  ].join(' ');
  const guest = () => startGuest({
    label: kernel,
    qemu,
    env,
    cpu,
    // QEMU runs with -no-reboot: a guest reboot ends it (an in-place reboot under TCG is slow)
    // the disk on pcie.0 by name: with if=virtio QEMU would put it on the last bus, the CXL host bridge
    args: [...args, '-drive', `file=${opts.disk.disk},if=none,id=vd,format=raw`, '-device', 'virtio-blk-pci,drive=vd,bus=pcie.0', '-no-reboot'],
    vmlinuz: f.vmlinuz,
    initrd: f.initrd,
    append,
    runDir: opts.disk.dir,
    tag: `${Date.now()}`,
    key: KEY,
    knownHosts: KNOWN_HOSTS,
    hostKeyAlias: 'daxlayout-distro',
    aliveInterval: 5,
    startDelayMs: 3000,
    probeTimeoutMs: 12_000,
    // 8 min: on this 2-core host shared with other VMs (load 25) a systemd boot of 7.3 took 182 s and
    // a reboot more than 240 s (systemd-networkd alone 80 s), everything slow, nothing stuck
    timeoutMs: opts.timeoutMs ?? 480_000,
  });
  // A kernel that dies before systemd starts (no "Welcome to" banner) has not touched the disk:
  // under TCG an early panic happens now and then whatever the test does (7.3.4, once in a
  // clean-clone run: an int3 oops in sched_clock_cpu during the initcalls, a text-patching race
  // of the emulated CPUs). Such a boot is tried again, at most twice, and said on stderr; a panic
  // after systemd started fails at once.
  let g;
  for (let attempt = 1; ; attempt++) {
    try {
      g = await guest();
      break;
    } catch (e) {
      const log = /console \((.*?)\) tail/.exec(String(e?.message))?.[1];
      let before = false;
      try {
        before = log !== undefined && !/Welcome to /.test(readFileSync(log, 'utf8'));
      } catch {
        before = false;
      }
      if (!(e instanceof BootError) || !before || !/kernel panic|oops/i.test(String(e.message)) || attempt >= 3) throw e;
      process.stderr.write(`distro: ${kernel} died before init (boot ${attempt} of 3), booting again: ${String(e.message).split('\n')[0]}\n`);
    }
  }

  /** Reboots the guest: `systemctl reboot`, QEMU exits (-no-reboot), a new QEMU boots the same disk. */
  async function reboot(next = {}) {
    await g.ssh('systemctl reboot', undefined, { timeoutMs: 20_000 });
    const t = Date.now();
    while (alive(g.pid) && Date.now() - t < 120_000) await sleep(200);
    await g.stop();
    return bootDistro({ ...opts, memmap: undefined, append: undefined, ...next, kernel: next.kernel ?? kernel, disk: opts.disk });
  }

  return { kernel, release: f.release, port: g.port, pid: g.pid, bootMs: g.bootMs, consoleLog: g.consoleLog, ssh: g.ssh, reboot, shutdown: g.stop, options: opts };
}

/** Size in bytes of the space the disk copy uses (it is sparse). */
export function diskUse(path) {
  return statSync(path).blocks * 512;
}
export { HERE };
