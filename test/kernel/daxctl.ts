// daxctl (ndctl v81) commands replayed as the raw sysfs writes they perform
// (kernel-facts.md §10.1, §10.3–§10.7), against the kernel model. Every write
// is logged as a shell line with its outcome, so a failing test can print the
// session. Only what docs/kernel-facts.md §10 describes is emulated.

import type { KernelModel } from '../../server/core/kernel/model';
import { expandRuns } from '../../server/core/kernel/blocks';
import { deviceBlocks } from '../../server/core/kernel/snapshot';
import { available, device, driverOf, hex, outcome, region, seed, type Step } from './session';

export class DaxctlError extends Error {
  constructor(
    readonly errno: string,
    message: string,
  ) {
    super(`${message} (${errno})`);
  }
}

export interface MappingSpec {
  start: bigint;
  end: bigint;
  pageOffset: bigint;
}

export interface CreateOptions {
  /** -s; absent → the region's available size. */
  size?: bigint;
  /** -a */
  align?: bigint;
  /** --input mappings (any order; daxctl sorts them by page_offset). */
  mappings?: MappingSpec[];
}

export class Daxctl {
  readonly log: Step[] = [];

  constructor(
    readonly m: KernelModel,
    readonly regionId = 0,
  ) {}

  /** `echo value > path` (echo adds the newline); returns the outcome. */
  write(path: string, value: string): string {
    const result = outcome(this.m.write(path, value + '\n'));
    this.log.push({ line: this.log.length + 1, text: `echo ${value} > ${path}`, result });
    return result;
  }

  transcript(): string {
    return this.log.map((s) => `${s.text} -> ${s.result}`).join('\n');
  }

  private dev(name: string, attr: string): string {
    return `/sys/bus/dax/devices/${name}/${attr}`;
  }

  private regionAttr(attr: string): string {
    return `${region(this.m, this.regionId).path}/dax_region/${attr}`;
  }

  isEnabled(name: string): boolean {
    return driverOf(this.m, name) !== null;
  }

  mode(name: string): 'devdax' | 'system-ram' {
    return driverOf(this.m, name) === 'kmem' ? 'system-ram' : 'devdax';
  }

  /** daxctl_dev_enable → daxctl_bind: new_id then bind; success = the driver link exists. */
  private enable(name: string, drv: 'device_dax' | 'kmem'): void {
    if (this.isEnabled(name)) return;
    this.write(`/sys/bus/dax/drivers/${drv}/new_id`, name);
    const bind = this.write(`/sys/bus/dax/drivers/${drv}/bind`, name);
    if (driverOf(this.m, name) !== drv)
      throw new DaxctlError(bind === 'ok' ? 'ENXIO' : bind, `${name}: failed to enable`);
  }

  /** daxctl_dev_disable: remove_id then unbind, through the device's driver link. */
  private disable(name: string): void {
    if (!this.isEnabled(name)) return;
    this.write(this.dev(name, 'driver/remove_id'), name);
    this.write(this.dev(name, 'driver/unbind'), name);
    if (this.isEnabled(name)) throw new DaxctlError('EBUSY', `${name}: failed to disable`);
  }

  private setSize(name: string, size: bigint): void {
    const r = this.write(this.dev(name, 'size'), size.toString());
    if (r !== 'ok') throw new DaxctlError('ENXIO', `${name}: failed to set size (kernel: ${r})`);
  }

  /** daxctl enable-device (devdax only). */
  enableDevice(name: string): void {
    if (this.mode(name) === 'system-ram')
      throw new DaxctlError('ENXIO', 'status operations are only applicable in devdax mode');
    this.enable(name, 'device_dax');
  }

  /** daxctl disable-device (devdax only). */
  disableDevice(name: string): void {
    if (this.mode(name) === 'system-ram')
      throw new DaxctlError('ENXIO', 'status operations are only applicable in devdax mode');
    this.disable(name);
  }

  /** daxctl disable-device -r R all */
  disableAll(): void {
    for (const name of this.names()) this.disableDevice(name);
  }

  /** daxctl reconfigure-device -s SIZE (the device must already be disabled). */
  reconfigureSize(name: string, size: bigint): void {
    this.setSize(name, size);
  }

