# A RAM region of interleave 2 over both memdevs of the cxl2 machine (test/vm/vm.mjs), created
# through sysfs as docs/cxl.md describes, with refused writes on the way; then its dax region
# split, and the region deleted. Run on 6.12, 6.18, 7.2 and 7.3: run-script.mjs --machine cxl2.
echo region1 > /sys/bus/cxl/devices/decoder0.0/create_ram_region  # expect: EBUSY
echo region0 > /sys/bus/cxl/devices/decoder0.0/create_ram_region
echo 1 > /sys/bus/cxl/devices/region0/commit  # expect: ENXIO
echo 0x40000000 > /sys/bus/cxl/devices/region0/size  # expect: ENXIO
echo 300 > /sys/bus/cxl/devices/region0/interleave_granularity  # expect: EINVAL
echo 256 > /sys/bus/cxl/devices/region0/interleave_granularity
echo 3 > /sys/bus/cxl/devices/region0/interleave_ways  # expect: EINVAL
echo 2 > /sys/bus/cxl/devices/region0/interleave_ways
echo 0x10000000 > /sys/bus/cxl/devices/region0/size  # expect: EINVAL
echo 0x200000000 > /sys/bus/cxl/devices/region0/size  # expect: ERANGE
echo 0x80000000 > /sys/bus/cxl/devices/region0/size
echo 512 > /sys/bus/cxl/devices/region0/interleave_granularity  # expect: EBUSY
# mode none: EINVAL on 6.12, ENODEV on 6.18 and later
echo decoder2.0 > /sys/bus/cxl/devices/region0/target0
# DPA while the mode is none: EINVAL on 6.12, EBUSY on 6.18 and later
echo 0x40000000 > /sys/bus/cxl/devices/decoder2.0/dpa_size
# pmem on a volatile-only memdev: ENXIO on 6.12, EINVAL on 6.18 and later
echo pmem > /sys/bus/cxl/devices/decoder2.0/mode
echo ram > /sys/bus/cxl/devices/decoder2.0/mode
echo 0x50000000 > /sys/bus/cxl/devices/decoder2.0/dpa_size  # expect: ENOSPC
echo 0x1000000 > /sys/bus/cxl/devices/decoder2.0/dpa_size  # expect: EINVAL
echo 0x40000000 > /sys/bus/cxl/devices/decoder2.0/dpa_size
echo ram > /sys/bus/cxl/devices/decoder3.1/mode
echo 0x10000000 > /sys/bus/cxl/devices/decoder3.1/dpa_size  # expect: EBUSY
echo ram > /sys/bus/cxl/devices/decoder3.0/mode
echo 0x40000000 > /sys/bus/cxl/devices/decoder3.0/dpa_size
echo decoder2.0 > /sys/bus/cxl/devices/region0/target0
echo decoder2.0 > /sys/bus/cxl/devices/region0/target1  # expect: EBUSY
echo 1 > /sys/bus/cxl/devices/region0/commit  # expect: ENXIO
echo decoder3.0 > /sys/bus/cxl/devices/region0/target1
echo 0 > /sys/bus/cxl/devices/decoder2.0/dpa_size  # expect: EBUSY
echo region0 > /sys/bus/cxl/drivers/cxl_region/bind  # expect: ENXIO
echo 1 > /sys/bus/cxl/devices/region0/commit
echo 0 > /sys/bus/cxl/devices/region0/size  # expect: EBUSY
echo region0 > /sys/bus/cxl/drivers/cxl_region/bind
echo region0 > /sys/bus/cxl/drivers/cxl_region/bind  # expect: EBUSY
# its dax region: dax0.0 (2 GiB, kmem, offline) split in three
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind
echo 0 > /sys/bus/dax/devices/dax0.0/size
echo 536870912 > /sys/bus/dax/devices/dax0.0/size
echo 1 > /sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax_region/create
echo 1073741824 > /sys/bus/dax/devices/dax0.1/size
echo 1 > /sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax_region/create
echo 536870912 > /sys/bus/dax/devices/dax0.2/size
echo 1 > /sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax_region/create  # expect: ENOSPC
echo dax0.1 > /sys/bus/dax/drivers/kmem/bind
echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind  # expect: ENODEV
# the region goes with its dax devices (kmem memory offline)
echo region0 > /sys/bus/cxl/devices/decoder0.0/delete_region
echo region0 > /sys/bus/cxl/devices/decoder0.0/delete_region  # expect: ENODEV
echo region0 > /sys/bus/cxl/devices/decoder0.0/create_ram_region
# region1 is on offer: `region01` is region1 (the id is read with sscanf; 6.12, 6.18, 7.2, 7.3)
echo region01 > /sys/bus/cxl/devices/decoder0.0/create_ram_region
