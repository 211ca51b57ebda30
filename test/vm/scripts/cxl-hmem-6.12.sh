# The hmem-cxl machine on 6.12: hmem's region and a CXL region in one guest share the region id space
# (docs/cxl.md): hmem.0 registered first, so the CXL region is region1 and its devices dax1.N. Both regions are then
# partitioned. Run by hand: run-script.mjs --machine hmem-cxl --kernel 6.12.
echo region0 > /sys/bus/cxl/devices/decoder0.0/create_ram_region  # expect: EBUSY
echo ram > /sys/bus/cxl/devices/decoder2.0/mode
echo ram > /sys/bus/cxl/devices/decoder3.0/mode
echo 0x40000000 > /sys/bus/cxl/devices/decoder2.0/dpa_size
echo 0x40000000 > /sys/bus/cxl/devices/decoder3.0/dpa_size
echo region1 > /sys/bus/cxl/devices/decoder0.0/create_ram_region
echo 256 > /sys/bus/cxl/devices/region1/interleave_granularity
echo 2 > /sys/bus/cxl/devices/region1/interleave_ways
echo 0x80000000 > /sys/bus/cxl/devices/region1/size
echo decoder3.0 > /sys/bus/cxl/devices/region1/target0
echo decoder2.0 > /sys/bus/cxl/devices/region1/target1
echo 1 > /sys/bus/cxl/devices/region1/commit
echo region1 > /sys/bus/cxl/drivers/cxl_region/bind
# the CXL dax region: dax1.0 shrunk, a second device
echo dax1.0 > /sys/bus/dax/drivers/kmem/unbind
echo 1073741824 > /sys/bus/dax/devices/dax1.0/size
echo 1 > /sys/devices/platform/ACPI0017:00/root0/decoder0.0/region1/dax_region1/dax_region/create
echo 1073741824 > /sys/bus/dax/devices/dax1.1/size
echo dax1.1 > /sys/bus/dax/drivers/kmem/bind
# the hmem region next to it
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind
echo 536870912 > /sys/bus/dax/devices/dax0.0/size
echo 1 > /sys/devices/platform/hmem.0/dax_region/create
echo 536870912 > /sys/bus/dax/devices/dax0.1/size
