#!/usr/bin/env node
// test/vm/run-script.mjs — runs one `echo VALUE > PATH` script on a freshly booted real
// kernel and compares it, write by write and state by state, with `daxlayout sim`.
//
//   node test/vm/run-script.mjs --kernel 6.1 test/fixtures/sim/real-6.1.sh
//   options: --machine M     boot the vm.mjs machine M (hmem, cxl2, cxl1, hmem-cxl); on CXL machines the
//                            model gets a capture dump with the CXL topology, and the CXL state
//                            (decoders, regions) is compared after every write too
//            --region-idle   boot with dax_hmem.region_idle=1
//            --capture       give the model a capture dump of the boot (docs/facts.md) instead of
//                            the daxctl JSON: it carries region_idle, memory blocks, attributes
//            --final-only    compare only the final state (default: the state after every write)
//            --no-build      do not run `node server/build.mjs` first
//            --keep          keep the run directory (console.log) under test/vm/.cache/runs/
//            --json FILE     also write the full result (real outputs, sim outputs) as JSON
//            --verbose       print the state differences and the guest's dmesg tail
//
// The guest gets ONE ssh round trip: a generated POSIX sh program that prints `uname -r`,
// `daxctl list -RDMi` (the facts the simulation starts from; with --capture also the
// capture dump of test/vm/capture.sh), each device's `resource`, then runs each write in a
// subshell `( echo VALUE > PATH ) 2>&1`, printing `@@ N rc errtext` and (unless
// --final-only) the daxctl JSON after it, and finally the daxctl JSON and a dmesg tail.
// Exit status: 0 when every write and every compared state agree AND every `# expect:`
// comment holds on the real kernel; 1 otherwise; 2 on a harness error.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CXL_STATE_FN, cxlCapturePart, parseCxlState } from './cxl-state.mjs';
import { boot } from './vm.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const CLI = join(ROOT, 'server', 'bin', 'daxlayout.cjs');

// ---- scripts: the reader of `daxlayout sim` (server/core/kernel/script.ts), one script per kernel ----
const require = createRequire(import.meta.url);
let coreModule;
/** The built core (server/dist/core.cjs; build() makes it). */
function core() {
  coreModule ??= require(join(ROOT, 'server', 'dist', 'core.cjs'));
  return coreModule;
}

/**
 * The writes of a script, read by the core's `daxlayout sim` reader: {line, cmd (the write as
 * spelled, comment dropped), expect (a `# expect: RESULT` claim)}. Throws on a line it refuses.
 */
export function parseWrites(text) {
  const r = core().parseScript(text);
  if (!r.ok) throw new Error(r.message);
  const raw = text.split('\n');
  return r.writes.map((w) => {
    const m = /#\s*expect:\s*(\S+)/.exec(raw[w.line - 1].slice(raw[w.line - 1].indexOf(w.text) + w.text.length));
    return { line: w.line, cmd: w.text, expect: m ? m[1] : undefined };
  });
}

/**
 * A script as `kernel` (6.1 … 7.3) has it: a line marked `# only: K…` is kept on those kernels
 * and blanked on the others (line numbers kept), and the hmem region's path
 * (/sys/devices/platform/hmem.N) is the one the kernel uses (7.2+: under hmem_platform.0;
 * the core's hmemRegionPath). One script serves every kernel.
 */
