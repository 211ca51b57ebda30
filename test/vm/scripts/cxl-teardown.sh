# Granularities other than the window's, and tearing a bound region down with its memory online:
# detaching a target releases the region's driver (the dax device goes, its kmem memory stays
# online, stuck until reboot), resets the decoders; the region is then deleted. Measured on 6.12
# and 7.3 (docs/cxl.md); run by hand: run-script.mjs --machine cxl2 --kernel 6.12|7.3.
echo ram > /sys/bus/cxl/devices/decoder2.0/mode
echo ram > /sys/bus/cxl/devices/decoder3.0/mode
echo 0x40000000 > /sys/bus/cxl/devices/decoder2.0/dpa_size
echo 0x40000000 > /sys/bus/cxl/devices/decoder3.0/dpa_size
echo region0 > /sys/bus/cxl/devices/decoder0.0/create_ram_region
echo 512 > /sys/bus/cxl/devices/region0/interleave_granularity
echo 2 > /sys/bus/cxl/devices/region0/interleave_ways
echo 0x80000000 > /sys/bus/cxl/devices/region0/size
echo decoder2.0 > /sys/bus/cxl/devices/region0/target0
echo decoder3.0 > /sys/bus/cxl/devices/region0/target1
echo 1 > /sys/bus/cxl/devices/region0/commit
echo region0 > /sys/bus/cxl/drivers/cxl_region/bind
echo region0 > /sys/bus/cxl/devices/decoder0.0/delete_region
echo region0 > /sys/bus/cxl/devices/decoder0.0/create_ram_region
echo 4096 > /sys/bus/cxl/devices/region0/interleave_granularity
echo 1 > /sys/bus/cxl/devices/region0/interleave_ways
echo 0x40000000 > /sys/bus/cxl/devices/region0/size
echo decoder3.0 > /sys/bus/cxl/devices/region0/target0
echo 1 > /sys/bus/cxl/devices/region0/commit
echo region0 > /sys/bus/cxl/drivers/cxl_region/bind
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind
echo region0 > /sys/bus/cxl/drivers/cxl_region/unbind
echo region0 > /sys/bus/cxl/drivers/cxl_region/unbind  # expect: ENODEV
echo region0 > /sys/bus/cxl/devices/decoder0.0/delete_region
echo region0 > /sys/bus/cxl/devices/decoder0.0/create_ram_region
echo 256 > /sys/bus/cxl/devices/region0/interleave_granularity
echo 2 > /sys/bus/cxl/devices/region0/interleave_ways
echo 0x80000000 > /sys/bus/cxl/devices/region0/size
echo decoder2.0 > /sys/bus/cxl/devices/region0/target0
echo decoder3.0 > /sys/bus/cxl/devices/region0/target1
echo 1 > /sys/bus/cxl/devices/region0/commit
echo region0 > /sys/bus/cxl/drivers/cxl_region/bind
echo online_movable > /sys/devices/system/memory/memory114/state
echo online_movable > /sys/devices/system/memory/memory115/state
echo online_movable > /sys/devices/system/memory/memory116/state
echo online_movable > /sys/devices/system/memory/memory117/state
echo online_movable > /sys/devices/system/memory/memory118/state
echo online_movable > /sys/devices/system/memory/memory119/state
echo online_movable > /sys/devices/system/memory/memory120/state
echo online_movable > /sys/devices/system/memory/memory121/state
echo online_movable > /sys/devices/system/memory/memory122/state
echo online_movable > /sys/devices/system/memory/memory123/state
echo online_movable > /sys/devices/system/memory/memory124/state
echo online_movable > /sys/devices/system/memory/memory125/state
echo online_movable > /sys/devices/system/memory/memory126/state
echo online_movable > /sys/devices/system/memory/memory127/state
echo online_movable > /sys/devices/system/memory/memory128/state
echo online_movable > /sys/devices/system/memory/memory129/state
echo > /sys/bus/cxl/devices/region0/target0
echo region0 > /sys/bus/cxl/drivers/cxl_region/unbind  # expect: ENODEV
echo region0 > /sys/bus/cxl/drivers/cxl_region/bind  # expect: ENXIO
echo 0 > /sys/bus/cxl/devices/region0/commit
echo region0 > /sys/bus/cxl/devices/decoder0.0/delete_region
