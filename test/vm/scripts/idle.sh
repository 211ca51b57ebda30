# Boots with dax_hmem.region_idle=1 (the region is registered with an empty dax0.0), then
# partitions it. No `# expect:` claims; run on either kernel:
#   node test/vm/run-script.mjs --region-idle --kernel 6.1 test/vm/scripts/idle.sh
echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind
echo dax0.0 > /sys/bus/dax/drivers/kmem/bind
echo 268435456 > /sys/bus/dax/devices/dax0.0/size
echo 1 > /sys/devices/platform/hmem.0/dax_region/create
echo 536870912 > /sys/bus/dax/devices/dax0.1/size
echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind
echo dax0.1 > /sys/bus/dax/drivers/kmem/bind
echo dax0.1 > /sys/bus/dax/drivers/device_dax/new_id
echo dax0.1 > /sys/bus/dax/drivers/device_dax/bind
echo 1 > /sys/devices/platform/hmem.0/dax_region/create
echo 0x170000000-0x177ffffff > /sys/bus/dax/devices/dax0.2/mapping
echo dax0.2 > /sys/bus/dax/drivers/kmem/new_id
