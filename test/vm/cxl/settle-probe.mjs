#!/usr/bin/env node
// test/vm/cxl/settle-probe.mjs (by hand): what a real kernel has finished when the write binding a
// CXL region to cxl_region returns, and when the rest appears (docs/cxl.md, "The region's dax
// device settles after the bind"). Boots the cxl2 machine, runs settle-probe.sh: makes region0
// over the first endpoint decoder of each memdev, binds it, then polls with shell builtins only
// (no fork between the bind and the first look) for the cxl_dax_region device, its driver,
// dax0.0, its kmem binding and its 16 memory blocks, printing each change with /proc/uptime.
//   node test/vm/cxl/settle-probe.mjs 7.3|6.12
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boot } from '../vm.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const kernel = process.argv[2] ?? '7.3';
execFileSync('sh', [join(HERE, '..', 'setup.sh'), kernel], { stdio: 'inherit' });
const vm = await boot({ kernel, machine: 'cxl2' });
console.log(`booted ${vm.release} in ${(vm.bootMs / 1000).toFixed(1)} s`);
try {
  const r = await vm.ssh(['sh', '-s', 'decoder2.0', 'decoder3.0'], readFileSync(join(HERE, 'settle-probe.sh'), 'utf8'));
  console.log(r.stdout, r.stderr);
} finally {
  await vm.shutdown();
}
