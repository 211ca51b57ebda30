// The kernel model: one sysfs write in, the errno a shell `echo` would get out.
// Each handler follows the kernel function it models (named in its comment, in
// the order of that function's checks); see docs/kernel-model.md.

import { hex } from '../units';
import type { DriverName, HostFacts } from '../host-facts';
import { kstrtobool, kstrtoint, kstrtoull, parseDaxName, sysfsStreq } from './kstrto';
import { rangesCount, rangesHas, rangesMinus, type BlockRun, type IndexRanges } from './blocks';
import {
  allocationAt,
  allocations,
  availableSize,
  deviceName,
  deviceSize,
  hotplugRange,
  seedState,
  type MemmapPlacement,
  type Reservation,
  type SimDevice,
  type SimRange,
  type SimRegion,
  type SimState,
  unindexRange,
  indexRange,
  inert,
} from './state';
import { allowedAligns, type Errno } from './tables';
import { has } from './version';
import { CxlModel } from './cxl-model';

export type WriteResult =
  | { kind: 'ok' }
  | { kind: 'errno'; errno: Errno }
  /** The model does not know what the kernel would do: never a guess. */
  | { kind: 'unmodelled'; reason: string };

const OK: WriteResult = { kind: 'ok' };
const err = (errno: Errno): WriteResult => ({ kind: 'errno', errno });
const unmodelled = (reason: string): WriteResult => ({ kind: 'unmodelled', reason });

const BLOCK_STATES = ['offline', 'online', 'online_kernel', 'online_movable'] as const;
/** Values the 7.3 kmem `state` attribute accepts the spelling of (`offline` only to refuse it). */
const KMEM_STATES = ['offline', 'unplugged', 'online_movable', 'online_kernel', 'online'] as const;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;
/**
 * A shell's `>` opens with O_CREAT: a missing attribute in an existing sysfs directory cannot be
 * created, and the open fails with EACCES (seen on 6.1 and 6.12). ENOENT only when a directory
 * on the way is missing.
 */
const NO_FILE: Errno = 'EACCES';
const DAX_DEVICES = '/sys/bus/dax/devices/';
const DAX_DRIVERS = '/sys/bus/dax/drivers/';
const MEMORY = '/sys/devices/system/memory/';
type OnlineType = (typeof BLOCK_STATES)[number];

/**
 * Units of work a model may do before a plan stops short (about a second of simulation on a busy
 * machine). A unit is one write, one allocation visited while growing, one run of memory blocks
 * visited. Real layouts use a few thousand per host; only layouts with tens of thousands of
 * devices in one region come near it.
 */
export const DEFAULT_WORK_BUDGET = 20_000_000;

export class KernelModel {
  readonly state: SimState;
  /** Units of work done so far (see DEFAULT_WORK_BUDGET). Deterministic: no clock. */
  work = 0;
  readonly budget: number;

  constructor(state: SimState, budget = DEFAULT_WORK_BUDGET) {
    this.state = state;
    this.budget = budget;
  }

  static fromFacts(facts: HostFacts, release?: string, budget?: number): KernelModel {
    const m = new KernelModel(seedState(facts, release), budget);
    if (facts.cxl) m.cxl = new CxlModel(m, facts.cxl);
    return m;
  }

  /** The CXL region model (cxl-model.ts), when the facts have a CXL topology. */
  cxl: CxlModel | undefined;

  /** The model has done more work than its budget allows: a planner stops here. */
  get exhausted(): boolean {
    return this.work > this.budget;
  }

  get version() {
    return this.state.version;
  }

  /** The granule every size and mapping length must be a multiple of. */
  granule(dev: SimDevice): bigint {
    const compat = this.state.arch.compatAlign.value;
    return dev.align > compat ? dev.align : compat;
  }

  findDevice(name: string): SimDevice | undefined {
    // `daxR.N` with plain decimal R and N (what the kernel names devices).
    if (!name.startsWith('dax')) return undefined;
    const dot = name.indexOf('.', 3);
    if (dot < 4 || dot === name.length - 1) return undefined;
    const r = name.slice(3, dot);
    const n = name.slice(dot + 1);
    if (!DECIMAL.test(r) || !DECIMAL.test(n)) return undefined;
    const rid = Number(r);
    for (const region of this.state.regions) if (region.id === rid) return region.devices.get(Number(n));
    return undefined;
  }

  /** A device looked up the way bus_find_device_by_name does (trailing newline ok). */
  private busDevice(buf: string): SimDevice | undefined {
    const name = buf.endsWith('\n') ? buf.slice(0, -1) : buf;
    return this.findDevice(name);
  }

  // ------------------------------------------------------------------ paths

