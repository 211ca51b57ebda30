// The write-sequence generator of the fidelity harness: random but meaningful `echo VALUE >
// PATH` lines for the device-dax sysfs ABI, seeded and reproducible.
//
// It generates against the kernel model's current state (so names, sizes and addresses are
// plausible: existing devices, free holes, allocated ranges, hot-added memory blocks) and
// mixes in invalid ones (nonexistent names, misaligned sizes, unparsable values, paths that do
// not exist). The weights lean toward the states where bugs hide: fragmented regions, devices
// with many ranges, full regions, zero-size seeds left behind by failed writes, kmem memory.
//
//   const lines = generateSequence(facts, release, 'seed-1', 120);

import type { HostFacts } from '../../server/core/host-facts';
import { KernelModel } from '../../server/core/kernel/model';
import { parseScript } from '../../server/core/kernel/script';
import {
  allocations,
  availableSize,
  deviceName,
  deviceSize,
  hotplugRange,
  type SimDevice,
  type SimRegion,
} from '../../server/core/kernel/state';
import { has } from '../../server/core/kernel/version';
import { Rng } from './rng';

const MiB = 1024n * 1024n;
const GiB = 1024n * MiB;
const DEVICES = '/sys/bus/dax/devices';
const DRIVERS = '/sys/bus/dax/drivers';
const MEMORY = '/sys/devices/system/memory';
type Driver = 'device_dax' | 'kmem';

const hex = (v: bigint) => `0x${v.toString(16)}`;
const bmin = (a: bigint, b: bigint) => (a < b ? a : b);
const bmax = (a: bigint, b: bigint) => (a > b ? a : b);

