// The guest side of the fidelity harness: one generated busybox `sh` program per batch of
// sequences, sent over ONE ssh round trip, and the parser of what it prints.
//
// For each sequence (item) the program prints a capture dump (test/vm/capture.sh: the facts
// the model starts from, taken right before the sequence), the state dump, then each write
// exactly as the line spells it, in its own subshell, followed by its rc/error text and the
// state dump; at the end `daxctl list -RDMi` and the kernel log of the item. Between items it
// tears the region down to the boot state (`reset`), whose success the host checks by
// comparing the next item's first state dump with the boot dump.

import type { HostFacts } from '../../server/core/host-facts';
// the `cxlstate` shell function (test/vm/cxl-state.mjs), shared with run-script.mjs
import { CXL_STATE_FN } from '../vm/cxl-state.mjs';

export interface Layout {
  /** Region parent paths, e.g. /sys/devices/platform/hmem.0 */
  regionPaths: string[];
  /** Target nodes of the regions (whose memory blocks are dax memory). */
  nodes: number[];
  /** The boot state to restore: per region, its devices (id 0 only) with size, align and driver. */
  boot: {
    region: string;
    regionAlign: string;
    devices: { name: string; size: string; align: string; driver: string | null; memmap: string }[];
  }[];
  /** memmap_on_memory attribute present (6.8+). */
  memmap: boolean;
  /**
   * CXL machines: the root decoders' sysfs paths. The state dump then also reads the dax regions
   * of CXL regions under them (`ROOT/regionN/dax_regionN`, which come and go with the regions)
   * and the CXL state (`cxlstate`: decoders, regions).
   */
  cxlRoots: string[];
}

export function layoutOf(facts: HostFacts): Layout {
  const cxlRoots = (facts.cxl?.decoders ?? []).filter((d) => d.kind === 'root').map((d) => d.path);
  const windowNodes = (facts.cxl?.windowNodes ?? []).map((w) => w.node);
  return {
    regionPaths: facts.regions.map((r) => r.path),
    nodes: [...new Set([...facts.regions.map((r) => r.targetNode), ...windowNodes].filter((n) => n >= 0))],
    boot: facts.regions.map((r) => ({
      region: r.path,
      regionAlign: r.align.toString(),
      devices: r.devices.map((d) => ({
        name: d.name,
        size: d.size.toString(),
        align: d.align.toString(),
        driver: d.driver,
        memmap: d.memmapOnMemory ? '1' : '0',
      })),
    })),
    memmap: facts.regions.some((r) => r.devices.some((d) => d.memmapOnMemory !== undefined)),
    cxlRoots,
  };
}

/** The reset can rebuild the boot state only when every region booted with just daxR.0 (first fit from the start). */
export function resettable(l: Layout): boolean {
  return l.boot.every((b) => b.devices.every((d) => /\.0$/.test(d.name)));
}

