#!/usr/bin/env node
// test/vm/distro/run.mjs (`npm run test:vm:distro`): layouts that survive reboots, on a real
// distro host. For Debian's Linux 6.1 and 6.12, a Debian bookworm guest (build.sh) with systemd,
// udev and OpenSSH is booted with the region soft-reserved, and for a layout marked `persist`:
//   1. `daxlayout apply` (the built CLI, over the system ssh with the guest's pinned host key)
//      makes the layout from the boot state, verifies it, then installs the persist artifacts
//      (programs fed to `sh -s`; no scp) and verifies them; `daxctl list -RDMi` must equal the
//      core's prediction;
//   2. reboot: the layout is back exactly (daxctl list = prediction), /dev/dax/by-label/* point at
//      the right devices, /run/daxlayout/by-label/* hold the node, a new `daxlayout apply` is a
//      no-op apart from its verify round trip, running the restorer again writes nothing;
//   3. reboot with the region's size and start changed on the kernel command line (memmap=): the restorer
//      refuses, the journal says why, the region is as the kernel made it, the unit failed (6.12
//      makes no region at all for a node only partly soft-reserved: the restorer says the region
//      did not appear);
//   4. reboot with the old size: restored again; `daxlayout apply` of the layout without `persist`
//      removes the artifacts; reboot: the region is as the kernel makes it and nothing of
//      daxlayout is left;
//   5. performance: a 16-device layout applied with `daxlayout apply`, restored at boot; the
//      restorer's time from the journal (unit start to finish, monotonic timestamps) and
//      systemd-analyze blame.
//   npm run test:vm:distro                 # both kernels (13–20 min)
//   npm run test:vm:distro -- --only 6.12  # one kernel
//   npm run test:vm:distro -- --no-perf    # skip the 16-device measurement
//   npm run test:vm:distro -- --perf-only  # only the measurement
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffStates, normalise } from '../run-script.mjs';
import { bootDistro, CACHE, prepareDisk } from './vm.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..', '..');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const perf = !args.includes('--no-perf');
const keep = args.includes('--keep');

const log = (...a) => console.log(`[distro ${new Date().toISOString().slice(11, 19)}]`, ...a);
let passed = 0;
let failed = 0;
const failures = [];
function check(name, ok, detail = '') {
  if (ok) passed++;
  else {
    failed++;
    failures.push(`${name}${detail ? `: ${detail}` : ''}`);
  }
  console.log(`  ${ok ? 'PASS' : 'FAIL'} ${name}${!ok && detail ? `\n       ${String(detail).split('\n').join('\n       ')}` : ''}`);
}

