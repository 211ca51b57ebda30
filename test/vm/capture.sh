#!/bin/sh
# test/vm/capture.sh — run on the guest (busybox sh, as root): prints a capture dump of the
# device-dax state in the `### <path or command>` format of docs/facts.md ("Capture dumps"),
# the richer facts input for `daxlayout sim` (region_idle, memory blocks, device attributes).
# run-script.mjs --capture sends it ahead of the script, in the same ssh round trip.
s() { echo "### $1"; }
f() { echo "### $1"; cat "$1" 2>&1; }
s 'uname -r'; uname -r
s 'uname -m'; uname -m
if command -v getconf >/dev/null 2>&1; then s 'getconf PAGESIZE'; getconf PAGESIZE; fi
f /sys/devices/system/memory/block_size_bytes
f /sys/devices/system/memory/auto_online_blocks
f /sys/kernel/mm/transparent_hugepage/enabled
f /sys/module/memory_hotplug/parameters/memmap_on_memory
f /sys/module/dax_hmem/parameters/region_idle
s '/proc/iomem (hmem, soft reserved, dax, System RAM)'; grep -E 'hmem|Soft Reserved|dax|System RAM' /proc/iomem
s 'daxctl list -RDMi'; daxctl list -RDMi
# hmem regions: /sys/devices/platform/hmem.N up to 6.18, .../hmem_platform.0/hmem.N from 7.2; the dax
# regions of CXL regions (CXL machines) by their /sys/devices path (.../decoderX.Y/regionN/dax_regionN)
for r in /sys/devices/platform/hmem.* /sys/devices/platform/hmem_platform.*/hmem.* /sys/bus/cxl/devices/region*/dax_region*; do
  [ -d "$r/dax_region" ] || continue
  case $r in /sys/bus/*) r=$(cd "$r" && pwd -P) ;; esac
  for a in delete id create seed align size available_size; do f "$r/dax_region/$a"; done
  for d in "$r"/dax*.*; do
    [ -d "$d" ] || continue
    for a in align dev mapping numa_node resource size target_node memmap_on_memory state; do [ -e "$d/$a" ] && f "$d/$a"; done
    for m in "$d"/mapping[0-9]*; do [ -d "$m" ] && for a in end page_offset start; do f "$m/$a"; done; done
    n=${d##*/}
    [ -L "/sys/bus/dax/devices/$n/driver" ] && echo "### /sys/bus/dax/devices/$n/driver -> $(readlink "/sys/bus/dax/devices/$n/driver")"
  done
done
s '/sys/devices/system/node/{online,possible,has_memory,has_cpu}'
for a in online possible has_memory has_cpu has_normal_memory; do echo "$a: $(cat /sys/devices/system/node/$a 2>/dev/null)"; done
for nd in /sys/devices/system/node/node[0-9]*; do
  s "memory blocks of ${nd##*/}"
  echo $(cd "$nd" && ls -d memory[0-9]* 2>/dev/null)
  for b in /sys/devices/system/memory/memory[0-9]*; do
    [ -e "$nd/${b##*/}" ] || continue
    echo "$b: state=$(cat $b/state) zones=$(cat $b/valid_zones 2>/dev/null | tr ' ' ,) phys_index=$(cat $b/phys_index) removable=$(cat $b/removable 2>/dev/null)"
  done
done
