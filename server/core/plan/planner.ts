// The planner: desired regions of one host + the host's current state → the
// ordered sysfs writes an apply performs. Every write is run through the kernel
// model as it is planned, so the plan's outcome (names the kernel assigns,
// where first fit places memory, which writes the kernel refuses) is the
// model's prediction, and the final model state is the layout's desired state.

import type { KernelModel } from '../kernel/model';
import { deviceName, deviceSize, hotplugRange, type SimDevice } from '../kernel/state';
import type { BlockRun } from '../kernel/blocks';
import type { LayoutRegion } from '../layout/types';
import { formatBytes } from '../units';
import type { DesiredRegion, Plan, PlannedWrite, PlanOptions } from './plan-types';
import { PlannerBase, count, dev, isPinned, sameRanges, type Work } from './planner-base';

export * from './plan-types';

export class Planner extends PlannerBase {
  run(regions: readonly DesiredRegion[]): Plan {
    for (const r of regions) this.placeColours(r, []);
    const work: Work[] = [];
    for (const r of regions) work.push(...this.match(r));
    // Memory of devices the layout does not list, and keeps, is not free for colours.
    for (const r of regions) {
      const kept = this.plan.unlisted
        .filter((u) => u.region === r.layout && !u.pruned)
        .flatMap((u) => this.model.findDevice(u.kernelName)?.ranges ?? []);
      if (kept.length === 0 || !r.layout.devices.some((l) => l.colours)) continue;
      this.placeColours(r, kept);
      for (const w of work) {
        if (w.region !== r || !w.layout.colours || w.layout.ranges.length > 0) continue;
        const size = this.colourSize(w.layout);
        (w as { size: bigint | undefined }).size = size;
        if (size === undefined) this.plan.targetSize.delete(w.layout);
        else this.plan.targetSize.set(w.layout, size);
      }
    }
    for (const r of regions) {
      this.pins.set(
        r.layout,
        r.layout.devices.flatMap((owner) => this.rangesOf(owner).map((x) => ({ start: x.start, end: x.end, owner }))),
      );
    }

    // 1. release: unbind what must change (offlining movable kmem memory first).
    for (const w of work) if (w.dev && this.needsRelease(w)) this.release(w.dev, w.region.layout, w);
    for (const u of this.plan.unlisted) {
      if (!u.pruned) continue;
      const d = this.model.findDevice(u.kernelName);
      // an unbound device (an apply stopped between its unbind and its destroy) has nothing to release
      if (d?.driver) this.release(d, u.region);
    }
    // 2. free: shrink or empty devices whose geometry changes; destroy pruned ones.
    for (const w of work) if (w.dev && !w.blocked) this.free(w);
    for (const u of this.plan.unlisted) {
      if (!u.pruned) continue;
      const d = this.model.findDevice(u.kernelName);
      if (d && !d.driver) this.destroy(d, u.region);
    }
    // 3. create the devices that do not exist yet, in layout order.
    for (const w of work) if (!w.dev && w.size !== undefined) this.create(w);
    // 4. pinned ranges first, so that first fit cannot take them; then sizes; `rest` last.
    for (const w of work) if (w.dev && !w.blocked && isPinned(w.layout)) this.claim(w);
    for (const w of work) if (w.dev && !w.blocked && !isPinned(w.layout) && !w.layout.rest) this.grow(w);
    for (const w of work) if (w.dev && !w.blocked && !isPinned(w.layout) && w.layout.rest) this.grow(w);
    // 5. memmap_on_memory, then bind: device_dax before kmem (a kmem new_id attaches every matching unbound device).
    for (const w of work)
      if (w.dev && !w.blocked && w.layout.memmapOnMemory && !w.dev.memmapOnMemory && !w.dev.driver) this.memmap(w);
    for (const w of work) if (w.dev && !w.blocked && w.driver === 'device_dax') this.bind(w);
    for (const w of work) if (w.dev && !w.blocked && w.driver === 'kmem') this.bind(w);
    // 6. memory block states for system-ram devices.
    for (const w of work) if (w.dev && !w.blocked && w.driver === 'kmem' && w.dev.driver === 'kmem') this.blocks(w);

    for (const w of work) if (w.dev) this.plan.assigned.set(w.layout, w.dev);
    return this.plan;
  }

  private geometryChanges(w: Work, d: SimDevice): boolean {
    if (w.size === undefined) return false;
    if (this.blocksPins(w, d.ranges)) return true;
    if (isPinned(w.layout)) return !sameRanges(d, this.rangesOf(w.layout)) || d.align !== w.align;
    return deviceSize(d) !== w.size || d.align !== w.align;
  }

  private needsRelease(w: Work): boolean {
    const d = w.dev as SimDevice;
    if (!d.driver) return false;
    if (d.driver !== w.driver) return true;
    if (w.driver === 'kmem' && !!w.layout.memmapOnMemory && !d.memmapOnMemory) return true; // 1 cannot be unwritten
    return this.geometryChanges(w, d);
  }