  /** daxctl create-device -r R [-s] [-a] [--input] (§10.3 do_create). Returns the new device's name. */
  createDevice(o: CreateOptions = {}): string {
    if (this.write(this.regionAttr('create'), '1') !== 'ok') throw new DaxctlError('ENOSPC', 'create failed');
    const name = seed(this.m, this.regionId);
    if (!name) throw new DaxctlError('ENOSPC', 'no seed');
    const val = o.size ?? available(this.m, this.regionId);
    if (val <= 0n) throw new DaxctlError('ENOSPC', 'no size');
    if (o.align !== undefined && o.align > 0n) {
      const r = this.write(this.dev(name, 'align'), o.align.toString());
      if (r !== 'ok') throw new DaxctlError('ENXIO', `${name}: failed to set align (kernel: ${r})`);
    }
    const maps = [...(o.mappings ?? [])].sort((a, b) =>
      a.pageOffset < b.pageOffset ? -1 : a.pageOffset > b.pageOffset ? 1 : 0,
    );
    let alloc = 0n;
    for (const mp of maps) {
      const r = this.write(this.dev(name, 'mapping'), `${hex(mp.start)}-${hex(mp.end)}`);
      if (r !== 'ok') throw new DaxctlError('ENXIO', `${name}: failed to set mapping (kernel: ${r})`);
      alloc += mp.end - mp.start + 1n;
    }
    if (!(maps.length > 0 && val > 0n && alloc !== val)) this.setSize(name, val);
    this.enable(name, 'device_dax');
    return name;
  }

  /** daxctl destroy-device [-f] (§10.5 dev_destroy). */
  destroyDevice(name: string, force = false): void {
    if (this.isEnabled(name) && !force)
      throw new DaxctlError('ENXIO', `${name} is active, specify --force for deletion`);
    this.disable(name);
    this.setSize(name, 0n);
    const r = this.write(this.regionAttr('delete'), name);
    if (r === 'ok') return;
    if (device(this.m, name).id === 0 && r === 'EBUSY') return;
    throw new DaxctlError(r, `${name}: delete failed`);
  }

  /** daxctl destroy-device -r R all */
  destroyAll(): void {
    for (const name of this.names()) this.destroyDevice(name);
  }

  /** Memory blocks of a device (through the model's view of its ranges). */
  blocks(name: string) {
    return expandRuns(deviceBlocks(this.m.state, device(this.m, name)));
  }

  /** daxctl reconfigure-device -m system-ram [--no-online] (§10.4). */
  reconfigureSystemRam(name: string, o: { online?: boolean; movable?: boolean } = {}): void {
    const online = o.online ?? true;
    if (this.m.state.autoOnline.startsWith('online'))
      throw new DaxctlError('EBUSY', 'kernel policy will auto-online memory');
    if (this.isEnabled(name) && this.mode(name) === 'devdax') this.disable(name);
    this.enable(name, 'kmem');
    if (!online) return;
    const type = o.movable === false ? 'online' : 'online_movable';
    let failed = 0;
    for (const b of this.blocks(name)) {
      if (b.state === 'online') continue;
      if (this.write(`/sys/devices/system/memory/memory${b.index}/state`, type) !== 'ok') failed++;
    }
    if (failed) throw new DaxctlError('ENXIO', `${name}: ${failed} blocks failed to online`);
  }

  /** daxctl offline-memory (§10.7). */
  offlineMemory(name: string): void {
    if (this.mode(name) !== 'system-ram') throw new DaxctlError('ENXIO', 'not system-ram');
    for (const b of this.blocks(name)) {
      if (b.state === 'offline') continue;
      this.write(`/sys/devices/system/memory/memory${b.index}/state`, 'offline');
    }
    if (this.blocks(name).some((b) => b.state === 'online')) throw new DaxctlError('ENXIO', 'blocks still online');
  }

  /** daxctl reconfigure-device -m devdax [-f] (§10.4 reconfig_mode_devdax). */
  reconfigureDevdax(name: string, force = false): void {
    if (this.isEnabled(name) && this.mode(name) === 'system-ram') {
      if (force) {
        for (const b of this.blocks(name)) {
          if (b.state === 'online') this.write(`/sys/devices/system/memory/memory${b.index}/state`, 'offline');
        }
      }
      if (this.blocks(name).some((b) => b.state === 'online'))
        throw new DaxctlError('EBUSY', 'refusing to change modes');
      this.disable(name);
    }
    this.enable(name, 'device_dax');
  }

  names(): string[] {
    return [...region(this.m, this.regionId).devices.values()]
      .sort((a, b) => a.id - b.id)
      .map((d) => `dax${d.region.id}.${d.id}`);
  }
}