  /** Writes `value` (as `echo` sends it, newline included) to `path`. */
  write(path: string, value: string): WriteResult {
    this.work++;
    let p = path.indexOf('//') >= 0 ? path.replace(/\/+/g, '/') : path;
    if (p.endsWith('/')) p = p.slice(0, -1);
    let m: RegExpExecArray | null;

    if (p.startsWith('/sys/bus/cxl/')) return this.cxl ? this.cxl.write(p, value) : err('ENOENT');
    if (p.startsWith(DAX_DEVICES)) {
      const rest = p.slice(DAX_DEVICES.length);
      const slash = rest.indexOf('/');
      const dev = this.findDevice(slash < 0 ? rest : rest.slice(0, slash));
      // No such device: its directory is missing (ENOENT), unless the write would create a file
      // in devices/ itself, which sysfs refuses (EACCES) — see NO_FILE below.
      if (!dev) return err(slash < 0 ? NO_FILE : 'ENOENT');
      const attr = slash < 0 ? '' : rest.slice(slash + 1);
      // `D/../dax_region/…`: the device link resolves into the region's parent device.
      if (attr.startsWith('../')) p = `${dev.region.path}/${attr.slice(3)}`;
      else return this.deviceAttr(dev, attr, value);
    }
    if (p.startsWith(DAX_DRIVERS)) {
      const rest = p.slice(DAX_DRIVERS.length);
      const slash = rest.indexOf('/');
      const drv = slash < 0 ? rest : rest.slice(0, slash);
      const attr = slash < 0 ? '' : rest.slice(slash + 1);
      if (drv === 'fsdev_dax' && has(this.version, 'fsdevDax'))
        return unmodelled(
          'the fsdev_dax driver (7.3+, drivers/dax/fsdev_dax.ko) is not modelled: whether it is loaded and what it accepts is not in the facts',
        );
      if (drv !== 'device_dax' && drv !== 'kmem') return err(slash < 0 ? NO_FILE : 'ENOENT');
      if (attr === '') return err('EISDIR');
      const link = /^(dax\d+\.\d+)\/(.+)$/.exec(attr);
      if (link) {
        // drivers/<drv>/daxR.N is a link to each device bound to the driver.
        const dev = this.findDevice(link[1] ?? '');
        if (!dev || dev.driver !== drv) return err('ENOENT');
        return this.deviceAttr(dev, link[2] ?? '', value);
      }
      if (attr.includes('/')) return err('ENOENT');
      return this.driverAttr(drv, attr, value);
    }
    if (p.startsWith(MEMORY)) {
      const rest = p.slice(MEMORY.length);
      if (rest === 'auto_online_blocks') return this.autoOnlineStore(value);
      if (rest === 'block_size_bytes') return err('EACCES');
      if ((m = /^memory(\d+)(?:\/([^/]+))?$/.exec(rest))) {
        if (m[2] === undefined) return err('EISDIR');
        return this.blockAttr(Number(m[1]), m[2], value);
      }
      return unmodelled(`${p} is not a memory-block attribute the model knows`);
    }
    // daxctl onlines blocks through the node's links: node<N>/memory<M>/state.
    if ((m = /^\/sys\/devices\/system\/node\/node(\d+)\/memory(\d+)\/([^/]+)$/.exec(p))) {
      const block = this.state.blocks.get(Number(m[2]));
      if (block && block.node !== Number(m[1])) return err('ENOENT');
      return this.blockAttr(Number(m[2]), m[3] ?? '', value);
    }
    for (const region of this.state.regions) {
      if (p.startsWith(region.path + '/')) {
        const rest = p.slice(region.path.length + 1);
        if ((m = /^dax_region\/([^/]+)$/.exec(rest))) return this.regionAttr(region, m[1] ?? '', value);
        if ((m = /^(dax\d+\.\d+)(?:\/(.+))?$/.exec(rest))) {
          const dev = this.findDevice(m[1] ?? '');
          if (!dev || dev.region !== region) return err(m[2] === undefined ? NO_FILE : 'ENOENT');
          return this.deviceAttr(dev, m[2] ?? '', value);
        }
        return unmodelled(`${p} is not a dax attribute the model knows`);
      }
    }
    if (/^\/sys\/bus\/dax\/[^/]+$/.test(p)) return err(NO_FILE);
    if (p.startsWith('/sys/bus/dax/') || p.startsWith('/sys/devices/platform/')) return err('ENOENT');
    return unmodelled(`${p} is outside the device-dax and memory-block sysfs the model covers`);
  }

  private regionAttr(region: SimRegion, attr: string, value: string): WriteResult {
    const prov = has(this.version, 'provisioning');
    switch (attr) {
      case 'create':
        if (!prov || !region.dynamic) return err(NO_FILE);
        return this.createStore(region, value);
      case 'delete':
        if (!prov || !region.dynamic) return err(NO_FILE);
        return this.deleteStore(region, value);
      case 'seed':
      case 'available_size':
        return err('EACCES');
      case 'id':
      case 'size':
      case 'align':
        return err('EACCES');
      default:
        return err(NO_FILE);
    }
  }

  private deviceAttr(dev: SimDevice, attr: string, value: string): WriteResult {
    const prov = has(this.version, 'provisioning');
    const dyn = dev.region.dynamic;
    let m: RegExpExecArray | null;
    switch (attr) {
      case 'size':
        return prov && dyn ? this.sizeStore(dev, value) : err('EACCES');
      case 'align':
        if (!prov) return err(NO_FILE);
        return dyn ? this.alignStore(dev, value) : err('EACCES');
      case 'mapping':
        return prov && dyn ? this.mappingStore(dev, value) : err(NO_FILE);
      case 'memmap_on_memory':
        return has(this.version, 'memmapOnMemory') ? this.memmapStore(dev, value) : err(NO_FILE);
      case 'state':
        // 7.3: kmem's device attribute, there only while the device is bound to kmem
        return has(this.version, 'kmemState') && dev.driver === 'kmem' ? this.kmemStateStore(dev, value) : err(NO_FILE);
      case 'target_node':
        return err('EACCES');
      case 'numa_node':
      case 'resource':
      case 'modalias':
      case 'dev':
        return err('EACCES');
      case 'uevent':
        return unmodelled('uevent writes are not modelled');
      case '':
        return err('EISDIR');
    }
    if ((m = /^mapping(\d+)\/(start|end|page_offset)$/.exec(attr))) {
      const id = Number(m[1]);
      return dev.ranges.some((r) => r.mappingId === id) ? err('EACCES') : err('ENOENT');
    }
    if ((m = /^driver\/([^/]+)$/.exec(attr))) {
      if (!dev.driver) return err('ENOENT');
      return this.driverAttr(dev.driver, m[1] ?? '', value);
    }
    // mappingK/ and driver/ are directories; anything else is a file sysfs will not create.
    return err(attr.includes('/') ? 'ENOENT' : NO_FILE);
  }

  // ---------------------------------------------------------------- dax regions of CXL regions

  /**
   * A CXL RAM region bound to cxl_region gets its dax region (dax_cxl: cxl_dax_region_probe): id
   * = the CXL region's, align PMD_SIZE, kmem-type (IORESOURCE_DAX_KMEM), one device `daxN.0` over
   * the whole range, which device_add probes at once: kmem on 6.3+ (measured on 6.12 and 7.3).
   */
  addDaxRegion(spec: {
    id: number;
    path: string;
    start: bigint;
    end: bigint;
    targetNode: number;
    memmapOnMemory: boolean;
  }): void {
    const pmd = this.state.arch.pmdSize.value ?? this.state.arch.pageSize.value;
    const region: SimRegion = inert({
      id: spec.id,
      path: spec.path,
      start: spec.start,
      end: spec.end,
      align: pmd,
      dynamic: true,
      kmemFlag: true,
      targetNode: spec.targetNode,
      enabled: true,
      devices: new Map(),
      allocs: [],
      used: 0n,
      packed: 0,
      freeIdFloor: 1,
      seed: null,
      youngest: null,
    });
    const dev: SimDevice = inert({
      region,
      id: 0,
      align: pmd,
      ranges: [],
      driver: null,
      targetNode: spec.targetNode,
      memmapOnMemory: spec.memmapOnMemory,
      deleted: false,
    });
    const range: SimRange = { mappingId: 0, start: spec.start, end: spec.end, pgoff: 0n };
    dev.ranges.push(range);
    indexRange(dev, range);
    region.used = spec.end - spec.start + 1n;
    region.devices.set(0, dev);
    region.seed = dev;
    region.youngest = dev;
    this.state.regions.push(region);
    this.unboundDevices().add(dev);
    if (this.matches('kmem', dev)) this.probe('kmem', dev);
    else if (this.matches('device_dax', dev)) this.probe('device_dax', dev);
  }