export function forKernel(text, kernel) {
  const c = core();
  const v = c.parseRelease(kernel);
  return text
    .split('\n')
    .map((l) => {
      const only = /#\s*only:\s*([0-9. ]+)/.exec(l);
      if (only && !only[1].trim().split(/\s+/).includes(kernel)) return '';
      return l.replace(/\/sys\/devices\/platform\/hmem\.(\d+)\//g, (_, id) => `${c.hmemRegionPath(v, Number(id))}/`);
    })
    .join('\n');
}

// ---- errno names from what busybox sh prints (glibc strerror texts) -----------------------
const STRERROR = {
  'Operation not permitted': 'EPERM', 'No such file or directory': 'ENOENT', 'No such process': 'ESRCH',
  'Interrupted system call': 'EINTR', 'Input/output error': 'EIO', 'No such device or address': 'ENXIO',
  'Argument list too long': 'E2BIG', 'Bad file descriptor': 'EBADF', 'Resource temporarily unavailable': 'EAGAIN',
  'Cannot allocate memory': 'ENOMEM', 'Permission denied': 'EACCES', 'Bad address': 'EFAULT',
  'Device or resource busy': 'EBUSY', 'File exists': 'EEXIST', 'No such device': 'ENODEV',
  'Not a directory': 'ENOTDIR', 'Is a directory': 'EISDIR', 'Invalid argument': 'EINVAL',
  'File too large': 'EFBIG', 'No space left on device': 'ENOSPC', 'Read-only file system': 'EROFS',
  'Numerical argument out of domain': 'EDOM', 'Numerical result out of range': 'ERANGE',
  'Operation not supported': 'EOPNOTSUPP', 'Function not implemented': 'ENOSYS',
  'Value too large for defined data type': 'EOVERFLOW', 'Operation already in progress': 'EALREADY',
  'Operation now in progress': 'EINPROGRESS', 'Device not a stream': 'ENOSTR', 'Broken pipe': 'EPIPE',
  'Unknown error 524': 'ENOTSUPP', 'Unknown error 517': 'EPROBE_DEFER', 'Unknown error 512': 'ERESTARTSYS',
  'Invalid exchange': 'EBADE', 'No data available': 'ENODATA', 'Timer expired': 'ETIME',
  'Text file busy': 'ETXTBSY', 'Too many open files': 'EMFILE', 'Exec format error': 'ENOEXEC',
};
/** Maps one write's rc and error text to `ok` or an errno name (`?<text>` when unknown). */
export function outcome(rc, text) {
  const t = text.trim();
  if (rc === 0 && t === '') return 'ok';
  // busybox ash: `can't create PATH: nonexistent directory` is its wording for ENOENT/ENOTDIR on open
  if (/nonexistent directory\s*$/.test(t)) return 'ENOENT';
  const m = /:\s*([^:]+?)\s*$/.exec(t);
  if (m && STRERROR[m[1]]) return STRERROR[m[1]];
  return `?rc=${rc}:${t}`;
}

// A capture dump (docs/facts.md, "Capture dumps") of the boot state: test/vm/capture.sh, and on
// the CXL machines also the CXL bus part of test/vm/cxl-capture.sh (cxl-state.mjs).
const CAPTURE = readFileSync(join(HERE, 'capture.sh'), 'utf8');
const CXL_CAPTURE = cxlCapturePart(readFileSync(join(HERE, 'cxl-capture.sh'), 'utf8'));

// ---- the guest program ---------------------------------------------------------------
const B64 = (s) => Buffer.from(s).toString('base64');
function guestProgram(writes, every, capture, cxl) {
  const out = [
    'exec 2>&1',
    ...(cxl ? [CXL_STATE_FN] : []),
    ...(capture ? ['echo @@CAPTURE', CAPTURE.trim(), ...(cxl ? [CXL_CAPTURE] : []), 'echo @@END'] : []),
    'echo "@@UNAME $(uname -r)"',
    'echo @@BEFORE; daxctl list -RDMi; echo @@END',
    // a zero-size device's `resource` is its region's start: the model needs it when no device has a range
    'for d in /sys/bus/dax/devices/dax*; do [ -r "$d/resource" ] && echo "@@RESOURCE ${d##*/} $(cat "$d/resource")"; done',
  ];
  for (const w of writes) {
    // the write runs exactly as the script spells it, in its own subshell
    out.push(`o=$( ( ${w.cmd} ) 2>&1 ); rc=$?; printf '@@ %s %s %s\\n' ${w.line} "$rc" "$(printf %s "$o" | tr '\\n' ' ')"`);
    if (every) out.push(`echo @@STATE ${w.line}; daxctl list -RDMi; echo @@END`);
    if (every && cxl) out.push(`echo @@CXLSTATE ${w.line}; cxlstate; echo @@END`);
  }
  out.push('echo @@AFTER; daxctl list -RDMi; echo @@END');
  if (cxl) out.push('echo @@CXLAFTER; cxlstate; echo @@END');
  out.push('echo @@DMESG; dmesg | tail -n 60; echo @@END');
  return out.join('\n') + '\n';
}

function parseGuest(stdout) {
  const lines = stdout.split('\n');
  const res = { uname: undefined, before: undefined, after: undefined, states: new Map(), writes: new Map(), dmesg: '', resource: new Map(), cxlStates: new Map(), cxlAfter: undefined };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m;
    if ((m = /^@@UNAME (\S+)/.exec(l))) res.uname = m[1];
    else if ((m = /^@@RESOURCE (\S+) (\S+)/.exec(l))) res.resource.set(m[1], m[2]);
    else if ((m = /^@@ (\d+) (\d+) ?(.*)$/.exec(l))) res.writes.set(Number(m[1]), { rc: Number(m[2]), text: m[3] });
    else if ((m = /^@@(BEFORE|AFTER|STATE (\d+)|DMESG|CAPTURE|CXLSTATE (\d+)|CXLAFTER)$/.exec(l))) {
      const body = [];
      for (i++; i < lines.length && lines[i] !== '@@END'; i++) body.push(lines[i]);
      const txt = body.join('\n');
      if (m[3] !== undefined) { res.cxlStates.set(Number(m[3]), parseCxlState(txt)); continue; }
      if (m[1] === 'CXLAFTER') { res.cxlAfter = parseCxlState(txt); continue; }
      if (m[1] === 'DMESG') { res.dmesg = txt; continue; }
      if (m[1] === 'CAPTURE') { res.capture = txt + '\n'; continue; }
      let json;
      try { json = JSON.parse(txt.trim() === '' ? '[]' : txt); } catch { json = { unparsable: txt }; }
      if (m[1] === 'BEFORE') res.before = json;
      else if (m[1] === 'AFTER') res.after = json;
      else res.states.set(Number(m[2]), json);
    }
  }
  return res;
}

