// CXL regions of the host that the layout does not declare (plan/cxl.ts): kept with a note, or,
// with --prune, torn down in the kernel's order — movable memory offlined and the dax devices
// unbound first, then cxl_region unbind, commit 0, targets, delete_region, dpa_size 0 — and
// refused while memory of a kernel zone is online. The hosts are the model's prediction after a
// first layout made region0 over the serial-1 memdev (the facts a re-capture would read).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, planView, renderPlan, snapshotHost, writeFacts, type Analysis } from '../../server/core/index';

const SAMPLES = resolve(__dirname, '../../samples');
const facts0 = readFileSync(join(SAMPLES, 'cxl2-6.12.facts.json'), 'utf8');
const H = 'host h { facts "f.json" }\n';

/** The facts after applying `first` to the cxl2 machine (region0 over serial 0x1). */
function after(first: string): string {
  const a = analyze(H + first, { readFacts: () => ({ text: facts0 }) });
  expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
  return writeFacts(snapshotHost(a.hosts[0]!.model!, 'predicted'));
}
const plan = (facts: string, layout: string, prune: boolean): Analysis =>
  analyze(H + layout, { readFacts: () => ({ text: facts }), prune });
const writes = (a: Analysis): string[] =>
  (a.hosts[0]?.plan?.steps ?? []).flatMap((s) => s.writes.map((w) => `${w.value} > ${w.path}`));
const codes = (a: Analysis, code: string) =>
  a.findings.filter((f) => f.code === code).map((f) => `${f.severity} ${f.message}`);

const MOVABLE = 'cxl region a on h { memdevs 0x1 size 512M device m { size rest mode system-ram movable } }\n';
const KERNEL = 'cxl region a on h { memdevs 0x1 size 512M device k { size rest mode system-ram online normal } }\n';
const OTHER = 'cxl region b on h { memdevs 0x2 size 512M device d { size rest } }\n';
const B = '/sys/bus/cxl/devices';

describe('CXL regions the layout does not declare', () => {
  const movable = after(MOVABLE);

  it('are kept without --prune, and the plan says so', () => {
    const a = plan(movable, OTHER, false);
    expect(writes(a).filter((w) => w.includes('region0'))).toEqual([]);
    expect(a.hosts[0]?.plan?.unlistedCxl?.map((u) => [u.name, u.size, u.window, u.pruned])).toEqual([
      ['region0', 512n * 1024n * 1024n, 'decoder0.0', false],
    ]);
    // and region1 is made beside it, over the other memdev
    expect(writes(a)).toContain(`region1 > ${B}/decoder0.0/create_ram_region`);
    expect(writes(a).filter((w) => w.includes('memory'))).toEqual([]);
    const text = renderPlan(planView(a.hosts[0]!, a.hosts[0]!.plan!, 'sha256:0'));
    expect(text).toContain(
      '  note: region0 (512 MiB, CXL region in decoder0.0) is not in the layout; it is kept (--prune removes it)',
    );
    expect(codes(a, 'DAX050')).toEqual([
      'warning CXL region region0 (512 MiB in decoder0.0) is not in the layout; apply keeps it (apply --prune tears it down, or add a `cxl region` that adopts it)',
    ]);
  });

  it('are torn down with --prune: movable memory offlined, kmem unbound, then the region in reverse order', () => {
    const a = plan(movable, OTHER, true);
    const w = writes(a);
    // everything of region0 goes before the new region is made (it takes the freed id, region0, again);
    // its dax device dax0.0 held memory114…117
    expect(w.slice(0, w.indexOf(`region0 > ${B}/decoder0.0/delete_region`) + 1)).toEqual([
      'offline > /sys/devices/system/memory/memory114/state',
      'dax0.0 > /sys/bus/dax/drivers/kmem/unbind',
      'region0 > /sys/bus/cxl/drivers/cxl_region/unbind',
      `0 > ${B}/region0/commit`,
      ` > ${B}/region0/target0`,
      `region0 > ${B}/decoder0.0/delete_region`,
    ]);
    const del = w.indexOf(`region0 > ${B}/decoder0.0/delete_region`);
    expect(w.slice(del + 1, del + 3)).toEqual([`0 > ${B}/decoder2.0/dpa_size`, `ram > ${B}/decoder3.0/mode`]);
    expect(w.indexOf(`region0 > ${B}/decoder0.0/create_ram_region`)).toBeGreaterThan(del);
    expect(a.hosts[0]?.plan?.failures).toEqual([]);
    expect(a.hosts[0]?.plan?.refusals).toEqual([]);
    expect(codes(a, 'DAX050')).toEqual([
      'info CXL region region0 (512 MiB in decoder0.0) is not in the layout and will be torn down (--prune)',
    ]);
    // the model's host afterwards has no region0 and no memory of it online
    const m = a.hosts[0]!.model!;
    expect(m.cxl?.regions.map((r) => [r.name, r.targets.map((t) => t?.memdev.serial)])).toEqual([['region0', [2n]]]);
  });

  it('are refused, with the reason, while memory of a kernel zone is online in them', () => {
    const a = plan(after(KERNEL), OTHER, true);
    expect(writes(a).filter((w) => w.includes('region0') || w.includes('dax0.'))).toEqual([]);
    const reason = a.hosts[0]?.plan?.refusals.map((r) => r.reason);
    expect(reason).toEqual([
      'region0 is not in the layout, but --prune cannot tear it down: its device dax0.0 has memory online in the Normal zone (memory114), which cannot be reliably offlined, and a region torn down with memory online strands it until reboot',
    ]);
    expect(codes(a, 'DAX050')).toEqual([`warning ${reason?.[0]}`]);
  });

  it('are never pruned while a block of the layout is unresolved, or when it declares the region', () => {
    // mem5 does not exist: the block might have meant region0
    const bad = plan(movable, 'cxl region b on h { memdevs mem5 }\n', true);
    expect(writes(bad)).toEqual([]);
    expect(bad.hosts[0]?.plan?.unlistedCxl?.map((u) => u.pruned)).toEqual([false]);
    // adopted by name or by range, or as the dax region of a plain `region 0`: declared
    for (const layout of [
      'cxl region a on h { adopt region0 device m { size rest mode system-ram movable } }\n',
      'cxl region a on h { adopt 0x390000000 + 512M device m { size rest mode system-ram movable } }\n',
    ]) {
      const a = plan(movable, layout, true);
      expect(a.hosts[0]?.plan?.unlistedCxl).toEqual([]);
      expect(writes(a)).toEqual([]);
    }
    const dax = plan(movable, `${OTHER}region 0 on h { device m { size rest mode system-ram movable } }\n`, true);
    expect(dax.hosts[0]?.plan?.unlistedCxl).toEqual([]);
  });
});