  /**
   * The dax region `id` goes with its CXL region (unbind, decommit, detach, delete): every device's
   * driver is removed; kmem memory that is online cannot be hot-removed and stays, stuck until
   * reboot, as on a kmem unbind ("cannot be hotremoved until the next reboot"; measured on 6.12
   * and 7.3 by detaching a target of a bound region with its memory online).
   */
  removeDaxRegion(id: number): void {
    const region = this.state.regions.find((r) => r.id === id);
    if (!region) return;
    for (const dev of region.devices.values()) {
      if (dev.driver) this.remove(dev);
      dev.deleted = true;
      this.unboundDevices().delete(dev);
    }
    this.state.regions.splice(this.state.regions.indexOf(region), 1);
  }

  private driverAttr(drv: DriverName, attr: string, value: string): WriteResult {
    switch (attr) {
      case 'bind':
        return this.bindStore(drv, value);
      case 'unbind':
        return this.unbindStore(drv, value);
      case 'new_id':
        return this.idStore(drv, value, 'add');
      case 'remove_id':
        return this.idStore(drv, value, 'remove');
      case 'uevent':
        return unmodelled('uevent writes are not modelled');
      default:
        return err(NO_FILE);
    }
  }

  // ---------------------------------------------------------------- regions

  /** create_store (bus.c[new]): only "1"; ENOSPC when nothing is available. */
  private createStore(region: SimRegion, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const v = kstrtoint(value);
    if (!v.ok) return err(v.errno);
    if (v.value !== 1) return err('EINVAL');
    if (!region.enabled) return err('ENXIO');
    if (availableSize(region) === 0n) return err('ENOSPC');
    let id = region.freeIdFloor;
    while (region.devices.has(id)) id++;
    region.freeIdFloor = id + 1;
    const dev: SimDevice = inert({
      region,
      id,
      align: region.align,
      ranges: [],
      driver: null,
      targetNode: region.targetNode,
      memmapOnMemory: false,
      deleted: false,
    });
    region.devices.set(id, dev);
    this.unboundDevices().add(dev);
    // device_add probes it at once; a zero-size device fails (ENXIO) and stays unbound.
    if (!region.seed) region.seed = dev;
    region.youngest = dev;
    return OK;
  }

  /** delete_store (bus.c[new]). */
  private deleteStore(region: SimRegion, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const dev = [...region.devices.values()].find((d) => sysfsStreq(value, deviceName(d)));
    if (!dev) return err('ENXIO');
    if (dev.driver || deviceSize(dev) !== 0n) return err('EBUSY');
    if (dev.id === 0) return err('EBUSY');
    if (region.seed === dev) region.seed = null;
    if (region.youngest === dev) region.youngest = null;
    region.devices.delete(dev.id);
    this.unboundDevices().delete(dev);
    if (dev.id < region.freeIdFloor) region.freeIdFloor = dev.id;
    dev.deleted = true;
    return OK;
  }

  // ---------------------------------------------------------------- devices

  /** size_store + dev_dax_resize (bus.c[new]). */
  private sizeStore(dev: SimDevice, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const v = kstrtoull(value, 0);
    if (!v.ok) return err(v.errno);
    const size = v.value;
    if (size % this.granule(dev) !== 0n) return err('EINVAL');
    const region = dev.region;
    if (!region.enabled) return err('ENXIO');
    if (dev.driver) return err('EBUSY');
    const current = deviceSize(dev);
    if (size === current) return OK;
    if (size > current && size - current > availableSize(region)) return err('ENOSPC');
    if (size < current) {
      this.shrink(dev, current - size);
      return OK;
    }
    this.grow(dev, size - current);
    return OK;
  }

  /** dev_dax_shrink: trims the logical tail (highest page offset first). */
  private shrink(dev: SimDevice, cut: bigint): void {
    let toShrink = cut;
    while (toShrink > 0n && dev.ranges.length > 0) {
      const last = dev.ranges[dev.ranges.length - 1] as SimRange;
      const len = last.end - last.start + 1n;
      if (toShrink >= len) {
        dev.ranges.pop();
        this.tails.delete(dev);
        unindexRange(dev, last);
        dev.region.used -= len;
        toShrink -= len;
        continue;
      }
      last.end -= toShrink;
      this.tails.delete(dev);
      dev.region.used -= toShrink;
      dev.region.packed = 0;
      toShrink = 0n;
    }
  }

  /** dev_dax_resize growth: address-ordered first fit, extending only the last range in place. */
  private grow(dev: SimDevice, need: bigint): void {
    const region = dev.region;
    let toAlloc = need;
    while (toAlloc > 0n) {
      const allocs = allocations(region);
      const first = allocs[0];
      if (!first) {
        this.appendRange(dev, region.start, toAlloc);
        return;
      }
      let alloc = 0n;
      let done = false;
      // Allocations packed back to back from the region's start have no gap to offer: start at
      // the last of them (its end may border a gap).
      for (let i = Math.max(0, this.packedPrefix(region) - 1); i < allocs.length; i++) {
        this.work++;
        const res = allocs[i] as (typeof allocs)[number];
        const next = allocs[i + 1];
        if (i === 0 && res.range.start > region.start) {
          alloc = min(res.range.start - region.start, toAlloc);
          this.appendRange(dev, region.start, alloc);
          done = true;
          break;
        }
        alloc = 0n;
        if (next && next.range.start > res.range.end + 1n)
          alloc = min(next.range.start - (res.range.end + 1n), toAlloc);
        if (alloc === 0n && !next && res.range.end < region.end) alloc = min(region.end - res.range.end, toAlloc);
        if (alloc === 0n) continue;
        if (this.adjustOk(dev, res.dev, res.range)) {
          res.range.end += alloc;
          this.tails.delete(dev);
          region.used += alloc;
        } else {
          this.appendRange(dev, res.range.end + 1n, alloc);
        }
        done = true;
        break;
      }
      if (!done) return; // cannot happen: available_size was checked
      toAlloc -= alloc;
    }
  }

