// What each block accepts and the shape of each property's values. The parser
// uses this to word its errors; `KEYWORDS` (exported from the package) serves
// completion and hover.

export type BlockKind = 'host' | 'region' | 'device';

/**
 * Value shapes:
 * - `string`: one double-quoted string;
 * - `number`: one number (with or without unit);
 * - `word`: one bare word;
 * - `word-or-number`: one bare word or a number (a user name or id);
 * - `word-or-range`: one bare word, or one range `start..end` / `start + length` (`adopt`);
 * - `size-or-rest`: one number or the word `rest`;
 * - `flag`: no value;
 * - `mode`: `devdax` or `system-ram`, then mode options;
 * - `range`: `start..end` or `start + length`, separated by `,`;
 * - `colours`: colours `c` or `a..b` separated by `,`, or `any N`, then `of K`, `exclusive`;
 * - `expect`: a metric, a number with its unit, `from node N`, `access0` or `access1`;
 * - `memdevs`: memdev names or serial numbers separated by `,`.
 */
export type ValueShape =
  | 'string'
  | 'number'
  | 'word'
  | 'word-or-number'
  | 'word-or-range'
  | 'size-or-rest'
  | 'flag'
  | 'mode'
  | 'range'
  | 'colours'
  | 'expect'
  | 'memdevs';

export interface KeywordInfo {
  /** The keyword as written. */
  readonly keyword: string;
  /** Its syntax, e.g. `size NUMBER | size rest`. */
  readonly syntax: string;
  /** One line for hover and completion. */
  readonly description: string;
}

export interface PropertySpec extends KeywordInfo {
  readonly shape: ValueShape;
  /** Completes "expected …" when the value is missing or malformed. */
  readonly expected: string;
}

const spec = (
  keyword: string,
  shape: ValueShape,
  syntax: string,
  expected: string,
  description: string,
): PropertySpec => ({ keyword, shape, syntax, expected, description });

export const HOST_PROPERTIES: readonly PropertySpec[] = [
  spec(
    'ssh',
    'string',
    'ssh STRING',
    'a string after `ssh`, the SSH destination such as "root@hbm01.lab"',
    'SSH destination of the host: "user@host", an ssh_config alias, or "ssh://user@host:port".',
  ),
  spec(
    'port',
    'number',
    'port NUMBER',
    'a port number such as 2222 after `port`',
    'SSH port, when it is not 22 and not part of the destination.',
  ),
  spec(
    'facts',
    'string',
    'facts STRING',
    'a string after `facts`, the path of a facts file such as "hbm01.facts.json"',
    'Captured host facts (JSON), path relative to the .dax file.',
  ),
  spec(
    'kernel',
    'string',
    'kernel STRING',
    'a string after `kernel`, a kernel release such as "6.12.0"',
    'Kernel release (`uname -r`), for a host described without facts.',
  ),
  spec(
    'arch',
    'word',
    'arch WORD',
    'an architecture after `arch`: x86_64, aarch64 or ppc64le',
    'CPU architecture: x86_64, aarch64 or ppc64le.',
  ),
  spec(
    'memory-block',
    'number',
    'memory-block NUMBER',
    'a memory block size such as 128M after `memory-block`',
    'Memory block size of the host (/sys/devices/system/memory/block_size_bytes).',
  ),
  spec(
    'auto-online',
    'word',
    'auto-online WORD',
    'a policy after `auto-online`: offline, online, online_kernel or online_movable',
    'Memory auto-online policy of the host (/sys/devices/system/memory/auto_online_blocks).',
  ),
  spec(
    'hosts',
    'string',
    'hosts STRING',
    'a string after `hosts`, an Ansible host pattern such as "rack1" or "hbm*:!hbm03"',
    'This block stands for every inventory host the Ansible pattern matches (a group, names, globs; `:` `,` `!` `&`); each has its own facts (`{host}` in the facts path).',
  ),
  spec(
    'inventory',
    'string',
    'inventory STRING',
    'a string after `inventory`, the path of an Ansible inventory such as "inventory.ini"',
    'The Ansible inventory (INI or YAML, relative to the .dax file) that `hosts` patterns are matched against; `-i` on the command line overrides it.',
  ),
  spec(
    'persist',
    'flag',
    'persist',
    '',
    'Every region of this host survives reboots: apply installs a boot-time restorer and stable names (/dev/dax/by-label).',
  ),
];

