# 7.2+ variant of ndctl-create-test2-6.12.sh (ndctl test/daxctl-create.sh, test 2, as raw writes):
# the same writes, with the hmem region at its 7.2+ path, /sys/devices/platform/hmem_platform.0/hmem.0.
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind                 # expect: ok
echo 0 > /sys/bus/dax/devices/dax0.0/size                      # expect: ok
echo 536870912 > /sys/bus/dax/devices/dax0.0/size              # expect: ok
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/create        # expect: ok
echo 536870912 > /sys/bus/dax/devices/dax0.1/size              # expect: ok
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/create        # expect: ok
echo 536870912 > /sys/bus/dax/devices/dax0.2/size              # expect: ok
echo 0 > /sys/bus/dax/devices/dax0.1/size                      # expect: ok
echo dax0.1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/delete   # expect: ok
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/create        # expect: ok
echo 1073741824 > /sys/bus/dax/devices/dax0.1/size             # expect: ok
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/create        # expect: ENOSPC