  /** How many allocations lie back to back from the region's start (extends the region's hint). */
  private packedPrefix(region: SimRegion): number {
    const a = region.allocs;
    let k = Math.min(region.packed, a.length);
    while (k < a.length) {
      const r = (a[k] as { range: SimRange }).range;
      const prevEnd = k === 0 ? region.start - 1n : (a[k - 1] as { range: SimRange }).range.end;
      if (r.start !== prevEnd + 1n) break;
      k++;
      this.work++;
    }
    region.packed = k;
    return k;
  }

  /** adjust_ok: the allocation is this device's last range and has the highest page offset. */
  private adjustOk(dev: SimDevice, owner: SimDevice, range: SimRange): boolean {
    if (owner !== dev || dev.ranges.length === 0) return false;
    const last = dev.ranges[dev.ranges.length - 1] as SimRange;
    if (last !== range) return false;
    return dev.ranges.every((r) => r.pgoff <= last.pgoff);
  }

  /** alloc_dev_dax_range: a new range at the next page offset with the lowest free mapping id. */
  private appendRange(dev: SimDevice, start: bigint, size: bigint): void {
    // alloc_dev_dax_range: the page offset adds up PHYS_PFN of each range's length. The sum and
    // the highest id are kept per device while ranges are only appended (a colour device appends
    // one per stripe: tens of thousands), so an append costs the same whatever came before.
    const tail = this.rangeTail(dev);
    // The lowest free id: ids 0…n-1 in use is the usual case (then it is n).
    let mappingId = tail.maxId + 1;
    if (tail.maxId + 1 !== dev.ranges.length) {
      const used = new Set(dev.ranges.map((r) => r.mappingId));
      mappingId = 0;
      while (used.has(mappingId)) mappingId++;
    }
    const range: SimRange = { mappingId, start, end: start + size - 1n, pgoff: tail.pages };
    dev.ranges.push(range);
    indexRange(dev, range);
    dev.region.used += size;
    tail.count = dev.ranges.length;
    tail.pages += size / this.state.pageSize;
    if (mappingId > tail.maxId) tail.maxId = mappingId;
  }

  /**
   * A device's page count (the next range's page offset) and highest mapping id, computed once
   * and then kept as ranges are appended; a range that shrinks, grows in place or goes drops it
   * (`forgetTail`), as does any change of the range count made elsewhere.
   */
  private rangeTail(dev: SimDevice): RangeTail {
    const known = this.tails.get(dev);
    if (known && known.count === dev.ranges.length) return known;
    let pages = 0n;
    let maxId = -1;
    for (const r of dev.ranges) {
      pages += (r.end - r.start + 1n) / this.state.pageSize;
      if (r.mappingId > maxId) maxId = r.mappingId;
    }
    const tail = { count: dev.ranges.length, pages, maxId };
    this.tails.set(dev, tail);
    return tail;
  }

  private readonly tails = new WeakMap<SimDevice, RangeTail>();

  /** align_store + dev_dax_validate_align (bus.c[new]). */
  private alignStore(dev: SimDevice, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const v = kstrtoull(value, 0, (1n << 64n) - 1n);
    if (!v.ok) return err('ENXIO');
    if (!allowedAligns(this.state.arch).includes(v.value)) return err('EINVAL');
    if (!dev.region.enabled) return err('ENXIO');
    if (dev.driver) return err('EBUSY');
    const compat = this.state.arch.compatAlign.value;
    const g = v.value > compat ? v.value : compat;
    for (const r of dev.ranges) if ((r.end - r.start + 1n) % g !== 0n) return err('EINVAL');
    dev.align = v.value;
    return OK;
  }

  /** mapping_store + range_parse (bus.c[new], bus.c[mid]). */
  private mappingStore(dev: SimDevice, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const dash = value.indexOf('-');
    if (dash < 0) return err('EINVAL');
    const s = kstrtoull(value.slice(0, dash), 16);
    if (!s.ok) return err(s.errno);
    const e = kstrtoull(value.slice(dash + 1), 16);
    if (!e.ok) return err(e.errno);
    const quirk = has(this.version, 'mappingRcQuirk');
    if (!dev.region.enabled) return quirk ? OK : err('ENXIO');
    const U64 = 1n << 64n;
    const len = (((e.value - s.value + 1n) % U64) + U64) % U64;
    if (len % this.granule(dev) !== 0n) return quirk ? OK : err('ENXIO');
    if (len === 0n) return dev.ranges.length === 0 ? OK : err('EBUSY');
    const region = dev.region;
    const start = s.value;
    const end = start + len - 1n;
    if (start < region.start || end > region.end) return err('ENOMEM');
    // Overlap with an allocation: only the one starting before `start` and those starting up to `end` can.
    const at = allocationAt(region, start);
    const before = region.allocs[at - 1];
    const after = region.allocs[at];
    if ((before && before.range.end >= start) || (after && after.range.start <= end)) return err('ENOMEM');
    this.appendRange(dev, start, len);
    return OK;
  }

  /** memmap_on_memory_store (bus.c[new], 6.8+). */
  private memmapStore(dev: SimDevice, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const v = kstrtobool(value);
    if (!v.ok) return err(v.errno);
    if (v.value && !this.state.memmapOnMemorySupported) return err('EOPNOTSUPP');
    if (dev.driver === 'kmem' && dev.memmapOnMemory !== v.value) return err('EBUSY');
    dev.memmapOnMemory = v.value;
    return OK;
  }

  // ---------------------------------------------------------------- drivers

  /** dax_bus_match: new_id list, then type (6.3+) or match_always (device_dax before 6.3). */
  matches(drv: DriverName, dev: SimDevice): boolean {
    if (this.idSet(drv).has(deviceName(dev))) return true;
    if (has(this.version, 'kmemTypeMatch')) {
      const type: DriverName = dev.region.kmemFlag ? 'kmem' : 'device_dax';
      return type === drv;
    }
    return drv === 'device_dax';
  }