export const REGION_PROPERTIES: readonly PropertySpec[] = [
  spec(
    'start',
    'number',
    'start NUMBER',
    'a physical address such as 0x1_0000_0000 after `start`',
    'Physical start address of the region (declared geometry).',
  ),
  spec('size', 'number', 'size NUMBER', 'a size such as 64G after `size`', 'Size of the region (declared geometry).'),
  spec(
    'align',
    'number',
    'align NUMBER',
    'an alignment such as 2M after `align`',
    'Alignment of the region (declared geometry).',
  ),
  spec(
    'node',
    'number',
    'node NUMBER',
    'a NUMA node number such as 2 after `node`',
    "NUMA node of the region's memory (its target node).",
  ),
  spec(
    'cache',
    'number',
    'cache NUMBER',
    'a cache size such as 256M after `cache`',
    "Size of the direct-mapped memory-side cache in front of the region's node (declared geometry, for `colours`).",
  ),
  spec(
    'window',
    'word',
    'window WORD',
    'a CXL window (root decoder) such as decoder0.0 after `window`',
    'cxl region: the CXL window (root decoder, one per CFMWS) the region is allocated from, such as decoder0.0.',
  ),
  spec(
    'memdevs',
    'memdevs',
    'memdevs MEMDEV, …',
    'memdevs after `memdevs`, by name or serial number, such as mem0, mem1',
    'cxl region: the memory devices in interleave positions 0, 1, …, by name (mem0) or serial number (0x2); their count is the interleave ways.',
  ),
  spec(
    'granularity',
    'number',
    'granularity NUMBER',
    'an interleave granularity such as 256 or 4K after `granularity`',
    "cxl region: the interleave granularity (256 B to 16K; the window's own when the window interleaves). Default: the window's.",
  ),
  spec(
    'adopt',
    'word-or-range',
    'adopt WORD | adopt START..END | adopt START + SIZE',
    'the name of an existing CXL region such as region0, or its physical range START..END, after `adopt`',
    'cxl region: take over an existing region (made by firmware or by hand) instead of creating one: by its name (region0), or by its physical range (`adopt 0x3_9000_0000 + 2G`: the region whose `resource` and `size` read so).',
  ),
  spec(
    'dynamic',
    'flag',
    'dynamic',
    '',
    'Devices can be created, resized and destroyed in this region (e.g. hmem, CXL).',
  ),
  spec(
    'static',
    'flag',
    'static',
    '',
    'The region holds fixed devices that cannot be resized (e.g. a pmem namespace in devdax mode).',
  ),
  spec(
    'persist',
    'flag',
    'persist',
    '',
    'The layout of this region survives reboots: apply installs a boot-time restorer and stable names (/dev/dax/by-label). For a cxl region the restorer makes the CXL region again at boot, from its memdevs by serial, before its devices.',
  ),
];

