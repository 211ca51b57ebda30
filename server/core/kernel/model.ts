// The kernel model: one sysfs write in, the errno a shell `echo` would get out.
// Each handler follows the kernel function it models (named in its comment, in
// the order of that function's checks); see docs/kernel-model.md. This file routes a
// path to its handler; the handlers are layered by concern: model-base.ts (state, lookups,
// reservations), model-blocks.ts (memory blocks), model-drivers.ts (bind, probes, kmem),
// model-ranges.ts (devices, sizes, mappings).

import type { DriverName, HostFacts } from '../host-facts';
import { CxlModel } from './cxl-model';
import { NO_FILE, err, unmodelled, type WriteResult } from './model-base';
import { RangeModel } from './model-ranges';
import { indexRange, inert, seedState, type SimDevice, type SimRange, type SimRegion } from './state';
import { has } from './version';

export { DEFAULT_WORK_BUDGET, type WriteResult } from './model-base';
export type { BlockRunResult } from './model-blocks';

const DAX_DEVICES = '/sys/bus/dax/devices/';
const DAX_DRIVERS = '/sys/bus/dax/drivers/';
const MEMORY = '/sys/devices/system/memory/';

export class KernelModel extends RangeModel {
  static fromFacts(facts: HostFacts, release?: string, budget?: number): KernelModel {
    const m = new KernelModel(seedState(facts, release), budget);
    if (facts.cxl) m.cxl = new CxlModel(m, facts.cxl);
    return m;
  }

  /** The CXL region model (cxl-model.ts), when the facts have a CXL topology. */
  cxl: CxlModel | undefined;

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
    // `create` reads empty: dax_region->youngest is set only by create_store (drivers/dax/bus.c),
    // not for the device the region's own probe makes (measured: fidelity on the cxl2 machine, 6.12)
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
}
