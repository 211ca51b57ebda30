// The CXL region sysfs ABI, write by write: root decoder create_ram_region / delete_region, region
// interleave_ways, interleave_granularity, size, targetN, commit, endpoint decoder mode and
// dpa_size, and binding regions to cxl_region (which makes the region's dax region). Each handler
// follows the kernel function it models, in the order of its checks (drivers/cxl/core/region.c,
// port.c, hdm.c; docs/cxl.md has the measurements on Linux 6.12.118 and 7.3.4). Modelled
// topology (cxl-topology.ts, which reads it from the facts): host bridges under the CXL root with
// memdevs on their root ports (no switches); anything else is declined (`unmodelled`), never
// guessed.

import type { CxlFacts } from '../cxl-facts';
import {
  cxlTopology,
  type CxlEndpointDecoder,
  type CxlMemdev,
  type CxlRegion,
  type CxlRegionState,
  type CxlRootDecoder,
  type CxlSwitchDecoder,
} from './cxl-topology';
import { kstrtobool, kstrtoint, kstrtoull, sysfsStreq } from './kstrto';
import type { KernelModel, WriteResult } from './model';
import {
  CXL_DAX_REGION,
  CXL_GRANULARITIES,
  CXL_MEASURED,
  CXL_SIZE_UNIT,
  CXL_WAYS,
  cxlAbi,
  cxlDiff,
  CXL_REGION_NAME_BY_ID,
  type CxlAbi,
} from './cxl-tables';
import type { Errno } from './tables';

const OK: WriteResult = { kind: 'ok' };
const err = (errno: Errno): WriteResult => ({ kind: 'errno', errno });
const res = (r: Errno | 'ok'): WriteResult => (r === 'ok' ? OK : err(r));
const unmodelled = (reason: string): WriteResult => ({ kind: 'unmodelled', reason });
/** A file that does not exist in an existing sysfs directory: the shell's O_CREAT open fails (EACCES), as for dax. */
const NO_FILE: Errno = 'EACCES';
const BUS = '/sys/bus/cxl/devices/';
const REGION_DRIVER = '/sys/bus/cxl/drivers/cxl_region/';

const RANK: Record<CxlRegionState, number> = { idle: 0, interleave: 1, active: 2, commit: 3 };

export class CxlModel {
  readonly abi: CxlAbi | undefined;
  readonly roots: CxlRootDecoder[];
  readonly endpoints: CxlEndpointDecoder[];
  readonly switches: CxlSwitchDecoder[];
  readonly memdevs: CxlMemdev[];
  readonly regions: CxlRegion[];
  /** Why the topology is outside what is modelled (every write is then declined). */
  readonly unsupported: string | undefined;

  constructor(
    private readonly dax: KernelModel,
    /** The facts the model started from (cxl-snapshot.ts writes its state back in their shape). */
    readonly initial: CxlFacts,
  ) {
    const facts = initial;
    this.abi = cxlAbi(dax.version);
    const t = cxlTopology(facts);
    this.memdevs = t.memdevs;
    this.roots = t.roots;
    this.switches = t.switches;
    this.endpoints = t.endpoints;
    this.regions = t.regions;
    this.unsupported = t.unsupported;
  }

  // ---------------------------------------------------------------- paths

