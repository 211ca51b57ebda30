// The boot-time restorer: a POSIX sh program that puts a host's persisted regions back as the
// layout predicts them. One fixed engine (below) and, per region, a table of the devices to
// recreate. Every value in the program is a validated name or number inside single quotes or
// a table; nothing comes from user text unchecked. Runs under dash and busybox sh; needs only
// sysfs, `sleep` (fractions of a second) and `mkdir`, and forks nothing on its way through the
// writes (a fork costs about 15 ms in a TCG guest). See docs/persist.md.

import { formatBytes, hex } from '../units';
import { CXL_ENGINE, cxlBlock, unsafeCxl } from './restorer-cxl';
import {
  LABEL_RE,
  NAME_RE,
  PATH_RE,
  PERSIST_VERSION,
  quoted,
  RELEASE_RE,
  type PersistSpec,
  type RestoreDevice,
  type RestoreRegion,
} from './spec';

/** The restorer's format (the spec's version, PERSIST_VERSION): 3 recreates CXL regions. */
export const RESTORER_VERSION = PERSIST_VERSION;

/**
 * The engine. Lines that tests replace (the sysfs root `S=`, the `/run` directory `L=` and the
 * one sysfs write `put()`) are each on a line of their own and appear exactly once.
 */
const ENGINE = `set -u
S=/sys
L=/run/daxlayout/by-label
B=/bus/dax
X=/bus/cxl/devices
M=/devices/system/memory
WAIT=200  # tenths of a second to wait for a region and its drivers (10 × 0.1 s, then 1 s steps)

say() { echo "daxlayout-restore: region $R: $*"; }
# put PATH VALUE: the one sysfs write (echo adds the newline the kernel expects); a failure is
# reported by the shell on stderr, which the journal keeps
put() { echo "$2" > "$S$1"; }
# w PATH VALUE: a write that must succeed
w() {
  if put "$1" "$2"; then n=$((n + 1)); return 0; fi
  say "writing '$2' to /sys$1 failed (the shell's message above says why)"
  return 1
}
# get PATH: the attribute's value in $v (empty when it cannot be read)
get() { v=; if [ -r "$S$1" ]; then read -r v < "$S$1" || :; fi; }
# drv NAME: the driver NAME is bound to in $v: device_dax, kmem or -
drv() { v=-; for x in device_dax kmem; do if [ -e "$S$B/drivers/$x/$1" ]; then v=$x; fi; done; }
# waitfor PATH...: modules load asynchronously at boot
waitfor() {
  for p in "$@"; do
    t=0
    while [ ! -e "$S$p" ]; do
      if [ "$t" -ge "$WAIT" ]; then say "/sys$p did not appear within $((WAIT / 10)) s; nothing written"; return 1; fi
      if [ "$t" -lt 10 ]; then sleep 0.1; t=$((t + 1)); else sleep 1; t=$((t + 10)); fi
    done
  done
}
# span FIRST LAST: appends to $b the memory blocks inside [FIRST, LAST] (kmem adds whole blocks)
span() {
  i=$((($1 + BS - 1) / BS)); j=$((($2 + 1) / BS))
  while [ "$i" -lt "$j" ]; do b="$b $i"; i=$((i + 1)); done
}
# ranges RANGE...: the blocks of a table's ranges (PGOFF:FIRST-LAST, hex) in $b
ranges() { b=; for x in "$@"; do x=\${x#*:}; span "$((0x\${x%-*}))" "$((0x\${x#*-}))"; done; }
# held: how many devices of the region hold memory ($h) and exist ($na); $l lists them
held() {
  h=0 na=0 l=
  for d in "$S$P"/dax"$R".*; do
    [ -r "$d/size" ] || continue
    read -r s < "$d/size"; drv "\${d##*/}"
    l="$l \${d##*/}:$s:$v"
    na=$((na + 1))
    [ "$s" = 0 ] || h=$((h + 1))
  done
}
# same A B: the same words in any order (mappingK ids need not follow page offsets)
same() {
  a=$1 c=$2
  for x in $a; do case " $c " in *" $x "*) ;; *) return 1 ;; esac; done
  set -- $a; sk=$#; set -- $c; [ "$#" = "$sk" ]
}

# matches: every device of the table is as listed and no other device holds memory
matches() {
  k=0
  while read -r N SZ AL DR MM MEM LB RG; do
    [ -n "$N" ] && [ "$SZ" != 0 ] || continue
    k=$((k + 1))
    get "$B/devices/$N/size"; [ "$v" = "$SZ" ] || return 1
    get "$B/devices/$N/align"; [ "$v" = "$AL" ] || return 1
    drv "$N"; [ "$v" = "$DR" ] || return 1
    if [ "$MM" = 1 ]; then get "$B/devices/$N/memmap_on_memory"; [ "$v" = 1 ] || return 1; fi
    want= m=
    for x in $RG; do r=\${x#*:}; want="$want \${x%%:*}:$((0x\${r%-*}))-$((0x\${r#*-}))"; done
    for x in "$S$B/devices/$N"/mapping*; do
      [ -r "$x/start" ] || continue
      read -r o < "$x/page_offset"; read -r s < "$x/start"; read -r e < "$x/end"
      m="$m $((o)):$((s))-$((e))"
    done
    same "$m" "$want" || return 1
  done <<EOF
$T
EOF
  held; [ "$h" = "$k" ]
}

# atboot: the region is as the kernel makes it at boot (one daxR.0 holding all of it, or an
# empty daxR.0 with dax_hmem.region_idle=1), at the layout's start
atboot() {
  held
  get "$B/devices/dax$R.0/size"; s0=$v
  if [ "$na" != 1 ] || { [ "$h" = 1 ] && [ "$s0" != "$Z" ]; }; then
    say "neither as the layout wants it nor as the kernel makes it at boot (devices:$l); refusing to touch it: apply the layout with daxlayout"
    return 1
  fi
  get "$B/devices/dax$R.0/resource"
  if [ -z "$v" ] || [ "$((v))" != "$((A))" ]; then
    say "the region starts at \${v:-?} now, the layout was made for $A: its geometry changed; refusing to touch it"
    return 1
  fi
  # only kmem adds memory blocks inside a region: one that exists while daxR.0 is not bound to
  # kmem is System RAM the kernel took at boot (7.2+ keeps the region whole when only part of its
  # range is soft-reserved; kmem's probe then fails with EBUSY and daxR.0 stays unbound)
  drv "dax$R.0"
  if [ "$v" != kmem ]; then
    b=; span "$((A))" "$((A + Z - 1))"
    for i in $b; do
      if [ -e "$S$M/memory$i" ]; then
        say "memory$i lies inside the region but is System RAM the kernel took at boot, not dax memory: its geometry changed; refusing to touch it"
        return 1
      fi
    done
  fi
}

# restore: from the boot state to the table (returns 1 when it refuses before any write)
restore() {
  drv "dax$R.0"
  if [ "$v" = kmem ]; then
    # 6.3+ binds the region to kmem at boot: offline its movable memory, refuse kernel-zone memory
    b=; span "$((A))" "$((A + Z - 1))"
    for i in $b; do
      get "$M/memory$i/state"; [ "$v" = online ] || continue
      get "$M/memory$i/valid_zones"
      if [ "$v" != Movable ]; then
        say "dax$R.0 has memory$i online in zone $v; kernel-zone memory cannot be reliably offlined, so the region is left as it is (boot with memhp_default_state=offline or online_movable)"
        return 1
      fi
    done
    for i in $b; do
      get "$M/memory$i/state"; [ "$v" = online ] || continue
      w "$M/memory$i/state" offline || return 2
    done
    drv "dax$R.0"
  fi
  if [ "$v" != - ]; then w "$B/drivers/$v/unbind" "dax$R.0" || return 2; fi
  get "$B/devices/dax$R.0/size"; [ "$v" = 0 ] || w "$B/devices/dax$R.0/size" 0 || return 2
  i=1
  while [ "$i" -le "$C" ]; do
    w "$P/dax_region/create" 1 || return 2
    get "$P/dax_region/create"
    if [ "$v" != "dax$R.$i" ]; then say "the kernel made \${v:-no device} where dax$R.$i was expected"; return 2; fi
    i=$((i + 1))
  done
  for i in $D; do w "$P/dax_region/delete" "dax$R.$i" || return 2; done
  while read -r N SZ AL DR MM MEM LB RG; do
    [ -n "$N" ] || continue
    get "$B/devices/$N/align"; [ "$v" = "$AL" ] || w "$B/devices/$N/align" "$AL" || return 2
    for x in $RG; do w "$B/devices/$N/mapping" "\${x#*:}" || return 2; done
    get "$B/devices/$N/size"
    if [ "$v" != "$SZ" ]; then say "$N holds \${v:-?} bytes after claiming its ranges, not $SZ"; return 2; fi
    # a CXL region's devices have it from their region: written only where it is not 1 already
    if [ "$MM" = 1 ]; then get "$B/devices/$N/memmap_on_memory"; [ "$v" = 1 ] || w "$B/devices/$N/memmap_on_memory" 1 || return 2; fi
  done <<EOF
$T
EOF
  for want in device_dax kmem; do
    while read -r N SZ AL DR MM MEM LB RG; do
      [ "$DR" = "$want" ] || continue
      # bind where the driver matches the device, else name it with new_id (kmem before 6.3,
      # device_dax in a region the kernel gives to kmem)
      if put "$B/drivers/$DR/bind" "$N" 2>/dev/null; then n=$((n + 1)); else w "$B/drivers/$DR/new_id" "$N" || return 2; fi
      drv "$N"
      if [ "$v" != "$DR" ]; then say "$N did not bind to $DR"; return 2; fi
    done <<EOF
$T
EOF
  done
}

# memory: the blocks of each system-ram device online in the layout's zone, or offline
memory() {
  while read -r N SZ AL DR MM MEM LB RG; do
    [ "$DR" = kmem ] || continue
    ranges $RG
    for i in $b; do
      get "$M/memory$i/state"; st=$v z=
      if [ "$st" = online ]; then get "$M/memory$i/valid_zones"; z=$v; fi
      case "$MEM/$st/$z" in offline/offline/ | online_movable/online/Movable | online_kernel/online/Normal) continue ;; esac
      if [ -z "$st" ]; then say "memory$i of $N is missing"; return 2; fi
      if [ "$st" = online ]; then
        if [ "$z" != Movable ]; then say "memory$i of $N is online in zone $z, the layout wants $MEM; kernel-zone memory cannot be reliably offlined"; return 1; fi
        w "$M/memory$i/state" offline || return 2
      fi
      if [ "$MEM" != offline ]; then w "$M/memory$i/state" "$MEM" || return 2; fi
    done
  done <<EOF
$T
EOF
}

# labels: $L/LABEL holds the NUMA node of each system-ram device
labels() {
  while read -r N SZ AL DR MM MEM LB RG; do
    [ "$DR" = kmem ] && [ "$LB" != - ] || continue
    get "$B/devices/$N/target_node"
    { [ -d "$L" ] || mkdir -p "$L"; } 2>/dev/null
    { echo "$v" > "$L/$LB"; } 2>/dev/null || say "cannot write $L/$LB"
  done <<EOF
$T
EOF
}

# region ID PARENT START SIZE CREATE DELETE, with the device table in $T
region() {
  R=$1 P=$2 A=$3 Z=$4 C=$5 D=$6 n=0
  waitfor "$P/dax_region/size" "$B/devices/dax$R.0" "$B/drivers/device_dax" || return 1
  get "$P/dax_region/size"
  if [ "$v" != "$Z" ]; then
    say "the region is \${v:-?} bytes now, the layout was made for $Z bytes: its geometry changed; refusing to touch it"
    return 1
  fi
  # kmem: needed by the table, or about to bind an unbound daxR.0 (6.3+, its module still loading)
  drv "dax$R.0"; d0=$v; get "$B/devices/dax$R.0/size"
  case "$T" in *" kmem "*) d0=kmem ;; esac
  if [ "$d0" = kmem ] || { [ "$d0" = - ] && [ "$v" != 0 ]; }; then waitfor "$B/drivers/kmem" || return 1; fi
  # the memory-block size the layout was made for: another one means other blocks, other zones
  get "$M/block_size_bytes"; BS=$((0x\${v:-8000000}))
  if [ -n "$v" ] && [ "$BS" != "$BLOCK" ]; then
    say "memory blocks are $BS bytes now, the layout was made for $BLOCK bytes: its geometry changed; refusing to touch it"
    return 1
  fi
  if matches; then
    memory || return $?
    labels
    if [ "$n" = 0 ]; then say "already as the layout wants it"; else say "devices in place; memory blocks set ($n writes)"; fi
    return 0
  fi
  atboot || return 1
  restore || return $?
  memory || return $?
  labels
  say "restored$DEVICES ($n writes)"
}
`;

