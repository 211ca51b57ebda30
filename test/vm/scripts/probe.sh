# Edge probes beyond the fixtures, for the model to be checked against on every kernel (boot
# state: dax0.0 holds the 2 GiB region [0x100000000, 0x17fffffff], bound to device_dax on 6.1,
# to kmem with its blocks offline from 6.3). No `# expect:` claims: the harness compares every
# line with `daxlayout sim`. run-script.mjs runs it as the kernel has it: lines marked
# `# only: K…` on those kernels only, the hmem region at its 7.2+ path on 7.2 and later.
#   node test/vm/run-script.mjs --kernel 6.1|6.12|6.18|7.2|7.3 test/vm/scripts/probe.sh
# -- on a bound device, and attributes that are read-only or absent
echo 4096 > /sys/bus/dax/devices/dax0.0/align
echo 0x100000000-0x1001fffff > /sys/bus/dax/devices/dax0.0/mapping
echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind
echo 1 > /sys/devices/platform/hmem.0/dax_region/size
echo 1 > /sys/bus/dax/devices/dax0.0/nosuchattr
echo 1 > /sys/devices/platform/hmem.0/dax_region/nosuchattr
echo 1 > /sys/bus/dax/drivers/kmem/nosuchattr
echo 1 > /sys/bus/dax/devices/dax0.0/mapping7/start
echo 1 > /sys/devices/platform/hmem.0/dax_region/create
echo dax0.5 > /sys/bus/dax/drivers/device_dax/unbind
# -- size parsing
echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind  # only: 6.1
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind  # only: 6.12 6.18 7.2 7.3
echo 0x40000000 > /sys/bus/dax/devices/dax0.0/size
echo 4M > /sys/bus/dax/devices/dax0.0/size
echo -1 > /sys/bus/dax/devices/dax0.0/size
# -- several zero-size devices, delete, id reuse
echo 1 > /sys/devices/platform/hmem.0/dax_region/create
echo 1 > /sys/devices/platform/hmem.0/dax_region/create
echo dax0.1 > /sys/devices/platform/hmem.0/dax_region/delete
echo 1 > /sys/devices/platform/hmem.0/dax_region/create
echo dax0.3 > /sys/devices/platform/hmem.0/dax_region/delete
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
# -- kmem: on 6.1 bind by name needs new_id (kmem does not match every device); from 6.3 the
# region is of kmem type, so kmem matches by type
echo 1 > /sys/devices/platform/hmem.0/dax_region/create
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
# offlining memory44, stranded by the unbind and onlined with `online` into the kernel zone: ok on
# 6.1 and 6.12; EBUSY on 6.18.15 and 7.3.4 (dmesg "page dumped because: unmovable page": slab
# landed in node 1's kernel zone), which the model declines from 6.18 (docs/kernel-model.md)
echo offline > /sys/devices/system/memory/memory44/state  # only: 6.1 6.12
