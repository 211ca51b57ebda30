# 6.12 variant of test/fixtures/sim/ndctl-create-test2.sh: on 6.12 the hmem device binds to
# kmem at boot, so the first write unbinds it from kmem instead of device_dax; the rest is
# the same. ndctl test/daxctl-create.sh, test 2, as raw writes on a 2 GiB region (A = 2 GiB):
# dax0.0 takes A/4 at the region start, two A/4 devices follow, the first is destroyed,
# and an A/2 device then fills the middle hole and the tail: two mappings, region full.
#   daxlayout sim --facts samples/linux-6.12.daxctl.json --kernel 6.12.117+deb12-amd64 ndctl-create-test2-6.12.sh
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind                 # expect: ok
echo 0 > /sys/bus/dax/devices/dax0.0/size                      # expect: ok
echo 536870912 > /sys/bus/dax/devices/dax0.0/size              # expect: ok
echo 1 > /sys/devices/platform/hmem.0/dax_region/create        # expect: ok
echo 536870912 > /sys/bus/dax/devices/dax0.1/size              # expect: ok
echo 1 > /sys/devices/platform/hmem.0/dax_region/create        # expect: ok
echo 536870912 > /sys/bus/dax/devices/dax0.2/size              # expect: ok
echo 0 > /sys/bus/dax/devices/dax0.1/size                      # expect: ok
echo dax0.1 > /sys/devices/platform/hmem.0/dax_region/delete   # expect: ok
echo 1 > /sys/devices/platform/hmem.0/dax_region/create        # expect: ok
echo 1073741824 > /sys/bus/dax/devices/dax0.1/size             # expect: ok
echo 1 > /sys/devices/platform/hmem.0/dax_region/create        # expect: ENOSPC
