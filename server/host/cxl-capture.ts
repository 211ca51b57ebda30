// The CXL part of the capture program (docs/facts.md, docs/cxl.md): for every device on the CXL
// bus its sysfs path and the attributes the CXL facts need (server/core/facts/cxl.ts reads them),
// and its `driver`, `uport` and `dportN` links. Read-only; those attributes are world-readable,
// so an ordinary user captures them too. Nothing is printed on a host without /sys/bus/cxl.

/** Attributes read per device (absent ones are skipped). */
const ATTRS = [
  'devtype',
  // decoders
  'start size interleave_ways interleave_granularity target_list locked region mode dpa_resource dpa_size cap_ram cap_pmem create_ram_region qos_class',
  // memdevs
  'serial numa_node ram/size pmem/size ram/qos_class',
  // regions (targetN below)
  'commit resource',
].join(' ');

export const CXL = String.raw`cxlinfo() {
  [ -d "$R/sys/bus/cxl/devices" ] || return 0
  for d in "$R"/sys/bus/cxl/devices/*; do
    [ -e "$d" ] || continue
    n=${'$'}{d##*/}
    b=/sys/bus/cxl/devices/$n
    if p=$(cd "$d" 2>/dev/null && pwd -P); then printf '### %s -> %s\n' "$b" "${'$'}{p#"$R"}"; fi
    for a in ${ATTRS}; do
      [ -e "$d/$a" ] && f "$b/$a"
    done
    i=0
    while [ -e "$d/target$i" ]; do f "$b/target$i"; i=$((i + 1)); done
    for l in "$d"/driver "$d"/uport "$d"/dport[0-9]*; do
      [ -L "$l" ] || continue
      command -v readlink >/dev/null 2>&1 || break
      printf '### %s/%s -> %s\n' "$b" "${'$'}{l##*/}" "$(readlink "$l")"
    done
  done
}`;