function row(d: RestoreDevice): string[] {
  const ranges = d.ranges.map((r) => `${r.pgoff}:${r.start.toString(16)}-${r.end.toString(16)}`);
  return [
    d.name,
    d.size.toString(),
    d.align.toString(),
    d.driver ?? '-',
    d.memmapOnMemory ? '1' : '0',
    d.memory ?? '-',
    d.label ?? '-',
    ranges.join(' '),
  ];
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join(' ')
      .trimEnd(),
  );
}

function regionBlock(r: RestoreRegion): string {
  const end = r.start + r.size - 1n;
  const [header, ...rows] = table([
    ['device', 'size', 'align', 'driver', 'memmap', 'memory', 'label', 'ranges (page offset:first-last, hex)'],
    ...r.devices.map(row),
  ]);
  const names = r.devices
    .filter((d) => d.size > 0n)
    .map((d) => ` ${d.name}${d.label ? `(${d.label})` : ''}`)
    .join('');
  const out = [
    `# region ${r.id}: ${r.path}, ${hex(r.start)}..${hex(end)} (${formatBytes(r.size)})`,
    `# devices dax${r.id}.1..dax${r.id}.${r.creates} are created in turn${r.deletes.length ? `, then ${r.deletes.map((i) => `dax${r.id}.${i}`).join(' ')} deleted (ids the layout leaves unused)` : ''}`,
    `# ${header}`,
    `T='`,
    ...rows.map((x) => `  ${x}`),
    `'`,
    `DEVICES='${names}'`,
    ...(r.cxl ? cxlBlock(r, r.cxl) : []),
    `${r.cxl ? 'cxlregion && ' : ''}region ${r.id} '${r.path.replace(/^\/sys/, '')}' ${hex(r.start)} ${r.size} ${r.creates} '${r.deletes.join(' ')}'`,
    'r=$?; if [ "$r" -gt "$rc" ]; then rc=$r; fi',
  ];
  return out.join('\n');
}

