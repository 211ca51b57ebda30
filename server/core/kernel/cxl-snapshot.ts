// The CXL model's state read back as plain data: what `daxlayout sim --json` prints under `cxl`
// and what the VM harness (test/vm/run-script.mjs) compares with the real kernel's sysfs.

import type { CxlDecoderFacts, CxlFacts, CxlRegionFacts } from '../cxl-facts';
import type { HostFacts } from '../host-facts';
import type { CxlModel } from './cxl-model';
import { cxlRegionHasLocked } from './cxl-tables';
import type { KernelModel } from './model';
import { snapshot } from './snapshot';

/** The CXL state as plain data (what `daxlayout sim --json` prints and the VM harness compares). */
export interface CxlSnapshot {
  roots: { name: string; create_ram_region: string }[];
  endpoints: { name: string; mode: string; dpa_size: string; dpa_resource: string | null; region: string | null }[];
  regions: {
    name: string;
    commit: boolean;
    interleave_ways: number;
    interleave_granularity: number;
    size: string;
    resource: string | null;
    targets: (string | null)[];
    bound: boolean;
    locked?: boolean;
  }[];
}

/** The CXL state of a model as a CxlSnapshot. */
export function cxlSnapshot(m: CxlModel): CxlSnapshot {
  return {
    roots: m.roots.map((r) => ({ name: r.name, create_ram_region: `region${r.pending}` })),
    endpoints: m.endpoints.map((e) => ({
      name: e.name,
      mode: e.mode,
      dpa_size: e.dpaSize.toString(),
      dpa_resource: e.dpaStart === undefined ? null : e.dpaStart.toString(),
      region: e.region?.name ?? null,
    })),
    regions: [...m.regions]
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        name: r.name,
        commit: r.state === 'commit',
        interleave_ways: r.ways,
        interleave_granularity: r.granularity,
        size: r.size.toString(),
        resource: r.start === undefined ? null : r.start.toString(),
        targets: r.targets.map((t) => t?.name ?? null),
        bound: r.bound,
        ...(m.abi && cxlRegionHasLocked(m.abi) ? { locked: false } : {}),
      })),
  };
}

/** The CXL model's state as CXL facts (the shape the facts file carries), from the facts it started from. */
export function cxlFacts(m: CxlModel): CxlFacts {
  const f = m.initial;
  const decoders = f.decoders.map((d): CxlDecoderFacts => {
    const e = m.endpoints.find((x) => x.name === d.name);
    const s = m.switches.find((x) => x.name === d.name);
    const r = m.roots.find((x) => x.name === d.name);
    if (e) return { ...d, mode: e.mode, dpaStart: e.dpaStart, dpaSize: e.dpaSize, region: e.region?.name };
    if (s) return { ...d, region: s.region?.name };
    if (r) return { ...d, nextRegion: r.pending };
    return d;
  });
  const regions = [...m.regions]
    .sort((a, b) => a.id - b.id)
    .map((r): CxlRegionFacts => ({
      name: r.name,
      id: r.id,
      decoder: r.root.name,
      mode: 'ram',
      ways: r.ways,
      granularity: r.granularity,
      size: r.size,
      start: r.start,
      commit: r.state === 'commit',
      targets: r.targets.map((t) => t?.name),
      bound: r.bound,
      ...(m.abi && cxlRegionHasLocked(m.abi) ? { locked: false } : {}),
    }));
  const windowNodes = m.roots.flatMap((r) => {
    const w = f.windowNodes.find((x) => x.decoder === r.name);
    return w ? [w] : [];
  });
  return { memdevs: f.memdevs, ports: f.ports, decoders, regions, windowNodes };
}

/** The host facts the model predicts, its CXL topology included (snapshot.ts gives the dax part). */
export function snapshotHost(model: KernelModel, source = 'model'): HostFacts {
  const facts = snapshot(model.state, source);
  return model.cxl ? { ...facts, cxl: cxlFacts(model.cxl) } : facts;
}
