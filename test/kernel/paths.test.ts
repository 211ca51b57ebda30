// Other spellings of the same sysfs files: through the device link's `..`, and the node's memory-block links.
import { describe, it } from 'vitest';
import { linux612Boot, model } from './hosts';
import { expectSession } from './session';

describe('sysfs path spellings', () => {
  it('D/../dax_region/create reaches the region (the link resolves into its parent device)', () => {
    expectSession(
      model(linux612Boot()),
      `
      echo 1 > /sys/bus/dax/devices/dax0.0/../dax_region/create -> ENOSPC
      echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind -> ok
      echo 0 > /sys/bus/dax/devices/dax0.0/size -> ok
      echo 1 > /sys/bus/dax/devices/dax0.0/../dax_region/create -> ok
      echo 1 > /sys/bus/dax/devices/dax9.9/../dax_region/create -> ENOENT
      `,
    );
  });

  it('node<N>/memory<M>/state is the same block as memory/memory<M>/state (daxctl onlines through it)', () => {
    expectSession(
      model(linux612Boot()),
      `
      echo online_movable > /sys/devices/system/node/node1/memory32/state -> ok
      echo online_movable > /sys/devices/system/memory/memory32/state -> EINVAL
      echo offline > /sys/devices/system/memory/memory32/state -> ok
      echo online > /sys/devices/system/node/node0/memory33/state -> ENOENT
      `,
    );
  });
});

describe('missing files and missing directories (checked on the real 6.1 and 6.12 guests)', () => {
  it('a missing attribute in an existing directory is EACCES; a missing directory is ENOENT', () => {
    expectSession(
      model(linux612Boot()),
      `
      echo 1 > /sys/bus/dax/devices/dax0.0/nosuchattr -> EACCES
      echo 1 > /sys/devices/platform/hmem.0/dax_region/nosuchattr -> EACCES
      echo 1 > /sys/bus/dax/drivers/kmem/nosuchattr -> EACCES
      echo 1 > /sys/bus/dax/devices/dax0.9/size -> ENOENT
      echo 1 > /sys/bus/dax/devices/dax0.0/mapping7/start -> ENOENT
      echo 1 > /sys/bus/dax/drivers/nosuchdriver/bind -> ENOENT
      echo 1 > /sys/bus/dax/devices/dax0.0/driver/nosuchattr -> EACCES
      `,
    );
  });

  it('drivers/<driver>/daxR.N is a link to a bound device', () => {
    expectSession(
      model(linux612Boot()),
      `
      echo 0 > /sys/bus/dax/drivers/kmem/dax0.0/size -> EBUSY
      echo 0 > /sys/bus/dax/drivers/device_dax/dax0.0/size -> ENOENT
      `,
    );
  });
});
