// The CXL prelude of the fidelity harness on the CXL machines (test/vm/vm.mjs cxl2, cxl1,
// hmem-cxl): the sysfs writes that make a CXL RAM region over every memdev of the window's host
// bridge and bind it, so that its dax region (daxN.0 over the whole region, bound to kmem) is
// there for the random dax sequences (gen.ts). Seeded: the region size (a multiple of 256 MiB ×
// ways up to what the memdevs hold), the interleave granularity, the order of the endpoints in
// the interleave positions, refused writes of every stage mixed in (docs/cxl.md, "The region ABI
// write by write"), and sometimes a first region that is torn down again (unbind, decommit,
// detach, delete, free the DPA) before the one the sequences use is made.
//
//   const { lines, region } = generateCxlPrelude(facts, release, 'ci/6.12@cxl2');

import type { HostFacts } from '../../server/core/host-facts';
import { KernelModel } from '../../server/core/kernel/model';
import { parseScript } from '../../server/core/kernel/script';
import { echoLine } from './gen';
import { Rng } from './rng';

const MiB = 1024n * 1024n;
const UNIT = 256n * MiB; // CXL_SIZE_UNIT: a region's size is a multiple of 256 MiB × ways
const BUS = '/sys/bus/cxl/devices';
const BIND = '/sys/bus/cxl/drivers/cxl_region';

export interface CxlPrelude {
  lines: string[];
  /** The region the sequences use (`regionN`), its size and granularity. */
  region: string;
  size: bigint;
  granularity: number;
  ways: number;
  /** A first region was made and torn down again. */
  recreated: boolean;
}

/** Writes `line` to a model; the answer (`ok`, an errno, or `unmodelled`). */
function apply(m: KernelModel, line: string): string {
  const p = parseScript(line);
  if (!p.ok || p.writes.length !== 1) throw new Error(`gen-cxl made an unparsable line: ${line}`);
  const w = p.writes[0] as (typeof p.writes)[number];
  const r = m.write(w.path, w.value);
  return r.kind === 'ok' ? 'ok' : r.kind === 'errno' ? r.errno : 'unmodelled';
}

