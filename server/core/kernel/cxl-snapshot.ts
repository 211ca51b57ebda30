// The CXL model's state read back as plain data: what `daxlayout sim --json` prints under `cxl`
// and what the VM harness (test/vm/run-script.mjs) compares with the real kernel's sysfs.

import type { CxlModel } from './cxl-model';
import { cxlRegionHasLocked } from './cxl-tables';

/** The CXL state as plain data (what `daxlayout sim --json` prints and the VM harness compares). */
export function cxlSnapshot(m: CxlModel): {
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
} {
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
