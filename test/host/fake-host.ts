// A fake host for the plan/apply tests: host facts laid out as a sysfs/proc
// tree of plain files (so the real capture and apply programs run on it with a
// local sh), and a Transport whose "kernel" is the kernel model: captures run
// the real capture program on a tree made from the model's state; apply
// programs are checked (guard, quoting) and their writes run through the model.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { HostFacts } from '../../server/core/host-facts';
import { KernelModel } from '../../server/core/kernel/model';
import { snapshot } from '../../server/core/kernel/snapshot';
import { captureProgram, stateText } from '../../server/host/shell';
import type { RemoteResult, RunOptions, Transport } from '../../server/host/transport';

/** The shells the programs are tested with (absolute paths: tests may replace PATH). */
export const SHELLS = ['dash', 'busybox sh']
  .map((s) => {
    const [cmd, ...rest] = s.split(' ');
    const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
    return r.status === 0 ? [r.stdout.trim(), ...rest].join(' ') : '';
  })
  .filter((s) => s !== '');

export function tmp(prefix = 'daxlayout-host-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function put(root: string, path: string, value: string): void {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, value);
}

function link(root: string, from: string, to: string): void {
  const p = join(root, from);
  mkdirSync(dirname(p), { recursive: true });
  symlinkSync(relative(dirname(p), join(root, to)), p);
}

/** Lays out facts as the files the capture program reads, under `root`. */
export function writeTree(root: string, f: HostFacts): void {
  put(root, '/proc/sys/kernel/osrelease', `${f.kernelRelease ?? 'unknown'}\n`);
  put(root, '/proc/sys/kernel/hostname', `${f.hostname ?? 'fake'}\n`);
  put(
    root,
    '/proc/self/smaps',
    `00400000-00452000 r-xp 00000000 08:02 173521 /bin/sh\nSize:                328 kB\nKernelPageSize:        ${f.pageSize / 1024n} kB\n`,
  );
  const iomem = ['00001000-0009fbff : System RAM'];
  for (const r of f.regions)
    if (r.start !== undefined)
      iomem.push(`${r.start.toString(16)}-${(r.start + r.size - 1n).toString(16)} : ${r.path.split('/').pop()}`);
  put(root, '/proc/iomem', iomem.join('\n') + '\n');
  put(root, '/sys/kernel/mm/transparent_hugepage/enabled', '[always] madvise never\n');
  if (f.memmapOnMemorySupported !== undefined)
    put(root, '/sys/module/memory_hotplug/parameters/memmap_on_memory', f.memmapOnMemorySupported ? 'Y\n' : 'N\n');
  put(root, '/sys/module/dax_hmem/parameters/region_idle', 'N\n');
  put(root, '/sys/devices/system/memory/block_size_bytes', `${f.memoryBlockSize.toString(16)}\n`);
  put(root, '/sys/devices/system/memory/auto_online_blocks', `${f.autoOnlineBlocks}\n`);
  mkdirSync(join(root, '/sys/bus/dax/devices'), { recursive: true });
  for (const drv of ['device_dax', 'kmem'])
    for (const a of ['bind', 'unbind', 'new_id', 'remove_id']) put(root, `/sys/bus/dax/drivers/${drv}/${a}`, '');
  const nodes = new Set<number>([0, ...f.nodes.map((n) => n.id)]);
  for (const r of f.regions) {
    const g = `${r.path}/dax_region`;
    put(root, `${g}/id`, `${r.id}\n`);
    put(root, `${g}/size`, `${r.size}\n`);
    put(root, `${g}/align`, `${r.align}\n`);
    if (r.dynamic) {
      const used = r.devices.reduce((s, d) => s + d.size, 0n);
      put(root, `${g}/available_size`, `${r.size - used}\n`);
      put(root, `${g}/create`, '\n');
      put(root, `${g}/delete`, '');
    }
    for (const d of r.devices) {
      const dd = `${r.path}/${d.name}`;
      put(root, `${dd}/size`, `${d.size}\n`);
      put(root, `${dd}/align`, `${d.align}\n`);
      put(root, `${dd}/target_node`, `${d.targetNode}\n`);
      put(root, `${dd}/numa_node`, '0\n');
      put(root, `${dd}/resource`, `0x${(d.mappings[0]?.start ?? r.start ?? 0n).toString(16)}\n`);
      if (d.memmapOnMemory !== undefined) put(root, `${dd}/memmap_on_memory`, d.memmapOnMemory ? '1\n' : '0\n');
      for (const m of d.mappings) {
        put(root, `${dd}/mapping${m.id}/start`, `0x${m.start.toString(16)}\n`);
        put(root, `${dd}/mapping${m.id}/end`, `0x${m.end.toString(16)}\n`);
        put(root, `${dd}/mapping${m.id}/page_offset`, `0x${m.pageOffset.toString(16)}\n`);
      }
      link(root, `/sys/bus/dax/devices/${d.name}`, dd);
      if (d.driver) {
        link(root, `${dd}/driver`, `/sys/bus/dax/drivers/${d.driver}`);
        link(root, `/sys/bus/dax/drivers/${d.driver}/${d.name}`, dd);
      }
      if (d.targetNode >= 0) nodes.add(d.targetNode);
    }
  }
  for (const b of f.memoryBlocks) {
    const m = `/sys/devices/system/memory/memory${b.index}`;
    put(root, `${m}/state`, `${b.state}\n`);
    put(root, `${m}/valid_zones`, `${b.state === 'online' ? (b.zone ?? 'Normal') : 'Normal Movable'}\n`);
    put(root, `${m}/removable`, b.removable ? '1\n' : '0\n');
    put(root, `${m}/phys_index`, `${b.index.toString(16).padStart(8, '0')}\n`);
    link(root, `/sys/devices/system/node/node${b.node}/memory${b.index}`, m);
    nodes.add(b.node);
  }
  for (const n of nodes) {
    const info = f.nodes.find((x) => x.id === n);
    put(root, `/sys/devices/system/node/node${n}/cpulist`, `${info?.cpus ?? ''}\n`);
    put(
      root,
      `/sys/devices/system/node/node${n}/meminfo`,
      `Node ${n} MemTotal:       ${(info?.memTotal ?? 0n) / 1024n} kB\nNode ${n} MemFree:        1 kB\n`,
    );
  }
  const list = [...nodes].sort().join(',');
  for (const a of ['online', 'possible', 'has_memory', 'has_cpu', 'has_normal_memory'])
    put(root, `/sys/devices/system/node/${a}`, `${a === 'possible' ? list : '0'}\n`);
}