/** Shell functions: S (state dump) and R (reset to the boot state). */
export function shellFunctions(l: Layout): string {
  const regionAttrs = ['size', 'available_size', 'seed', 'create'];
  // the dax regions of CXL regions by a glob under their root decoders (not twice by name)
  const underCxl = (p: string) => l.cxlRoots.some((r) => p.startsWith(`${r}/`));
  const regionFiles = [
    ...l.regionPaths.filter((p) => !underCxl(p)).flatMap((p) => regionAttrs.map((a) => `${p}/dax_region/${a}`)),
    ...l.cxlRoots.flatMap((r) => regionAttrs.map((a) => `${r}/region*/dax_region*/dax_region/${a}`)),
  ].join(' ');
  const nodeBlocks = l.nodes
    .map(
      (n) =>
        `/sys/devices/system/node/node${n}/memory[0-9]*/state /sys/devices/system/node/node${n}/memory[0-9]*/valid_zones`,
    )
    .join(' ');
  // One grep for everything (each fork costs tens of milliseconds under TCG): device attributes,
  // uevent (DRIVER=), the 7.3 kmem `state`, mappings, region attributes, auto_online_blocks, the dax nodes' memory
  // blocks, and /proc/iomem.
  const dev = [
    'size',
    'align',
    'target_node',
    'memmap_on_memory',
    'state',
    'uevent',
    'mapping[0-9]*/start',
    'mapping[0-9]*/end',
    'mapping[0-9]*/page_offset',
  ]
    .map((a) => `/sys/bus/dax/devices/*/${a}`)
    .join(' ');
  const S = [
    'S() {',
    '  echo "@@S $1"',
    `  grep -s "" ${dev} ${regionFiles} /sys/devices/system/memory/auto_online_blocks ${nodeBlocks} /proc/iomem`,
    ...(l.cxlRoots.length ? ['  echo @@CXL', '  cxlstate'] : []),
    '  echo @@E',
    '}',
  ];
  // After a successful cxl_region/bind (VALUE = regionN): wait, up to 10 s, until the last memory
  // block of the region is linked to its node (the last step of kmem's add_memory for daxN.0);
  // prints how many 0.1 s waits that took (`@@SETTLE K`). The dax region, daxN.0 and kmem's probe
  // of it may finish after bind_store returns; the driver link and kmem's iomem entry appear before
  // the memory blocks (docs/fidelity.md, finding 14).
  const settle = l.cxlRoots.length
    ? [
        'settle() {',
        '  k=0; r=/sys/bus/cxl/devices/$1',
        '  read -r bs < /sys/devices/system/memory/block_size_bytes; read -r a < $r/resource; read -r z < $r/size',
        '  last=$(( (a + z) / 0x$bs - 1 ))',
        '  until [ $k -ge 100 ] || for x in /sys/devices/system/memory/memory$last/node[0-9]*; do [ -e $x ]; done; do',
        '    sleep 0.1; k=$((k + 1))',
        '  done',
        '  echo "@@SETTLE $k"',
        '}',
      ]
    : [];
  // R NAMES…: remove every id the sequence gave new_id, offline dax memory, unbind, zero, delete,
  // then rebuild the boot devices (size, align, driver).
  const R = [
    'R() {',
    '  for n in "$@"; do echo $n > /sys/bus/dax/drivers/device_dax/remove_id; echo $n > /sys/bus/dax/drivers/kmem/remove_id; done 2>/dev/null',
    '  echo offline > /sys/devices/system/memory/auto_online_blocks',
    ...l.nodes.map(
      (n) =>
        `  for f in $(grep -lx online /sys/devices/system/node/node${n}/memory[0-9]*/state 2>/dev/null); do echo offline > $f; done 2>/dev/null`,
    ),
    '  for d in /sys/bus/dax/devices/dax*; do [ -e $d/driver ] && echo ${d##*/} > $d/driver/unbind; done 2>/dev/null',
    ...l.boot.flatMap((b) => [
      `  for d in ${b.region}/dax*.*; do echo 0 > $d/size; echo ${b.regionAlign} > $d/align; done 2>/dev/null`,
      `  for d in ${b.region}/dax*.*; do case $d in *.0) ;; *) echo \${d##*/} > ${b.region}/dax_region/delete;; esac; done 2>/dev/null`,
      ...b.devices.flatMap((d) => [
        `  echo ${d.align} > ${b.region}/${d.name}/align 2>/dev/null`,
        `  echo ${d.size} > ${b.region}/${d.name}/size 2>/dev/null`,
        ...(l.memmap ? [`  echo ${d.memmap} > ${b.region}/${d.name}/memmap_on_memory 2>/dev/null`] : []),
        ...(d.driver ? [`  echo ${d.name} > /sys/bus/dax/drivers/${d.driver}/bind 2>/dev/null`] : []),
      ]),
    ]),
    '  return 0',
    '}',
  ];
  return [...(l.cxlRoots.length ? [CXL_STATE_FN] : []), ...S, ...settle, ...R].join('\n');
}

export interface Item {
  id: string;
  lines: readonly string[];
  /**
   * Take a capture dump before the sequence (default). Without it the model starts from the
   * boot capture, which is then exactly right: the host checks that the state dump before the
   * sequence equals the boot state's.
   */
  capture?: boolean;
  /** Dump the state after every write (default); otherwise only after the last one. */
  every?: boolean;
  /** Print `daxctl list -RDMi` at the end (default). */
  daxctl?: boolean;
  /** Print the kernel log of the item (default). */
  dmesg?: boolean;
}

/** Names a sequence may have written to new_id (the reset removes them again). */
export function newIdNames(lines: readonly string[]): string[] {
  const out = new Set<string>();
  for (const l of lines) {
    const m = /^echo (?:-n )?'?([^' ]*)'? > \/sys\/bus\/dax\/drivers\/[^/]+\/new_id$/.exec(l);
    if (m && /^dax\d+\.\d+$/.test(m[1] as string)) out.add(m[1] as string);
  }
  return [...out];
}