  /** bind_store (drivers/base/bus.c): ENODEV unless the device exists and matches. */
  private bindStore(drv: DriverName, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const dev = this.busDevice(value);
    if (!dev || !this.matches(drv, dev)) return err('ENODEV');
    if (dev.driver) return err('EBUSY');
    const why = this.unpredictableProbe(drv, dev);
    if (why) return unmodelled(why);
    const rc = this.probe(drv, dev);
    return rc ? err(rc) : OK;
  }

  /**
   * A device_dax probe that would hand memremap_pages a range that does not start and end on a
   * page boundary (mapping_store accepts any byte address). The page-frame bookkeeping then
   * shares frames with the neighbouring ranges, and what happens depends on their history,
   * which the model does not keep: seen on real kernels, a clean bind, EINVAL after the WARN
   * "Misaligned __add_pages", a "Conflicting mapping in same section" WARN (6.12), and an oops
   * in free_pagetable while memremap_pages unwound (6.1). See docs/kernel-model.md.
   */
  private unpredictableProbe(drv: DriverName, dev: SimDevice): string | undefined {
    if (drv !== 'device_dax' || !dev.region.dynamic || dev.pgmapStale || deviceSize(dev) === 0n || dev.deleted)
      return undefined;
    if (dev.ranges.some((r) => this.reserved(r.start, r.end))) return undefined; // EBUSY comes first
    const page = this.state.pageSize;
    const bad = dev.ranges.find((r) => r.start % page !== 0n || (r.end + 1n) % page !== 0n);
    if (!bad) return undefined;
    return `device_dax probe of ${deviceName(dev)}: its range ${hex(bad.start)}-${hex(bad.end)} does not start and end on a page boundary; the kernel WARNs and may oops (the outcome depends on the history of the neighbouring page frames)`;
  }

  /** unbind_store: ENODEV unless the device is bound to this driver. */
  private unbindStore(drv: DriverName, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const dev = this.busDevice(value);
    if (!dev || dev.driver !== drv) return err('ENODEV');
    this.remove(dev);
    return OK;
  }

