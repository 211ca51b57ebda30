#!/usr/bin/env node
// test/vm/capture-samples.mjs — recaptures the samples' facts from real kernels in QEMU
// (test/vm/vm.mjs): per sample, one boot, `daxlayout facts --raw` over SSH (the same capture
// program a user runs, ACPI HMAT included), the dump kept under test/fixtures/facts/ and turned
// into samples/*.facts.json with `daxlayout facts --from`, and the guest's `daxctl list -RDMi`
// kept beside it (test/fixtures/kernel/), so the kernel model can be checked against the boot.
//   node test/vm/capture-samples.mjs [--only NAME]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootGuest, daxlayout, ROOT, sshArgs } from './apply/lib.mjs';

const SAMPLES = [
  { name: 'linux-6.1-boot', kernel: '6.1', facts: 'linux-6.1.facts.json' },
  { name: 'linux-6.1-boot-node1-online', kernel: '6.1', facts: 'linux-6.1-node1-online.facts.json', memmap: '1G%5G-1+0xefffffff' },
  { name: 'linux-6.12-boot', kernel: '6.12', facts: 'linux-6.12.facts.json' },
];

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

execFileSync('sh', [join(ROOT, 'test', 'vm', 'setup.sh'), '6.1', '6.12'], { stdio: 'inherit' });
execFileSync(process.execPath, [join(ROOT, 'server', 'build.mjs')], { stdio: 'inherit' });

for (const s of SAMPLES) {
  if (only && !s.name.includes(only)) continue;
  const t0 = Date.now();
  const g = await bootGuest(s.kernel, s.memmap ? { memmap: s.memmap } : {});
  try {
    const raw = await daxlayout(['facts', 'root@127.0.0.1', '--port', String(g.vm.port), '--raw', ...sshArgs(g)]);
    if (raw.code !== 0) throw new Error(`facts --raw exited ${raw.code}: ${raw.stderr}`);
    const dump = join(ROOT, 'test', 'fixtures', 'facts', `${s.name}.capture.txt`);
    writeFileSync(dump, raw.stdout);
    const daxctl = await g.vm.ssh(['daxctl', 'list', '-RDMi']);
    if (daxctl.code !== 0) throw new Error(`daxctl exited ${daxctl.code}: ${daxctl.stderr}`);
    writeFileSync(join(ROOT, 'test', 'fixtures', 'kernel', `${s.name}.daxctl.json`), JSON.stringify(JSON.parse(daxctl.stdout), null, 2) + '\n');
    // the facts name their source as the dump's path relative to the repository
    const out = await daxlayout(['facts', '--from', `test/fixtures/facts/${s.name}.capture.txt`, '-o', join('samples', s.facts)]);
    if (out.code !== 0) throw new Error(`facts --from exited ${out.code}: ${out.stderr}`);
    console.log(`${s.name}: ${g.vm.release}, boot ${(g.vm.bootMs / 1000).toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(1)} s → samples/${s.facts}`);
  } finally {
    await g.vm.shutdown();
  }
}
