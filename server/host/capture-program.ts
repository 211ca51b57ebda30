// The read-only capture program: one round trip that prints the capture dump of docs/facts.md.

import { PERSIST_PATHS } from '../core/index';
import { F, root, shQuote, STATE, type Root } from './sh';
import { CXL } from './cxl-capture';

/** The capture section listing the persist artifacts present on the host (one path a line). */
export const PERSIST_FILES_SECTION = 'daxlayout persist files';
const PERSIST_FILE_LIST = Object.values(PERSIST_PATHS).join(' ');

/** The rest of the facts: kernel, architecture, page size, hugepages, NUMA nodes and HMAT; which persist artifacts are installed. */
const HOST = String.raw`hostinfo() {
  printf '### uname -m\n'
  uname -m
  f /proc/sys/kernel/osrelease
  f /proc/sys/kernel/hostname
  if command -v getconf >/dev/null 2>&1; then
    printf '### getconf PAGESIZE\n'
    getconf PAGESIZE
  elif [ -r "$R/proc/self/smaps" ]; then
    pagesize < "$R/proc/self/smaps"
  fi
  printf '### id -u\n'
  id -u
  f /sys/kernel/mm/transparent_hugepage/enabled
  f /sys/module/memory_hotplug/parameters/memmap_on_memory
  f /sys/module/dax_hmem/parameters/region_idle
  # which of the persist artifacts (docs/persist.md) are on the host: apply installs, verifies
  # or removes them; a host without any needs no extra round trip
  printf '### ${PERSIST_FILES_SECTION}\n'
  for pf in ${PERSIST_FILE_LIST}; do
    if [ -e "$R$pf" ]; then printf '%s\n' "$pf"; fi
  done
  # the firmware's NUMA tables: HMAT facts of nodes whose memory is not online (docs/facts.md)
  for t in SRAT HMAT; do
    [ -e "$R/sys/firmware/acpi/tables/$t" ] || continue
    if { true < "$R/sys/firmware/acpi/tables/$t"; } 2>/dev/null; then
      command -v od >/dev/null 2>&1 || continue
      printf '### /sys/firmware/acpi/tables/%s (od -An -v -tx1)\n' "$t"
      od -An -v -tx1 "$R/sys/firmware/acpi/tables/$t"
    else
      printf '### /sys/firmware/acpi/tables/%s\ndaxlayout: /sys/firmware/acpi/tables/%s: Permission denied\n' "$t" "$t"
    fi
  done
  printf '### /proc/iomem (hmem, soft reserved, dax, cxl, System RAM)\n'
  if { true < "$R/proc/iomem"; } 2>/dev/null; then
    while IFS= read -r line; do
      case "$line" in *hmem* | *dax* | *'Soft Reserved'* | *'System RAM'* | *region* | *CXL*) printf '%s\n' "$line" ;; esac
    done < "$R/proc/iomem"
  fi
  printf '### /sys/devices/system/node/{online,possible,has_memory,has_cpu}\n'
  for a in online possible has_memory has_cpu has_normal_memory; do
    v=''
    { IFS= read -r v < "$R/sys/devices/system/node/$a"; } 2>/dev/null
    printf '%s: %s\n' "$a" "$v"
  done
  for nd in "$R"/sys/devices/system/node/node[0-9]*; do
    [ -d "$nd" ] || continue
    nd=${'$'}{nd#"$R"}
    # a binary attribute since 5.19: busybox's read builtin gets nothing from it
    printf '### %s/cpulist\n' "$nd"
    cat "$R$nd/cpulist" 2>/dev/null || echo
    if { true < "$R$nd/meminfo"; } 2>/dev/null; then
      printf '### %s/meminfo\n' "$nd"
      while IFS= read -r line; do
        case "$line" in *MemTotal:*) printf '%s\n' "$line" ;; esac
      done < "$R$nd/meminfo"
    fi
    for k in 0 1; do
      ac="$nd/access$k/initiators"
      [ -d "$R$ac" ] || continue
      for a in read_latency write_latency read_bandwidth write_bandwidth; do
        [ -e "$R$ac/$a" ] && f "$ac/$a"
      done
      for i in "$R$ac"/node[0-9]*; do
        [ -e "$i" ] && printf '### %s -> ../../%s\n' "${'$'}{i#"$R"}" "${'$'}{i##*/}"
      done
    done
    for c in "$R$nd"/memory_side_cache/index[0-9]*; do
      [ -d "$c" ] || continue
      c=${'$'}{c#"$R"}
      for a in size line_size indexing write_policy address_mode; do
        [ -e "$R$c/$a" ] && f "$c/$a"
      done
    done
  done
}
pagesize() {
  while IFS= read -r line; do
    case "$line" in
      KernelPageSize:*)
        set -- $line
        printf '### page size\n%s\n' "$(($2 * 1024))"
        return
        ;;
    esac
  done
}`;

export const STATE_BEGIN = '### daxlayout state begin';
export const STATE_END = '### daxlayout state end';

/** The read-only capture: one program, one round trip; prints the capture dump of docs/facts.md. */
export function captureProgram(r: Root = ''): string {
  return [
    '# daxlayout facts capture (read-only)',
    F,
    STATE,
    HOST,
    CXL,
    'main() {',
    '  exec 2>&1',
    '  hostinfo',
    '  cxlinfo',
    `  printf '%s\\n' '${STATE_BEGIN}'`,
    '  state',
    `  printf '%s\\n' '${STATE_END}'`,
    '}',
    'LC_ALL=C',
    'export LC_ALL',
    `R=${shQuote(root(r))}`,
    'main',
    '',
  ].join('\n');
}

/** The state part of a capture's output (between the markers, trailing newlines dropped). */
export function stateText(captureOutput: string): string | undefined {
  const lines = captureOutput.split('\n');
  const b = lines.indexOf(STATE_BEGIN);
  const e = lines.indexOf(STATE_END);
  if (b < 0 || e < b) return undefined;
  return lines
    .slice(b + 1, e)
    .join('\n')
    .replace(/\n+$/, '');
}