execFileSync('sh', [join(HERE, 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
execFileSync('node', [join(ROOT, 'server', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const require = createRequire(import.meta.url);
const core = require(join(ROOT, 'server', 'dist', 'core.cjs'));

// guest-a is a parcel for a VM: its device node's owner, group and mode come from the access
// rules apply installs (docs/colours.md) and must hold after every reboot
const MIXED_PLAIN = `
  device weather { size 1G align 1G }
  device spill { size 256M mode system-ram movable }
  device guest-a { range 0x1_7000_0000 + 256M }
  device scratch { size rest }`;
const MIXED = MIXED_PLAIN.replace('range 0x1_7000_0000 + 256M', 'range 0x1_7000_0000 + 256M owner nobody group disk permissions 0640');
const PARCEL_MODE = 'nobody:disk:640';
const SIXTEEN = Array.from({ length: 16 }, (_, i) => (i % 4 === 3 ? `  device ram${i} { size 128M mode system-ram movable }` : `  device d${i} { size 128M }`)).join('\n');

/** The layout analysed against facts taken from the guest on this boot. */
async function analyse(vm, body) {
  const r = await vm.ssh('uname -r; daxctl list -RDMi');
  const nl = r.stdout.indexOf('\n');
  const release = r.stdout.slice(0, nl).trim();
  const daxctl = r.stdout.slice(nl + 1);
  const text = `host guest {\n  ssh "root@127.0.0.1"\n  kernel "${release}"\n  memory-block 128M\n  auto-online offline\n  facts "boot.json"\n  persist\n}\n\nregion 0 on guest {${body}\n}\n`;
  const a = core.analyze(text, { readFacts: (p) => (p === 'boot.json' ? { text: daxctl } : { error: 'no such file' }) });
  const host = a.hosts.find((h) => h.name === 'guest');
  return { a, host, text, release, predicted: normalise(core.toDaxctlJson(host.model.state)) };
}

const CLI = join(ROOT, 'server', 'bin', 'daxlayout.cjs');
const KEY = join(CACHE, '..', 'keys', 'id_ed25519');

/**
 * \`daxlayout apply FILE --yes --json\` with the built CLI against the booted guest: the layout
 * names the guest's forwarded port, the guest's pinned host key goes into a known_hosts file for
 * [127.0.0.1]:PORT, the test key is the identity. Files go to the run directory (disk.dir).
 */
async function cliApply(vm, disk, body, { persist = true, block = 'region 0 on guest' } = {}) {
  const key = readFileSync(join(CACHE, 'known_hosts'), 'utf8').trim().split('\n')[0].split(/\s+/).slice(1, 3).join(' ');
  const knownHosts = join(disk.dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${vm.port} ${key}\n`);
  const file = join(disk.dir, 'guest.dax');
  writeFileSync(file, `host guest {\n  ssh "root@127.0.0.1"\n  port ${vm.port}\n${persist ? '  persist\n' : ''}}\n\n${block} {${body}\n}\n`);
  const r = await new Promise((resolvePromise) => {
    const p = spawn(process.execPath, [CLI, 'apply', file, '--yes', '--json', '--known-hosts', knownHosts, '--identity', KEY], { cwd: disk.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), 600_000);
    p.on('close', (code) => { clearTimeout(timer); resolvePromise({ code, stdout, stderr }); });
  });
  let json;
  try { json = JSON.parse(r.stdout); } catch { json = { result: 'unreadable', message: `not JSON (exit ${r.code}): ${r.stdout.slice(0, 400)} ${r.stderr.slice(0, 800)}` }; }
  const brief = `exit ${r.code}, result ${json.result}, ${json.writesTotal ?? 0} writes, ${json.roundTrips ?? '?'} round trips, persist ${json.persist ? `${json.persist.action}/${json.persist.status}` : 'null'}, ${json.elapsedMs ?? '?'} ms`;
  const detail = `${brief}\n${json.message ?? ''}\n${(json.persist?.checks ?? []).filter((c) => !c.ok).map((c) => `bad ${c.text}`).join('\n')}\n${(json.diagnostics ?? []).map((d) => d.message).join('\n')}\n${r.stderr.trim()}`;
  return { code: r.code, json, brief, detail };
}

/** `daxlayout facts` over SSH with the built CLI (the capture apply makes: CXL topology included), parsed. */
async function cliFacts(vm, disk) {
  const key = readFileSync(join(CACHE, 'known_hosts'), 'utf8').trim().split('\n')[0].split(/\s+/).slice(1, 3).join(' ');
  const knownHosts = join(disk.dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${vm.port} ${key}\n`);
  const out = join(disk.dir, 'facts.json');
  const r = await new Promise((done) => {
    const p = spawn(process.execPath, [CLI, 'facts', 'root@127.0.0.1', '--port', String(vm.port), '--known-hosts', knownHosts, '--identity', KEY, '-o', out], { cwd: disk.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    p.on('close', (code) => done({ code, stderr }));
  });
  if (r.code !== 0) throw new Error(`daxlayout facts: exit ${r.code}: ${r.stderr}`);
  return readFileSync(out, 'utf8');
}

async function daxctl(vm) {
  const r = await vm.ssh('daxctl list -RDMi');
  try { return normalise(JSON.parse(r.stdout)); } catch { return { unreadable: r.stdout + r.stderr }; }
}

function same(name, real, predicted) {
  const d = diffStates(real, predicted);
  check(name, d.length === 0, d.slice(0, 12).join('\n'));
}

/** Waits for the restore unit to finish its run (sshd may answer before it ends), then its journal. */
async function journal(vm) {
  await settle(vm);
  return (await vm.ssh('journalctl -b -u daxlayout-restore.service -o cat --no-pager')).stdout;
}
async function settle(vm) {
  await vm.ssh('i=0; while [ "$(systemctl is-active daxlayout-restore.service)" = activating ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done');
}

/** Restorer time at boot, from the unit's start and finish in the journal (monotonic clock). */
async function restoreTiming(vm) {
  const j = (await vm.ssh('journalctl -b -o short-monotonic --no-pager -u daxlayout-restore.service; echo ===; systemd-analyze blame --no-pager | grep daxlayout-restore; echo ===; systemd-analyze')).stdout;
  const [units, blame, total] = j.split('===\n');
  const at = (re) => { const m = new RegExp(`\\[\\s*([0-9.]+)\\].*${re}`).exec(units ?? ''); return m ? Number(m[1]) : undefined; };
  const start = at('Starting daxlayout-restore');
  const end = at('(Finished|Failed to start) daxlayout-restore') ?? at('daxlayout-restore: region 0:');
  return { start, end, seconds: start !== undefined && end !== undefined ? end - start : undefined, blame: (blame ?? '').trim(), total: (total ?? '').trim().split('\n')[0] };
}

async function scenario(kernel) {
  log(`== ${kernel}: persist, reboot, geometry change, remove`);
  const disk = prepareDisk(`persist-${kernel}`);
  let vm;
  try {
    vm = await bootDistro({ kernel, disk });
    log(`booted ${vm.release} in ${(vm.bootMs / 1000).toFixed(1)} s`);
    const bootState = await daxctl(vm);
    const { a, host, predicted } = await analyse(vm, MIXED);
    check(`${kernel}: the layout has no errors`, a.findings.every((f) => f.severity !== 'error'), a.findings.map((f) => `${f.code} ${f.message}`).join('\n'));
    const art = core.persistArtifacts(a, host);
    check(`${kernel}: artifacts made (restorer, units, stable names, modules, access rules)`, art.problems.length === 0 && art.files.length === 6, art.problems.join('\n'));

    // 1. daxlayout apply: the writes from the boot state, verified; then the artifacts installed and verified
    const ap = await cliApply(vm, disk, MIXED);
    log(`daxlayout apply: ${ap.brief}`);
    check(`${kernel}: daxlayout apply: applied and verified, restorer installed and verified`,
      ap.code === 0 && ap.json.result === 'applied' && ap.json.verification?.ok === true && ap.json.persist?.action === 'installed' && ap.json.persist?.status === 'ok' && ap.json.persist.checks.length > 0 && ap.json.persist.checks.every((c) => c.ok),
      ap.detail);
    log(`artifacts checksum: ${ap.json.persist?.checksum} (from the CLI's capture); sha256:${art.checksum} (from daxctl list facts)${ap.json.persist?.checksum === `sha256:${art.checksum}` ? ': the same' : ''}`);
    same(`${kernel}: after apply, daxctl list = prediction`, await daxctl(vm), predicted);

    // 2. reboot: back exactly, names, no-op
    vm = await vm.reboot();
    log(`rebooted in ${(vm.bootMs / 1000).toFixed(1)} s`);
    await settle(vm);
    const j1 = await journal(vm);
    check(`${kernel}: restorer ran at boot`, /daxlayout-restore: region 0: restored dax0\.0\(weather\)/.test(j1), j1);
    same(`${kernel}: after reboot, daxctl list = prediction`, await daxctl(vm), predicted);
    const v = await cliApply(vm, disk, MIXED);
    log(`daxlayout apply after reboot: ${v.brief}`);
    check(`${kernel}: apply after reboot is a no-op apart from the verify (files, units, by-label names): 2 round trips`,
      v.code === 0 && v.json.result === 'no-changes' && v.json.writesTotal === 0 && v.json.roundTrips === 2 && v.json.persist?.action === 'up-to-date' && v.json.persist?.status === 'ok' && v.json.persist.checks.some((c) => /by-label\/weather -> \/dev\/dax0\.0/.test(c.text)),
      v.detail);
    const links = await vm.ssh('for l in /dev/dax/by-label/*; do printf "%s -> %s\\n" "$l" "$(readlink -f "$l")"; done; for f in /run/daxlayout/by-label/*; do printf "%s: %s\\n" "$f" "$(cat "$f")"; done');
    log(links.stdout.trim().split('\n').join('; '));
    const parcel = (await vm.ssh("stat -L -c '%U:%G:%a' /dev/dax/by-label/guest-a")).stdout.trim();
    check(`${kernel}: after reboot the parcel's device node has its owner, group and mode (${PARCEL_MODE})`, parcel === PARCEL_MODE, parcel);
    const again = await vm.ssh('/usr/local/libexec/daxlayout-restore; echo "exit $?"');
    check(`${kernel}: running the restorer again changes nothing`, /already as the layout wants it/.test(again.stdout) && /exit 0/.test(again.stdout), again.stdout + again.stderr);
    same(`${kernel}: still the prediction`, await daxctl(vm), predicted);
    const t = await restoreTiming(vm);
    log(`restorer at boot (4 devices): ${t.seconds?.toFixed(3) ?? '?'} s; ${t.blame}`);

    // 3. the region's size changes on the kernel command line: refused, journal says why
    vm = await vm.reboot({ memmap: '1G%5G-1+0xefffffff' });
    const j2 = await journal(vm);
    const active = (await vm.ssh('systemctl is-active daxlayout-restore.service')).stdout.trim();
    check(`${kernel}: geometry changed → restorer refuses, unit failed`, active === 'failed', `is-active: ${active}`);
    const small = await daxctl(vm);
    if (kernel === '6.1') {
      // 6.1 makes a 1 GiB region at 5 GiB of the soft-reserved half of node 1
      check(`${kernel}: the journal says why`, /the region is 1073741824 bytes now, the layout was made for 2147483648 bytes: its geometry changed; refusing to touch it/.test(j2), j2);
      const dev0 = small?.[0]?.devices;
      check(`${kernel}: nothing changed (one dax0.0 holding the 1 GiB region)`, small?.[0]?.size === 1073741824 && dev0?.length === 1 && dev0[0].size === 1073741824 && dev0[0].mappings?.[0]?.start === 0x140000000, JSON.stringify(small));
    } else if (kernel === '7.3') {
      // 7.3.4 (measured here): the region still reads 2 GiB at 4 GiB with only [5 GiB, 6 GiB)
      // soft-reserved; [4 GiB, 5 GiB) is boot System RAM (memory32..39 online) and kmem's probe of
      // dax0.0 failed (EBUSY), so dax0.0 is unbound. The restorer sees the boot memory blocks
      // inside the region and refuses before any write.
      check(`${kernel}: the journal says why`, /daxlayout-restore: region 0: memory32 lies inside the region but is System RAM the kernel took at boot, not dax memory: its geometry changed; refusing to touch it/.test(j2), j2);
      const dev0 = small?.[0]?.devices;
      check(`${kernel}: nothing changed (one unbound dax0.0 holding the 2 GiB region)`, small?.[0]?.size === 2147483648 && dev0?.length === 1 && dev0[0].size === 2147483648 && dev0[0].mappings?.[0]?.start === 0x100000000 && dev0[0].mode === 'devdax' && dev0[0].state === 'disabled', JSON.stringify(small));
    } else {
      // 6.12 registers no hmem region for a node only partly soft-reserved (seen here: the
      // range is "Soft Reserved" in /proc/iomem, no hmem device): the region is gone
      check(`${kernel}: the journal says why`, /region 0: \/sys\/devices\/platform\/hmem\.0\/dax_region\/size did not appear within 20 s; nothing written/.test(j2), j2);
      const iomem = (await vm.ssh('grep -c "Soft Reserved" /proc/iomem; ls /sys/bus/dax/devices | wc -l')).stdout.trim().split('\n');
      check(`${kernel}: nothing changed (the range is soft-reserved, no dax device)`, iomem[0] === '1' && iomem[1] === '0', iomem.join(' '));
    }

    // 4. back to the old size: restored; then remove the artifacts; reboot: as the kernel makes it
    vm = await vm.reboot();
    await settle(vm);
    same(`${kernel}: old size again → restored`, await daxctl(vm), predicted);
    const rm = await cliApply(vm, disk, MIXED_PLAIN, { persist: false });
    log(`daxlayout apply without persist: ${rm.brief}`);
    check(`${kernel}: apply without persist removes the artifacts (no writes)`, rm.code === 0 && rm.json.result === 'no-changes' && rm.json.persist?.action === 'removed' && rm.json.persist?.status === 'ok', rm.detail);
    const rm2 = await cliApply(vm, disk, MIXED_PLAIN, { persist: false });
    check(`${kernel}: apply again without persist: one round trip, nothing to remove`, rm2.code === 0 && rm2.json.result === 'no-changes' && rm2.json.roundTrips === 1 && rm2.json.persist === null, rm2.detail);
    const left = await vm.ssh('ls /dev/dax/by-label 2>/dev/null; ls /run/daxlayout 2>/dev/null; ls /etc/udev/rules.d/*daxlayout* 2>/dev/null; systemctl list-unit-files "daxlayout*" --no-legend 2>/dev/null');
    check(`${kernel}: nothing of daxlayout left`, left.stdout.trim() === '', left.stdout);
    vm = await vm.reboot();
    await new Promise((r) => setTimeout(r, 5000)); // let udev and the dax modules settle
    same(`${kernel}: after removal and reboot, the region is as the kernel makes it`, await daxctl(vm), bootState);
  } catch (e) {
    check(`${kernel}: scenario ran`, false, e.stack ?? String(e));
  } finally {
    await vm?.shutdown();
    if (!keep) disk.remove();
  }
}

// The sample's CXL region (samples/cxl2-6.12.dax): both memdevs by serial, 2 GiB, three devices
const CXL = `
  window decoder0.0
  memdevs 0x1, 0x2
  granularity 256
  size 2G
  device tier2 { size 512M mode system-ram movable }
  device app { size 1G }
  device tail { size rest mode system-ram offline }`;

/**
 * A persisted `cxl region` on the cxl2 machine (two type-3 memdevs, QEMU 10): apply makes the CXL
 * region and its devices and installs the restorer; after a reboot the restorer makes the region
 * again (memdevs found by serial) before the devices, exactly as predicted, by-label names right,
 * a second run writes nothing; booted with another serial on the second memdev it refuses before
 * any write, the journal says why.
 */
async function cxlScenario(kernel, { refusal = true } = {}) {
  log(`== ${kernel}: persisted cxl region on the cxl2 machine`);
  const t0 = Date.now();
  const disk = prepareDisk(`cxl-${kernel}`);
  let vm;
  try {
    vm = await bootDistro({ kernel, disk, machine: 'cxl2' });
    log(`booted ${vm.release} in ${(vm.bootMs / 1000).toFixed(1)} s`);
    const factsText = await cliFacts(vm, disk);
    const text = `host guest {\n  facts "boot.json"\n  persist\n}\n\ncxl region pool on guest {${CXL}\n}\n`;
    const a = core.analyze(text, { readFacts: (p) => (p === 'boot.json' ? { text: factsText } : { error: 'no such file' }) });
    const host = a.hosts.find((h) => h.name === 'guest');
    check(`${kernel} cxl2: the layout has no errors`, a.findings.every((f) => f.severity !== 'error'), a.findings.map((f) => `${f.code} ${f.message}`).join('\n'));
    const art = core.persistArtifacts(a, host);
    check(`${kernel} cxl2: a restorer is made for the persisted cxl region`, art.problems.length === 0 && art.files.length === 5, art.problems.join('\n'));
    const predicted = normalise(core.toDaxctlJson(host.model.state));
    // udev loads kmem only when a dax device appears: a moment after the region's bind, while the
    // apply already unbinds dax0.0 from kmem (ENOENT: no kmem driver yet). The dax drivers are
    // loaded first, as the restorer's modules-load.d file does at boot (docs/cxl.md, Status).
    await vm.ssh('modprobe -a kmem device_dax dax_cxl');
    let ap = await cliApply(vm, disk, CXL, { block: 'cxl region pool on guest' });
    log(`daxlayout apply: ${ap.brief}`);
    if (ap.json.result === 'failed' && /step 4: unbind dax0\.0 from kmem/.test(ap.json.message ?? '')) {
      // the apply-side race docs/cxl.md records as open (7.3: kmem's unbind of dax0.0 right after
      // the region's bind, EIO or ENODEV): the region is made; apply again from the state it left
      log(`the first dax write after the region's bind failed (open apply-side race, docs/cxl.md): applying again. ${ap.json.message}`);
      await new Promise((r) => setTimeout(r, 5000));
      ap = await cliApply(vm, disk, CXL, { block: 'cxl region pool on guest' });
      log(`daxlayout apply, again: ${ap.brief}`);
    }
    check(`${kernel} cxl2: daxlayout apply makes the region and its devices, installs the restorer, verified`,
      ap.code === 0 && ap.json.result === 'applied' && ap.json.verification?.ok === true && ap.json.persist?.action === 'installed' && ap.json.persist?.status === 'ok' && ap.json.persist.checks.every((c) => c.ok),
      ap.detail);
    same(`${kernel} cxl2: after apply, daxctl list = prediction`, await daxctl(vm), predicted);
    const region = 'cd /sys/bus/cxl/devices/region0 && cat size resource interleave_ways interleave_granularity commit && for t in target0 target1; do d=$(cat $t); e=endpoint${d#decoder}; cat /sys/bus/cxl/devices/${e%.*}/uport/serial; done && readlink driver';
    const sysfsBefore = (await vm.ssh(region)).stdout.trim();
    check(`${kernel} cxl2: region0 is 2 GiB at 0x390000000, 2 ways × 256, serials 0x1, 0x2 in order, committed, bound`,
      /^0x80000000\n0x390000000\n2\n256\n1\n0x1\n0x2\n.*cxl_region$/.test(sysfsBefore), sysfsBefore);

    vm = await vm.reboot();
    log(`rebooted in ${(vm.bootMs / 1000).toFixed(1)} s`);
    const j1 = await journal(vm);
    check(`${kernel} cxl2: at boot the restorer made region0, then the devices`,
      /daxlayout-restore: region 0: made region0: 2147483648 bytes at 0x390000000 in decoder0\.0, 2 way\(s\) × 256 B over decoder\d+\.0 decoder\d+\.0 \(12 writes\)\n(.*\n)*daxlayout-restore: region 0: restored dax0\.0\(tier2\) dax0\.1\(app\) dax0\.2\(tail\)/.test(j1), j1);
    same(`${kernel} cxl2: after reboot, daxctl list = prediction`, await daxctl(vm), predicted);
    const sysfsAfter = (await vm.ssh(region)).stdout.trim();
    check(`${kernel} cxl2: after reboot the CXL region is the one apply made (size, start, ways, granularity, serials in order, committed, bound)`, sysfsAfter === sysfsBefore, `${sysfsAfter}\nbefore:\n${sysfsBefore}`);
    const names = (await vm.ssh('readlink -f /dev/dax/by-label/app; cat /run/daxlayout/by-label/tier2 /run/daxlayout/by-label/tail')).stdout.trim();
    check(`${kernel} cxl2: by-label names: app -> /dev/dax0.1, tier2 and tail on node 1`, names === '/dev/dax0.1\n1\n1', names);
    const v = await cliApply(vm, disk, CXL, { block: 'cxl region pool on guest' });
    check(`${kernel} cxl2: apply after reboot: no changes, the restorer up to date`, v.code === 0 && v.json.result === 'no-changes' && v.json.writesTotal === 0 && v.json.persist?.action === 'up-to-date', v.detail);
    const again = await vm.ssh('/usr/local/libexec/daxlayout-restore; echo "exit $?"');
    check(`${kernel} cxl2: running the restorer again writes nothing (region adopted, devices in place)`,
      /region0 is in place as recorded: adopted, nothing written/.test(again.stdout) && /already as the layout wants it/.test(again.stdout) && /exit 0/.test(again.stdout), again.stdout + again.stderr);
    const t = await restoreTiming(vm);
    log(`restorer at boot (CXL region + 3 devices): ${t.seconds?.toFixed(3) ?? '?'} s; ${t.blame}`);
    // where that time goes: waiting for the memdevs, making the region, the devices (monotonic stamps)
    log((await vm.ssh('journalctl -b -o short-monotonic --no-pager -u daxlayout-restore.service | tail -n 4')).stdout.trim());

    if (!refusal) return;
    // the second memdev has another serial: refused before any write
    vm = await vm.reboot({ serials: [1, 3] });
    const j2 = await journal(vm);
    const active = (await vm.ssh('systemctl is-active daxlayout-restore.service; ls /sys/bus/cxl/devices | grep -c "^region" ; cat /sys/bus/cxl/devices/mem*/serial | sort | tr "\\n" " "')).stdout.trim().split('\n');
    check(`${kernel} cxl2: memdev serial 0x2 replaced by 0x3 → the restorer refuses, the journal says why`,
      /daxlayout-restore: region 0: no CXL memdev with serial 0x2 within 20 s \(the layout's memdevs by serial, in interleave order: 0x1 0x2; this host's: mem\d:0x[13] mem\d:0x[13]\): the memdevs differ; refusing to touch it/.test(j2), j2);
    check(`${kernel} cxl2: nothing written (no CXL region), the unit failed`, active[0] === 'failed' && active[1] === '0' && active[2] === '0x1 0x3', active.join(' | '));
  } catch (e) {
    check(`${kernel} cxl2: scenario ran`, false, e.stack ?? String(e));
  } finally {
    await vm?.shutdown();
    if (!keep) disk.remove();
    log(`cxl2 scenario on ${kernel}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

async function measure(kernel) {
  log(`== ${kernel}: 16-device layout, restorer time at boot`);
  const disk = prepareDisk(`perf-${kernel}`);
  let vm;
  try {
    vm = await bootDistro({ kernel, disk });
    const { a, host, predicted } = await analyse(vm, `\n${SIXTEEN}`);
    const art = core.persistArtifacts(a, host);
    check(`${kernel}: 16 devices, artifacts made`, art.problems.length === 0, art.problems.join('\n'));
    const inst = await cliApply(vm, disk, `\n${SIXTEEN}`);
    log(`daxlayout apply, 16 devices: ${inst.brief}`);
    check(`${kernel}: 16 devices applied and the restorer installed (daxlayout apply)`, inst.code === 0 && inst.json.result === 'applied' && inst.json.persist?.action === 'installed' && inst.json.persist?.status === 'ok', inst.detail);
    const out = [];
    for (let i = 0; i < 2; i++) {
      vm = await vm.reboot();
      await settle(vm);
      same(`${kernel}: 16 devices back after reboot ${i + 1}`, await daxctl(vm), predicted);
      const t = await restoreTiming(vm);
      const j = await journal(vm);
      t.writes = /\((\d+) writes\)/.exec(j)?.[1];
      out.push(t);
      log(`restorer at boot (16 devices, ${t.writes ?? '?'} writes): ${t.seconds?.toFixed(3) ?? '?'} s (journal); blame: ${t.blame}; ${t.total}`);
    }
    // Where the time goes, on the booted (idle) guest: the restorer finding the layout in place
    // (its own reading, no write); from the boot state again (reset by hand); and the very same
    // writes replayed as bare `echo`s — the kernel's share.
    const ms = (cmd) => `s=$(date +%s%N); ${cmd}; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))`;
    const noop = await vm.ssh(ms('/usr/local/libexec/daxlayout-restore >/dev/null'));
    const bootDrv = kernel === '6.1' ? 'device_dax' : 'kmem';
    const reset = [
      'for i in $(seq 32 47); do m=/sys/devices/system/memory/memory$i; if [ -e $m ] && [ "$(cat $m/state)" = online ]; then echo offline > $m/state; fi; done',
      'for d in /sys/bus/dax/devices/dax0.*; do n=${d##*/}; for x in device_dax kmem; do if [ -e /sys/bus/dax/drivers/$x/$n ]; then echo $n > /sys/bus/dax/drivers/$x/unbind; fi; done; echo 0 > $d/size; done',
      'for d in /sys/bus/dax/devices/dax0.*; do n=${d##*/}; if [ $n != dax0.0 ]; then echo $n > /sys/devices/platform/hmem.0/dax_region/delete; fi; done',
      'echo 2147483648 > /sys/bus/dax/devices/dax0.0/size',
      `echo dax0.0 > /sys/bus/dax/drivers/${bootDrv}/bind 2>/dev/null || echo dax0.0 > /sys/bus/dax/drivers/${bootDrv}/new_id`,
    ].join('\n');
    const logged = "sed 's|^put() { echo \"$2\" > \"$S$1\"; }$|put() { echo \"$1 $2\" >> /run/dl-writes; echo \"$2\" > \"$S$1\"; }|' /usr/local/libexec/daxlayout-restore > /run/dl-restore";
    await vm.ssh(`${reset}\n${logged}\nrm -f /run/dl-writes; sh /run/dl-restore >/dev/null; sleep 2`);
    const writes = Number((await vm.ssh('wc -l < /run/dl-writes')).stdout.trim());
    // alternate, three times each (TCG timings vary from run to run); medians
    const restore = [];
    const replay = [];
    for (let i = 0; i < 3; i++) {
      restore.push(Number((await vm.ssh(`${reset}\nsleep 2\n${ms('/usr/local/libexec/daxlayout-restore >/dev/null')}`)).stdout.trim()));
      replay.push(Number((await vm.ssh(`${reset}\nsleep 2\n${ms('while read -r p v; do echo "$v" 2>/dev/null > "/sys$p"; done < /run/dl-writes')}`)).stdout.trim()));
    }
    same(`${kernel}: 16 devices restored from a hand-made boot state, and replayed`, await daxctl(vm), predicted);
    const med = (xs) => [...xs].sort((x, y) => x - y)[1];
    log(`idle guest, 16 devices: restorer finding them in place ${noop.stdout.trim()} ms; from the boot state ${restore.join('/')} ms (median ${med(restore)}, ${writes} writes); the same writes as bare echos ${replay.join('/')} ms (median ${med(replay)})`);
    out.push({ noopMs: Number(noop.stdout.trim()), restoreMs: med(restore), replayMs: med(replay), writes });
    // The ≤ 1 s target at boot is reported; what the restorer controls is checked: its time
    // beyond the kernel's own time for the same writes (under TCG the kernel's share — struct
    // pages for every devdax bind, memory hot-add and onlining — alone can exceed a second).
    const boots = out.filter((t) => 'start' in t).map((t) => t.seconds ?? Infinity);
    const idle = out.find((t) => 'replayMs' in t);
    log(`16-device restore at boot: ${boots.map((x) => x.toFixed(3)).join(' s, ')} s — target ≤ 1 s ${Math.max(...boots) <= 1 ? 'met' : 'not met on every boot'}`);
    check(`${kernel}: the restorer adds ≤ 1 s to the kernel's time for the same writes (median ${idle.restoreMs} vs ${idle.replayMs} ms)`, idle.restoreMs - idle.replayMs <= 1000);
    return out;
  } catch (e) {
    check(`${kernel}: measurement ran`, false, e.stack ?? String(e));
  } finally {
    await vm?.shutdown();
    if (!keep) disk.remove();
  }
}

// the scenario on 6.1, 6.12 and 7.3; the 16-device measurement on 6.1 and 6.12 (`--only 7.3` measures 7.3)
const kernels = ['6.1', '6.12', '7.3'].filter((k) => !only || k === only);
const t0 = Date.now();
if (!args.includes('--perf-only') && !args.includes('--cxl-only')) for (const k of kernels) await scenario(k);
// the persisted cxl region on the CXL kernels (6.12, 7.3); the boot with another memdev serial
// (the restorer's refusal writes nothing and reads only serials: the same on every kernel) on 7.3
// only, one CXL boot (1.5–4 min) less, unless one kernel is asked for
if (!args.includes('--perf-only') && !args.includes('--no-cxl')) {
  for (const k of kernels.filter((x) => x !== '6.1')) await cxlScenario(k, { refusal: Boolean(only) || k === '7.3' });
}
if (perf && !args.includes('--cxl-only')) for (const k of kernels.filter((x) => only || x !== '7.3')) await measure(k);
console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s`);
for (const f of failures) console.log(`  FAIL ${f.split('\n')[0]}`);
// the last line, for scripts: N passed, M failed
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