  /** do_id_store (bus.c[new]): canonical name only; new_id then attaches every matching unbound device. */
  private idStore(drv: DriverName, value: string, action: 'add' | 'remove'): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const parsed = parseDaxName(value);
    if (!parsed) return err('EINVAL');
    const name = `dax${parsed.region}.${parsed.id}`;
    const ids = this.state.driverIds[drv];
    const set = this.idSet(drv);
    if (action === 'remove') {
      if (set.delete(name)) ids.splice(ids.indexOf(name), 1);
      return OK;
    }
    // driver_attach below probes every unbound matching device: decline if one of them is a probe
    // the model cannot predict. Only unbound devices are probed: the bound ones are skipped at once.
    const order = new Map(this.state.regions.map((r, i) => [r, i]));
    const unbound = [...this.unboundDevices()].sort(
      (a, b) => (order.get(a.region) ?? 0) - (order.get(b.region) ?? 0) || a.id - b.id,
    );
    for (const dev of unbound) {
      this.work++;
      const matchesAfter = deviceName(dev) === name || this.matches(drv, dev);
      const why = matchesAfter ? this.unpredictableProbe(drv, dev) : undefined;
      if (why) return unmodelled(`new_id attaches ${why}`);
    }
    if (!set.has(name)) {
      ids.push(name);
      set.add(name);
    }
    // driver_attach: every unbound device that matches is probed, in order; failures are ignored.
    for (const dev of unbound) if (!dev.driver && this.matches(drv, dev)) this.probe(drv, dev);
    return OK;
  }

  /** Every device without a driver (kept as devices are created, deleted, bound and unbound). */
  private unboundDevices(): Set<SimDevice> {
    if (!this.unbound) {
      this.unbound = new Set();
      for (const region of this.state.regions)
        for (const dev of region.devices.values()) if (!dev.driver) this.unbound.add(dev);
    }
    return this.unbound;
  }

  private unbound: Set<SimDevice> | undefined;

  /** The driver's new_id list as a set (kept beside the state's ordered list). */
  private idSet(drv: DriverName): Set<string> {
    let set = this.idSets.get(drv);
    if (!set) this.idSets.set(drv, (set = new Set(this.state.driverIds[drv])));
    return set;
  }

  private readonly idSets = new Map<DriverName, Set<string>>();

  /** dax_bus_probe + the driver's probe. Returns the errno, or undefined on success. */
  private probe(drv: DriverName, dev: SimDevice): Errno | undefined {
    if (deviceSize(dev) === 0n || dev.deleted) return 'ENXIO';
    const rc = drv === 'kmem' ? this.kmemProbe(dev) : this.devdaxProbe(dev);
    if (rc) return rc;
    dev.driver = drv;
    this.unboundDevices().delete(dev);
    if (dev.region.seed === dev) dev.region.seed = null;
    return undefined;
  }

  /** dev_dax_probe (device.c[new]): one range if static; reserve every range; sub-section alignment. */
  private devdaxProbe(dev: SimDevice): Errno | undefined {
    if (!dev.region.dynamic) {
      if (dev.ranges.length > 1) return 'EINVAL';
    } else {
      // "dynamic-dax with pre-populated page map": a pgmap left behind by a failed probe
      if (dev.pgmapStale) return 'EINVAL';
    }
    // From here on a failure leaves dev_dax->pgmap pointing at the freed pgmap (dynamic devices):
    // kill_dev_dax, which clears it, only runs after a successful probe or on delete.
    const fail = (e: Errno): Errno => {
      if (dev.region.dynamic) dev.pgmapStale = true;
      return e;
    };
    for (const r of dev.ranges) if (this.reserved(r.start, r.end)) return fail('EBUSY');
    // devm_memremap_pages → arch_add_memory works on page frames (ranges that are not page
    // granular never get here: unpredictableProbe).
    const sub = this.state.arch.compatAlign.value;
    const page = this.state.pageSize;
    // check_pfn_span: the first page frame and the number of pages of every range must be
    // sub-section multiples ("Misaligned __add_pages" WARN, then EINVAL).
    for (const r of dev.ranges) {
      const pfn = r.start / page;
      const pages = (r.end - r.start + 1n) / page;
      if ((pfn * page) % sub !== 0n || (pages * page) % sub !== 0n) return fail('EINVAL');
    }
    for (const r of dev.ranges) {
      this.reserve({ start: r.start, end: r.end, owner: deviceName(dev), kind: 'device_dax', stranded: false });
    }
    return undefined;
  }

  /**
   * Whether [start, end] overlaps an iomem reservation. Reservations never overlap each other
   * (each is taken only where nothing is reserved), so the index sorted by start answers with
   * the one neighbour on each side.
   */
  private reserved(start: bigint, end: bigint): boolean {
    const idx = this.reservationIndex();
    const at = reservationAt(idx, start);
    const before = idx[at - 1];
    const after = idx[at];
    return (before !== undefined && before.end >= start) || (after !== undefined && after.start <= end);
  }

  /** The reservations sorted by start (built from the state once, then kept). */
  private reservationIndex(): Reservation[] {
    if (!this.resIndex)
      this.resIndex = [...this.state.reservations].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    return this.resIndex;
  }

  private resIndex: Reservation[] | undefined;

  private reserve(r: Reservation): void {
    this.state.reservations.push(r);
    const idx = this.reservationIndex();
    idx.splice(reservationAt(idx, r.start), 0, r);
  }

  private unreserve(r: Reservation): void {
    const res = this.state.reservations;
    const i = res.indexOf(r);
    if (i >= 0) res.splice(i, 1);
    const idx = this.reservationIndex();
    const j = idx.indexOf(r, Math.max(0, reservationAt(idx, r.start) - 1));
    if (j >= 0) idx.splice(j, 1);
  }

  /** dev_dax_kmem_probe (kmem.c[new]). */
  private kmemProbe(dev: SimDevice): Errno | undefined {
    if (dev.targetNode < 0) return 'EINVAL';
    const bs = this.state.blockSize;
    const usable = dev.ranges.map((r) => hotplugRange(r.start, r.end, bs));
    if (usable.every((u) => u === undefined)) {
      if (has(this.version, 'kmemRejectsEmpty')) return 'EINVAL';
      return undefined; // 5.10–5.14: bound with nothing added
    }
    let mapped = 0;
    for (const u of usable) {
      if (!u) continue;
      if (this.reserved(u.start, u.end)) {
        if (mapped) continue;
        return 'EBUSY';
      }
      this.reserve({ start: u.start, end: u.end, owner: deviceName(dev), kind: 'kmem', stranded: false });
      this.addMemory(u.start, u.end, dev.targetNode);
      mapped++;
    }
    // 7.3: `state` reads `offline` after a probe under memhp_default_state=offline (measured);
    // what it reads after an auto-onlining probe was not measured.
    if (has(this.version, 'kmemState')) dev.kmemState = this.state.autoOnline === 'offline' ? 'offline' : 'unknown';
    return undefined;
  }

  /**
   * The 7.3 kmem `state` attribute (kmem.c state_store), as measured on Debian 7.3.4
   * (kernel-facts.md §16.1). It hot-removes (`unplugged`) or
   * hot-adds and onlines (`online_movable`, `online_kernel`) the device's memory as a whole and
   * records only the changes made through itself: per-block onlining leaves it `offline`.
   *   offline | unknown value                        → EINVAL, from any state
   *   X → X (unplugged, online_movable)              → ok, nothing done
   *   offline | online_movable → unplugged           → ok: every block of the device removed
   *                                                    (also blocks onlined through memoryN/state)
   *   online_kernel → unplugged                      → EBUSY ("hotremove failed, device left online")
   *   unplugged → online_movable | online_kernel     → ok: blocks added, all online in that zone
   *   unplugged → online                             → ok (zone and later reading not measured)
   *   offline → any online value                     → EBUSY
   *   online_movable | online_kernel → another online value → EBUSY
   */
  private kmemStateStore(dev: SimDevice, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const target = KMEM_STATES.find((s) => sysfsStreq(value, s));
    if (!target || target === 'offline') return err('EINVAL');
    const cur = dev.kmemState ?? 'unknown';
    if (cur === 'unknown')
      return unmodelled(
        `${deviceName(dev)}/state: what it reads is not known to the model (its memory was onlined, or auto-onlined at probe), so the write's answer is not predicted`,
      );
    if (target === cur) {
      if (cur === 'online_kernel')
        return unmodelled(`${deviceName(dev)}/state: online_kernel → online_kernel was not measured`);
      return OK;
    }
    const bs = this.state.blockSize;
    const spans = dev.ranges
      .map((r) => hotplugRange(r.start, r.end, bs))
      .filter((u): u is { start: bigint; end: bigint } => u !== undefined);
    if (target === 'unplugged') {
      if (cur === 'online_kernel') return err('EBUSY');
      // offline_and_remove_memory of every range; a kernel-zone block onlined by hand: not measured
      for (const u of spans) {
        if (this.blockRunsIn(u.start, u.end).some((b) => b.state === 'online' && b.zone !== 'Movable')) {
          return unmodelled(
            `${deviceName(dev)}/state: unplugging memory onlined by hand in a kernel zone was not measured`,
          );
        }
      }
      const name = deviceName(dev);
      for (const u of spans) {
        const first = Number(u.start / bs);
        const last = Number(u.end / bs);
        this.state.blocks.remove(first, last);
        this.freeMemmap(first, last);
        // the memory's iomem resource goes with it (measured on 7.3.4: /proc/iomem loses the
        // device's line and its `System RAM (kmem)` line)
        const held = this.state.reservations.find(
          (x) => x.owner === name && x.kind === 'kmem' && x.start === u.start && !x.stranded,
        );
        if (held) this.unreserve(held);
      }
      dev.kmemState = 'unplugged';
      return OK;
    }
    // an online value
    if (cur !== 'unplugged') return err('EBUSY');
    for (const u of spans) {
      this.reserve({ start: u.start, end: u.end, owner: deviceName(dev), kind: 'kmem', stranded: false });
      this.addMemory(u.start, u.end, dev.targetNode, target);
    }
    dev.kmemState = target === 'online' ? 'unknown' : target;
    return OK;
  }

  /** add_memory_driver_managed: new blocks, onlined per auto_online_blocks (or as `online` says). */
  private addMemory(start: bigint, end: bigint, node: number, online: OnlineType = this.state.autoOnline): void {
    const bs = this.state.blockSize;
    const first = Number(start / bs);
    const last = Number(end / bs);
    // sparse_add_section allocates the new blocks' memmap on their node: in its online
    // kernel-zone memory if there is any (ZONE_MOVABLE cannot take it), else elsewhere.
    const hosts = this.state.blocks
      .all()
      .filter((r) => r.node === node && r.state === 'online' && r.zone === 'Normal')
      .map((r) => ({ first: r.first, last: r.last }));
    if (hosts.length) this.state.memmapPlacements?.push({ hosts, blocks: [{ first, last }] });
    this.state.blocks.add(first, last, { state: 'offline', zone: undefined, node, removable: true });
    // Each block is onlined as it is added, in ascending order (online_memory_block per block).
    if (online !== 'offline') this.onlineRun(first, last, node, online);
  }

  /** Driver remove: device_dax releases its reservations; kmem hot-removes each range if it can. */
  private remove(dev: SimDevice): void {
    const name = deviceName(dev);
    const res = this.state.reservations;
    if (dev.driver === 'kmem') {
      const bs = this.state.blockSize;
      for (const r of dev.ranges) {
        const u = hotplugRange(r.start, r.end, bs);
        if (!u) continue;
        const first = Number(u.start / bs);
        const last = Number(u.end / bs);
        const idx = res.findIndex((x) => x.owner === name && x.kind === 'kmem' && x.start === u.start && !x.stranded);
        if (this.state.blocks.slice(first, last).some((b) => b.state === 'online')) {
          // remove_memory fails: "cannot be hotremoved until the next reboot"
          if (idx >= 0) (res[idx] as (typeof res)[number]).stranded = true;
          continue;
        }
        this.state.blocks.remove(first, last);
        this.freeMemmap(first, last);
        if (idx >= 0) this.unreserve(res[idx] as Reservation);
      }
    } else {
      for (let i = res.length - 1; i >= 0; i--) {
        const x = res[i];
        if (x && x.owner === name && x.kind === 'device_dax') this.unreserve(x);
      }
    }
    dev.driver = null;
    delete dev.kmemState;
    this.unboundDevices().add(dev);
  }

  /** The memory blocks in the byte range [start, end], as runs (blocks that do not exist left out). */
  blockRunsIn(start: bigint, end: bigint): BlockRun[] {
    const bs = this.state.blockSize;
    return this.state.blocks.slice(Number(start / bs), Number(end / bs));
  }

  // ---------------------------------------------------------- memory blocks

  /**
   * The same write to `memoryN/ATTR` for every N in [first, last], in ascending order, as that
   * many `echo`s would do it — at the cost of the runs involved, not of the blocks. Returns the
   * result of each stretch of blocks whose writes got the same answer, ascending.
   */
  writeBlockRun(first: number, last: number, attr: string, value: string): BlockRunResult[] {
    const out: BlockRunResult[] = [];
    let i = first;
    this.work++;
    while (i <= last) {
      this.work++;
      const chunk = this.blockChunk(i, last, attr, value);
      const result = chunk.result;
      // An unmodelled answer names its block: one block at a time (those writes change nothing).
      const end = result.kind === 'unmodelled' ? i : chunk.end;
      const prev = out[out.length - 1];
      if (prev && prev.last + 1 === i && sameResult(prev.result, result)) out[out.length - 1] = { ...prev, last: end };
      else out.push({ first: i, last: end, result });
      i = end + 1;
    }
    return out;
  }

  /**
   * Writes to blocks i.. as long as every one of them gets the same answer; returns the last
   * block written and that answer. Single-block writes are the case `end === i`.
   */
  private blockChunk(i: number, last: number, attr: string, value: string): { end: number; result: WriteResult } {
    const blocks = this.state.blocks;
    const block = blocks.get(i);
    if (!block) {
      // Missing blocks answer alike up to the next existing block or the next region edge.
      const next = blocks.slice(i, last)[0]?.first ?? last + 1;
      return { end: Math.min(next - 1, this.regionEdgeAfter(i) - 1, last), result: this.blockAttr(i, attr, value) };
    }
    const run = blocks.slice(i, last)[0] as BlockRun;
    const end = run.last;
    if (attr !== 'state' && attr !== 'online') return { end, result: otherBlockAttr(attr) };
    if (value === '') return { end, result: OK }; // no bytes: sysfs_kf_write never calls the store
    let target: OnlineType;
    if (attr === 'state') {
      const type = BLOCK_STATES.find((s) => sysfsStreq(value, s));
      if (!type) return { end, result: err('EINVAL') };
      if (type !== 'offline' && block.state === 'online') return { end, result: err('EINVAL') };
      if (type === 'offline' && block.state === 'offline') return { end, result: err('EINVAL') };
      target = type;
    } else {
      const v = kstrtobool(value);
      if (!v.ok) return { end, result: err(v.errno) };
      if (v.value !== (block.state === 'offline')) return { end, result: OK }; // already so: nothing to do
      target = v.value ? 'online' : 'offline';
    }
    if (target === 'offline') {
      // 6.18+: a kernel-zone block may hold unmovable pages (measured EBUSY; 6.12: ok)
      if (block.state === 'online' && block.zone !== 'Movable' && has(this.version, 'kernelZoneOfflineUnpredictable')) {
        return {
          end,
          result: unmodelled(
            `memory${i} is online in the ${block.zone ?? 'kernel'} zone: on Linux 6.18 and later offlining it may be refused (EBUSY, unmovable pages); where the page allocator put them is not modelled`,
          ),
        };
      }
      // The memmap pins answer alike between the edges of the kernel-zone runs that hold one.
      const stop = Math.min(end, this.pinEdgeAfter(i) - 1);
      const pinned = this.memmapPinned(i);
      if (pinned) return { end: stop, result: pinned };
      blocks.setState(i, stop, 'offline', undefined);
      return { end: stop, result: OK };
    }
    this.onlineRun(i, end, block.node, target);
    return { end, result: OK };
  }

  /** The first block index after `i` where "wholly inside a dax region" can change. */
  private regionEdgeAfter(i: number): number {
    const bs = this.state.blockSize;
    let edge = Infinity;
    for (const r of this.state.regions) {
      const lo = Number((r.start + bs - 1n) / bs);
      const hi = Number((r.end + 1n) / bs); // first block past the region's whole blocks
      for (const e of [lo, hi]) if (e > i && e < edge) edge = e;
    }
    return edge;
  }

  private blockAttr(index: number, attr: string, value: string): WriteResult {
    const block = this.state.blocks.get(index);
    if (!block) {
      // A block wholly inside a dax region is never boot memory: without a kmem hot-add its
      // memoryN directory does not exist.
      const bs = this.state.blockSize;
      const first = BigInt(index) * bs;
      if (this.state.regions.some((r) => first >= r.start && first + bs - 1n <= r.end)) return err('ENOENT');
      return unmodelled(
        `memory${index} is not memory of a dax device in the facts; the model does not predict boot memory`,
      );
    }
    return attr === 'state' || attr === 'online'
      ? this.blockChunk(index, index, attr, value).result
      : otherBlockAttr(attr);
  }

  /** Placements whose memmap is still in use (some of their hot-added blocks are present). */
  private livePlacements(): MemmapPlacement[] {
    return (this.state.memmapPlacements ?? []).filter((p) => p.blocks.length > 0);
  }

  /**
   * offline_pages of a kernel-zone block holding the memmap of blocks hot-added later: the
   * struct pages are unmovable, so EBUSY (both 6.1 and 6.12). When the node had several
   * kernel-zone blocks online at the hot-add, which one the page allocator used is not modelled.
   */
  private memmapPinned(index: number): WriteResult | undefined {
    const live = this.livePlacements().filter((p) => rangesHas(p.hosts, index));
    if (live.some((p) => rangesCount(p.hosts) === 1)) return err('EBUSY');
    const p = live[0];
    if (p) {
      const node = this.state.blocks.get(index)?.node;
      return unmodelled(
        `memory${index}: the memmap of memory${p.blocks[0]?.first}… (hot-added while several kernel-zone blocks of node ${node} were online) lies in one of ${describeRanges(p.hosts)}; which one is not modelled`,
      );
    }
    return undefined;
  }

  /** The first block index after `i` where memmapPinned can answer differently. */
  private pinEdgeAfter(i: number): number {
    let edge = Infinity;
    for (const p of this.livePlacements()) {
      for (const h of p.hosts) for (const e of [h.first, h.last + 1]) if (e > i && e < edge) edge = e;
    }
    return edge;
  }

  /** Hot-removed blocks free their memmap. */
  private freeMemmap(first: number, last: number): void {
    const list = this.state.memmapPlacements;
    if (!list) return;
    for (const p of list) p.blocks = rangesMinus(p.blocks, first, last);
    for (let i = list.length - 1; i >= 0; i--) if ((list[i] as MemmapPlacement).blocks.length === 0) list.splice(i, 1);
  }

  /**
   * online_pages of the offline blocks [first, last] of one node, one block after the other
   * (mm/memory_hotplug.c zone_for_pfn_range, contig-zones policy). `online` picks the zone whose
   * span holds the block when exactly one does, else the kernel zone; each onlined block widens
   * its zone's span for the next. Done in stretches between the span edges, so the cost follows
   * the number of edges, not of blocks.
   */
  private onlineRun(first: number, last: number, node: number, type: Exclude<OnlineType, 'offline'>): void {
    if (type !== 'online') {
      this.state.blocks.setState(first, last, 'online', type === 'online_movable' ? 'Movable' : 'Normal');
      return;
    }
    const spans = { Normal: this.zoneSpan(node, 'Normal'), Movable: this.zoneSpan(node, 'Movable') };
    const within = (s: Span | undefined, x: number) => s !== undefined && s.lo <= x && x <= s.hi;
    let prev: 'Normal' | 'Movable' | undefined;
    let i = first;
    while (i <= last) {
      const inKernel = within(spans.Normal, i);
      const inMovable = within(spans.Movable, i);
      const zone = inKernel !== inMovable ? (inKernel ? 'Normal' : 'Movable') : 'Normal';
      let j = i;
      if (zone === prev) {
        // Block i-1 went to this zone: up to the next span edge every block decides alike
        // (this zone's span reaches block x iff it reached it before the run; the other
        // zone's span does not move).
        let edge = last + 1;
        for (const s of [spans.Normal, spans.Movable]) {
          if (!s) continue;
          for (const e of [s.lo, s.hi + 1]) if (e > i && e < edge) edge = e;
        }
        j = edge - 1;
      }
      this.state.blocks.setState(i, j, 'online', zone);
      const s = spans[zone];
      spans[zone] = s ? { lo: Math.min(s.lo, i), hi: Math.max(s.hi, j) } : { lo: i, hi: j };
      prev = zone;
      i = j + 1;
    }
  }

  /** The lowest and highest online block of a node's zone. */
  private zoneSpan(node: number, zone: 'Normal' | 'Movable'): Span | undefined {
    let span: Span | undefined;
    this.work += this.state.blocks.all().length;
    for (const r of this.state.blocks.all()) {
      if (r.node !== node || r.state !== 'online' || r.zone !== zone) continue;
      span = span ? { lo: Math.min(span.lo, r.first), hi: Math.max(span.hi, r.last) } : { lo: r.first, hi: r.last };
    }
    return span;
  }

  /** auto_online_blocks_store (drivers/base/memory.c). */
  private autoOnlineStore(value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const type = BLOCK_STATES.find((s) => sysfsStreq(value, s));
    if (!type) return err('EINVAL');
    this.state.autoOnline = type;
    return OK;
  }
}