// ---- state normalisation and comparison ------------------------------------------------
const REGION_KEYS = ['id', 'path', 'size', 'available_size', 'align'];
const DEVICE_KEYS = ['chardev', 'size', 'target_node', 'align', 'mode', 'state', 'online_memblocks', 'total_memblocks', 'movable'];
export function normalise(state) {
  if (!Array.isArray(state)) return state;
  return [...state].sort((a, b) => a.id - b.id).map((r) => {
    const o = {};
    for (const k of REGION_KEYS) o[k] = r[k] ?? (k === 'available_size' ? 0 : null);
    o.devices = [...(r.devices ?? [])]
      .sort((a, b) => String(a.chardev).localeCompare(String(b.chardev), 'en', { numeric: true }))
      .map((d) => {
        const x = {};
        for (const k of DEVICE_KEYS) if (d[k] !== undefined) x[k] = d[k];
        x.mappings = [...(d.mappings ?? [])].sort((a, b) => a.page_offset - b.page_offset)
          .map((m) => ({ page_offset: m.page_offset, start: m.start, end: m.end, size: m.size }));
        return x;
      });
    return o;
  });
}
/** Lists differences `path: real=… sim=…` between two normalised states. */
export function diffStates(real, sim, path = '') {
  if (JSON.stringify(real) === JSON.stringify(sim)) return [];
  const isObj = (v) => v !== null && typeof v === 'object';
  if (Array.isArray(real) && Array.isArray(sim)) {
    // devices: key by chardev so an extra device reads well
    if (real.concat(sim).every((v) => isObj(v) && 'chardev' in v)) {
      const names = [...new Set([...real, ...sim].map((v) => v.chardev))];
      return names.flatMap((n) => diffStates(real.find((v) => v.chardev === n), sim.find((v) => v.chardev === n), `${path}[${n}]`));
    }
    const out = [];
    for (let i = 0; i < Math.max(real.length, sim.length); i++) out.push(...diffStates(real[i], sim[i], `${path}[${i}]`));
    return out;
  }
  if (isObj(real) && isObj(sim) && !Array.isArray(real) && !Array.isArray(sim)) {
    const keys = [...new Set([...Object.keys(real), ...Object.keys(sim)])];
    return keys.flatMap((k) => diffStates(real[k], sim[k], path ? `${path}.${k}` : k));
  }
  const show = (v) => (v === undefined ? '(absent)' : typeof v === 'number' && v >= 65536 ? `${v} (0x${v.toString(16)})` : JSON.stringify(v));
  return [`${path}: real=${show(real)} sim=${show(sim)}`];
}

const firstLine = (t) => String(t).split('\n')[0];

// ---- the simulation --------------------------------------------------------------------
function simRun(factsFile, release, scriptFile, extra = []) {
  return new Promise((res) => {
    const p = spawn(process.execPath, [CLI, 'sim', '--json', '--facts', factsFile, '--kernel', release, ...extra, scriptFile]);
    let out = '', err = '';
    p.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    p.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    p.on('close', (code) => {
      if (code !== 0) return res({ error: (err || out).trim() || `exit ${code}` });
      try { res(JSON.parse(out)); } catch (e) { res({ error: `unparsable sim output: ${e.message}` }); }
    });
  });
}
async function pool(items, n, fn) {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.max(1, n) }, async () => { while (queue.length) await fn(queue.shift()); }));
}