  /** Unbinds a device; kmem memory is offlined first when movable, otherwise the change is refused. */
  private release(d: SimDevice, region: LayoutRegion, w?: Work): void {
    const name = deviceName(d);
    if (d.driver === 'kmem') {
      const online = this.kmemBlocks(d).filter((b) => b.state === 'online');
      const pinned = online.filter((b) => b.zone !== 'Movable');
      if (pinned.length > 0) {
        this.plan.refusals.push({
          region,
          ...(w ? { device: w.layout } : {}),
          kernelName: name,
          reason: `${name} has ${count(pinned)} memory block(s) online in the ${pinned[0]?.zone ?? 'kernel'} zone (memory${pinned[0]?.first}); kernel-zone memory cannot be reliably offlined, and unbinding kmem with memory online strands it until reboot`,
        });
        if (w) w.blocked = true;
        return;
      }
      if (online.length > 0) {
        const s = this.step(
          '~',
          name,
          region,
          `offline ${count(online)} movable memory block(s) of ${name}`,
          w?.layout,
        );
        for (const b of online) this.writeBlocks(s, b.first, b.last, 'offline', name);
      }
    }
    const s = this.step(w ? '~' : '-', name, region, `unbind ${name} from ${d.driver}`, w?.layout);
    if (!this.write(s, `/sys/bus/dax/drivers/${d.driver}/unbind`, name, 'release', name) && w) w.blocked = true;
  }

  /** The memory blocks of a kmem device, as runs in the order of its ranges. */
  private kmemBlocks(d: SimDevice): BlockRun[] {
    const out: BlockRun[] = [];
    for (const r of d.ranges) {
      const u = hotplugRange(r.start, r.end, this.model.state.blockSize);
      if (u) out.push(...this.model.blockRunsIn(u.start, u.end));
    }
    return out;
  }

  private free(w: Work): void {
    const d = w.dev as SimDevice;
    if (w.size === undefined || !this.geometryChanges(w, d)) return;
    if (d.driver) return; // could not be released
    if (!d.region.dynamic) {
      this.plan.refusals.push({
        region: w.region.layout,
        device: w.layout,
        kernelName: deviceName(d),
        reason: `region ${d.region.id} is static (pmem-backed): its device's size and align are set by the namespace, not through dax sysfs`,
      });
      w.blocked = true;
      return;
    }
    const name = deviceName(d);
    const compat = this.model.state.arch.compatAlign.value;
    const newGranule = w.align > compat ? w.align : compat;
    const keepsAlign = d.ranges.every((r) => (r.end - r.start + 1n) % newGranule === 0n);
    let target = w.size < deviceSize(d) ? w.size : deviceSize(d);
    // A size the kernel would refuse (DAX010 says so) still frees the old space, so
    // that the rest of the layout is judged on its own.
    if (isPinned(w.layout) || !keepsAlign || target % newGranule !== 0n) target = 0n;
    // Memory another device pins must be given up, even if this device keeps its size.
    if (target > 0n && this.blocksPins(w, this.kept(d, target))) target = 0n;
    if (target !== deviceSize(d)) {
      const s = this.step(
        '~',
        name,
        w.region.layout,
        `shrink ${name} (${w.layout.label}) from ${formatBytes(deviceSize(d))} to ${formatBytes(target)}`,
        w.layout,
      );
      if (!this.write(s, `${dev(d)}/size`, target.toString(), 'shrink', name)) w.blocked = true;
    }
    if (d.align !== w.align && !w.blocked) {
      const s = this.step(
        '~',
        name,
        w.region.layout,
        `set ${name} (${w.layout.label}) align to ${formatBytes(w.align)}`,
        w.layout,
      );
      if (!this.write(s, `${dev(d)}/align`, w.align.toString(), 'align', name)) w.blocked = true;
    }
  }

  private destroy(d: SimDevice, region: LayoutRegion): void {
    const name = deviceName(d);
    const s = this.step(
      '-',
      name,
      region,
      d.id === 0 ? `empty ${name} (the kernel never deletes a region's device 0)` : `destroy ${name}`,
    );
    if (deviceSize(d) > 0n && !this.write(s, `${dev(d)}/size`, '0', 'shrink', name)) return;
    if (d.id !== 0) this.write(s, `${d.region.path}/dax_region/delete`, name, 'delete', name);
  }

  private create(w: Work): void {
    const sim = w.region.sim;
    const s = this.step('+', '(new)', w.region.layout, `create ${w.layout.label}`, w.layout);
    if (!this.write(s, `${sim.path}/dax_region/create`, '1', 'create')) {
      w.blocked = true;
      return;
    }
    const d = sim.youngest;
    if (!d) {
      w.blocked = true;
      return;
    }
    w.dev = d;
    (s as { target: string }).target = deviceName(d);
    (s as { summary: string }).summary = `create ${deviceName(d)} (${w.layout.label})`;
    if (d.align !== w.align && !this.write(s, `${dev(d)}/align`, w.align.toString(), 'align', deviceName(d)))
      w.blocked = true;
  }