/** A shell word for VALUE: bare when safe, otherwise single-quoted. */
function word(v: string): string {
  return /^[A-Za-z0-9_.,:/=@%+-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/** `echo VALUE > PATH` (an empty value writes just the newline; `-n` leaves the newline out). */
export function echoLine(path: string, value: string, noNewline = false): string {
  if (noNewline) return `echo -n ${word(value)} > ${path}`;
  return value === '' ? `echo > ${path}` : `echo ${word(value)} > ${path}`;
}

interface Hole {
  start: bigint;
  end: bigint;
}

export function holes(region: SimRegion): Hole[] {
  const out: Hole[] = [];
  let at = region.start;
  for (const a of allocations(region)) {
    if (a.range.start > at) out.push({ start: at, end: a.range.start - 1n });
    if (a.range.end + 1n > at) at = a.range.end + 1n;
  }
  if (at <= region.end) out.push({ start: at, end: region.end });
  return out;
}

/** Statistics of what a generated sequence reached (for tuning and for the report). */
export interface GenStats {
  writes: number;
  outcomes: Record<string, number>;
  maxRanges: number;
  maxHoles: number;
  maxDevices: number;
  fullRegion: number;
  kmemBinds: number;
  blockWrites: number;
  strandings: number;
}

export class Generator {
  readonly model: KernelModel;
  readonly rng: Rng;
  readonly lines: string[] = [];
  readonly stats: GenStats = {
    writes: 0,
    outcomes: {},
    maxRanges: 0,
    maxHoles: 0,
    maxDevices: 0,
    fullRegion: 0,
    kmemBinds: 0,
    blockWrites: 0,
    strandings: 0,
  };
  private readonly granule: bigint;
  private readonly blockSize: bigint;
  private readonly aligns: bigint[];

  /** `under`: write only to the dax regions whose path starts with one of these (the CXL windows' paths on the CXL machines). */
  constructor(
    facts: HostFacts,
    release: string,
    seed: string,
    private readonly under?: readonly string[],
  ) {
    this.model = KernelModel.fromFacts(facts, release);
    this.rng = new Rng(seed);
    this.granule = this.model.state.arch.compatAlign.value;
    this.blockSize = this.model.state.blockSize;
    const a = this.model.state.arch;
    this.aligns = [
      a.pageSize.value,
      ...(a.pmdSize.value ? [a.pmdSize.value] : []),
      ...(a.pudSize.value ? [a.pudSize.value] : []),
    ];
  }

  // ------------------------------------------------------------ state views

  private get regions(): SimRegion[] {
    const u = this.under;
    return this.model.state.regions.filter((r) => r.dynamic && (!u || u.some((p) => r.path.startsWith(`${p}/`))));
  }
  private region(): SimRegion {
    return this.rng.pick(this.regions);
  }
  private devs(r?: SimRegion): SimDevice[] {
    const rs = r ? [r] : this.regions;
    return rs.flatMap((x) => [...x.devices.values()].sort((a, b) => a.id - b.id));
  }
  private gran(d: SimDevice): bigint {
    return bmax(d.align, this.granule);
  }
  private nextFreeName(r: SimRegion, skip = 0): string {
    let id = 0;
    let s = skip;
    for (;;) {
      if (!r.devices.has(id)) {
        if (s === 0) return `dax${r.id}.${id}`;
        s--;
      }
      id++;
    }
  }
  private invalidName(r: SimRegion): string {
    const top = Math.max(0, ...[...r.devices.keys()]);
    return this.rng.pick([
      `dax${r.id}.${top + 7}`,
      `dax${r.id + 1}.0`,
      'foo',
      `dax${r.id}`,
      `dax${r.id}.1x`,
      `dax${r.id}.01`,
      `dax0${r.id}.1`,
      '',
      `dax${r.id}.-1`,
      `${r.id}.1`,
    ]);
  }
  private hasWholeBlock(d: SimDevice): boolean {
    return d.ranges.some((x) => hotplugRange(x.start, x.end, this.blockSize) !== undefined);
  }
  private daxBlocks() {
    const nodes = new Set(this.regions.map((r) => r.targetNode));
    return [...this.model.state.blocks.values()].filter((b) => nodes.has(b.node)).sort((a, b) => a.index - b.index);
  }

  /** A weighted pick of a device by a per-device weight. */
  private pickDev(w: (d: SimDevice) => number, r?: SimRegion): SimDevice | undefined {
    return this.rng.weighted(this.devs(r).map((d) => [w(d), d] as const));
  }

  // ------------------------------------------------------------ formatting

  private num(v: bigint): string {
    const x = this.rng.float();
    if (x < 0.86 || v === 0n) return v.toString();
    if (x < 0.96) return hex(v);
    return `0${v.toString(8)}`;
  }
  private devPath(d: SimDevice | string, attr: string): string {
    const name = typeof d === 'string' ? d : deviceName(d);
    const x = this.rng.float();
    if (typeof d !== 'string') {
      if (x < 0.1) return `${d.region.path}/${name}/${attr}`;
      if (x < 0.14 && d.driver) return `${DRIVERS}/${d.driver}/${name}/${attr}`;
    }
    return `${DEVICES}/${name}/${attr}`;
  }
  private regionPath(r: SimRegion, attr: string): string {
    if (this.rng.chance(0.1)) {
      const d = this.rng.pick(this.devs(r));
      return `${DEVICES}/${deviceName(d)}/../dax_region/${attr}`;
    }
    return `${r.path}/dax_region/${attr}`;
  }

  // ------------------------------------------------------------ operations

  private create(): string {
    const r = this.region();
    const v = this.rng.chance(0.86) ? '1' : this.rng.pick(['0', '2', '-1', 'abc', '0x1', '01', '1 1', '', ' 1', '1x']);
    return echoLine(this.regionPath(r, 'create'), v, v === '1' && this.rng.chance(0.05));
  }

  private del(): string {
    const r = this.region();
    const choice = this.rng.weighted<() => string>([
      [
        5,
        () =>
          deviceName(
            this.pickDev((d) => (d.id > 0 && !d.driver && deviceSize(d) === 0n ? 1 : 0), r) ??
              this.rng.pick(this.devs(r)),
          ),
      ],
      [2, () => deviceName(this.rng.pick(this.devs(r)))],
      [0.6, () => `dax${r.id}.0`],
      [0.6, () => this.nextFreeName(r)],
      [0.8, () => this.invalidName(r)],
    ]) as () => string;
    return echoLine(this.regionPath(r, 'delete'), choice(), this.rng.chance(0.05));
  }

  private size(): string {
    const rng = this.rng;
    if (rng.chance(0.03)) return echoLine(`${DEVICES}/${this.nextFreeName(this.region(), rng.int(2))}/size`, '2097152');
    const d = this.pickDev((x) => (x.driver ? 1 : 6) * (deviceSize(x) === 0n ? 1.5 : 1)) as SimDevice;
    const cur = deviceSize(d);
    const avail = availableSize(d.region);
    const g = this.gran(d);
    const k = (max: bigint) => BigInt(rng.small(Number(bmin(max, 512n))));
    const value = rng.weighted<() => string>([
      [avail >= g ? 6 : 0, () => this.num(cur + k(bmin(avail / g, 48n)) * g)],
      [avail >= this.blockSize ? 2 : 0, () => this.num(cur + BigInt(rng.small(4)) * this.blockSize)],
      [avail > 0n ? 2.5 : 0, () => this.num(cur + avail)],
      [1, () => this.num(cur + avail + BigInt(rng.small(8)) * g)],
      [cur >= g ? 3 : 0, () => this.num(cur - k(cur / g) * g)],
      [cur > 0n ? 2.5 : 0.3, () => this.num(0n)],
      [0.4, () => this.num(cur)],
      [1, () => this.num(cur + rng.pick([4096n, MiB, 2n * MiB + 4096n, 3n * MiB, 512n]))],
      [d.align > this.granule ? 1.5 : 0, () => this.num(cur + this.granule * BigInt(rng.small(8)))],
      [
        0.8,
        () => rng.pick(['abc', '12abc', '-1', '', '18446744073709551616', '0x', '1e6', ' 2097152', '2097152 ', '2M']),
      ],
    ]) as () => string;
    return echoLine(this.devPath(d, 'size'), value(), rng.chance(0.04));
  }

  private align(): string {
    const rng = this.rng;
    const d = this.pickDev((x) => (x.driver ? 1 : 5)) as SimDevice;
    const v = rng.weighted<() => string>([
      [6, () => this.num(rng.weighted(this.aligns.map((a) => [a === GiB ? 1 : 3, a] as const)) as bigint)],
      [2, () => rng.pick(['0', '12345', '8192', '4194304', '536870912', '2147483648', '65536', '1'])],
      [1, () => rng.pick(['abc', '', '-1', '4k', '2M', '0x', ' 4096'])],
    ]) as () => string;
    return echoLine(this.devPath(d, 'align'), v(), rng.chance(0.04));
  }

  private mapping(): string {
    const rng = this.rng;
    const d = this.pickDev((x) => (!x.driver ? 8 : x.driver === 'device_dax' ? 1 : 0.5)) as SimDevice;
    const r = d.region;
    const g = this.gran(d);
    const free = holes(r);
    // A kmem device's ranges are hot-removed one by one on unbind (kmem keeps one resource per
    // range it added): never give it a new range holding a whole memory block.
    const safeLen = d.driver === 'kmem' ? bmin(this.blockSize / 2n, 64n * MiB) : r.end - r.start + 1n;
    const roundUp = (v: bigint, a: bigint) => ((v + a - 1n) / a) * a;
    const inHole = (h: Hole, align: bigint, unit: bigint, whole = false): [bigint, bigint] | undefined => {
      const s0 = roundUp(h.start, align);
      if (s0 + unit - 1n > h.end) return undefined;
      const slots = (h.end + 1n - s0) / unit;
      const skip = whole ? 0n : BigInt(rng.int(Number(bmin(slots, 64n))));
      const s = s0 + skip * unit;
      const maxLen = bmin((h.end + 1n - s) / unit, safeLen / unit);
      if (maxLen < 1n) return undefined;
      const n = whole ? maxLen : BigInt(rng.small(Number(bmin(maxLen, 64n))));
      return [s, s + n * unit - 1n];
    };
    const hole = free.length ? rng.pick(free) : undefined;
    const allocs = allocations(r);
    const pair = rng.weighted<() => [bigint, bigint] | string | undefined>([
      [hole ? 6 : 0, () => hole && inHole(hole, this.granule, g)],
      [hole && d.driver !== 'kmem' ? 2 : 0, () => hole && inHole(hole, this.blockSize, this.blockSize)],
      [hole ? 1.5 : 0, () => hole && inHole(hole, this.granule, g, true)],
      [
        1,
        () => {
          const below = rng.chance(0.5);
          const s = below
            ? r.start - BigInt(rng.small(8)) * this.granule
            : r.end + 1n + BigInt(rng.int(4)) * this.granule;
          return [s, s + g - 1n];
        },
      ],
      [0.6, () => [r.end + 1n - this.granule, r.end + this.granule]],
      [
        allocs.length ? 2 : 0,
        () => {
          const a = rng.pick(allocs).range;
          const s = a.start + BigInt(rng.int(Number(bmin((a.end - a.start + 1n) / this.granule, 16n)))) * this.granule;
          return [s, s + g * BigInt(rng.small(4)) - 1n];
        },
      ],
      [
        hole ? 2 : 0,
        () => {
          const p = hole && inHole(hole, this.granule, this.granule);
          return p && [p[0], p[1] + rng.pick([4096n, -MiB, MiB, 1n, 4097n])];
        },
      ],
      [
        hole ? 1 : 0,
        () => {
          const p = hole && inHole(hole, this.granule, g);
          const off = rng.pick([4096n, MiB, 512n]);
          return p && p[1] + off <= (hole as Hole).end ? [p[0] + off, p[1] + off] : p;
        },
      ],
      [
        0.3,
        () => {
          const s = r.start + BigInt(rng.int(Number((r.end - r.start + 1n) / this.granule))) * this.granule;
          return [s, s - 1n];
        },
      ],
      [0.3, () => [r.start + 16n * MiB, r.start + rng.pick([0n, 2n * MiB - 1n, 4n * MiB - 1n])]],
      [
        1,
        () =>
          rng.pick([
            'abc',
            hex(r.start),
            `${hex(r.start)}-`,
            `-${hex(r.start)}`,
            'x-y',
            `${hex(r.start)}-0x1001fffzz`,
            '',
            '0-0',
            `${hex(r.start)} - ${hex(r.start + 2n * MiB - 1n)}`,
          ]),
      ],
    ]) as () => [bigint, bigint] | string | undefined;
    let v = pair();
    if (v === undefined) v = rng.pick(['abc', `${hex(r.start)}-`]);
    let text: string;
    if (typeof v === 'string') text = v;
    else {
      const [s, e] = v;
      const x = rng.float();
      const f = (n: bigint) =>
        n < 0n ? `-${hex(-n)}` : x < 0.8 ? hex(n) : x < 0.93 ? n.toString(16) : `0x${n.toString(16).toUpperCase()}`;
      text = `${f(s)}-${f(e)}`;
    }
    return echoLine(this.devPath(d, 'mapping'), text, rng.chance(0.04));
  }

  private driverName(): Driver {
    return this.rng.chance(0.5) ? 'device_dax' : 'kmem';
  }

  private bind(): string {
    const rng = this.rng;
    const kmemReady = this.devs().some((d) => !d.driver && this.hasWholeBlock(d));
    // before 6.3 kmem matches only the ids new_id named: a plain bind of anything else is ENODEV
    const typeMatch = has(this.model.version, 'kmemTypeMatch');
    const named = this.devs().some((d) => !d.driver && this.model.state.driverIds.kmem.includes(deviceName(d)));
    const drv: Driver = rng.chance(typeMatch || named ? (kmemReady ? 0.6 : 0.35) : 0.15) ? 'kmem' : 'device_dax';
    const r = this.region();
    const name = rng.weighted<() => string>([
      [
        5,
        () =>
          deviceName(
            this.pickDev(
              (d) => (!d.driver && deviceSize(d) > 0n ? (drv === 'kmem' && this.hasWholeBlock(d) ? 3 : 1) : 0),
              r,
            ) ?? this.rng.pick(this.devs(r)),
          ),
      ],
      [1.2, () => deviceName(this.rng.pick(this.devs(r)))],
      [0.4, () => this.nextFreeName(r)],
      [0.4, () => this.invalidName(r)],
    ]) as () => string;
    return echoLine(`${DRIVERS}/${drv}/bind`, name(), rng.chance(0.05));
  }

  private unbind(): string {
    const rng = this.rng;
    const r = this.region();
    const bound = this.devs(r).filter((d) => d.driver);
    const online = (d: SimDevice) =>
      this.daxBlocks().some(
        (b) =>
          b.state === 'online' &&
          d.ranges.some(
            (x) => BigInt(b.index) * this.blockSize >= x.start && BigInt(b.index) * this.blockSize <= x.end,
          ),
      );
    const d = rng.weighted(bound.map((x) => [x.driver === 'kmem' && online(x) ? 0.3 : 3, x] as const));
    if (d && d.driver === 'kmem' && online(d) && rng.chance(0.85)) {
      // unbinding now would strand the online memory until reboot (kept rare: the region
      // cannot be reset after it): offline one of its blocks instead
      const b = this.daxBlocks().find(
        (x) =>
          x.state === 'online' &&
          d.ranges.some(
            (r) => BigInt(x.index) * this.blockSize >= r.start && BigInt(x.index) * this.blockSize <= r.end,
          ),
      );
      if (b) return echoLine(`${MEMORY}/memory${b.index}/state`, 'offline');
    }
    if (d && rng.chance(0.85)) {
      const drv = rng.chance(0.9) ? (d.driver as Driver) : d.driver === 'kmem' ? 'device_dax' : 'kmem';
      const path = rng.chance(0.1) ? `${DEVICES}/${deviceName(d)}/driver/unbind` : `${DRIVERS}/${drv}/unbind`;
      return echoLine(path, deviceName(d), rng.chance(0.05));
    }
    const name = rng.chance(0.7) ? deviceName(rng.pick(this.devs(r))) : this.invalidName(r);
    return echoLine(`${DRIVERS}/${this.driverName()}/unbind`, name);
  }

  private ids(kind: 'new_id' | 'remove_id'): string {
    const rng = this.rng;
    const r = this.region();
    const drv: Driver = rng.chance(kind === 'new_id' ? 0.55 : 0.5) ? 'kmem' : 'device_dax';
    const name = rng.weighted<() => string>([
      [
        4,
        () =>
          deviceName(
            this.pickDev((d) => (!d.driver ? (drv === 'kmem' && this.hasWholeBlock(d) ? 6 : 3) : 1), r) ??
              rng.pick(this.devs(r)),
          ),
      ],
      [1, () => this.nextFreeName(r, rng.int(2))],
      [1, () => rng.pick(this.model.state.driverIds[drv].length ? this.model.state.driverIds[drv] : [`dax${r.id}.1`])],
      [0.8, () => this.invalidName(r)],
    ]) as () => string;
    return echoLine(`${DRIVERS}/${drv}/${kind}`, name(), rng.chance(0.05));
  }

  private block(): string | undefined {
    const rng = this.rng;
    const blocks = this.daxBlocks();
    const r = this.region();
    if (rng.chance(0.06)) {
      // a memory block of the region that is not hot-added (no such directory)
      const first = Number(r.start / this.blockSize);
      const last = Number(r.end / this.blockSize);
      const absent = [];
      for (let i = first; i <= last; i++) if (!this.model.state.blocks.has(i)) absent.push(i);
      if (absent.length)
        return echoLine(`${MEMORY}/memory${rng.pick(absent)}/state`, rng.pick(['online_movable', 'offline', 'online']));
    }
    if (!blocks.length) return undefined;
    const b = rng.pick(blocks);
    const x = rng.float();
    if (x < 0.14) {
      const v = rng.weighted([
        [b.state === 'offline' ? 4 : 1, '1'],
        [b.state === 'online' ? 4 : 1, '0'],
        [0.5, 'y'],
        [0.5, 'n'],
        [0.5, 'abc'],
        [0.3, ''],
      ] as const) as string;
      return echoLine(`${MEMORY}/memory${b.index}/online`, v);
    }
    const path =
      x < 0.86 ? `${MEMORY}/memory${b.index}/state` : `/sys/devices/system/node/node${b.node}/memory${b.index}/state`;
    const on = b.state === 'online';
    const v = rng.weighted([
      [on ? 0.6 : 4, 'online_movable'],
      [on ? 0.4 : 1.6, 'online'],
      [on ? 0.3 : 1.2, 'online_kernel'],
      [on ? 5 : 0.6, 'offline'],
      [0.4, rng.pick(['on', 'abc', '', 'Online', 'online_movable  ', 'movable'])],
    ] as const) as string;
    return echoLine(path, v, rng.chance(0.05));
  }

  /** 7.3+: the kmem `state` attribute of a device (bound to kmem mostly; others: no such file). */
  private kmemState(): string | undefined {
    const rng = this.rng;
    const kmem = this.devs().filter((d) => d.driver === 'kmem');
    const d = kmem.length && rng.chance(0.92) ? rng.pick(kmem) : rng.pick(this.devs());
    const cur = d.kmemState;
    // online_kernel memory cannot be unplugged and strands the device until the next reset: rare
    const v = rng.weighted([
      [cur === 'unplugged' ? 1 : 4, 'unplugged'],
      [cur === 'unplugged' ? 5 : 1, 'online_movable'],
      [cur === 'unplugged' ? 0.6 : 0.3, 'online'],
      [cur === 'unplugged' ? 0.4 : 0.3, 'online_kernel'],
      [1, 'offline'],
      [0.4, rng.pick(['on', 'abc', 'Offline', 'unplugged  ', 'movable'])],
    ] as const) as string;
    return echoLine(this.devPath(d, 'state'), v, rng.chance(0.05));
  }

  private autoOnline(): string {
    const v = this.rng.weighted([
      [3, 'offline'],
      [1, 'online_movable'],
      [0.5, 'online'],
      [0.5, 'online_kernel'],
      [0.5, 'abc'],
    ] as const) as string;
    return echoLine(`${MEMORY}/auto_online_blocks`, v);
  }

  private memmap(): string {
    const d = this.rng.pick(this.devs());
    return echoLine(this.devPath(d, 'memmap_on_memory'), this.rng.pick(['0', '1', 'y', 'n', 'abc', 'off']));
  }

  private badPath(): string {
    const rng = this.rng;
    const r = this.region();
    const d = rng.pick(this.devs(r));
    const n = deviceName(d);
    const p = rng.pick([
      `${DEVICES}/${n}/resource`,
      `${DEVICES}/${n}/target_node`,
      `${DEVICES}/${n}/numa_node`,
      `${DEVICES}/${n}/modalias`,
      `${DEVICES}/${n}/nosuch`,
      `${DEVICES}/${n}/mapping0/start`,
      `${DEVICES}/${n}/mapping${d.ranges.length + 3}/start`,
      `${DEVICES}/${n}/driver/bind`,
      `${DEVICES}/${n}`,
      `${DEVICES}/${this.nextFreeName(r, 3)}/size`,
      `${DEVICES}/${this.nextFreeName(r, 2)}/align`,
      `${DEVICES}/nosuch`,
      `${r.path}/dax_region/seed`,
      `${r.path}/dax_region/available_size`,
      `${r.path}/dax_region/size`,
      `${r.path}/dax_region/id`,
      `${r.path}/dax_region/nosuch`,
      `${DRIVERS}/nosuch/bind`,
      `${DRIVERS}/kmem/nosuch`,
      `${DRIVERS}/device_dax`,
      `${MEMORY}/block_size_bytes`,
      `${MEMORY}/memory${this.daxBlocks()[0]?.index ?? Number(r.start / this.blockSize)}/phys_index`,
      `${MEMORY}/memory${this.daxBlocks()[0]?.index ?? Number(r.start / this.blockSize)}/valid_zones`,
    ]);
    return echoLine(p, rng.pick(['1', n, '0', 'abc']));
  }

  /** The next operation, weighted by the current state. */
  private op(): string | undefined {
    const devs = this.devs();
    const blocks = this.daxBlocks();
    const seeds = devs.filter((d) => d.id > 0 && !d.driver && deviceSize(d) === 0n).length;
    const unboundSized = devs.filter((d) => !d.driver && deviceSize(d) > 0n).length;
    const kmemReady = devs.some((d) => !d.driver && this.hasWholeBlock(d));
    const bootBound = devs.some(
      (d) => d.id === 0 && d.driver && d.ranges.length === 1 && availableSize(d.region) === 0n,
    );
    const f = this.rng.weighted<() => string | undefined>([
      [devs.length < 3 ? 9 : devs.length > 10 ? 2 : 6, () => this.create()],
      [3 + (seeds > 1 ? 3 : 0), () => this.del()],
      [16, () => this.size()],
      [4, () => this.align()],
      [8, () => this.mapping()],
      [4 + (unboundSized ? 4 : 0), () => this.bind()],
      [3 + (bootBound ? 10 : 0), () => this.unbind()],
      [1.5 + (kmemReady && !has(this.model.version, 'kmemTypeMatch') ? 3 : 0), () => this.ids('new_id')],
      [1, () => this.ids('remove_id')],
      [blocks.length ? 9 : 0.3, () => this.block()],
      [0.3, () => this.autoOnline()],
      [has(this.model.version, 'memmapOnMemory') ? 0.5 : 0, () => this.memmap()],
      [
        has(this.model.version, 'kmemState') ? (devs.some((d) => d.driver === 'kmem') ? 5 : 0.3) : 0,
        () => this.kmemState(),
      ],
      [1.5, () => this.badPath()],
    ]);
    return f?.();
  }

  /** Generates one line, applies it to the model and returns it (undefined if nothing fit). */
  step(): string | undefined {
    for (let attempt = 0; attempt < 30; attempt++) {
      const line = this.op();
      if (!line) continue;
      const parsed = parseScript(line);
      if (!parsed.ok || parsed.writes.length !== 1) throw new Error(`generator made an unparsable line: ${line}`);
      const w = parsed.writes[0] as (typeof parsed.writes)[number];
      const strandedBefore = this.model.state.reservations.filter((x) => x.stranded).length;
      const kmemBefore = this.devs()
        .filter((d) => d.driver === 'kmem')
        .map((d) => deviceName(d));
      const r = this.model.write(w.path, w.value);
      if (r.kind === 'unmodelled') continue; // the model declined: nothing changed, try another
      const o = r.kind === 'ok' ? 'ok' : r.errno;
      const attr = w.path.split('/').at(-1) as string;
      const key = `${attr}:${o}`;
      this.stats.outcomes[key] = (this.stats.outcomes[key] ?? 0) + 1;
      this.stats.writes++;
      this.stats.kmemBinds += this.devs().filter(
        (d) => d.driver === 'kmem' && !kmemBefore.includes(deviceName(d)),
      ).length;
      if (w.path.startsWith(MEMORY) || w.path.includes('/node/')) this.stats.blockWrites++;
      if (this.model.state.reservations.filter((x) => x.stranded).length > strandedBefore) this.stats.strandings++;
      for (const reg of this.regions) {
        this.stats.maxHoles = Math.max(this.stats.maxHoles, holes(reg).length);
        if (availableSize(reg) === 0n && reg.devices.size > 1) this.stats.fullRegion++;
        this.stats.maxDevices = Math.max(this.stats.maxDevices, reg.devices.size);
        for (const dv of reg.devices.values()) this.stats.maxRanges = Math.max(this.stats.maxRanges, dv.ranges.length);
      }
      this.lines.push(line);
      return line;
    }
    return undefined;
  }
}

/** A reproducible sequence of `ops` lines generated from `facts` with `seed`. */
export function generateSequence(
  facts: HostFacts,
  release: string,
  seed: string,
  ops: number,
  under?: readonly string[],
): { lines: string[]; stats: GenStats } {
  const g = new Generator(facts, release, seed, under);
  while (g.lines.length < ops) if (g.step() === undefined) break;
  return { lines: g.lines, stats: g.stats };
}
