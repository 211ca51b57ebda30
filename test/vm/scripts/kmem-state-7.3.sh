# 7.3: the kmem device attribute daxX.Y/state, write by write (docs/kernel-facts.md §16.1).
# Boot state: dax0.0 holds the 2 GiB region, bound to kmem, its 16 memory
# blocks (memory32..47) offline, `state` reading `offline`. Expectations are the measured ones.
echo bogus > /sys/bus/dax/devices/dax0.0/state                  # expect: EINVAL
echo offline > /sys/bus/dax/devices/dax0.0/state                # expect: EINVAL
echo online_movable > /sys/bus/dax/devices/dax0.0/state         # expect: EBUSY
echo online > /sys/bus/dax/devices/dax0.0/state                 # expect: EBUSY
echo online_kernel > /sys/bus/dax/devices/dax0.0/state          # expect: EBUSY
# onlining a block by hand is not recorded: state still reads offline
echo online_movable > /sys/devices/system/memory/memory44/state # expect: ok
echo online_movable > /sys/bus/dax/devices/dax0.0/state         # expect: EBUSY
# unplugged removes every block, the one onlined by hand too
echo unplugged > /sys/bus/dax/devices/dax0.0/state              # expect: ok
echo online_movable > /sys/devices/system/memory/memory44/state # expect: ENOENT
echo unplugged > /sys/bus/dax/devices/dax0.0/state              # expect: ok
echo online_movable > /sys/bus/dax/devices/dax0.0/state         # expect: ok
echo online_movable > /sys/bus/dax/devices/dax0.0/state         # expect: ok
echo online_kernel > /sys/bus/dax/devices/dax0.0/state          # expect: EBUSY
echo online > /sys/bus/dax/devices/dax0.0/state                 # expect: EBUSY
echo unplugged > /sys/bus/dax/devices/dax0.0/state              # expect: ok
echo online_kernel > /sys/bus/dax/devices/dax0.0/state          # expect: ok
echo online_movable > /sys/bus/dax/devices/dax0.0/state         # expect: EBUSY
echo online > /sys/bus/dax/devices/dax0.0/state                 # expect: EBUSY
echo offline > /sys/bus/dax/devices/dax0.0/state                # expect: EINVAL
# kernel-zone memory does not go away ("hotremove failed, device left online")
echo unplugged > /sys/bus/dax/devices/dax0.0/state              # expect: EBUSY
# unbinding kmem with the memory online succeeds (the memory stays, stuck online until reboot)
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind                  # expect: ok
echo unplugged > /sys/bus/dax/devices/dax0.0/state              # expect: EACCES
echo 0 > /sys/bus/dax/devices/dax0.0/size                       # expect: ok