/**
 * The program for a batch. `resetFirst`: tear down before the first item too (the guest is
 * not freshly booted). `capture`: test/vm/capture.sh's text.
 */
export function batchProgram(
  l: Layout,
  items: readonly Item[],
  capture: string,
  resetFirst: boolean,
  prevNames: readonly string[] = [],
): string {
  const out = ['exec 2>&1', shellFunctions(l), 'dmesg -c >/dev/null 2>&1'];
  let names = [...prevNames];
  items.forEach((it, i) => {
    if (i > 0 || resetFirst) out.push(`R ${names.join(' ')}`, 'dmesg -c >/dev/null 2>&1');
    out.push(
      `echo "@@ITEM ${it.id}"`,
      ...(it.capture === false ? [] : ['echo @@CAPTURE', capture.trim(), 'echo @@END']),
      'S start',
    );
    it.lines.forEach((cmd, k) => {
      out.push(
        // the write as the line spells it, in the shell itself (no fork): its error text to a file
        `{ ${cmd}; } 2>/tmp/.e; rc=$?; if [ $rc = 0 ] && [ ! -s /tmp/.e ]; then echo "@@W ${k} 0"; else e=; while read -r l; do e="$e$l "; done </tmp/.e; echo "@@W ${k} $rc $e"; fi`,
        ...(l.cxlRoots.length && /^echo (\S+) > \/sys\/bus\/cxl\/drivers\/cxl_region\/bind$/.test(cmd)
          ? [`[ $rc = 0 ] && settle ${(/^echo (\S+)/.exec(cmd) as RegExpExecArray)[1]}`]
          : []),
        ...(it.every === false && k < it.lines.length - 1 ? [] : [`S ${k}`]),
      );
    });
    if (it.daxctl !== false) out.push('echo @@DAXCTL; daxctl list -RDMi; echo @@END');
    if (it.dmesg !== false) out.push('echo @@DMESG; dmesg | tail -n 120; echo @@END');
    out.push(`echo "@@DONE ${it.id}"`);
    names = newIdNames(it.lines);
  });
  return out.join('\n') + '\n';
}

export interface WriteResult {
  rc: number;
  text: string;
  /** The state dump after the write; undefined when the item dumped only after its last write. */
  state?: string[];
}

export interface ItemResult {
  id: string;
  capture: string;
  start: string[];
  writes: WriteResult[];
  daxctl: unknown;
  dmesg: string;
  done: boolean;
  /** Per cxl_region/bind that succeeded: the 0.1 s waits until the region's daxN.0 had its driver. */
  settle: number[];
}

/** Parses a batch's output into per-item results (an item cut short by a guest death has done=false). */
export function parseBatch(stdout: string): ItemResult[] {
  const lines = stdout.split('\n');
  const items: ItemResult[] = [];
  let cur: ItemResult | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    let m: RegExpExecArray | null;
    if ((m = /^@@ITEM (\S+)$/.exec(l))) {
      cur = {
        id: m[1] as string,
        capture: '',
        start: [],
        writes: [],
        daxctl: undefined,
        dmesg: '',
        done: false,
        settle: [],
      };
      items.push(cur);
      continue;
    }
    if (!cur) continue;
    if ((m = /^@@DONE (\S+)$/.exec(l))) {
      cur.done = true;
      continue;
    }
    if ((m = /^@@SETTLE (\d+)$/.exec(l))) {
      cur.settle.push(Number(m[1]));
      continue;
    }
    if ((m = /^@@W (\d+) (\d+) ?(.*)$/.exec(l))) {
      cur.writes[Number(m[1])] = { rc: Number(m[2]), text: m[3] ?? '' };
      continue;
    }
    if ((m = /^@@S (\S+)$/.exec(l))) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== '@@E'; i++) body.push(lines[i] as string);
      if (m[1] === 'start') cur.start = body;
      else {
        const w = cur.writes[Number(m[1])];
        if (w) w.state = body;
      }
      continue;
    }
    if ((m = /^@@(CAPTURE|DAXCTL|DMESG)$/.exec(l))) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== '@@END'; i++) body.push(lines[i] as string);
      const txt = body.join('\n');
      if (m[1] === 'CAPTURE') cur.capture = txt + '\n';
      else if (m[1] === 'DMESG') cur.dmesg = txt;
      else {
        try {
          cur.daxctl = JSON.parse(txt.trim() === '' ? '[]' : txt);
        } catch {
          cur.daxctl = { unparsable: txt };
        }
      }
    }
  }
  return items;
}