const DRIVERS = new Set(['device_dax', 'kmem']);
const MEMORY = new Set(['offline', 'online_movable', 'online_kernel']);
const isIndex = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
const isBytes = (n: bigint): boolean => typeof n === 'bigint' && n >= 0n && n < 1n << 64n;

/**
 * Why a spec cannot become a restorer: every value the program holds is checked here, whatever
 * made the spec (persistSpec checks them too, as problems). Undefined when it is safe.
 */
export function unsafeSpecValue(spec: PersistSpec): string | undefined {
  const q = quoted;
  if (spec.version !== PERSIST_VERSION)
    return `the persist spec is of version ${q(spec.version)}, and this daxlayout makes restorers of version ${PERSIST_VERSION} only: analyse the layout again with this daxlayout`;
  if (typeof spec.host !== 'string' || !LABEL_RE.test(spec.host))
    return `host name ${q(spec.host)} cannot be named in a shell program`;
  if (spec.release !== undefined && (typeof spec.release !== 'string' || !RELEASE_RE.test(spec.release)))
    return `kernel release ${q(spec.release)} cannot be named in a shell program`;
  if (!isBytes(spec.blockSize) || spec.blockSize === 0n)
    return `memory-block size ${q(spec.blockSize)} is not a number of bytes`;
  for (const r of spec.regions) {
    if (!isIndex(r.id)) return `region id ${q(r.id)} is not a region number`;
    if (typeof r.path !== 'string' || !PATH_RE.test(r.path))
      return `region ${r.id}: its sysfs path ${q(r.path)} cannot be named in a shell program`;
    if (!isBytes(r.start) || !isBytes(r.size) || !isIndex(r.creates) || !r.deletes.every(isIndex))
      return `region ${r.id}: its geometry is not made of numbers`;
    const cxl = r.cxl === undefined ? undefined : unsafeCxl(r, r.cxl);
    if (cxl) return `region ${r.id}: ${cxl}`;
    for (const d of r.devices) {
      if (typeof d.name !== 'string' || !NAME_RE.test(d.name))
        return `region ${r.id}: device name ${q(d.name)} cannot be named in a shell program`;
      if (d.label !== undefined && (typeof d.label !== 'string' || !LABEL_RE.test(d.label)))
        return `${d.name}: label ${q(d.label)} cannot be named in a shell program`;
      if (d.driver !== null && !DRIVERS.has(d.driver))
        return `${d.name}: driver ${q(d.driver)} is not device_dax or kmem`;
      if (d.memory !== undefined && !MEMORY.has(d.memory))
        return `${d.name}: memory state ${q(d.memory)} is not offline, online_movable or online_kernel`;
      if (
        !isBytes(d.size) ||
        !isBytes(d.align) ||
        !d.ranges.every((x) => isBytes(x.pgoff) && isBytes(x.start) && isBytes(x.end))
      )
        return `${d.name}: its size, align and ranges are not made of numbers`;
    }
  }
  return undefined;
}

