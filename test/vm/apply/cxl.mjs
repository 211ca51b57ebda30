#!/usr/bin/env node
// test/vm/apply/cxl.mjs: `daxlayout apply` of a `cxl region` on the cxl2 machine (test/vm/vm.mjs,
// QEMU 10, two volatile memdevs behind one host bridge) under a real kernel: the facts captured
// over SSH carry the CXL topology; apply of samples/cxl2-6.12.dax creates region0 through sysfs
// (mode, dpa_size, create_ram_region, granularity, ways, size, targets, commit, bind — then waits
// for the region's dax device, which 7.3 probes after the bind returns) and splits its dax region,
// verified; the guest's daxctl list equals the core's prediction; the CXL region in sysfs is what
// the plan made; apply again writes nothing. One boot per kernel. The apply suite
// (test/vm/apply/run.mjs) runs it on 6.12 and 7.3 (`cxlApply`); by hand:
//   node test/vm/apply/cxl.mjs [--kernel 6.12|7.3]   (default: both)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootGuest, daxlayout, ROOT, sshArgs } from './lib.mjs';

const require = createRequire(import.meta.url);
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const json = (r) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout.slice(0, 400)}\n${r.stderr.slice(0, 400)}`);
  }
};
const normalise = (regions) =>
  regions.map((r) => ({
    ...r,
    devices: [...(r.devices ?? [])].sort((a, b) => a.chardev.localeCompare(b.chardev, 'en', { numeric: true })),
  }));
async function guestDaxctl(vm) {
  const r = await vm.ssh(['daxctl', 'list', '-RDMi']);
  assert.equal(r.code, 0, r.stderr);
  return normalise(JSON.parse(r.stdout || '[]'));
}

/**
 * Boots the cxl2 machine on `kernel` and runs the checks through `check(name, f)` (the caller's
 * counter); the CLI and the core must be built. Returns the boot time in ms.
 */
export async function cxlApply(kernel, check) {
  const core = require(join(ROOT, 'server', 'dist', 'core.cjs'));
  console.log(`\n== Linux ${kernel}: samples/cxl2-6.12.dax on the cxl2 machine`);
  const tBoot = Date.now();
  const g = await bootGuest(kernel, { machine: 'cxl2' });
  console.log(`  booted ${g.vm.release} in ${s(Date.now() - tBoot)} (port ${g.vm.port})`);
  const ssh = sshArgs(g);
  const layout = join(g.dir, 'cxl2.dax');
  writeFileSync(
    layout,
    readFileSync(join(ROOT, 'samples', 'cxl2-6.12.dax'), 'utf8')
      .replace(/port \d+/, `port ${g.vm.port}`)
      .replace(/\n\s*facts "[^"]*"/, ''),
  );
  const factsFile = join(g.dir, 'facts.json');
  try {
    await check('facts over SSH carry the CXL topology (two memdevs, serials 1 and 2, window decoder0.0)', async () => {
      const r = await daxlayout(['facts', 'root@127.0.0.1', '--port', String(g.vm.port), ...ssh, '-o', factsFile]);
      assert.equal(r.code, 0, r.stderr);
      const f = JSON.parse(readFileSync(factsFile, 'utf8'));
      // memdevs are numbered in probe order: which of mem0 and mem1 has serial 1 changes between boots
      assert.deepEqual(f.cxl.memdevs.map((m) => [m.serial, m.ramSize]).sort(), [
        ['0x1', 1073741824],
        ['0x2', 1073741824],
      ]);
      console.log(`        ${f.cxl.memdevs.map((m) => `${m.name} serial ${m.serial}`).join(', ')}`);
      assert.deepEqual(
        f.cxl.decoders.filter((d) => d.kind === 'root').map((d) => [d.name, d.start, d.capRam]),
        [['decoder0.0', '0x390000000', true]],
      );
    });
    let plan;
    await check(
      'apply: the region is made and split, verified; daxctl in the guest equals the prediction',
      async () => {
        plan = json(await daxlayout(['plan', layout, '--json', ...ssh]));
        assert.equal(plan.diagnostics.length, 0, JSON.stringify(plan.diagnostics));
        const writes = plan.steps.flatMap((x) => x.writes);
        // the bind carries the wait for the region's dax device (7.3 probes it after the write returns)
        const bind = writes.find((w) => w.path === '/sys/bus/cxl/drivers/cxl_region/bind');
        assert.deepEqual(bind?.settle, {
          device: 'dax0.0',
          driver: 'kmem',
          blocks: { first: 114, last: 129 },
          timeoutS: 120,
        });
        // mode then dpa_size on the endpoint decoder of each memdev, in the order of the serials
        assert.deepEqual(
          writes.slice(0, 4).map((w) => w.path.replace(/^\/sys\/bus\/cxl\/devices\/decoder[23]\.0\//, '')),
          ['mode', 'dpa_size', 'mode', 'dpa_size'],
        );
        const { facts } = core.readFacts(readFileSync(factsFile, 'utf8'), 'before');
        const model = core.KernelModel.fromFacts(facts);
        for (const w of writes) assert.equal(model.write(w.path, `${w.value}\n`).kind, 'ok', `${w.path} ← ${w.value}`);
        const r = await daxlayout(['apply', layout, '--yes', '--json', '--fingerprint', plan.fingerprint, ...ssh]);
        const res = json(r);
        assert.equal(res.result, 'applied', `${res.message}\n${r.stderr}`);
        assert.equal(r.code, 0);
        assert.deepEqual(res.verification, { ok: true, differences: [] });
        const predicted = normalise(core.toDaxctlJson(model.state));
        assert.deepEqual(await guestDaxctl(g.vm), predicted);
        console.log(`        ${res.writesTotal} writes in ${s(res.elapsedMs)}`);
      },
    );
    await check(
      'the CXL region in sysfs is the plan: 2 GiB at 0x390000000, 2 ways × 256, serial 1 at position 0, committed, bound',
      async () => {
        const r = await g.vm.ssh(
          'cd /sys/bus/cxl/devices/region0 && cat size resource interleave_ways interleave_granularity target0 target1 commit && readlink driver',
        );
        assert.equal(r.code, 0, r.stderr);
        const [size, resource, ways, gran, t0, t1, commit, driver] = r.stdout.trim().split('\n');
        // position i holds the memdev with serial i + 1, whichever memN and endpoint port it has on this boot
        const f = JSON.parse(readFileSync(factsFile, 'utf8'));
        const decoderOf = (serial) => {
          const m = f.cxl.memdevs.find((x) => x.serial === serial);
          const ep = f.cxl.ports.find((p) => p.kind === 'endpoint' && p.uport === m.name);
          return f.cxl.decoders.find((d) => d.kind === 'endpoint' && d.port === ep.name && d.name.endsWith('.0')).name;
        };
        const [first, second] = [decoderOf('0x1'), decoderOf('0x2')];
        assert.deepEqual(
          [size, resource, ways, gran, t0, t1, commit],
          ['0x80000000', '0x390000000', '2', '256', first, second, '1'],
        );
        assert.match(driver, /cxl_region$/);
      },
    );
    await check('apply again: no changes', async () => {
      const r = await daxlayout(['apply', layout, '--yes', '--json', ...ssh]);
      const res = json(r);
      assert.equal(res.result, 'no-changes', `${res.message}\n${r.stdout.slice(0, 2000)}`);
      assert.equal(res.writesTotal, 0);
      assert.equal(r.code, 0);
    });
  } finally {
    await g.vm.shutdown();
  }
  return g.vm.bootMs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const kernels = args.includes('--kernel') ? [args[args.indexOf('--kernel') + 1]] : ['6.12', '7.3'];
  execFileSync('sh', [join(ROOT, 'test', 'vm', 'setup.sh'), ...kernels], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(ROOT, 'server', 'build.mjs')], { stdio: 'inherit' });
  const results = [];
  const check = async (name, f) => {
    const t = Date.now();
    try {
      await f();
      results.push({ name, ok: true });
      console.log(`  ok   ${name} (${s(Date.now() - t)})`);
    } catch (e) {
      results.push({ name, ok: false });
      console.log(`  FAIL ${name}: ${e.message}`);
    }
  };
  for (const kernel of kernels) await cxlApply(kernel, check);
  const failed = results.filter((r) => !r.ok);
  console.log(`\n${results.length - failed.length}/${results.length} checks passed`);
  process.exit(failed.length ? 1 : 0);
}
