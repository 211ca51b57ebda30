// The kernel model's drivers: bind, unbind, new_id and remove_id of device_dax and kmem,
// their probes (reservations, hot-add), driver remove, and the 7.3 kmem `state` attribute.

import { hex } from '../units';
import type { DriverName } from '../host-facts';
import { parseDaxName, sysfsStreq } from './kstrto';
import { BlockModel } from './model-blocks';
import { NO_FILE, OK, err, unmodelled, type WriteResult } from './model-base';
import { deviceName, deviceSize, hotplugRange, type Reservation, type SimDevice } from './state';
import type { Errno } from './tables';
import { has } from './version';

/** Values the 7.3 kmem `state` attribute accepts the spelling of (`offline` only to refuse it). */
const KMEM_STATES = ['offline', 'unplugged', 'online_movable', 'online_kernel', 'online'] as const;

export class DriverModel extends BlockModel {
  protected driverAttr(drv: DriverName, attr: string, value: string): WriteResult {
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
  protected bindStore(drv: DriverName, value: string): WriteResult {
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
  protected unpredictableProbe(drv: DriverName, dev: SimDevice): string | undefined {
    if (drv !== 'device_dax' || !dev.region.dynamic || dev.pgmapStale || deviceSize(dev) === 0n || dev.deleted)
      return undefined;
    if (dev.ranges.some((r) => this.reserved(r.start, r.end))) return undefined; // EBUSY comes first
    const page = this.state.pageSize;
    const bad = dev.ranges.find((r) => r.start % page !== 0n || (r.end + 1n) % page !== 0n);
    if (!bad) return undefined;
    return `device_dax probe of ${deviceName(dev)}: its range ${hex(bad.start)}-${hex(bad.end)} does not start and end on a page boundary; the kernel WARNs and may oops (the outcome depends on the history of the neighbouring page frames)`;
  }

  /** unbind_store: ENODEV unless the device is bound to this driver. */
  protected unbindStore(drv: DriverName, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs_kf_write never calls the store
    const dev = this.busDevice(value);
    if (!dev || dev.driver !== drv) return err('ENODEV');
    this.remove(dev);
    return OK;
  }

  /** do_id_store (bus.c[new]): canonical name only; new_id then attaches every matching unbound device. */
  protected idStore(drv: DriverName, value: string, action: 'add' | 'remove'): WriteResult {
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

  /** dax_bus_probe + the driver's probe. Returns the errno, or undefined on success. */
  protected probe(drv: DriverName, dev: SimDevice): Errno | undefined {
    if (deviceSize(dev) === 0n || dev.deleted) return 'ENXIO';
    const rc = drv === 'kmem' ? this.kmemProbe(dev) : this.devdaxProbe(dev);
    if (rc) return rc;
    dev.driver = drv;
    this.unboundDevices().delete(dev);
    if (dev.region.seed === dev) dev.region.seed = null;
    return undefined;
  }

  /** dev_dax_probe (device.c[new]): one range if static; reserve every range; sub-section alignment. */
  protected devdaxProbe(dev: SimDevice): Errno | undefined {
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

  /** dev_dax_kmem_probe (kmem.c[new]). */
  protected kmemProbe(dev: SimDevice): Errno | undefined {
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
  protected kmemStateStore(dev: SimDevice, value: string): WriteResult {
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

  /** Driver remove: device_dax releases its reservations; kmem hot-removes each range if it can. */
  protected remove(dev: SimDevice): void {
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
}
