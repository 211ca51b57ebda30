# 7.2+ variant of test/fixtures/sim/real-6.12.sh: the same writes, with the hmem region at its
# 7.2+ path, /sys/devices/platform/hmem_platform.0/hmem.0 (docs/kernel-facts.md §16).
#   daxlayout sim --facts <daxctl list -RDMi of the boot> --kernel 7.3.4+deb13-amd64 real-7.2.sh
echo 0 > /sys/bus/dax/devices/dax0.0/size                      # expect: EBUSY
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind                 # expect: ok
echo 0 > /sys/bus/dax/devices/dax0.0/size                      # expect: ok
echo 1 > /sys/devices/platform/hmem_platform.0/hmem.0/dax_region/create        # expect: ok
echo 268435456 > /sys/bus/dax/devices/dax0.1/size              # expect: ok
echo dax0.1 > /sys/bus/dax/drivers/device_dax/bind             # expect: ENODEV
echo dax0.1 > /sys/bus/dax/drivers/device_dax/new_id           # expect: ok
echo dax0.1 > /sys/bus/dax/drivers/device_dax/bind             # expect: EBUSY
echo 0x170000000-0x1700fffff > /sys/bus/dax/devices/dax0.0/mapping  # expect: ok
echo 0x180000000-0x181ffffff > /sys/bus/dax/devices/dax0.0/mapping  # expect: ENOMEM
echo 0x160000000-0x167ffffff > /sys/bus/dax/devices/dax0.0/mapping  # expect: ok
echo dax0.0 > /sys/bus/dax/drivers/kmem/bind                   # expect: ok
echo online_movable > /sys/devices/system/memory/memory44/state # expect: ok
echo online_movable > /sys/devices/system/memory/memory44/state # expect: EINVAL
echo 1 > /sys/bus/dax/devices/dax0.0/memmap_on_memory          # expect: EOPNOTSUPP
echo offline > /sys/devices/system/memory/memory44/state       # expect: ok
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind                 # expect: ok