/** Starts a program with a local shell (`dash`, `busybox sh`), program on stdin. */
export function startSh(
  shell: string,
  program: string,
  env: Record<string, string> = {},
  onLine?: (l: string) => void,
): { child: ChildProcess; result: Promise<RemoteResult> } {
  const [cmd, ...pre] = shell.split(' ');
  const p = spawn(cmd as string, [...pre, '-s'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const result = new Promise<RemoteResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let partial = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        onLine?.(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
    });
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code: code ?? (signal ? 255 : -1), stdout, stderr }));
  });
  p.stdin.on('error', () => {});
  p.stdin.end(program);
  return { child: p, result };
}

export function runSh(
  shell: string,
  program: string,
  env: Record<string, string> = {},
  onLine?: (l: string) => void,
): Promise<RemoteResult> {
  return startSh(shell, program, env, onLine).result;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const STRERROR: Record<string, string> = {
  EINVAL: 'Invalid argument',
  EBUSY: 'Device or resource busy',
  ENOSPC: 'No space left on device',
  ENXIO: 'No such device or address',
  ENODEV: 'No such device',
  ENOMEM: 'Cannot allocate memory',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EOPNOTSUPP: 'Operation not supported',
};

export interface ModelHostOptions {
  /** Shell that runs the capture program. */
  readonly shell?: string;
  /** Make write K fail with this error text (as the shell would print it). */
  readonly failAt?: { index: number; error: string };
  /** Report the host's lock as held by another apply. */
  readonly lockBusy?: boolean;
  /** Called after the writes ran (a chance to make the host differ from the prediction). */
  readonly afterWrites?: (model: KernelModel) => void;
  /** The persist install program fails (the restore unit failed). */
  readonly installFails?: boolean;
}

/**
 * A Transport to a simulated host: captures are the real capture program run on a
 * tree made from the model's state; an apply program's guard is checked against
 * the same state and its writes go through the model. Records every program.
 */
export class ModelHost implements Transport {
  readonly description = 'fake host';
  readonly programs: string[] = [];
  readonly root: string;
  /**
   * The persist artifacts "installed" on this host (path → sha256): the core's install, verify
   * and remove programs (docs/persist.md) act on it, recognised by their first lines and `file`
   * checks; the capture lists them as present.
   */
  readonly installed = new Map<string, string>();
  private rt = 0;
  constructor(
    public model: KernelModel,
    private readonly o: ModelHostOptions = {},
  ) {
    this.root = tmp('daxlayout-fake-root-');
  }

  static fromFacts(f: HostFacts, o: ModelHostOptions = {}): ModelHost {
    return new ModelHost(KernelModel.fromFacts(f), o);
  }

  get roundTrips(): number {
    return this.rt;
  }
  get connections(): number {
    return 1;
  }

  private async captureNow(): Promise<string> {
    rmSync(this.root, { recursive: true, force: true });
    mkdirSync(this.root, { recursive: true });
    writeTree(this.root, snapshot(this.model.state, 'fake'));
    for (const path of this.installed.keys()) put(this.root, path, '');
    const r = await runSh(this.o.shell ?? SHELLS[0] ?? 'sh', captureProgram(this.root));
    if (r.code !== 0) throw new Error(`capture failed: ${r.stderr}`);
    return r.stdout;
  }

  async run(program: string, options: RunOptions = {}): Promise<RemoteResult> {
    this.rt++;
    this.programs.push(program);
    if (program.startsWith('# daxlayout cancel')) return { code: 0, stdout: '@@ cancel requested\n', stderr: '' };
    if (program.startsWith('# daxlayout facts capture')) {
      return { code: 0, stdout: await this.captureNow(), stderr: '' };
    }
    const persist = /^#!\/bin\/sh\n# daxlayout: (install|verify|remove) the persist artifacts/.exec(program)?.[1];
    if (persist) return this.persistProgram(persist, program);
    const out: string[] = [];
    const say = (l: string) => {
      out.push(l);
      options.onLine?.(l);
    };
    const done = (code: number): RemoteResult => ({ code, stdout: out.join('\n') + '\n', stderr: '' });
    if (this.o.lockBusy) {
      say('@@ lock-wait');
      say('@@ lock-busy /run/daxlayout.lock');
      return done(3);
    }
    say('@@ locked flock');
    const x = /^X='([^']*)'$/m.exec(program);
    if (!x) throw new Error('apply program without a guard');
    const now = stateText(await this.captureNow()) ?? '';
    if (now !== x[1]) {
      say('@@ changed');
      for (const l of now.split('\n')) say(l);
      say('@@ end');
      return done(3);
    }
    say('@@ guard ok');
    const writes = [...program.matchAll(/^ {2}w (\d+) '([^']*)' '([^']*)' \|\| exit 1$/gm)];
    for (const w of writes) {
      const i = Number(w[1]);
      if (this.o.failAt?.index === i) {
        say(`@@ step ${i} fail ${this.o.failAt.error}`);
        return done(1);
      }
      const r = this.model.write(w[2] as string, `${w[3]}\n`);
      if (r.kind !== 'ok') {
        say(`@@ step ${i} fail sh: write error: ${r.kind === 'errno' ? (STRERROR[r.errno] ?? r.errno) : r.reason}`);
        return done(1);
      }
      say(`@@ step ${i} ok`);
    }
    this.o.afterWrites?.(this.model);
    say('@@ done');
    return done(0);
  }

  private persistProgram(kind: string, program: string): RemoteResult {
    if (kind === 'remove') {
      this.installed.clear();
      return { code: 0, stdout: 'ok removed\n', stderr: '' };
    }
    const files = [...program.matchAll(/^file '([^']+)' ([0-7]+) ([0-9a-f]{64})$/gm)].map((m) => ({
      path: m[1] as string,
      sha: m[3] as string,
    }));
    if (kind === 'install') {
      if (this.o.installFails)
        return {
          code: 1,
          stdout:
            'journal: daxlayout-restore: region 0: refused\nbad daxlayout-restore.service: failed (journalctl -b -u daxlayout-restore.service says why)\n',
          stderr: '',
        };
      this.installed.clear();
      for (const f of files) this.installed.set(f.path, f.sha);
    }
    const out: string[] = [];
    for (const f of files) {
      const have = this.installed.get(f.path);
      out.push(
        have === undefined
          ? `bad ${f.path}: missing`
          : have === f.sha
            ? `ok ${f.path}`
            : `bad ${f.path}: sha256 ${have}, expected ${f.sha} (changed on the host?)`,
      );
    }
    out.push(
      this.installed.size > 0
        ? 'ok daxlayout-restore.service enabled'
        : 'bad daxlayout-restore.service: disabled, expected enabled',
    );
    const bad = out.some((l) => l.startsWith('bad '));
    return { code: bad ? 1 : 0, stdout: out.join('\n') + '\n', stderr: '' };
  }

  async close(): Promise<void> {
    rmSync(this.root, { recursive: true, force: true });
  }
}