/** Position of the first reservation starting at or after `start`. */
function reservationAt(idx: readonly Reservation[], start: bigint): number {
  let lo = 0;
  let hi = idx.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((idx[mid] as Reservation).start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A memory block's attributes other than `state` and `online`: read-only, or not there. */
function otherBlockAttr(attr: string): WriteResult {
  switch (attr) {
    case 'valid_zones':
    case 'phys_index':
    case 'phys_device':
    case 'removable':
      return err('EACCES');
    default:
      return err(NO_FILE);
  }
}

/** What appendRange keeps of a device's ranges (see rangeTail). */
interface RangeTail {
  count: number;
  pages: bigint;
  maxId: number;
}

interface Span {
  readonly lo: number;
  readonly hi: number;
}

/** The answer to a write to a stretch of memory blocks [first, last]. */
export interface BlockRunResult {
  readonly first: number;
  readonly last: number;
  readonly result: WriteResult;
}

function sameResult(a: WriteResult, b: WriteResult): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'errno') return b.kind === 'errno' && a.errno === b.errno;
  if (a.kind === 'unmodelled') return b.kind === 'unmodelled' && a.reason === b.reason;
  return true;
}

/** `memory4, memory7…memory9` */
function describeRanges(rs: IndexRanges): string {
  return rs.map((r) => (r.first === r.last ? `memory${r.first}` : `memory${r.first}…memory${r.last}`)).join(', ');
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
