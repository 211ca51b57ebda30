// Which device-dax behaviours a kernel release has. The table is the single
// place where version differences live; the model and the rules ask it.

export interface KernelVersion {
  readonly release: string;
  readonly major: number;
  readonly minor: number;
}

export type FeatureKey =
  | 'provisioning'
  | 'kmemRejectsEmpty'
  | 'kmemTypeMatch'
  | 'memmapOnMemory'
  | 'mappingRcQuirk'
  | 'kernelZoneOfflineUnpredictable'
  | 'hmemPlatformParent'
  | 'kmemState'
  | 'fsdevDax';

export interface FeatureRow {
  readonly key: FeatureKey;
  readonly since: readonly [number, number];
  readonly what: string;
  readonly source: string;
  readonly fromMemory?: boolean;
}

export const FEATURES: readonly FeatureRow[] = [
  {
    key: 'provisioning',
    since: [5, 10],
    what: 'dynamic regions: dax_region/create, delete, seed, available_size; device size and align writable; mapping',
    source: 'kernel-facts.md §1 (ABI-dax, Oct 2020, v5.10); bus.c[mid]',
  },
  {
    key: 'kmemRejectsEmpty',
    since: [5, 15],
    what: 'kmem refuses (EINVAL) a device with no whole memory block; earlier kernels bound it with nothing added',
    source: 'kernel-facts.md §1 and §8.1 step 3 (kmem.c[new] vs kmem.c[5.10] dev_dax_kmem_probe)',
    fromMemory: true,
  },
  {
    key: 'kmemTypeMatch',
    since: [6, 3],
    what: 'drivers match by type: hmem and CXL regions (IORESOURCE_DAX_KMEM) bind kmem by default and match device_dax only through new_id',
    source: 'kernel-facts.md §1, §2.4 (bus.h; bus.c[6.3] dax_match_type); confirmed on 6.12 (§15)',
  },
  {
    key: 'memmapOnMemory',
    since: [6, 8],
    what: 'device attribute memmap_on_memory',
    source: 'kernel-facts.md §1 (ABI-dax v6.8), §4.6',
  },
  {
    key: 'mappingRcQuirk',
    since: [6, 8],
    what: 'mapping writes with a length that is not a granule multiple (or on a disabled region) report success and allocate nothing',
    source: 'kernel-facts.md §4.5 (bus.c[new] mapping_store); confirmed on 6.12 (§15)',
  },
  {
    key: 'kernelZoneOfflineUnpredictable',
    since: [6, 18],
    what: "offlining a hot-added block onlined into a kernel zone may be refused (EBUSY: unmovable slab pages land in the node's first kernel-zone memory); 6.1 and 6.12 offlined it. Where the page allocator puts unmovable pages is not modelled, so the model declines such a write",
    source:
      'measured under QEMU: memoryN/state offline of an online_kernel / online (kernel zone) block of node 1 → EBUSY on Debian 6.18.15 and 7.3.4 (dmesg "page dumped because: unmovable page"; test/vm/scripts/probe.sh), ok on 6.12.118; fidelity seed t2 on 7.3.4 (online_kernel then offline → EBUSY). mm/memory_hotplug.c offline_pages, mm/page_isolation.c has_unmovable_pages',
  },
  {
    key: 'hmemPlatformParent',
    since: [7, 2],
    what: 'hmem regions live under /sys/devices/platform/hmem_platform.0/hmem.N (daxctl path /platform/hmem_platform.0/hmem.N), and /proc/iomem has no "Soft Reserved" line above their devices',
    source:
      'kernel-facts.md §16 table: measured on Debian 6.12.118, 6.18.15 (old path) and 7.2.12, 7.3.4 (new path) under QEMU',
  },
  {
    key: 'kmemState',
    since: [7, 3],
    what: 'kmem-bound devices have a read/write `state` attribute (offline, unplugged, online_movable, online_kernel) that hot-removes and hot-adds the whole device',
    source:
      'kernel-facts.md §16.1: measured on Debian 7.3.4 (absent on 7.2.12 and 6.18.15; kmem.ko state_show/state_store)',
  },
  {
    key: 'fsdevDax',
    since: [7, 3],
    what: 'a third dax driver, fsdev_dax ("FS-DAX Device: fs-dax compatible devdax driver", CONFIG_DEV_DAX_FSDEV=m, modalias dax:t0* so udev loads it): not modelled, so writes under /sys/bus/dax/drivers/fsdev_dax/ are declined and a device bound to it is taken as device_dax with a warning',
    source:
      'Debian 7.3.4 config (DEV_DAX_FSDEV=m) and modinfo of drivers/dax/fsdev_dax.ko, measured in the 7.3.4 guest (absent from 7.2.12 and 6.18.15; docs/kernel-model.md, version rows)',
  },
];

