// What a boot-time restorer must recreate, as plain data: for each region of a host that the
// layout marks `persist`, every device of the predicted final state (the kernel model after the
// plan) with its kernel name, size, align, ranges in page-offset order, driver, memmap setting,
// the state of its memory blocks and its label. Pure; the generators in this folder turn it
// into files (docs/persist.md).

import type { Analysis, HostAnalysis, RegionAnalysis } from '../analysis/types';
import type { DriverName } from '../host-facts';
import { countBlocks, deviceBlocks } from '../kernel/snapshot';
import { deviceName, deviceSize, regionSize, type SimDevice, type SimRegion } from '../kernel/state';
import type { LayoutDevice, LayoutRegion } from '../layout/types';

/** How a system-ram device's memory blocks are left: the value written to `memoryN/state`. */
export type MemoryState = 'offline' | 'online_movable' | 'online_kernel';

export interface RestoreRange {
  /** Page offset within the device (`mappingK/page_offset`). */
  readonly pgoff: bigint;
  readonly start: bigint;
  /** Inclusive. */
  readonly end: bigint;
}

export interface RestoreDevice {
  readonly name: string;
  readonly id: number;
  readonly size: bigint;
  readonly align: bigint;
  readonly driver: DriverName | null;
  readonly memmapOnMemory: boolean;
  /** system-ram devices only. */
  readonly memory?: MemoryState;
  /** The layout's label; undefined for a device the layout does not list (kept as it is). */
  readonly label?: string;
  readonly layout?: LayoutDevice;
  readonly targetNode: number;
  /** In page-offset order, as `mapping` writes must claim them. */
  readonly ranges: readonly RestoreRange[];
}

/**
 * A persisted `cxl region`: what the restorer checks at boot and makes again before the dax
 * devices (docs/persist.md, "CXL regions"). The endpoint decoders are not recorded by name:
 * memdevs (and their endpoint ports) are numbered in probe order, which changes between boots,
 * so the restorer finds each memdev by serial and takes its decoder of the recorded index.
 */
export interface RestoreCxl {
  /** The layout's label of the `cxl region` block. */
  readonly label: string;
  /** `regionN`: N is the dax region's id (RestoreRegion.id). */
  readonly name: string;
  /** The CXL window (root decoder) and its host physical range. */
  readonly window: { readonly name: string; readonly start: bigint; readonly size: bigint };
  /** In interleave order: each memdev's serial and the index of its endpoint decoder (decoderK.index). */
  readonly memdevs: readonly { readonly serial: bigint; readonly decoder: number }[];
  readonly granularity: number;
  readonly ways: number;
  readonly size: bigint;
}

export interface RestoreRegion {
  readonly id: number;
  readonly layout: LayoutRegion;
  /** sysfs path of the region's parent device, e.g. `/sys/devices/platform/hmem.0`. */
  readonly path: string;
  readonly start: bigint;
  readonly size: bigint;
  readonly align: bigint;
  /** By id; daxR.0 always first. */
  readonly devices: readonly RestoreDevice[];
  /** Devices daxR.1 … daxR.<creates> are created in turn (the kernel gives the lowest free id). */
  readonly creates: number;
  /** Ids among them the final state does not have: deleted once created. */
  readonly deletes: readonly number[];
  /** A `cxl region`: the CXL region made (or adopted) at boot before the devices. */
  readonly cxl?: RestoreCxl;
}

/**
 * The version of the spec and of the restorer made from it (the restorer's header names it):
 * 2 dax regions, 3 adds CXL regions (RestoreRegion.cxl). restorerProgram refuses any other.
 */
export const PERSIST_VERSION = 3;

export interface PersistSpec {
  readonly version: number;
  readonly host: string;
  readonly release?: string;
  /** The host's memory-block size the layout was predicted with (`block_size_bytes`). */
  readonly blockSize: bigint;
  readonly regions: readonly RestoreRegion[];
  /** Why no restorer can be made for this host (the apply must not install one). */
  readonly problems: readonly string[];
  /** Things the user should know that do not stop the restorer (e.g. a static region skipped). */
  readonly notes: readonly string[];
}

export const LABEL_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const NAME_RE = /^dax\d{1,9}\.\d{1,9}$/;
/** A sysfs path the restorer may name: plain components (no `.` or `..`, no empty one). */
export const PATH_RE = /^\/sys\/devices(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9_.:+-]{1,128}){1,32}$/;
/**
 * A kernel release as `uname -r` prints it on every distribution (`6.1.0-56-amd64`,
 * `5.14.0-362.8.1.el9_3.x86_64`, `6.8.0+`): the restorer's header names it, so nothing else
 * (a newline, `$(…)`, a quote) may reach the program.
 */
export const RELEASE_RE = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$/;

