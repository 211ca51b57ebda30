// The CXL topology the region model (cxl-model.ts) works on, read from a host's CXL facts: memdevs
// with their endpoint and host-bridge ports, root decoders (the CFMWS windows), host bridge
// (switch) decoders, endpoint decoders, and the regions that exist. Only host bridges under the
// CXL root with memdevs on their root ports are modelled; `unsupported` says why a topology is not.

import type { CxlFacts } from '../cxl-facts';

/** CXL_CONFIG_* of a region (region.c): what its configuration has reached. */
export type CxlRegionState = 'idle' | 'interleave' | 'active' | 'commit';

export interface CxlEndpointDecoder {
  readonly name: string;
  readonly port: string;
  readonly index: number;
  readonly memdev: CxlMemdev;
  mode: string;
  dpaStart: bigint | undefined;
  dpaSize: bigint;
  region: CxlRegion | undefined;
  committed: boolean;
  readonly locked: boolean;
}
export interface CxlMemdev {
  readonly name: string;
  readonly serial: bigint;
  readonly ramSize: bigint;
  readonly pmemSize: bigint;
  /** The endpoint port, its parent (host bridge) port, and the host bridge's dport id at the root. */
  readonly endpoint: string;
  readonly hostPort: string;
  readonly hostBridge: number | undefined;
}
/** A host bridge (switch) decoder: taken by a region in index order, committed with it. */
export interface CxlSwitchDecoder {
  readonly name: string;
  readonly port: string;
  readonly index: number;
  region: CxlRegion | undefined;
  committed: boolean;
}
export interface CxlRootDecoder {
  readonly name: string;
  readonly path: string;
  readonly start: bigint;
  readonly size: bigint;
  readonly ways: number;
  readonly granularity: number;
  readonly targets: readonly number[];
  readonly capRam: boolean;
  /** The region id create_ram_region offers (cxlrd->region_id). */
  pending: number;
  readonly node: number | undefined;
}
export interface CxlRegion {
  readonly name: string;
  readonly id: number;
  readonly root: CxlRootDecoder;
  ways: number;
  granularity: number;
  start: bigint | undefined;
  size: bigint;
  state: CxlRegionState;
  targets: (CxlEndpointDecoder | undefined)[];
  bound: boolean;
}

export interface CxlTopology {
  readonly memdevs: CxlMemdev[];
  readonly roots: CxlRootDecoder[];
  readonly switches: CxlSwitchDecoder[];
  readonly endpoints: CxlEndpointDecoder[];
  readonly regions: CxlRegion[];
  /** Why the topology is outside what is modelled (every write is then declined). */
  readonly unsupported: string | undefined;
}

export function cxlTopology(facts: CxlFacts): CxlTopology {
  const memdevs: CxlMemdev[] = [];
  const roots: CxlRootDecoder[] = [];
  const switches: CxlSwitchDecoder[] = [];
  const endpoints: CxlEndpointDecoder[] = [];
  const regions: CxlRegion[] = [];
  const ports = new Map(facts.ports.map((p) => [p.name, p]));
  let unsupported: string | undefined;
  for (const m of facts.memdevs) {
    const ep = facts.ports.find((p) => p.kind === 'endpoint' && p.uport === m.name);
    const host = ep?.parent ? ports.get(ep.parent) : undefined;
    const root = host?.parent ? ports.get(host.parent) : undefined;
    if (!ep || !host || !root || root.kind !== 'root') {
      unsupported ??= `${m.name} is not on a root port of a host bridge (switches are not modelled)`;
      continue;
    }
    const hb = root.dports.find((d) => d.device === host.uport);
    memdevs.push({
      name: m.name,
      serial: m.serial,
      ramSize: m.ramSize,
      pmemSize: m.pmemSize,
      endpoint: ep.name,
      hostPort: host.name,
      hostBridge: hb?.id,
    });
  }
  for (const d of facts.decoders) {
    if (d.kind === 'root') {
      const node = facts.windowNodes.find((w) => w.decoder === d.name)?.node;
      roots.push({
        name: d.name,
        path: d.path,
        start: d.start,
        size: d.size,
        ways: d.ways,
        granularity: d.granularity,
        targets: d.targets,
        capRam: d.capRam ?? false,
        pending: d.nextRegion ?? 0,
        node,
      });
    } else if (d.kind === 'switch') {
      switches.push({ name: d.name, port: d.port, index: d.index, region: undefined, committed: false });
    } else {
      const memdev = memdevs.find((m) => m.endpoint === d.port);
      if (!memdev) continue;
      endpoints.push({
        name: d.name,
        port: d.port,
        index: d.index,
        memdev,
        mode: d.mode ?? 'none',
        dpaStart: d.dpaStart,
        dpaSize: d.dpaSize ?? 0n,
        region: undefined,
        committed: false,
        locked: d.locked,
      });
    }
  }
  for (const r of facts.regions) {
    const root = roots.find((x) => x.name === r.decoder);
    if (!root) continue;
    const state: CxlRegionState = r.commit
      ? 'commit'
      : r.targets.length > 0 && r.targets.every((t) => t !== undefined)
        ? 'active'
        : r.start !== undefined
          ? 'interleave'
          : 'idle';
    const region: CxlRegion = {
      name: r.name,
      id: r.id,
      root,
      ways: r.ways,
      granularity: r.granularity,
      start: r.start,
      size: r.size,
      state,
      targets: [],
      bound: r.bound,
    };
    region.targets = r.targets.map((t) => endpoints.find((e) => e.name === t));
    for (const e of region.targets) if (e) Object.assign(e, { region, committed: r.commit });
    for (const d of facts.decoders) {
      const sw = switches.find((s) => s.name === d.name);
      if (sw && d.region === r.name) Object.assign(sw, { region, committed: r.commit });
    }
    regions.push(region);
  }
  return { memdevs, roots, switches, endpoints, regions, unsupported };
}
