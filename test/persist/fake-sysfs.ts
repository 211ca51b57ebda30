// Runs a generated restorer, unchanged but for three lines, against the kernel model: the
// model's state is rendered as a sysfs tree in a temporary directory (what the program reads),
// and the program's one sysfs write (`put`) goes to the model over a socket on fd 3, which
// answers `ok` or the errno and renders the tree again. So the program's own logic, as dash or
// busybox sh runs it, meets the model's write semantics — the CXL region ABI's too.
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { KernelModel } from '../../server/core/index';
import { deviceName, deviceSize, availableSize, regionSize } from '../../server/core/kernel/state';
import { has } from '../../server/core/kernel/version';

const hx = (v: bigint) => (v === 0n ? '0' : `0x${v.toString(16)}`);

function put(root: string, rel: string, content: string): void {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content + '\n');
}

/** Writes the model's state as the sysfs files the restorer reads, under `root` (standing for /sys). */
export function renderSysfs(root: string, model: KernelModel): void {
  for (const e of existsSync(root) ? readdirSync(root) : []) rmSync(join(root, e), { recursive: true, force: true });
  const st = model.state;
  for (const drv of ['device_dax', 'kmem']) mkdirSync(join(root, 'bus/dax/drivers', drv), { recursive: true });
  mkdirSync(join(root, 'bus/dax/devices'), { recursive: true });
  for (const r of st.regions) {
    const parent = r.path.replace(/^\/sys\//, '');
    const g = `${parent}/dax_region`;
    put(root, `${g}/id`, String(r.id));
    put(root, `${g}/size`, String(regionSize(r)));
    put(root, `${g}/align`, String(r.align));
    if (r.dynamic) {
      put(root, `${g}/available_size`, String(availableSize(r)));
      put(root, `${g}/create`, r.youngest && !r.youngest.deleted ? deviceName(r.youngest) : '');
      put(root, `${g}/seed`, r.seed ? deviceName(r.seed) : '');
    }
    for (const d of r.devices.values()) {
      const name = deviceName(d);
      const dir = `${parent}/${name}`;
      put(root, `${dir}/size`, String(deviceSize(d)));
      put(root, `${dir}/align`, String(d.align));
      put(root, `${dir}/resource`, hx(d.ranges[0]?.start ?? r.start));
      if (d.targetNode >= 0) put(root, `${dir}/target_node`, String(d.targetNode));
      if (has(st.version, 'memmapOnMemory')) put(root, `${dir}/memmap_on_memory`, d.memmapOnMemory ? '1' : '0');
      for (const m of d.ranges) {
        put(root, `${dir}/mapping${m.mappingId}/start`, hx(m.start));
        put(root, `${dir}/mapping${m.mappingId}/end`, hx(m.end));
        put(root, `${dir}/mapping${m.mappingId}/page_offset`, hx(m.pgoff));
      }
      symlinkSync(join(root, dir), join(root, 'bus/dax/devices', name));
      if (d.driver) symlinkSync(join(root, dir), join(root, 'bus/dax/drivers', d.driver, name));
    }
  }
  if (model.cxl) renderCxl(root, model.cxl);
  put(root, 'devices/system/memory/block_size_bytes', st.blockSize.toString(16));
  put(root, 'devices/system/memory/auto_online_blocks', st.autoOnline);
  for (const b of st.blocks.values()) {
    put(root, `devices/system/memory/memory${b.index}/state`, b.state);
    // the block's link to its node (a directory here; the restorer only tests that it exists)
    mkdirSync(join(root, `devices/system/memory/memory${b.index}/node${b.node}`), { recursive: true });
    put(
      root,
      `devices/system/memory/memory${b.index}/valid_zones`,
      b.state === 'online' ? (b.zone ?? 'Normal') : 'Normal Movable',
    );
  }
}

/**
 * The CXL model's state as the sysfs the restorer reads (formats as the kernel prints them,
 * docs/cxl.md): root decoders (`start`, `size`, `create_ram_region`) with their regions as child
 * directories, regions, endpoint decoders (`mode`, `dpa_size`, `region`), endpoint ports whose
 * `uport` links to their memdev (`serial`), `/sys/bus/cxl/devices` links and the cxl_region driver.
 */
function renderCxl(root: string, cxl: NonNullable<KernelModel['cxl']>): void {
  const bus = 'bus/cxl/devices';
  mkdirSync(join(root, bus), { recursive: true });
  mkdirSync(join(root, 'bus/cxl/drivers/cxl_region'), { recursive: true });
  const link = (name: string, dir: string) => symlinkSync(join(root, dir), join(root, bus, name));
  for (const m of cxl.memdevs) {
    const dir = `devices/pci0000:0c/${m.name}`;
    put(root, `${dir}/serial`, m.serial === 0n ? '0' : hx(m.serial));
    put(root, `${dir}/ram/size`, hx(m.ramSize));
    link(m.name, dir);
    const port = `devices/platform/ACPI0017:00/root0/${m.hostPort}/${m.endpoint}`;
    mkdirSync(join(root, port), { recursive: true });
    symlinkSync(join(root, dir), join(root, port, 'uport'));
    link(m.endpoint, port);
  }
  for (const e of cxl.endpoints) {
    const dir = `devices/platform/ACPI0017:00/root0/${e.memdev.hostPort}/${e.port}/${e.name}`;
    put(root, `${dir}/mode`, e.mode);
    put(root, `${dir}/dpa_size`, `0x${e.dpaSize.toString(16).padStart(16, '0')}`);
    put(root, `${dir}/region`, e.region?.name ?? '');
    link(e.name, dir);
  }
  for (const r of cxl.roots) {
    const dir = r.path.replace(/^\/sys\//, '');
    put(root, `${dir}/start`, hx(r.start));
    put(root, `${dir}/size`, hx(r.size));
    put(root, `${dir}/create_ram_region`, `region${r.pending}`);
    link(r.name, dir);
  }
  for (const g of cxl.regions) {
    const dir = `${g.root.path.replace(/^\/sys\//, '')}/${g.name}`;
    put(root, `${dir}/interleave_ways`, String(g.ways));
    put(root, `${dir}/interleave_granularity`, String(g.granularity));
    put(root, `${dir}/size`, hx(g.size));
    put(root, `${dir}/resource`, g.start === undefined ? '0xffffffffffffffff' : hx(g.start));
    put(root, `${dir}/commit`, g.state === 'commit' ? '1' : '0');
    g.targets.forEach((t, i) => put(root, `${dir}/target${i}`, t?.name ?? ''));
    link(g.name, dir);
    if (g.bound) symlinkSync(join(root, dir), join(root, 'bus/cxl/drivers/cxl_region', g.name));
  }
}

export interface RestorerRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly writes: { path: string; value: string; result: string }[];
  /** Files the program left in its /run/daxlayout/by-label stand-in. */
  readonly labels: Record<string, string>;
}

/** The program with its sysfs root, /run directory and sysfs write pointed at the harness. */
export function harnessed(program: string, sysRoot: string, labelDir: string): string {
  const swap = (text: string, line: RegExp, by: string) => {
    const n = text.split('\n').filter((l) => line.test(l)).length;
    if (n !== 1) throw new Error(`the restorer must have exactly one line matching ${line} (has ${n})`);
    return text
      .split('\n')
      .map((l) => (line.test(l) ? by : l))
      .join('\n');
  };
  let p = swap(program, /^S=\/sys$/, `S='${sysRoot}'`);
  p = swap(p, /^L=\/run\/daxlayout\/by-label$/, `L='${labelDir}'`);
  p = swap(
    p,
    /^put\(\) \{ .* \}$/,
    'put() { echo "$1 $2" >&3; read -r err <&3; [ "$err" = ok ] && return 0; echo "write error: $err" >&2; return 1; }',
  );
  return p;
}

/**
 * Runs `program` under `shell` (dash or busybox sh) against `model`, which it changes.
 * `decorate` adds to the rendered tree what the model does not hold (boot memory blocks, another
 * `block_size_bytes`); it runs after every rendering.
 */
export async function runRestorer(
  program: string,
  model: KernelModel,
  shell: 'dash' | 'busybox' = 'dash',
  decorate?: (sysRoot: string) => void,
): Promise<RestorerRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'daxlayout-restore-'));
  const sys = join(tmp, 'sys');
  const labelDir = join(tmp, 'run', 'by-label');
  mkdirSync(sys);
  const render = () => {
    renderSysfs(sys, model);
    decorate?.(sys);
  };
  render();
  const file = join(tmp, 'restore.sh');
  writeFileSync(file, harnessed(program, sys, labelDir));
  const argv = shell === 'dash' ? (['dash', [file]] as const) : (['busybox', ['sh', file]] as const);
  const writes: RestorerRun['writes'] = [];
  try {
    return await new Promise<RestorerRun>((resolve, reject) => {
      const child = spawn(argv[0], [...argv[1]], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const chan = child.stdio[3] as Duplex;
      let buf = '';
      chan.setEncoding('utf8');
      chan.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const sp = line.indexOf(' ');
          const path = '/sys' + line.slice(0, sp);
          const value = line.slice(sp + 1);
          const r = model.write(path, value + '\n');
          const result = r.kind === 'ok' ? 'ok' : r.kind === 'errno' ? r.errno : `unmodelled(${r.reason})`;
          writes.push({ path, value, result });
          render();
          chan.write(result + '\n');
        }
      });
      chan.on('error', () => {});
      // A guard against a restorer that never ends, not a time limit: on a loaded 2-core machine one
      // run of 26 writes (each re-rendering the sysfs tree) has taken over 20 s.
      const timer = setTimeout(() => {
        stderr += '\n[fake-sysfs: killed after 180 s]';
        child.kill('SIGKILL');
      }, 180_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        const labels: Record<string, string> = {};
        if (existsSync(labelDir))
          for (const f of readdirSync(labelDir)) labels[f] = readFileSync(join(labelDir, f), 'utf8').trim();
        resolve({ code: code ?? -1, stdout, stderr, writes, labels });
      });
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