  write(p: string, value: string): WriteResult {
    if (!this.abi) return unmodelled(CXL_MEASURED);
    if (this.unsupported) return unmodelled(this.unsupported);
    if (p.startsWith(REGION_DRIVER)) {
      const attr = p.slice(REGION_DRIVER.length);
      if (attr === 'bind') return this.bindStore(value);
      if (attr === 'unbind') return this.unbindStore(value);
      return unmodelled(`${p} is not a cxl_region driver attribute the model knows`);
    }
    if (!p.startsWith(BUS)) return unmodelled(`${p} is outside the CXL region sysfs the model covers`);
    const rest = p.slice(BUS.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    const attr = slash < 0 ? '' : rest.slice(slash + 1);
    if (attr === '') return err(slash < 0 ? NO_FILE : 'EISDIR');
    const root = this.roots.find((r) => r.name === name);
    if (root) return this.rootAttr(root, attr, value);
    const region = this.regions.find((r) => r.name === name);
    if (region) return this.regionAttr(region, attr, value);
    const ep = this.endpoints.find((e) => e.name === name);
    if (ep) return this.endpointAttr(ep, attr, value);
    if (this.switches.some((s) => s.name === name)) return attr.includes('/') ? err('ENOENT') : err(NO_FILE);
    if (/^(mem|port|endpoint|root|nvdimm-bridge)\d+$/.test(name))
      return unmodelled(`${name}/${attr}: writes to CXL ${name.replace(/\d+$/, '')} devices are not modelled`);
    return err('ENOENT');
  }

  // ---------------------------------------------------------------- root decoders

  private rootAttr(root: CxlRootDecoder, attr: string, value: string): WriteResult {
    if (attr === 'create_ram_region') return this.createRegion(root, value);
    if (attr === 'delete_region') return this.deleteRegion(root, value);
    if (attr === 'create_pmem_region') return unmodelled('persistent-memory regions are not modelled');
    return err(NO_FILE); // every other root decoder attribute is read-only (or absent)
  }

  /** Ids the memregion ida holds: dax regions (hmem.N, CXL), CXL regions, and each root decoder's offered id. */
  private usedIds(): Set<number> {
    const ids = new Set<number>();
    for (const r of this.dax.state.regions) ids.add(r.id);
    for (const r of this.regions) ids.add(r.id);
    for (const r of this.roots) ids.add(r.pending);
    return ids;
  }

  /** create_ram_region_store → __create_region (region.c): the offered name only; then the next id (memregion_alloc: the lowest free). */
  private createRegion(root: CxlRootDecoder, value: string): WriteResult {
    if (!root.capRam)
      return unmodelled(
        `${root.name} has no RAM capability (cap_ram 0): what create_ram_region does there was not measured`,
      );
    const text = value.endsWith('\n') ? value.slice(0, -1) : value;
    const m = /^region(\d+)/.exec(text);
    if (!m) return err('EINVAL');
    if (Number(m[1]) !== root.pending) return err('EBUSY');
    // the id is read with sscanf: region01 is region1
    if (text !== `region${root.pending}` && !(CXL_REGION_NAME_BY_ID.value && /^region\d+$/.test(text)))
      return unmodelled(`create_ram_region ← ${JSON.stringify(text)}: text after the id was not measured`);
    const region: CxlRegion = {
      name: `region${root.pending}`,
      id: root.pending,
      root,
      ways: 0,
      granularity: 0,
      start: undefined,
      size: 0n,
      state: 'idle',
      targets: [],
      bound: false,
    };
    this.regions.push(region);
    const used = this.usedIds();
    let next = 0;
    while (used.has(next)) next++;
    root.pending = next;
    return OK;
  }

  /** delete_region_store (region.c): EINVAL unless `regionN`, ENODEV when no such child; then unregister_region. */
  private deleteRegion(root: CxlRootDecoder, value: string): WriteResult {
    const text = value.endsWith('\n') ? value.slice(0, -1) : value;
    if (!/^region\d+$/.test(text)) return err('EINVAL');
    const region = this.regions.find((r) => r.name === text && r.root === root);
    if (!region) return err('ENODEV');
    if (region.bound) {
      this.dax.removeDaxRegion(region.id);
      region.bound = false;
    }
    // unregister_region: decode reset, every target detached, the HPA freed; the endpoint
    // decoders keep their mode and DPA allocation (measured).
    for (const e of region.targets) if (e) Object.assign(e, { region: undefined, committed: false });
    for (const s of this.switches) if (s.region === region) Object.assign(s, { region: undefined, committed: false });
    this.regions.splice(this.regions.indexOf(region), 1);
    // cxl_region_release: reuse the freed id if it is lower than the one on offer
    if (root.pending > region.id) root.pending = region.id;
    return OK;
  }

  // ---------------------------------------------------------------- regions

  private regionAttr(r: CxlRegion, attr: string, value: string): WriteResult {
    const t = /^target(\d+)$/.exec(attr);
    if (t) return Number(t[1]) < r.ways ? this.targetStore(r, Number(t[1]), value) : err(NO_FILE);
    switch (attr) {
      case 'interleave_ways':
        return this.waysStore(r, value);
      case 'interleave_granularity':
        return this.granularityStore(r, value);
      case 'size':
        return this.sizeStore(r, value);
      case 'commit':
        return this.commitStore(r, value);
      case 'uuid': // hidden for RAM regions (cxl_region_visible); the others read-only; locked: 7.2+ only
      case 'resource':
      case 'mode':
      case 'devtype':
      case 'locked':
        return err(NO_FILE);
      default:
        if (attr.startsWith(`dax_region${r.id}/`) || attr.startsWith('access'))
          return unmodelled(`${r.name}/${attr} is not modelled through the CXL path; use /sys/bus/dax`);
        return err(attr.includes('/') ? 'ENOENT' : NO_FILE);
    }
  }

  /** interleave_ways_store (region.c): kstrtouint, ways_to_cxl, a power-of-2 multiple of the root ways, EBUSY once the HPA is set. */
  private waysStore(r: CxlRegion, value: string): WriteResult {
    const v = kstrtoull(value, 0, 0xffffffffn);
    if (!v.ok) return err(v.errno);
    const val = Number(v.value);
    if (!CXL_WAYS.value.includes(val)) return err('EINVAL');
    const q = val / r.root.ways;
    if (val % r.root.ways !== 0 || (q & (q - 1)) !== 0) return err('EINVAL');
    if (RANK[r.state] >= RANK.interleave) return err('EBUSY');
    r.ways = val;
    r.targets = Array.from({ length: val }, () => undefined);
    return OK;
  }

  /** interleave_granularity_store (region.c): kstrtoint, granularity_to_cxl, equal to the root's when the root interleaves. */
  private granularityStore(r: CxlRegion, value: string): WriteResult {
    const v = kstrtoint(value);
    if (!v.ok) return err(v.errno);
    if (!CXL_GRANULARITIES.value.includes(v.value)) return err('EINVAL');
    if (r.root.ways > 1 && v.value !== r.root.granularity) return err('EINVAL');
    if (RANK[r.state] >= RANK.interleave) return err('EBUSY');
    r.granularity = v.value;
    return OK;
  }

  /** size_store → alloc_hpa / free_hpa (region.c). */
  private sizeStore(r: CxlRegion, value: string): WriteResult {
    const v = kstrtoull(value, 0);
    if (!v.ok) return err(v.errno);
    const size = v.value;
    if (size === 0n) {
      if (r.start === undefined) return OK;
      if (RANK[r.state] >= RANK.active) return err('EBUSY');
      if (r.targets.some((e) => e !== undefined))
        return unmodelled(`freeing ${r.name}'s HPA while some targets are attached was not measured`);
      r.start = undefined;
      r.size = 0n;
      r.state = 'idle';
      return OK;
    }
    if (r.start !== undefined && r.size === size) return OK;
    if (r.start !== undefined) return err('EBUSY');
    if (RANK[r.state] >= RANK.interleave) return err('EBUSY');
    if (r.ways === 0 || r.granularity === 0) return err('ENXIO');
    if (size % (CXL_SIZE_UNIT.value * BigInt(r.ways)) !== 0n) return err('EINVAL');
    const stuck = this.dax.state.reservations.find(
      (x) => x.stranded && x.start <= r.root.start + r.root.size - 1n && x.end >= r.root.start,
    );
    if (stuck)
      return unmodelled(
        `${stuck.owner}'s memory is stuck online in ${r.root.name}'s window: how the HPA allocator treats it was not measured`,
      );
    // alloc_free_mem_region: the lowest 256 MiB-aligned free stretch of the window; ERANGE when none
    const taken = this.regions
      .filter((x) => x.root === r.root && x.start !== undefined)
      .map((x) => [x.start as bigint, (x.start as bigint) + x.size] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const unit = CXL_SIZE_UNIT.value;
    let at = ((r.root.start + unit - 1n) / unit) * unit;
    for (const [s, e] of taken) {
      if (at + size <= s) break;
      if (e > at) at = ((e + unit - 1n) / unit) * unit;
    }
    if (at + size > r.root.start + r.root.size) return err('ERANGE');
    r.start = at;
    r.size = size;
    r.state = 'interleave';
    return OK;
  }

  /** store_targetN → attach_target / detach_target → cxl_region_attach (region.c), in its order of checks. */
  private targetStore(r: CxlRegion, pos: number, value: string): WriteResult {
    if (value === '') return OK; // no bytes: sysfs never calls the store
    if (value === '\n') {
      const cur = r.targets[pos];
      if (!cur) return OK;
      // detach_target: a bound region's driver is released first (its dax region goes; kmem memory
      // that is online stays, stuck until reboot), then the decoders are reset (measured)
      if (r.bound) {
        this.dax.removeDaxRegion(r.id);
        r.bound = false;
      }
      if (r.state === 'commit') this.decodeReset(r);
      this.detach(r, cur);
      return OK;
    }
    const name = value.endsWith('\n') ? value.slice(0, -1) : value;
    const e = this.endpoints.find((x) => x.name === name);
    // bus_find_device_by_name: ENODEV for no such CXL device, EINVAL for one that is not an endpoint decoder (source, not measured)
    if (!e)
      return this.roots.some((x) => x.name === name) ||
        this.switches.some((x) => x.name === name) ||
        this.regions.some((x) => x.name === name)
        ? err('EINVAL')
        : err('ENODEV');
    const abi = this.abi as CxlAbi;
    if (e.mode === 'none') return res(cxlDiff(abi, 'attachNoMode'));
    if (e.mode !== 'ram') return err('EINVAL');
    if (RANK[r.state] > RANK.interleave) return err('EBUSY');
    if (RANK[r.state] < RANK.interleave) return err('ENXIO');
    if (r.targets[pos] === e) return OK;
    if (r.targets[pos]) return err('EBUSY');
    if (r.targets.some((x) => x && x.memdev === e.memdev)) return err('EBUSY');
    const hb = e.memdev.hostBridge;
    if (hb === undefined || !r.root.targets.includes(hb)) return err('ENXIO');
    if (r.root.targets[pos % r.root.ways] !== hb) return err('ENXIO');
    if (e.dpaStart === undefined || e.dpaSize === 0n) return err('ENXIO');
    if (e.dpaSize * BigInt(r.ways) !== r.size) return err('EINVAL');
    // cxl_port_attach_region, endpoint port then host bridge port
    if (e.region) return err('EBUSY');
    for (const port of [e.port, e.memdev.hostPort]) {
      const other = this.regionsAt(port).find(
        (x) => x !== r && x.start !== undefined && r.start !== undefined && x.start > r.start,
      );
      if (other) return err('EBUSY'); // alloc_region_ref: HPA order violation
    }
    let sw = this.switches.find((s) => s.region === r && s.port === e.memdev.hostPort);
    if (!sw) {
      sw = this.switches
        .filter((s) => s.port === e.memdev.hostPort)
        .sort((a, b) => a.index - b.index)
        .find((s) => !s.region);
      if (!sw) return err('EBUSY'); // cxl_rr_alloc_decoder: no decoder available
    }
    const filled = r.targets.filter((x) => x !== undefined).length + 1;
    // (a region granularity other than a 1-way window's is fine: 512 and 4096 over a 256 window, measured)
    if (filled === r.ways && r.root.ways > 1)
      return unmodelled('regions over more than one host bridge (root decoder interleave) were not measured');
    sw.region = r;
    e.region = r;
    r.targets[pos] = e;
    if (filled === r.ways) r.state = 'active';
    return OK;
  }

  private regionsAt(port: string): CxlRegion[] {
    const out = new Set<CxlRegion>();
    for (const e of this.endpoints) if (e.port === port && e.region) out.add(e.region);
    for (const s of this.switches) if (s.port === port && s.region) out.add(s.region);
    return [...out];
  }

  private detach(r: CxlRegion, e: CxlEndpointDecoder): void {
    r.targets[r.targets.indexOf(e)] = undefined;
    e.region = undefined;
    e.committed = false;
    if (!r.targets.some((x) => x && x.memdev.hostPort === e.memdev.hostPort)) {
      for (const s of this.switches)
        if (s.region === r && s.port === e.memdev.hostPort) Object.assign(s, { region: undefined, committed: false });
    }
    if (r.state === 'active') r.state = 'interleave';
  }

  /** The decoders a region uses, endpoint and host bridge. */
  private chain(r: CxlRegion): { port: string; index: number; set: (c: boolean) => void; committed: boolean }[] {
    const out: { port: string; index: number; set: (c: boolean) => void; committed: boolean }[] = [];
    for (const e of r.targets)
      if (e) out.push({ port: e.port, index: e.index, committed: e.committed, set: (c) => (e.committed = c) });
    for (const s of this.switches)
      if (s.region === r)
        out.push({ port: s.port, index: s.index, committed: s.committed, set: (c) => (s.committed = c) });
    return out;
  }

  private committedAt(port: string): number {
    return (
      this.endpoints.filter((e) => e.port === port && e.committed).length +
      this.switches.filter((s) => s.port === port && s.committed).length
    );
  }

  /** commit_store (region.c): kstrtobool; ENXIO before every target is set; decoders commit in index order per port (hdm.c cxl_decoder_commit: EBUSY). */
  private commitStore(r: CxlRegion, value: string): WriteResult {
    const v = kstrtobool(value);
    if (!v.ok) return err(v.errno);
    if (v.value && r.state === 'commit') return OK;
    if (!v.value && r.state !== 'commit') return OK;
    if (v.value && RANK[r.state] < RANK.active) return err('ENXIO');
    if (v.value) {
      for (const d of this.chain(r)) if (d.index !== this.committedAt(d.port)) return err('EBUSY');
      for (const d of this.chain(r)) d.set(true);
      r.state = 'commit';
      return OK;
    }
    // decommit: the region's driver is released first (its dax region goes), then decode reset
    if (r.bound) {
      this.dax.removeDaxRegion(r.id);
      r.bound = false;
    }
    for (const d of this.chain(r))
      if (d.index !== this.committedAt(d.port) - 1)
        return unmodelled(`resetting ${r.name}'s decoders out of commit order was not measured`);
    this.decodeReset(r);
    return OK;
  }

  private decodeReset(r: CxlRegion): void {
    for (const d of this.chain(r)) d.set(false);
    r.state = 'active';
  }
  // ---------------------------------------------------------------- endpoint decoders

  private endpointAttr(e: CxlEndpointDecoder, attr: string, value: string): WriteResult {
    if (attr === 'mode') return this.modeStore(e, value);
    if (attr === 'dpa_size') return this.dpaSizeStore(e, value);
    return err(attr.includes('/') ? 'ENOENT' : NO_FILE);
  }

  /** mode_store (port.c) → cxl_dpa_set_mode (6.12) / cxl_dpa_set_part (7.3) in hdm.c. */
  private modeStore(e: CxlEndpointDecoder, value: string): WriteResult {
    const mode = sysfsStreq(value, 'ram') ? 'ram' : sysfsStreq(value, 'pmem') ? 'pmem' : undefined;
    if (!mode) return err('EINVAL');
    if (e.committed) return err('EBUSY');
    const capacity = mode === 'ram' ? e.memdev.ramSize : e.memdev.pmemSize;
    if (capacity === 0n) return res(cxlDiff(this.abi as CxlAbi, 'modeNoCapacity'));
    if (mode === e.mode) return OK;
    if (e.dpaSize > 0n || e.region)
      return unmodelled(`changing ${e.name}'s mode while it holds DPA or is in a region was not measured`);
    e.mode = mode;
    return OK;
  }

  /** dpa_size_store (port.c): 256 MiB multiples; cxl_dpa_free, then cxl_dpa_alloc (hdm.c). */
  private dpaSizeStore(e: CxlEndpointDecoder, value: string): WriteResult {
    const v = kstrtoull(value, 0);
    if (!v.ok) return err(v.errno);
    const size = v.value;
    if (size % CXL_SIZE_UNIT.value !== 0n) return err('EINVAL');
    const siblings = this.endpoints.filter((x) => x.port === e.port);
    const hdmEnd = Math.max(-1, ...siblings.filter((x) => x.dpaStart !== undefined).map((x) => x.index));
    // cxl_dpa_free: nothing to free is fine; in a region or enabled: EBUSY; only the last allocated one
    if (e.dpaStart !== undefined) {
      if (e.region || e.committed) return err('EBUSY');
      if (e.index !== hdmEnd) return err('EBUSY');
      e.dpaStart = undefined;
      e.dpaSize = 0n;
    }
    if (size === 0n) return OK;
    // cxl_dpa_alloc
    if (e.mode === 'none') return res(cxlDiff(this.abi as CxlAbi, 'dpaSizeNoMode'));
    if (e.mode !== 'ram') return unmodelled(`DPA allocation in ${e.mode} mode is not modelled`);
    if (e.region || e.committed) return err('EBUSY');
    const end = siblings.reduce(
      (a, x) => (x.dpaStart !== undefined && x.dpaStart + x.dpaSize > a ? x.dpaStart + x.dpaSize : a),
      0n,
    );
    if (size > e.memdev.ramSize - end) return err('ENOSPC');
    const newEnd = Math.max(-1, ...siblings.filter((x) => x.dpaStart !== undefined).map((x) => x.index));
    if (e.index !== newEnd + 1) return err('EBUSY'); // __cxl_dpa_reserve: decoders allocate in order
    e.dpaStart = end;
    e.dpaSize = size;
    return OK;
  }

  // ---------------------------------------------------------------- the cxl_region driver

  /** bind_store (drivers/base/bus.c) → cxl_region_probe (region.c): ENXIO before commit; a RAM region gets its dax region. */
  private bindStore(value: string): WriteResult {
    if (value === '') return OK;
    const name = value.endsWith('\n') ? value.slice(0, -1) : value;
    const r = this.regions.find((x) => x.name === name);
    if (!r) return err('ENODEV');
    if (r.bound) return err('EBUSY');
    if (r.state !== 'commit') return err('ENXIO');
    if (r.root.node === undefined) return unmodelled(`the NUMA node of ${r.root.name}'s window is not in the facts`);
    const start = r.start as bigint;
    this.dax.addDaxRegion({
      id: r.id,
      path: `${r.root.path}/${r.name}/dax_region${r.id}`,
      start,
      end: start + r.size - 1n,
      targetNode: r.root.node,
      memmapOnMemory: CXL_DAX_REGION.memmapOnMemory.value,
    });
    r.bound = true;
    return OK;
  }

  private unbindStore(value: string): WriteResult {
    if (value === '') return OK;
    const name = value.endsWith('\n') ? value.slice(0, -1) : value;
    const r = this.regions.find((x) => x.name === name);
    if (!r || !r.bound) return err('ENODEV');
    this.dax.removeDaxRegion(r.id);
    r.bound = false;
    return OK;
  }
}