/** The sysfs path of hmem region `id`'s parent device on a kernel (hmemPlatformParent). */
export function hmemRegionPath(v: KernelVersion, id: number): string {
  return has(v, 'hmemPlatformParent')
    ? `/sys/devices/platform/hmem_platform.0/hmem.${id}`
    : `/sys/devices/platform/hmem.${id}`;
}

/** Parses a `uname -r` string (`6.12.117+deb12-amd64`, `6.1.0-56-amd64`, `6.12`). */
export function parseRelease(release: string): KernelVersion | undefined {
  const m = /^\s*(\d+)\.(\d+)/.exec(release);
  if (!m) return undefined;
  return { release: release.trim(), major: Number(m[1]), minor: Number(m[2]) };
}

export function atLeast(v: KernelVersion, since: readonly [number, number]): boolean {
  return v.major > since[0] || (v.major === since[0] && v.minor >= since[1]);
}

/** FEATURES by key (`has` runs on every modelled write). */
const SINCE: ReadonlyMap<FeatureKey, readonly [number, number]> = new Map(FEATURES.map((f) => [f.key, f.since]));

export function has(v: KernelVersion, key: FeatureKey): boolean {
  const since = SINCE.get(key);
  return since !== undefined && atLeast(v, since);
}

export function feature(key: FeatureKey): FeatureRow {
  const row = FEATURES.find((f) => f.key === key);
  if (!row) throw new Error(`unknown kernel feature ${key}`);
  return row;
}

/**
 * The releases the model covers: 5.10 (dynamic dax regions, the oldest row of FEATURES) to 7.3
 * (the newest kernel measured write by write, Debian 7.3.4 under QEMU: test/vm, docs/fidelity.md).
 */
export const MODELLED_OLDEST: readonly [number, number] = [5, 10];
export const MODELLED_NEWEST: readonly [number, number] = [7, 3];

/**
 * For a release outside MODELLED_OLDEST..MODELLED_NEWEST: what the model does with it, the
 * nearest modelled release, and what may differ. Undefined inside the range.
 */
export function outsideModelled(v: KernelVersion): string | undefined {
  const [om, on] = MODELLED_OLDEST;
  const [nm, nn] = MODELLED_NEWEST;
  if (!atLeast(v, MODELLED_OLDEST)) {
    return `Linux ${v.release} is older than the oldest release daxlayout models (${om}.${on}); it is modelled with the rules of the nearest, ${om}.${on}, less what ${om}.${on} added: no dynamic regions (no dax_region/create, delete, seed, no device size, align or mapping writes), so every region is static. What may differ: which attributes exist, the sysfs paths and the errno of each write; check the plan against the host with a fresh \`daxlayout facts\``;
  }
  if (atLeast(v, [nm, nn + 1])) {
    return `Linux ${v.release} is newer than the newest release daxlayout models (${nm}.${nn}, measured write by write on Debian 7.3.4); it is modelled as ${nm}.${nn}. What may differ: the region's sysfs path (it moved in 7.2), driver attributes (7.3 added kmem \`state\`), the default binding and onlining at boot, and the errno of each write; check the plan against the host with a fresh \`daxlayout facts\`, or run \`npm run fidelity\` against that kernel`;
  }
  return undefined;
}

/** Kernel assumed for a layout that declares no host facts and no release: the newest modelled. */
export const DEFAULT_DESIGN_RELEASE = '7.3.0';
