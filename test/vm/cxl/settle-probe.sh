# test/vm/cxl/settle-probe.sh (run by settle-probe.mjs on the cxl2 machine): region0 made and bound,
# then, with no fork between the bind and the first look, every change of what the bind started.
t() { read u _ < /proc/uptime; T=$u; }
B=/sys/bus/cxl/devices
EP0=$1; EP1=$2
for d in $EP0 $EP1; do echo ram > $B/$d/mode; echo 1073741824 > $B/$d/dpa_size; done
echo region0 > $B/decoder0.0/create_ram_region
echo 256 > $B/region0/interleave_granularity
echo 2 > $B/region0/interleave_ways
echo 2147483648 > $B/region0/size
echo $EP0 > $B/region0/target0
echo $EP1 > $B/region0/target1
echo 1 > $B/region0/commit
t; t0=$T
echo region0 > /sys/bus/cxl/drivers/cxl_region/bind; rc=$?
t; echo "@@ bind rc=$rc $t0 -> $T"
last=''; i=0
while [ $i -lt 400 ]; do
  s=''
  [ -e /sys/bus/cxl/devices/region0/dax_region0 ] && s="$s cxl_dax_region"
  [ -e /sys/bus/cxl/devices/dax_region0/driver ] && s="$s drv"
  [ -e /sys/bus/dax/devices/dax0.0 ] && s="$s dax0.0"
  [ -e /sys/bus/dax/drivers/kmem/dax0.0 ] && s="$s kmem"
  on=0; n=0
  for b in 114 115 116 117 118 119 120 121 122 123 124 125 126 127 128 129; do
    if [ -e /sys/devices/system/memory/memory$b/state ]; then
      n=$((n+1)); read st < /sys/devices/system/memory/memory$b/state; [ "$st" = online ] && on=$((on+1))
    fi
  done
  s="$s blocks=$n online=$on"
  if [ "$s" != "$last" ]; then t; echo "@@ $T i=$i:$s"; last=$s; fi
  i=$((i+1))
done
t; echo "@@ end $T i=$i"
# then: is a kmem new_id bound when its write returns?
echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind; echo "@@ unbind rc=$?"
echo 536870912 > /sys/bus/dax/devices/dax0.0/size; echo "@@ shrink rc=$?"
echo 1 > /sys/bus/cxl/devices/region0/dax_region0/dax_region/create; echo "@@ create rc=$?"
echo 536870912 > /sys/bus/dax/devices/dax0.1/size; echo "@@ size rc=$?"
echo dax0.1 > /sys/bus/dax/drivers/kmem/new_id; rc=$?
a=no; [ -e /sys/bus/dax/drivers/kmem/dax0.1 ] && a=yes
echo "@@ kmem new_id dax0.1 rc=$rc bound-right-after=$a"
i=0; while [ ! -e /sys/bus/dax/drivers/kmem/dax0.1 ] && [ $i -lt 5000 ]; do i=$((i+1)); done; echo "@@ bound after $i polls"
dmesg | tail -12