/** The restorer program for a host's spec (which must have no problems). */
export function restorerProgram(spec: PersistSpec): string {
  if (spec.problems.length > 0) throw new Error(`no restorer for ${spec.host}: ${spec.problems.join('; ')}`);
  const unsafe = unsafeSpecValue(spec);
  if (unsafe) throw new Error(`no restorer for ${quoted(spec.host)}: ${unsafe}`);
  const head = [
    '#!/bin/sh',
    `# daxlayout-restore: puts the device-dax layout of host ${spec.host} back at boot.`,
    `# Generated by daxlayout (restorer ${RESTORER_VERSION})${spec.release ? ` for Linux ${spec.release}` : ''}; do not edit: change the layout and apply it.`,
    '#',
    '# For each region below (a CXL region first: made again from its memdevs, found by serial, in its',
    '# window with the writes daxlayout apply used; adopted as it is when already there as recorded;',
    '# refused, nothing written, when the window or the memdevs differ or another region holds them):',
    '#  - already as the layout wants it: no device is touched (memory blocks are set online or',
    '#    offline as the layout says);',
    '#  - as the kernel makes it at boot (one daxR.0 holding the whole region, bound to device_dax',
    '#    or to kmem, or empty with dax_hmem.region_idle=1): the devices are made again with the same',
    '#    names, physical ranges (claimed with `mapping`), align, mode and memory state;',
    '#  - anything else, or a region whose size, start or memory-block size changed, or with System',
    '#    RAM inside it: refused, nothing written.',
    '# Movable memory of a kmem-bound daxR.0 is offlined first; memory online in a kernel zone is refused.',
    '# Exit status: 0 in place, 1 refused, 2 a write failed (the unit fails on both). Messages go to the journal.',
    '',
  ];
  const body = spec.regions.map(regionBlock);
  const block = [
    `# the memory-block size the layout was made for (${formatBytes(spec.blockSize)})`,
    `BLOCK=${spec.blockSize}`,
  ];
  const cxlNames = spec.regions.flatMap((r) => (r.cxl ? [r.cxl.name] : []));
  const cxl = cxlNames.length
    ? [
        '# the CXL regions of this layout (a region over their memdevs or in their windows may be one of them)',
        `CXL=' ${cxlNames.join(' ')}'`,
      ]
    : [];
  return [...head, ENGINE, CXL_ENGINE, ...block, ...cxl, 'rc=0', ...body, 'exit "$rc"', ''].join('\n');
}