export function build() {
  execFileSync(process.execPath, [join(ROOT, 'server', 'build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Boots `kernel`, runs `script` on it and in the model; returns the comparison (and prints it unless quiet). */
export async function runScript({ kernel, script, machine = 'hmem', every = true, regionIdle = false, capture = false, keep = false, verbose = false, log = console.log }) {
  const text = forKernel(readFileSync(script, 'utf8'), kernel);
  const writes = parseWrites(text);
  const t0 = Date.now();
  const cxl = machine !== 'hmem';
  // the CXL topology reaches the model only through a capture dump
  if (cxl) capture = true;
  const vm = await boot({ kernel, machine, regionIdle, keep });
  const tBoot = Date.now();
  let g;
  try {
    const r = await vm.ssh(guestProgram(writes, every, capture, cxl), undefined, { timeoutMs: 900_000 });
    if (keep) writeFileSync(join(vm.runDir, 'guest.out'), r.stdout); // with --keep, the guest's raw output beside console.log
    if (r.code !== 0 && !r.stdout.includes('@@AFTER')) throw new Error(`ssh exit ${r.code}: ${r.stderr}`);
    g = parseGuest(r.stdout);
  } finally {
    await vm.shutdown();
  }
  const tRun = Date.now();
  const release = g.uname ?? vm.release;

  // the model, from the facts captured on this very boot
  const tmp = mkdtempSync(join(tmpdir(), 'daxlayout-vm-'));
  const factsFile = join(tmp, capture ? 'facts.capture.txt' : 'facts.json');
  writeFileSync(factsFile, capture ? g.capture : JSON.stringify(g.before, null, 2));
  // regions with no mapped device (e.g. dax_hmem.region_idle=1): tell the model where they start
  const extra = [];
  for (const r of !capture && Array.isArray(g.before) ? g.before : []) {
    if ((r.devices ?? []).some((d) => (d.mappings ?? []).length > 0)) continue;
    const zero = (r.devices ?? []).find((d) => g.resource.has(d.chardev));
    if (zero) extra.push('--region-start', `${r.id}=${g.resource.get(zero.chardev)}`);
  }
  const sim = (facts, rel, file) => simRun(facts, rel, file, extra);
  const scriptFile = join(tmp, 'script.sh'); // the script as this kernel has it (forKernel)
  writeFileSync(scriptFile, text);
  const full = await sim(factsFile, release, scriptFile);
  const src = text.split('\n');
  // the script with every write after index i blanked out (line numbers kept)
  const prefixFile = (i, tag) => {
    const f = join(tmp, `prefix-${tag}.sh`);
    writeFileSync(f, src.map((l, n) => (writes.slice(i + 1).some((x) => x.line === n + 1) ? '' : l)).join('\n'));
    return f;
  };
  const simResults = new Map((full.results ?? []).map((x) => [x.line, x.result]));
  // a write the model declines (`cannot model`): take the outcomes of the writes before it
  const unmodelled = /line (\d+): cannot model/.exec(full.error ?? '');
  if (unmodelled) {
    const at = Number(unmodelled[1]);
    const idx = writes.findIndex((w) => w.line === at);
    const part = idx > 0 ? await sim(factsFile, release, prefixFile(idx - 1, 'partial')) : { results: [] };
    for (const x of part.results ?? []) simResults.set(x.line, x.result);
    simResults.set(at, 'UNMODELLED');
    for (const w of writes.slice(idx + 1)) simResults.set(w.line, 'NOT-RUN');
  }
  // per-write states: the model's state after each write
  const simStates = new Map();
  const simCxl = new Map();
  if (every && (!full.error || unmodelled)) {
    await pool([...writes.entries()], availableParallelism(), async ([i, w]) => {
      const s = await sim(factsFile, release, prefixFile(i, w.line));
      simStates.set(w.line, s.error ? { error: s.error } : s.state);
      if (cxl && !s.error) simCxl.set(w.line, s.cxl);
    });
  }
  rmSync(tmp, { recursive: true, force: true });
  const tSim = Date.now();

  const rows = [];
  let agreeW = 0, agreeS = 0, nS = 0, expectBad = [];
  for (const w of writes) {
    const gw = g.writes.get(w.line);
    const real = gw ? outcome(gw.rc, gw.text) : 'NOT-RUN';
    const s = simResults.get(w.line) ?? (full.error ? 'SIM-ERROR' : 'NOT-MODELLED');
    const agree = real === s;
    if (agree) agreeW++;
    let stateDiff;
    if (every) {
      nS++;
      const ss = simStates.get(w.line);
      stateDiff = ss === undefined || ss.error ? [`no model state (${ss ? firstLine(ss.error) : 'sim failed'})`] : diffStates(normalise(g.states.get(w.line)), normalise(ss));
      if (cxl && ss !== undefined && !ss.error) stateDiff.push(...diffStates(g.cxlStates.get(w.line), simCxl.get(w.line), 'cxl'));
      if (stateDiff.length === 0) agreeS++;
    }
    if (w.expect !== undefined && w.expect !== real) expectBad.push({ line: w.line, cmd: w.cmd, expect: w.expect, real, sim: s });
    rows.push({ line: w.line, cmd: w.cmd, real, sim: s, expect: w.expect, agree, stateDiff, raw: gw });
  }
  nS++;
  const finalDiff = full.error ? [`no model state (${firstLine(full.error)})`] : diffStates(normalise(g.after), normalise(full.state));
  if (cxl && !full.error) finalDiff.push(...diffStates(g.cxlAfter, full.cxl, 'cxl'));
  if (finalDiff.length === 0) agreeS++;

  const name = relative(ROOT, resolve(script));
  log(`== ${name} on ${release}${cxl ? ` (machine ${machine})` : ''}${regionIdle ? ' (dax_hmem.region_idle=1)' : ''}, facts: ${capture ? 'capture dump' : 'daxctl list -RDMi'} (boot ${((tBoot - t0) / 1000).toFixed(1)} s, guest run ${((tRun - tBoot) / 1000).toFixed(1)} s, sim ${((tSim - tRun) / 1000).toFixed(1)} s)`);
  if (full.error) log(`sim: ${firstLine(full.error)}`);
  for (const r of rows) {
    const st = r.stateDiff === undefined ? '' : r.stateDiff.length === 0 ? ' state=AGREE' : ` state=DIFFER(${r.stateDiff.length})`;
    const ex = r.expect === undefined ? '' : r.expect === r.real ? '' : `  [expect: ${r.expect} — the real kernel disagrees]`;
    log(`line ${r.line}: real=${r.real} sim=${r.sim} [${r.agree ? 'AGREE' : 'DIFFER'}]${st}${ex}`);
    if (r.real.startsWith('?')) log(`    unrecognised error text: ${JSON.stringify(r.raw)}`);
    if (r.stateDiff?.length) for (const d of r.stateDiff.slice(0, verbose ? 1e9 : 6)) log(`    state after line ${r.line}: ${d}`);
  }
  log(`final state: ${finalDiff.length === 0 ? 'AGREE' : 'DIFFER'}`);
  for (const d of finalDiff) log(`    final: ${d}`);
  if (expectBad.length) log(`expect comments contradicted by the real kernel: ${expectBad.map((e) => `line ${e.line} (expect ${e.expect}, real ${e.real})`).join(', ')}`);
  if (verbose) log(`dmesg tail:\n${g.dmesg}`);
  log(`agreement: ${agreeW}/${writes.length} writes, ${agreeS}/${nS} states; expect comments: ${writes.filter((w) => w.expect !== undefined).length - expectBad.length}/${writes.filter((w) => w.expect !== undefined).length} hold`);
  const ok = agreeW === writes.length && agreeS === nS && expectBad.length === 0 && !full.error;
  return {
    script: name, kernel, machine, release, regionIdle, factsFrom: capture ? 'capture' : 'daxctl', ok, writes: writes.length, agreeWrites: agreeW, states: nS, agreeStates: agreeS, expectBad,
    rows, finalDiff, timings: { bootMs: tBoot - t0, sshToReadyMs: vm.bootMs, guestRunMs: tRun - tBoot, simMs: tSim - tRun },
    before: g.before, capture: g.capture, after: g.after, simState: full.state, dmesg: g.dmesg,
  };
}

// ---- CLI -------------------------------------------------------------------------------
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (f) => { const i = args.indexOf(f); if (i < 0) return false; args.splice(i, 1); return true; };
  const opt = (f) => { const i = args.indexOf(f); if (i < 0) return undefined; const v = args[i + 1]; args.splice(i, 2); return v; };
  const kernel = opt('--kernel') ?? '6.1';
  const machine = opt('--machine') ?? 'hmem';
  const jsonOut = opt('--json');
  const o = { regionIdle: flag('--region-idle'), capture: flag('--capture'), every: !flag('--final-only'), keep: flag('--keep'), verbose: flag('--verbose') };
  const noBuild = flag('--no-build');
  if (args.length !== 1) {
    console.error('usage: node test/vm/run-script.mjs [--kernel 6.1|6.12] [--region-idle] [--capture] [--final-only] [--no-build] [--keep] [--verbose] [--json FILE] SCRIPT');
    process.exit(2);
  }
  try {
    if (!noBuild) build();
    const r = await runScript({ kernel, machine, script: args[0], ...o });
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(r, null, 2));
    process.exit(r.ok ? 0 : 1);
  } catch (e) {
    console.error(`run-script: ${e.stack ?? e}`);
    process.exit(2);
  }
}