export function generateCxlPrelude(facts: HostFacts, release: string, seed: string): CxlPrelude {
  const rng = new Rng(seed);
  const model = KernelModel.fromFacts(facts, release);
  const cxl = model.cxl;
  if (!cxl) throw new Error('the facts have no CXL topology (capture without the CXL bus?)');
  const root = cxl.roots.find((r) => r.capRam);
  if (!root) throw new Error('no CXL window that can hold RAM');
  // decoder 0 of every endpoint, in the order of their memdevs' serials
  const eps = cxl.endpoints
    .filter((e) => e.index === 0 && e.mode === 'none' && !e.region)
    .sort((a, b) => (a.memdev.serial < b.memdev.serial ? -1 : 1));
  if (!eps.length) throw new Error('no free endpoint decoder');
  const ways = eps.length;
  const lines: string[] = [];
  // a refused write of this stage: kept only when the model refuses it (and so changes nothing)
  const refused = (p: number, cands: readonly string[]) => {
    if (!rng.chance(p)) return;
    const line = rng.pick(cands);
    const probe = KernelModel.fromFacts(facts, release);
    for (const l of lines) apply(probe, l);
    const r = apply(probe, line);
    if (r === 'ok' || r === 'unmodelled') return;
    apply(model, line);
    lines.push(line);
  };
  const must = (line: string) => {
    const r = apply(model, line);
    if (r !== 'ok') throw new Error(`gen-cxl: the model answers ${r} to ${line}`);
    lines.push(line);
  };
  const perWayMax = eps.reduce((a, e) => (e.memdev.ramSize < a ? e.memdev.ramSize : a), eps[0]!.memdev.ramSize);
  const maxUnits = Number(perWayMax / UNIT);
  const make = (units: number, granularity: number) => {
    const per = BigInt(units) * UNIT;
    const size = per * BigInt(ways);
    const name = `region${root.pending}`;
    const r = `${BUS}/${name}`;
    for (const e of eps) {
      refused(0.15, [
        echoLine(`${BUS}/${e.name}/dpa_size`, String(UNIT)),
        echoLine(`${BUS}/${e.name}/mode`, 'pmem'),
        echoLine(`${BUS}/${e.name}/mode`, rng.pick(['none', 'mixed', 'bogus'])),
      ]);
      must(echoLine(`${BUS}/${e.name}/mode`, 'ram'));
      refused(0.15, [
        echoLine(`${BUS}/${e.name}/dpa_size`, String(UNIT + 4096n)),
        echoLine(`${BUS}/${e.name}/dpa_size`, String(e.memdev.ramSize * 8n)),
        echoLine(`${BUS}/${e.name}/dpa_size`, 'abc'),
      ]);
      must(echoLine(`${BUS}/${e.name}/dpa_size`, rng.chance(0.2) ? `0x${per.toString(16)}` : String(per)));
    }
    refused(0.3, [
      echoLine(`${BUS}/${root.name}/create_ram_region`, `region${root.pending + 5}`),
      echoLine(`${BUS}/${root.name}/create_ram_region`, 'foo'),
    ]);
    must(echoLine(`${BUS}/${root.name}/create_ram_region`, name));
    refused(0.3, [
      echoLine(`${r}/size`, String(size)),
      echoLine(`${r}/interleave_granularity`, rng.pick(['128', '300', '32768'])),
      echoLine(`${r}/interleave_ways`, rng.pick(['0', '3', '32', 'abc'])),
      echoLine(`${r}/target0`, eps[0]!.name),
    ]);
    must(echoLine(`${r}/interleave_granularity`, String(granularity)));
    must(echoLine(`${r}/interleave_ways`, String(ways)));
    refused(0.3, [
      echoLine(`${r}/size`, String(size + UNIT / 2n)),
      echoLine(`${r}/size`, String(root.size * 2n)),
      echoLine(`${r}/commit`, '1'),
      echoLine(`${BIND}/bind`, name),
    ]);
    must(echoLine(`${r}/size`, String(size)));
    refused(0.3, [
      echoLine(`${r}/interleave_ways`, String(ways)),
      echoLine(`${r}/size`, String(size + UNIT * BigInt(ways))),
      echoLine(`${r}/commit`, '1'),
      echoLine(`${BUS}/${root.name}/delete_region`, `region${root.pending + 5}`),
    ]);
    const order = [...eps];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    order.forEach((e, i) => {
      if (i > 0) refused(0.3, [echoLine(`${r}/target${i}`, order[0]!.name)]);
      must(echoLine(`${r}/target${i}`, e.name));
    });
    refused(0.2, [echoLine(`${BIND}/bind`, name)]);
    must(echoLine(`${r}/commit`, '1'));
    must(echoLine(`${BIND}/bind`, name));
    refused(0.2, [echoLine(`${BIND}/bind`, name)]);
    return { name, size };
  };
  const granularity = () => rng.pick([256, 256, 512, 1024, 4096]);
  let recreated = false;
  if (maxUnits > 1 && rng.chance(0.4)) {
    // a first region, torn down again in the order the kernel needs (docs/cxl.md)
    const first = make(1 + rng.int(maxUnits), granularity());
    const r = `${BUS}/${first.name}`;
    must(echoLine(`${BIND}/unbind`, first.name));
    must(echoLine(`${r}/commit`, '0'));
    for (let i = ways - 1; i >= 0; i--) must(echoLine(`${r}/target${i}`, ''));
    must(echoLine(`${BUS}/${root.name}/delete_region`, first.name));
    for (const e of eps) must(echoLine(`${BUS}/${e.name}/dpa_size`, '0'));
    recreated = true;
  }
  // the region the sequences use: at least 512 MiB, at most 2 GiB (state dumps grow with its blocks)
  const minUnits = Math.min(maxUnits, Math.max(1, Number((512n * MiB) / (UNIT * BigInt(ways)))));
  const topUnits = Math.min(maxUnits, Number((2048n * MiB) / (UNIT * BigInt(ways))));
  const g = granularity();
  const made = make(minUnits + rng.int(topUnits - minUnits + 1), g);
  return { lines, region: made.name, size: made.size, granularity: g, ways, recreated };
}