export const DEVICE_PROPERTIES: readonly PropertySpec[] = [
  spec(
    'size',
    'size-or-rest',
    'size NUMBER | size rest',
    'a size such as 48G or `rest` after `size`',
    'Size of the device, or `rest` for what is left in the region.',
  ),
  spec(
    'align',
    'number',
    'align NUMBER',
    'an alignment such as 2M or 1G after `align`',
    'Alignment of the device (its fault granularity: 4K, 2M or 1G).',
  ),
  spec(
    'mode',
    'mode',
    'mode devdax | mode system-ram OPTION…',
    '`devdax` or `system-ram` after `mode`',
    'devdax: a character device /dev/daxR.N; system-ram: hot-plugged as System RAM by kmem.',
  ),
  spec(
    'range',
    'range',
    'range START..END | START + LENGTH, …',
    'a range after `range`, such as 0x10_0000_0000 + 4G or 0x100..0x1ff',
    'Physical ranges of the device: start..end (end inclusive) or start + length.',
  ),
  spec(
    'name',
    'word',
    'name WORD',
    'a kernel device name such as dax0.3 after `name`',
    'Kernel name the device must get, e.g. dax0.3.',
  ),
  spec(
    'colours',
    'colours',
    'colours C, A..B [of K] [exclusive] | colours any N [of K] [exclusive]',
    'colours after `colours`, such as 0..1 of 4 or any 2 exclusive',
    "Memory-side-cache colours the device's memory must have, out of K (default: from the node's cache); `exclusive`: no other device gets them.",
  ),
  spec(
    'expect',
    'expect',
    'expect METRIC VALUE from node N [access0 | access1]',
    'an expectation after `expect`, such as read-latency 120ns from node 0',
    "A performance need of the device's consumers (read-latency, write-latency: at most; read-bandwidth, write-bandwidth: at least), checked against HMAT.",
  ),
  spec(
    'owner',
    'word-or-number',
    'owner WORD',
    'a user name such as qemu after `owner`',
    'User that owns /dev/daxR.N (set by a udev rule that apply installs).',
  ),
  spec(
    'group',
    'word-or-number',
    'group WORD',
    'a group name such as kvm after `group`',
    'Group of /dev/daxR.N (set by a udev rule that apply installs).',
  ),
  spec(
    'permissions',
    'number',
    'permissions NUMBER',
    'an octal file mode such as 0660 after `permissions`',
    'File mode of /dev/daxR.N, in octal such as 0660 (set by a udev rule that apply installs).',
  ),
];

export const PROPERTY_SPECS: Readonly<Record<BlockKind, readonly PropertySpec[]>> = {
  host: HOST_PROPERTIES,
  region: REGION_PROPERTIES,
  device: DEVICE_PROPERTIES,
};

/** Other spellings of a property, accepted but not listed in messages (`colors` for `colours`). */
export const DEVICE_ALIASES: readonly PropertySpec[] = [
  spec(
    'colors',
    'colours',
    'colors C, A..B [of K] [exclusive] | colors any N [of K] [exclusive]',
    'colors after `colors`, such as 0..1 of 4 or any 2 exclusive',
    'Same as `colours`.',
  ),
];

const SPEC_MAPS: Readonly<Record<BlockKind, ReadonlyMap<string, PropertySpec>>> = {
  host: new Map(HOST_PROPERTIES.map((p) => [p.keyword, p])),
  region: new Map(REGION_PROPERTIES.map((p) => [p.keyword, p])),
  device: new Map([...DEVICE_PROPERTIES, ...DEVICE_ALIASES].map((p) => [p.keyword, p])),
};

export function propertySpec(block: BlockKind, key: string): PropertySpec | undefined {
  return SPEC_MAPS[block].get(key);
}

const info = (keyword: string, syntax: string, description: string): KeywordInfo => ({
  keyword,
  syntax,
  description,
});

/**
 * Keywords by where they are valid, with a one-line description each, for
 * completion and hover.
 */
