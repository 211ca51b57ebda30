// The kernel model's devices and their ranges: create and delete in a dax region, size
// (first-fit growth, shrinking from the logical tail), align, mapping and memmap_on_memory
// (bus.c), each as the kernel function it names checks it.

import { kstrtobool, kstrtoint, kstrtoull, sysfsStreq } from './kstrto';
import { DriverModel } from './model-drivers';
import { OK, err, type WriteResult } from './model-base';
import {
  allocationAt,
  allocations,
  availableSize,
  deviceName,
  deviceSize,
  indexRange,
  inert,
  unindexRange,
  type SimDevice,
  type SimRange,
  type SimRegion,
} from './state';
import { allowedAligns } from './tables';
import { has } from './version';

export class RangeModel extends DriverModel {
  /** create_store (bus.c[new]): only "1"; ENOSPC when nothing is available. */
  protected createStore(region: SimRegion, value: string): WriteResult {
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
  protected deleteStore(region: SimRegion, value: string): WriteResult {
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

  /** size_store + dev_dax_resize (bus.c[new]). */
  protected sizeStore(dev: SimDevice, value: string): WriteResult {
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
  protected shrink(dev: SimDevice, cut: bigint): void {
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
  protected grow(dev: SimDevice, need: bigint): void {
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
  protected packedPrefix(region: SimRegion): number {
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
  protected adjustOk(dev: SimDevice, owner: SimDevice, range: SimRange): boolean {
    if (owner !== dev || dev.ranges.length === 0) return false;
    const last = dev.ranges[dev.ranges.length - 1] as SimRange;
    if (last !== range) return false;
    return dev.ranges.every((r) => r.pgoff <= last.pgoff);
  }

  /** alloc_dev_dax_range: a new range at the next page offset with the lowest free mapping id. */
  protected appendRange(dev: SimDevice, start: bigint, size: bigint): void {
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
  protected rangeTail(dev: SimDevice): RangeTail {
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

  protected readonly tails = new WeakMap<SimDevice, RangeTail>();

  /** align_store + dev_dax_validate_align (bus.c[new]). */
  protected alignStore(dev: SimDevice, value: string): WriteResult {
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
  protected mappingStore(dev: SimDevice, value: string): WriteResult {
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
  protected memmapStore(dev: SimDevice, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const v = kstrtobool(value);
    if (!v.ok) return err(v.errno);
    if (v.value && !this.state.memmapOnMemorySupported) return err('EOPNOTSUPP');
    if (dev.driver === 'kmem' && dev.memmapOnMemory !== v.value) return err('EBUSY');
    dev.memmapOnMemory = v.value;
    return OK;
  }
}

/** What appendRange keeps of a device's ranges (see rangeTail). */
interface RangeTail {
  count: number;
  pages: bigint;
  maxId: number;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