/** A value as messages show it: quoted, every control and line-breaking character escaped. */
export function quoted(value: unknown): string {
  const s = typeof value === 'bigint' ? value.toString() : value;
  const t = typeof s === 'string' && s.length > 80 ? `${s.slice(0, 80)}…` : s;
  return (JSON.stringify(t) ?? String(t)).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Why a value cannot be written into a generated program or unit, or undefined. */
export function unsafeValueProblem(what: string, value: string, re: RegExp, allowed: string): string | undefined {
  if (re.test(value)) return undefined;
  return `${what} ${quoted(value)} cannot be written into the files apply installs (${allowed} only)`;
}

/** Whether the layout asks this region to survive reboots (`persist` on the region or its host). */
export function persists(host: HostAnalysis | undefined, region: LayoutRegion): boolean {
  return region.persist !== undefined || host?.decl?.persist !== undefined;
}

/** The region analyses of a host that persist. */
export function persistedRegions(host: HostAnalysis): RegionAnalysis[] {
  return host.regions.filter((r) => persists(host, r.layout));
}

function memoryOf(host: HostAnalysis, d: SimDevice): MemoryState | 'mixed' {
  const state = host.model?.state;
  if (!state) return 'offline';
  const c = countBlocks(deviceBlocks(state, d));
  if (c.online === 0) return 'offline';
  if (c.online !== c.total) return 'mixed';
  if (c.zones.size === 1 && c.zones.has('Movable')) return 'online_movable';
  if (c.zones.size === 1 && c.zones.has('Normal')) return 'online_kernel';
  return 'mixed';
}

function regionSpec(
  a: Analysis,
  host: HostAnalysis,
  r: RegionAnalysis,
  problems: string[],
  notes: string[],
): RestoreRegion | undefined {
  const where = r.layout.cxl ? `cxl region ${r.layout.cxl.label.value}` : `region ${r.layout.id?.value ?? '?'}`;
  const sim: SimRegion | undefined = r.after;
  if (!sim) {
    problems.push(`${where} is not in the facts of ${host.name}: nothing to persist`);
    return undefined;
  }
  if (!sim.dynamic) {
    notes.push(
      `${where} is static (pmem-backed): its namespace keeps its device across reboots, so the restorer leaves it alone`,
    );
    return undefined;
  }
  const span = r.layout.decl.span;
  const errors = a.findings.filter(
    (f) => f.severity === 'error' && f.span.start >= span.start && f.span.end <= span.end,
  );
  if (errors.length > 0) {
    problems.push(
      `${where} has ${errors.length} error(s) (${[...new Set(errors.map((f) => f.code))].join(', ')}): a restorer is only made for a layout the kernel accepts`,
    );
    return undefined;
  }
  const plan = host.plan;
  const failed = plan
    ? [...plan.failures.filter((f) => f.region === r.layout), ...plan.refusals.filter((x) => x.region === r.layout)]
    : [];
  if (!plan || failed.length > 0) {
    problems.push(
      `${where}: the plan does not reach the layout (${failed.length} write(s) refused or changes declined): no restorer is made from a state that cannot be reached`,
    );
    return undefined;
  }
  if (!PATH_RE.test(sim.path) || !Number.isSafeInteger(sim.id) || sim.id < 0) {
    problems.push(`${where}: its sysfs path ${JSON.stringify(sim.path)} is not one the restorer can name safely`);
    return undefined;
  }
  let cxl: RestoreCxl | undefined;
  if (r.layout.cxl) {
    cxl = cxlSpec(host, r, where, problems);
    if (!cxl) return undefined;
  }
  const labels = new Map<SimDevice, LayoutDevice>();
  for (const [ld, sd] of plan.assigned) if (ld.region === r.layout) labels.set(sd, ld);
  const devices: RestoreDevice[] = [];
  for (const d of [...sim.devices.values()].sort((x, y) => x.id - y.id)) {
    const name = deviceName(d);
    const ld = labels.get(d);
    if (!NAME_RE.test(name) || (ld && !LABEL_RE.test(ld.label))) {
      problems.push(`${where}: ${name}${ld ? ` (${ld.label})` : ''} cannot be named safely in a shell program`);
      continue;
    }
    let memory: MemoryState | undefined;
    if (d.driver === 'kmem') {
      const m = memoryOf(host, d);
      if (m === 'mixed') {
        problems.push(
          `${where}: ${name} would have some memory blocks online and some offline (or in two zones); the restorer keeps one state per device`,
        );
        continue;
      }
      memory = m;
    }
    devices.push({
      name,
      id: d.id,
      size: deviceSize(d),
      align: d.align,
      driver: d.driver,
      memmapOnMemory: d.memmapOnMemory,
      ...(memory ? { memory } : {}),
      ...(ld ? { label: ld.label, layout: ld } : {}),
      targetNode: d.targetNode,
      ranges: d.ranges.map((x) => ({ pgoff: x.pgoff, start: x.start, end: x.end })),
    });
    if (!ld && deviceSize(d) > 0n)
      notes.push(`${where}: ${name} is not in the layout; the restorer recreates it as predicted, without a label`);
  }
  const ids = devices.map((d) => d.id);
  const creates = Math.max(0, ...ids);
  const deletes: number[] = [];
  for (let i = 1; i <= creates; i++) if (!ids.includes(i)) deletes.push(i);
  if (!devices.some((d) => d.id === 0)) {
    problems.push(`${where}: the predicted state has no dax${sim.id}.0 (the kernel never deletes it)`);
    return undefined;
  }
  return {
    id: sim.id,
    layout: r.layout,
    path: sim.path,
    start: sim.start,
    size: regionSize(sim),
    align: sim.align,
    devices,
    creates,
    deletes,
    ...(cxl ? { cxl } : {}),
  };
}

/** What the restorer needs of a `cxl region`: the region the plan makes (or keeps), as the model has it after the plan. */
function cxlSpec(host: HostAnalysis, r: RegionAnalysis, where: string, problems: string[]): RestoreCxl | undefined {
  const made = host.plan?.cxl?.get(r.layout);
  const region = made?.name !== undefined ? host.model?.cxl?.regions.find((x) => x.name === made.name) : undefined;
  const targets = region?.targets ?? [];
  if (
    !region ||
    region.state !== 'commit' ||
    !region.bound ||
    region.start === undefined ||
    targets.includes(undefined)
  ) {
    problems.push(`${where}: the plan does not end with its CXL region committed and bound: nothing to restore`);
    return undefined;
  }
  return {
    label: r.layout.cxl?.label.value ?? '',
    name: region.name,
    window: { name: region.root.name, start: region.root.start, size: region.root.size },
    memdevs: targets.map((t) => ({ serial: t?.memdev.serial ?? 0n, decoder: t?.index ?? 0 })),
    granularity: region.granularity,
    ways: region.ways,
    size: region.size,
  };
}

/** The restorer's data for one host of an analysis (by name or analysis). */
export function persistSpec(a: Analysis, which: HostAnalysis | string): PersistSpec {
  const host = typeof which === 'string' ? a.hosts.find((h) => h.name === which) : which;
  const name = typeof which === 'string' ? which : which.name;
  const problems: string[] = [];
  const notes: string[] = [];
  // no model: the spec has problems and no restorer is made from it, so the block size is moot
  const blockSize = host?.model?.state.blockSize ?? 128n * 1024n * 1024n;
  const version = PERSIST_VERSION;
  if (!host) return { version, host: name, blockSize, regions: [], problems: [`no host ${name} in the layout`], notes };
  const persisted = persistedRegions(host);
  if (persisted.length === 0)
    return {
      version,
      host: name,
      ...(host.version ? { release: host.version.release } : {}),
      blockSize,
      regions: [],
      problems,
      notes,
    };
  // every string that reaches the restorer and its units: the host's name and the kernel release
  const badName = unsafeValueProblem('host name', name, LABEL_RE, 'letters, digits, `_`, `.` and `-`');
  if (badName) problems.push(badName);
  const badRelease = host.version
    ? unsafeValueProblem('kernel release', host.version.release, RELEASE_RE, 'letters, digits and `. _ + ~ -`')
    : undefined;
  if (badRelease) problems.push(badRelease);
  if (!host.decl) problems.push('regions without a host cannot persist: the restorer is installed on a host by apply');
  if (!host.model)
    problems.push(
      `cannot predict ${name}: ${host.modelError ?? host.factsProblems.map((p) => p.message).join('; ') ?? 'no facts'}`,
    );
  const regions: RestoreRegion[] = [];
  if (host.model && host.decl) {
    for (const r of persisted) {
      const spec = regionSpec(a, host, r, problems, notes);
      if (spec) regions.push(spec);
    }
    const seen = new Map<string, number>();
    for (const r of regions) {
      for (const d of r.devices) {
        if (!d.label) continue;
        const other = seen.get(d.label);
        if (other !== undefined)
          problems.push(
            `label ${d.label} is used in regions ${other} and ${r.id}: stable names (/dev/dax/by-label) need labels unique per host`,
          );
        else seen.set(d.label, r.id);
      }
    }
  }
  return {
    version,
    host: name,
    ...(host.version ? { release: host.version.release } : {}),
    blockSize,
    regions,
    problems,
    notes,
  };
}

/** Where a layout device can be found after any reboot, when its region persists. */
export function stablePath(host: HostAnalysis | undefined, device: LayoutDevice): string | undefined {
  if (!persists(host, device.region) || !LABEL_RE.test(device.label)) return undefined;
  return device.mode === 'system-ram' ? `/run/daxlayout/by-label/${device.label}` : `/dev/dax/by-label/${device.label}`;
}
