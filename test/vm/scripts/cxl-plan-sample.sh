# The plan of samples/cxl2-6.12.dax (daxlayout plan against samples/cxl2-6.12.facts.json), write
# by write: the CXL region made through sysfs in the order of cxl-region-2way.sh, then its dax
# region split. test/core/cxl-plan.test.ts checks that this is the plan; run on the cxl2 machine
# (run-script.mjs --machine cxl2 --kernel 6.12|7.3) it shows the plan's prediction against the kernel.
# `# settle: DEVICE DRIVER FIRST LAST` is the plan's wait after the bind (server/core/plan/settle.ts):
# 7.3 probes the region's dax region after the bind returns; run-script.mjs waits as apply does.
# + decoder2.0: 1 GiB of mem0 (serial 0x1) as RAM
echo ram > /sys/bus/cxl/devices/decoder2.0/mode
echo 1073741824 > /sys/bus/cxl/devices/decoder2.0/dpa_size
# + decoder3.0: 1 GiB of mem1 (serial 0x2) as RAM
echo ram > /sys/bus/cxl/devices/decoder3.0/mode
echo 1073741824 > /sys/bus/cxl/devices/decoder3.0/dpa_size
# + region0: 2 GiB of window decoder0.0, 2 ways × 256 B over mem0, mem1; bound, its dax region 0 appears
echo region0 > /sys/bus/cxl/devices/decoder0.0/create_ram_region
echo 256 > /sys/bus/cxl/devices/region0/interleave_granularity
echo 2 > /sys/bus/cxl/devices/region0/interleave_ways
echo 2147483648 > /sys/bus/cxl/devices/region0/size
echo decoder2.0 > /sys/bus/cxl/devices/region0/target0
echo decoder3.0 > /sys/bus/cxl/devices/region0/target1
echo 1 > /sys/bus/cxl/devices/region0/commit
echo region0 > /sys/bus/cxl/drivers/cxl_region/bind  # settle: dax0.0 kmem 114 129
# ~ unbind dax0.0 from kmem
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind
# ~ shrink dax0.0 (tier2) from 2 GiB to 512 MiB
echo 536870912 > /sys/bus/dax/devices/dax0.0/size
# + create dax0.1 (app)
echo 1 > /sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax_region/create
# + create dax0.2 (tail)
echo 1 > /sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax_region/create
# ~ size dax0.1 (app) to 1 GiB
echo 1073741824 > /sys/bus/dax/devices/dax0.1/size
# ~ size dax0.2 (tail) to 512 MiB
echo 536870912 > /sys/bus/dax/devices/dax0.2/size
# ~ bind dax0.1 (app) to device_dax
echo dax0.1 > /sys/bus/dax/drivers/device_dax/new_id
# ~ bind dax0.0 (tier2) to kmem
echo dax0.0 > /sys/bus/dax/drivers/kmem/bind
# ~ bind dax0.2 (tail) to kmem
echo dax0.2 > /sys/bus/dax/drivers/kmem/bind
# ~ online 4 memory block(s) of dax0.0 (tier2) as Movable
echo online_movable > /sys/devices/system/memory/memory114/state
echo online_movable > /sys/devices/system/memory/memory115/state
echo online_movable > /sys/devices/system/memory/memory116/state
echo online_movable > /sys/devices/system/memory/memory117/state