export const KEYWORDS = {
  /** Declarations at the top level. */
  topLevel: [
    info('host', 'host NAME { … }', 'A machine reached over SSH, whose dax regions are laid out.'),
    info(
      'region',
      'region NUMBER [on HOST] { … }',
      'A device-dax region (regionN in sysfs) and the devices carved out of it.',
    ),
    info(
      'cxl',
      'cxl region LABEL [on HOST] { … }',
      'A CXL RAM region assembled from memdevs in a CXL window, then its dax devices (docs/cxl.md).',
    ),
  ],
  /** After `region NUMBER`. */
  regionHeader: [info('on', 'region NUMBER on HOST', 'The host this region belongs to.')],
  host: HOST_PROPERTIES.map(({ keyword, syntax, description }) => info(keyword, syntax, description)),
  region: [
    ...REGION_PROPERTIES.map(({ keyword, syntax, description }) => info(keyword, syntax, description)),
    info('device', 'device LABEL { … }', 'A dax device carved out of the region (daxR.N).'),
  ],
  device: DEVICE_PROPERTIES.map(({ keyword, syntax, description }) => info(keyword, syntax, description)),
  /** Words of a `colours` list. */
  colourWords: [
    info('of', 'colours 0..1 of 4', 'The number of colours the cache is sliced into (K).'),
    info('exclusive', 'colours 0..1 of 4 exclusive', 'No other device of the region may hold memory of these colours.'),
    info('any', 'colours any 2 exclusive', 'Let the planner choose N colours that no other device holds.'),
  ],
  /** Metrics of `expect`. */
  expectMetrics: [
    info('read-latency', 'expect read-latency 120ns from node 0', 'Read latency in ns, at most (HMAT read_latency).'),
    info(
      'write-latency',
      'expect write-latency 150ns from node 0',
      'Write latency in ns, at most (HMAT write_latency).',
    ),
    info(
      'read-bandwidth',
      'expect read-bandwidth 20000MB/s from node 0',
      'Read bandwidth in MB/s, at least (HMAT read_bandwidth).',
    ),
    info(
      'write-bandwidth',
      'expect write-bandwidth 10000MB/s from node 0',
      'Write bandwidth in MB/s, at least (HMAT write_bandwidth).',
    ),
  ],
  /** Words after the value of `expect`. */
  expectWords: [
    info('from', 'expect read-latency 120ns from node 0', 'The initiator node the consumers run on.'),
    info(
      'access0',
      'expect read-latency 120ns from node 0 access0',
      'HMAT access class 0: best initiators of any kind (the default).',
    ),
    info('access1', 'expect read-latency 120ns from node 0 access1', 'HMAT access class 1: best initiators with CPUs.'),
  ],
  /** After `size` in a device. */
  sizeWords: [info('rest', 'size rest', 'Whatever is left in the region after the other devices.')],
  /** First word after `mode`. */
  modes: [
    info('devdax', 'mode devdax', 'Keep the device as a character device /dev/daxR.N (device_dax driver).'),
    info('system-ram', 'mode system-ram OPTION…', "Hot-plug the device's memory as System RAM (kmem driver)."),
  ],
  /** Words after `mode system-ram`. */
  modeOptions: [
    info('online', 'mode system-ram online', 'Online the new memory blocks.'),
    info('offline', 'mode system-ram offline', 'Leave the new memory blocks offline.'),
    info('movable', 'mode system-ram movable', 'Online the memory into ZONE_MOVABLE (can be unplugged again).'),
    info('normal', 'mode system-ram normal', 'Online the memory into ZONE_NORMAL (usable by the kernel).'),
    info(
      'memmap-on-memory',
      'mode system-ram memmap-on-memory',
      'Place the memory map (struct pages) on the hot-plugged memory itself.',
    ),
  ],
  /** Values of `arch`. */
  arch: [
    info('x86_64', 'arch x86_64', '64-bit x86.'),
    info('aarch64', 'arch aarch64', '64-bit Arm.'),
    info('ppc64le', 'arch ppc64le', '64-bit POWER, little-endian.'),
  ],
  /** Values of `auto-online`. */
  autoOnline: [
    info('offline', 'auto-online offline', 'Hot-plugged memory stays offline until onlined explicitly.'),
    info('online', 'auto-online online', 'Hot-plugged memory is onlined into the default zone.'),
    info(
      'online_kernel',
      'auto-online online_kernel',
      'Hot-plugged memory is onlined into a kernel zone (ZONE_NORMAL).',
    ),
    info('online_movable', 'auto-online online_movable', 'Hot-plugged memory is onlined into ZONE_MOVABLE.'),
  ],
  /** Units a number may carry (the core checks which one a property accepts). */
  units: [
    info('K', '4K', 'KiB, 1024 bytes (also KiB and k).'),
    info('M', '2M', 'MiB, 1024 KiB (also MiB and m).'),
    info('G', '48G', 'GiB, 1024 MiB (also GiB and g).'),
    info('T', '1T', 'TiB, 1024 GiB (also TiB and t).'),
  ],
} as const satisfies Record<string, readonly KeywordInfo[]>;

export type Keywords = typeof KEYWORDS;
