#!/bin/sh
# test/vm/cxl-capture.sh — run on a guest (busybox sh, as root): prints the CXL topology and what
# the kernel made of it, in the `### <path or command>` format of docs/facts.md ("Capture dumps"):
# every device on the CXL bus (its sysfs path and every readable attribute, also those of its
# `ram`/`pmem` subdirectories), the dax regions under CXL regions, /proc/iomem and the NUMA nodes.
# Write-only attributes (delete_region, trigger_poison_list) and the binary CDAT are left out.
# With CXL_ONLY=1 only the CXL bus part (run-script.mjs sends it after capture.sh, which has the rest).
s() { echo "### $1"; }
if [ -z "${CXL_ONLY:-}" ]; then
  s 'uname -r'; uname -r
  s '/proc/iomem'; cat /proc/iomem
  s 'daxctl list -RDMi'; daxctl list -RDMi 2>&1
fi
s '/sys/bus/cxl/devices'; ls /sys/bus/cxl/devices
attrs() { # $1 = directory: every regular attribute file in it
  for a in "$1"/*; do
    [ -f "$a" ] || continue
    case "${a##*/}" in uevent|modalias|CDAT) continue ;; esac
    if [ -r "$a" ] && v=$(cat "$a" 2>/dev/null); then echo "### $a"; printf '%s\n' "$v"
    fi  # write-only attributes (delete_region, trigger_poison_list) are left out
  done
}
for d in /sys/bus/cxl/devices/*; do
  n=${d##*/}
  p=$(cd "$d" && pwd -P)
  echo "### /sys/bus/cxl/devices/$n -> $p"
  [ -L "$d/driver" ] && echo "### /sys/bus/cxl/devices/$n/driver -> $(readlink "$d/driver")"
  attrs "$d"
  for sub in ram pmem; do [ -d "$d/$sub" ] && attrs "$d/$sub"; done
  # a port's downstream ports (dportN links) and its parent's view of it
  for l in "$d"/dport* "$d"/uport; do [ -L "$l" ] && echo "### $l -> $(readlink "$l")"; done
  case "$n" in
    region*)
      for x in "$d"/dax_region*; do
        [ -d "$x/dax_region" ] || continue
        attrs "$x/dax_region"
        for dd in "$x"/dax*.*; do [ -d "$dd" ] && echo "### $dd" && attrs "$dd"; done
      done ;;
  esac
done
if [ -z "${CXL_ONLY:-}" ]; then
  s '/sys/devices/system/node'
  for a in online possible has_memory has_cpu; do echo "$a: $(cat /sys/devices/system/node/$a 2>/dev/null)"; done
  f=/sys/devices/system/memory/block_size_bytes; echo "### $f"; cat $f
fi
