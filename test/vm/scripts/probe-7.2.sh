# 7.2+ variant of probe-6.12.sh: the same writes, with the hmem region at its 7.2+ path,
# /sys/devices/platform/hmem_platform.0/hmem.0 (docs/kernel-facts.md §16). No `# expect:` claims.
#   node test/vm/run-script.mjs --kernel 7.3 test/vm/scripts/probe-7.2.sh
# Left out: the last write of probe-6.12.sh (offline memory44 after kmem/unbind stranded it,
# onlined with `online` into the kernel zone): 6.18.15 and 7.3.4 answered EBUSY (dmesg "page
# dumped because: unmovable page": slab landed in node 1's kernel zone), 6.12 ok. Where the page
# allocator puts unmovable pages is not modelled (docs/kernel-model.md, "Not modelled").
# -- on a bound device, and attributes that are read-only or absent
echo 4096 > /sys/bus/dax/devices/dax0.0/align
echo 0x100000000-0x1001fffff > /sys/bus/dax/devices/dax0.0/mapping
echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/size
echo 1 > /sys/bus/dax/devices/dax0.0/nosuchattr
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/nosuchattr
echo 1 > /sys/bus/dax/drivers/kmem/nosuchattr
echo 1 > /sys/bus/dax/devices/dax0.0/mapping7/start
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/create
echo dax0.5 > /sys/bus/dax/drivers/device_dax/unbind
# -- size parsing
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind
echo 0x40000000 > /sys/bus/dax/devices/dax0.0/size
echo 4M > /sys/bus/dax/devices/dax0.0/size
echo -1 > /sys/bus/dax/devices/dax0.0/size
# -- several zero-size devices, delete, id reuse
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/create
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/create
echo dax0.1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/delete
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/create
echo dax0.3 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/delete
echo dax0.1 > /sys/bus/dax/drivers/device_dax/bind
# -- mapping: exact ranges, gaps, adjacency, misaligned start, parse errors
echo 0x140000000-0x1401fffff > /sys/bus/dax/devices/dax0.1/mapping
echo 0x150000000-0x1503fffff > /sys/bus/dax/devices/dax0.1/mapping
echo 0x140200000-0x1403fffff > /sys/bus/dax/devices/dax0.1/mapping
echo 0x150400000-0x1505fffff > /sys/bus/dax/devices/dax0.1/mapping
echo 0x170100000-0x1702fffff > /sys/bus/dax/devices/dax0.1/mapping
echo 0x171fffff-0x170000000 > /sys/bus/dax/devices/dax0.1/mapping
echo garbage > /sys/bus/dax/devices/dax0.1/mapping
echo 0x13fe00000-0x1401fffff > /sys/bus/dax/devices/dax0.1/mapping
echo 4194304 > /sys/bus/dax/devices/dax0.1/size
echo 16777216 > /sys/bus/dax/devices/dax0.1/size
echo dax0.1 > /sys/bus/dax/drivers/device_dax/bind
echo 0 > /sys/bus/dax/devices/dax0.1/size
echo 0x150600000-0x1507fffff > /sys/bus/dax/devices/dax0.1/mapping
echo dax0.1 > /sys/bus/dax/drivers/device_dax/unbind
echo 1073741824 > /sys/bus/dax/devices/dax0.1/align
echo 0 > /sys/bus/dax/devices/dax0.1/size
echo 1073741824 > /sys/bus/dax/devices/dax0.1/align
echo 1073741824 > /sys/bus/dax/devices/dax0.1/size
echo 2097152 > /sys/bus/dax/devices/dax0.1/align
echo 0 > /sys/bus/dax/devices/dax0.1/size
# -- kmem on 6.12: the region is of kmem type, so kmem matches by type
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/create
echo 0x160000000-0x167ffffff > /sys/bus/dax/devices/dax0.2/mapping
echo dax0.2 > /sys/bus/dax/drivers/kmem/bind
echo dax0.2 > /sys/bus/dax/drivers/kmem/new_id
echo dax0.2 > /sys/bus/dax/drivers/kmem/bind
echo 0 > /sys/bus/dax/devices/dax0.2/size
echo online_movable > /sys/devices/system/memory/memory44/state
echo offline > /sys/devices/system/memory/memory44/state
echo online > /sys/devices/system/memory/memory44/state
echo dax0.2 > /sys/bus/dax/drivers/kmem/unbind
echo 0 > /sys/bus/dax/devices/dax0.2/size