  private claim(w: Work): void {
    const d = w.dev as SimDevice;
    const want = this.rangesOf(w.layout);
    if (sameRanges(d, want)) return;
    const name = deviceName(d);
    const what = w.layout.ranges.length > 0 ? `${want.length} pinned range(s)` : `${want.length} colour stripe(s)`;
    const s = this.step('~', name, w.region.layout, `claim ${what} for ${name} (${w.layout.label})`, w.layout);
    for (const r of want) {
      const before = d.ranges.length;
      if (!this.write(s, `${dev(d)}/mapping`, `${r.start.toString(16)}-${r.end.toString(16)}`, 'mapping', name)) {
        w.blocked = true;
        return;
      }
      if (d.ranges.length === before) {
        // 6.8+ reports success for a misaligned length and allocates nothing.
        this.plan.failures.push({
          region: w.region.layout,
          device: w.layout,
          kernelName: name,
          purpose: 'mapping',
          write: s.writes[s.writes.length - 1] as PlannedWrite,
        });
        w.blocked = true;
        return;
      }
    }
  }

  private grow(w: Work): void {
    const d = w.dev as SimDevice;
    if (w.size === undefined || deviceSize(d) === w.size) return;
    if (w.size === 0n) return;
    const name = deviceName(d);
    const grow = w.size > deviceSize(d);
    const s = this.step(
      '~',
      name,
      w.region.layout,
      `${grow ? 'size' : 'shrink'} ${name} (${w.layout.label}) to ${formatBytes(w.size)}`,
      w.layout,
    );
    if (!this.write(s, `${dev(d)}/size`, w.size.toString(), 'size', name)) w.blocked = true;
  }

  private memmap(w: Work): void {
    const d = w.dev as SimDevice;
    const name = deviceName(d);
    const s = this.step(
      '~',
      name,
      w.region.layout,
      `enable memmap_on_memory for ${name} (${w.layout.label})`,
      w.layout,
    );
    if (!this.write(s, `${dev(d)}/memmap_on_memory`, '1', 'memmap', name)) w.blocked = true;
  }

  private bind(w: Work): void {
    const d = w.dev as SimDevice;
    if (d.driver === w.driver) return;
    if (d.driver) return; // bound elsewhere and could not be released: reported already
    const name = deviceName(d);
    const s = this.step('~', name, w.region.layout, `bind ${name} (${w.layout.label}) to ${w.driver}`, w.layout);
    const attr = this.model.matches(w.driver, d) ? 'bind' : 'new_id';
    if (!this.write(s, `/sys/bus/dax/drivers/${w.driver}/${attr}`, name, 'bind', name)) {
      w.blocked = true;
      return;
    }
    if (d.driver !== w.driver) {
      // new_id attached nothing (the probe failed): the kernel reports success anyway.
      this.plan.failures.push({
        region: w.region.layout,
        device: w.layout,
        kernelName: name,
        purpose: 'bind',
        write: s.writes[s.writes.length - 1] as PlannedWrite,
      });
      w.blocked = true;
    }
  }

  private blocks(w: Work): void {
    const d = w.dev as SimDevice;
    const name = deviceName(d);
    const want = w.layout.online ? (w.layout.movable ? 'Movable' : 'Normal') : undefined;
    const blocks = this.kmemBlocks(d);
    const kernelZone = blocks.filter((b) => b.state === 'online' && b.zone !== 'Movable' && (!want || b.zone !== want));
    if (kernelZone.length > 0) {
      // Offlining kernel-zone memory can fail half-way (unmovable pages): refuse rather than try.
      this.plan.refusals.push({
        region: w.region.layout,
        device: w.layout,
        kernelName: name,
        reason: `${name} has ${count(kernelZone)} memory block(s) online in the ${kernelZone[0]?.zone ?? 'kernel'} zone (memory${kernelZone[0]?.first}) but the layout wants them ${want ? `online as ${want}` : 'offline'}; kernel-zone memory cannot be reliably offlined`,
      });
      return;
    }
    const wrongZone = blocks.filter((b) => b.state === 'online' && want && b.zone !== want);
    const toOffline = blocks.filter((b) => b.state === 'online' && (!want || b.zone !== want));
    const toOnline = want ? blocks.filter((b) => b.state === 'offline' || wrongZone.includes(b)) : [];
    if (toOffline.length === 0 && toOnline.length === 0) return;
    const s = this.step(
      '~',
      name,
      w.region.layout,
      want
        ? `online ${count(toOnline)} memory block(s) of ${name} (${w.layout.label}) as ${want}`
        : `offline ${count(toOffline)} memory block(s) of ${name} (${w.layout.label})`,
      w.layout,
    );
    for (const b of toOffline) this.writeBlocks(s, b.first, b.last, 'offline', name);
    for (const b of toOnline)
      this.writeBlocks(s, b.first, b.last, want === 'Movable' ? 'online_movable' : 'online_kernel', name);
  }
}

export function planHost(model: KernelModel, regions: readonly DesiredRegion[], options: PlanOptions): Plan {
  return new Planner(model, options).run(regions);
}
