// A `cxl region` against the host's CXL facts, before any write: which window, memdevs, endpoint
// decoders, ways, granularity and size it comes to, and what the kernel would refuse (the
// pre-write diagnostics DAX100–DAX106 and DAX109, one check per rule code; docs/rules/DAX10n.md). The
// planner (cxl.ts) writes nothing for a region with a problem; the rules report them.

import type { Span } from '../../../grammar/src/ast';
import type { CxlDecoderFacts, CxlFacts, CxlMemdevFacts, CxlRegionFacts } from '../cxl-facts';
import { CXL_GRANULARITIES, CXL_SIZE_UNIT, CXL_WAYS } from '../kernel/cxl-tables';
import type { CxlMemdevRef, LayoutRegion } from '../layout/types';
import { formatBytes } from '../units';

export type CxlCode = 'DAX100' | 'DAX101' | 'DAX102' | 'DAX103' | 'DAX104' | 'DAX105' | 'DAX106' | 'DAX109';

export interface CxlProblem {
  readonly code: CxlCode;
  readonly message: string;
  readonly span: Span;
}

/** One interleave position: the memdev and the endpoint decoder that will hold its share. */
export interface CxlPosition {
  readonly memdev: CxlMemdevFacts;
  readonly decoder: string;
  /** The memdev's host bridge (its dport id at the CXL root). */
  readonly hostBridge: number | undefined;
}

export interface CxlResolved {
  readonly window: CxlDecoderFacts;
  readonly positions: readonly CxlPosition[];
  readonly ways: number;
  readonly granularity: number;
  readonly size: bigint;
  /** The existing region that already is this one (adopted, or made by an earlier apply). */
  readonly existing?: CxlRegionFacts;
  /** An existing region over the same memdevs configured otherwise: torn down first. */
  readonly replaces?: CxlRegionFacts;
}

export interface CxlCheck {
  readonly problems: CxlProblem[];
  readonly resolved?: CxlResolved;
}

const hexOf = (v: bigint): string => `0x${v.toString(16)}`;
const refText = (r: CxlMemdevRef): string => r.name ?? `serial ${hexOf(r.serial ?? 0n)}`;

/** What one host's CXL facts answer about memdevs and decoders. */
export class CxlTopology {
  constructor(readonly facts: CxlFacts) {}

  endpointOf(m: CxlMemdevFacts): string | undefined {
    return this.facts.ports.find((p) => p.kind === 'endpoint' && p.uport === m.name)?.name;
  }

  hostBridgeOf(m: CxlMemdevFacts): number | undefined {
    const ep = this.facts.ports.find((p) => p.kind === 'endpoint' && p.uport === m.name);
    const host = this.facts.ports.find((p) => p.name === ep?.parent);
    const root = this.facts.ports.find((p) => p.name === host?.parent && p.kind === 'root');
    return root?.dports.find((d) => d.device === host?.uport)?.id;
  }

  /** Endpoint decoders of a memdev in index order. */
  decodersOf(m: CxlMemdevFacts): CxlDecoderFacts[] {
    const ep = this.endpointOf(m);
    return this.facts.decoders.filter((d) => d.kind === 'endpoint' && d.port === ep).sort((a, b) => a.index - b.index);
  }

  /** RAM not yet allocated to an endpoint decoder. */
  freeRam(m: CxlMemdevFacts): bigint {
    const used = this.decodersOf(m).reduce((s, d) => s + (d.dpaStart !== undefined ? (d.dpaSize ?? 0n) : 0n), 0n);
    return m.ramSize > used ? m.ramSize - used : 0n;
  }

  /** The decoder that takes the next DPA allocation (decoders allocate in index order). */
  nextDecoder(m: CxlMemdevFacts): CxlDecoderFacts | undefined {
    const ds = this.decodersOf(m);
    const last = Math.max(-1, ...ds.filter((d) => d.dpaStart !== undefined).map((d) => d.index));
    return ds.find((d) => d.index === last + 1);
  }

  /** The memdevs at each position of an existing region. */
  memdevsOf(r: CxlRegionFacts): (CxlMemdevFacts | undefined)[] {
    return r.targets.map((t) => {
      const d = this.facts.decoders.find((x) => x.name === t);
      return this.facts.memdevs.find((m) => this.endpointOf(m) === d?.port);
    });
  }

  /** The region a memdev's decoders are in, if any. */
  regionsUsing(m: CxlMemdevFacts): string[] {
    return [...new Set(this.decodersOf(m).flatMap((d) => (d.region ? [d.region] : [])))];
  }
}

/** Checks one `cxl region` of a host; `demand` carries what earlier blocks of the host take from each memdev. */
export function checkCxlRegion(
  r: LayoutRegion,
  facts: CxlFacts | undefined,
  demand: Map<string, bigint>,
  claimed: Map<string, string>,
): CxlCheck {
  const ask = r.cxl;
  const problems: CxlProblem[] = [];
  if (!ask) return { problems };
  const at = ask.label.span;
  const problem = (code: CxlCode, message: string, span: Span = at): CxlCheck => {
    problems.push({ code, message, span });
    return { problems };
  };
  if (!facts)
    return problem(
      'DAX100',
      `the host's facts have no CXL topology (no /sys/bus/cxl devices were captured): capture the host again with the CXL modules loaded (cxl_acpi, cxl_pci, cxl_mem, dax_cxl)`,
    );
  const topo = new CxlTopology(facts);
  const roots = facts.decoders.filter((d) => d.kind === 'root');

  // adopt by range: the one region whose physical range is exactly the one written
  let adopt = ask.adopt;
  if (ask.adoptRange) {
    const { start, end, span } = ask.adoptRange;
    const rangeText = (a: bigint, z: bigint) => `${hexOf(a)}..${hexOf(z)}`;
    const has = (x: CxlRegionFacts) => x.start !== undefined && x.size > 0n;
    const matches = facts.regions.filter((x) => has(x) && x.start === start && (x.start ?? 0n) + x.size - 1n === end);
    if (matches.length !== 1) {
      const listed = facts.regions
        .filter(has)
        .map((x) => `${x.name} ${rangeText(x.start ?? 0n, (x.start ?? 0n) + x.size - 1n)} (${formatBytes(x.size)})`);
      const overlaps = facts.regions.filter(
        (x) => has(x) && (x.start ?? 0n) <= end && (x.start ?? 0n) + x.size - 1n >= start,
      );
      return problem(
        'DAX109',
        matches.length > 1
          ? `${matches.length} CXL regions have the range ${rangeText(start, end)} (${matches.map((x) => x.name).join(', ')}): adopt one of them by name (\`adopt regionN\`)`
          : `no CXL region of the host has the range ${rangeText(start, end)}${overlaps.length ? `; ${overlaps.map((x) => x.name).join(', ')} overlap${overlaps.length === 1 ? 's' : ''} it, and adopt takes a region's exact range` : ''}. ${listed.length ? `The host's regions: ${listed.join(', ')}` : 'The host has no CXL region with a range'}; write the range as the region's \`resource\` and \`size\` read, or adopt it by name`,
        span,
      );
    }
    adopt = { value: (matches[0] as CxlRegionFacts).name, span };
  }

  // adopt: an existing region, taken as it is
  if (adopt) {
    const name = adopt.value;
    const existing = facts.regions.find((x) => x.name === name);
    if (!existing)
      return problem(
        'DAX100',
        `the host has no CXL region ${name}${facts.regions.length ? `; its regions: ${facts.regions.map((x) => x.name).join(', ')}` : ''}`,
        adopt.span,
      );
    if (!existing.commit || existing.targets.some((t) => t === undefined))
      return problem(
        'DAX100',
        `${name} is not committed (its targets are not all set): adopt takes over a finished region; delete it (delete_region) and declare the region instead`,
        adopt.span,
      );
    const window = roots.find((d) => d.name === existing.decoder);
    const mems = topo.memdevsOf(existing);
    if (!window || mems.some((m) => m === undefined))
      return problem('DAX100', `${name}'s window or memdevs are not in the facts`, adopt.span);
    const positions = mems.map((m) => {
      const memdev = m as CxlMemdevFacts;
      return { memdev, decoder: '', hostBridge: topo.hostBridgeOf(memdev) };
    });
    positions.forEach((p, i) => ((p as { decoder: string }).decoder = existing.targets[i] as string));
    const differs: string[] = [];
    if (ask.window && ask.window.value !== window.name) differs.push(`its window is ${window.name}`);
    if (r.geometry.size && r.geometry.size.value !== existing.size)
      differs.push(`its size is ${formatBytes(existing.size)}`);
    if (ask.granularity && ask.granularity.value !== existing.granularity)
      differs.push(`its granularity is ${existing.granularity}`);
    if (ask.memdevs) {
      const want = ask.memdevs.refs.map((ref) =>
        facts.memdevs.find((m) => (ref.name !== undefined ? m.name === ref.name : m.serial === ref.serial)),
      );
      if (want.length !== mems.length || want.some((m, i) => m !== mems[i]))
        differs.push(`its memdevs are ${mems.map((m) => `${m?.name} (serial ${hexOf(m?.serial ?? 0n)})`).join(', ')}`);
    }
    if (differs.length)
      return problem(
        'DAX100',
        `${name} is not what this block declares: ${differs.join('; ')}. Make the block say what the region is, or drop \`adopt\` to have it made anew`,
        adopt.span,
      );
    for (const p of positions) claimed.set(p.memdev.name, ask.label.value);
    return {
      problems,
      resolved: {
        window,
        positions,
        ways: existing.ways,
        granularity: existing.granularity,
        size: existing.size,
        existing,
      },
    };
  }

  // the window
  let window: CxlDecoderFacts | undefined;
  if (ask.window) {
    window = roots.find((d) => d.name === ask.window?.value);
    if (!window)
      return problem(
        'DAX100',
        `the host has no CXL window ${ask.window.value}; its windows (root decoders): ${roots.map((d) => d.name).join(', ') || 'none'}`,
        ask.window.span,
      );
  } else {
    const ram = roots.filter((d) => d.capRam);
    if (ram.length !== 1)
      return problem(
        'DAX100',
        ram.length === 0
          ? 'the host has no CXL window with RAM capability'
          : `the host has ${ram.length} CXL windows with RAM capability (${ram.map((d) => d.name).join(', ')}): name one with \`window\``,
      );
    window = ram[0] as CxlDecoderFacts;
  }
  const windowSpan = ask.window?.span ?? at;
  if (!window.capRam)
    return problem(
      'DAX101',
      `window ${window.name} cannot hold RAM regions (cap_ram 0: the firmware's CFMWS entry does not allow volatile memory); use a window with cap_ram 1${
        roots.some((d) => d.capRam)
          ? ` (${roots
              .filter((d) => d.capRam)
              .map((d) => d.name)
              .join(', ')})`
          : ''
      }`,
      windowSpan,
    );

  // the memdevs
  const refs = ask.memdevs?.refs ?? [];
  if (refs.length === 0) return { problems };
  const mems: CxlMemdevFacts[] = [];
  for (const ref of refs) {
    const m = facts.memdevs.find((x) => (ref.name !== undefined ? x.name === ref.name : x.serial === ref.serial));
    if (!m)
      return problem(
        'DAX100',
        `the host has no memdev ${refText(ref)}; its memdevs: ${facts.memdevs.map((x) => `${x.name} (serial ${hexOf(x.serial)})`).join(', ') || 'none'}`,
        ref.span,
      );
    mems.push(m);
  }
  const memSpan = ask.memdevs?.span ?? at;
  const ways = mems.length;
  const granularity = ask.granularity?.value ?? window.granularity;
  const granSpan = ask.granularity?.span ?? at;

  // DAX102: ways and granularity the window takes
  const q = ways / window.ways;
  if (!CXL_WAYS.value.includes(ways) || ways % window.ways !== 0 || (q & (q - 1)) !== 0)
    problem(
      'DAX102',
      `${ways} memdevs make an interleave of ${ways} ways, which window ${window.name} (${window.ways}-way) cannot take: a region interleaves 1, 2, 4, 8 or 16 ways (3, 6, 12 on a 3-way window), a power-of-two multiple of the window's ways`,
      memSpan,
    );
  if (!CXL_GRANULARITIES.value.includes(granularity))
    problem(
      'DAX102',
      `an interleave granularity of ${granularity} bytes is not one CXL decoders encode: use 256, 512, 1K, 2K, 4K, 8K or 16K`,
      granSpan,
    );
  else if (window.ways > 1 && granularity !== window.granularity)
    problem(
      'DAX102',
      `window ${window.name} interleaves ${window.ways} ways at ${window.granularity} bytes, so its regions take that granularity: write granularity ${window.granularity}`,
      granSpan,
    );

  // DAX106: positions the topology allows
  const positions: CxlPosition[] = [];
  mems.forEach((m, i) => {
    const hb = topo.hostBridgeOf(m);
    const span = refs[i]?.span ?? memSpan;
    if (hb === undefined || !window.targets.includes(hb))
      problem(
        'DAX106',
        `${m.name} is not below window ${window.name}: its host bridge${hb === undefined ? ' is not on the CXL root' : ` (dport ${hb})`} is not one of the window's targets (${window.targets.join(', ')})`,
        span,
      );
    else if (window.targets[i % window.ways] !== hb)
      problem(
        'DAX106',
        `position ${i} of window ${window.name} goes to host bridge ${window.targets[i % window.ways]}, and ${m.name} is below host bridge ${hb}: reorder the memdevs so that position i is below target i mod ${window.ways}`,
        span,
      );
    positions.push({ memdev: m, decoder: topo.nextDecoder(m)?.name ?? '', hostBridge: hb });
  });

  // an existing region over the same memdevs: this one (re-apply), or to be replaced
  const sameMems = (x: CxlRegionFacts): boolean => {
    const ms = topo.memdevsOf(x);
    return ms.length === mems.length && ms.every((m, i) => m === mems[i]);
  };
  const match = facts.regions.find((x) => x.decoder === window?.name && x.commit && sameMems(x));
  const wantSize = r.geometry.size?.value;
  if (match && (wantSize === undefined || wantSize === match.size) && granularity === match.granularity) {
    for (const m of mems) claimed.set(m.name, ask.label.value);
    return problems.length
      ? { problems }
      : {
          problems,
          resolved: {
            window,
            positions: positions.map((p, i) => ({ ...p, decoder: match.targets[i] as string })),
            ways,
            granularity,
            size: match.size,
            existing: match,
          },
        };
  }
  const replaces = facts.regions.find(
    (x) => x.decoder === window?.name && topo.memdevsOf(x).some((m) => m !== undefined && mems.includes(m)),
  );
  const replacing = replaces && sameMems(replaces) ? replaces : undefined;
  // a replaced region's endpoint decoders hold the memdevs' DPA: freed at its teardown, they are the ones to use
  if (replacing)
    replacing.targets.forEach((t, i) => positions[i] && (positions[i] = { ...positions[i], decoder: t ?? '' }));

  // DAX105: memdevs another region holds; DAX104: capacity
  const freeOf = (m: CxlMemdevFacts): bigint => {
    let free = topo.freeRam(m) - (demand.get(m.name) ?? 0n);
    if (replacing) {
      const t = replacing.targets.find((d) => topo.decodersOf(m).some((x) => x.name === d));
      free += facts.decoders.find((d) => d.name === t)?.dpaSize ?? 0n;
    }
    return free;
  };
  const unit = CXL_SIZE_UNIT.value * BigInt(ways);
  const fit = mems.reduce((min, m) => (freeOf(m) < min ? freeOf(m) : min), freeOf(mems[0] as CxlMemdevFacts));
  const size = wantSize ?? (fit / CXL_SIZE_UNIT.value) * CXL_SIZE_UNIT.value * BigInt(ways);
  const sizeSpan = r.geometry.size?.span ?? at;
  if (size % unit !== 0n || (size === 0n && wantSize !== undefined))
    problem(
      'DAX103',
      size === 0n
        ? 'a region of 0 bytes holds nothing'
        : `a region of ${ways} way${ways === 1 ? '' : 's'} is a multiple of ${formatBytes(unit)} (256 MiB per memdev): ${formatBytes(size)} is not; write ${formatBytes((size / unit) * unit || unit)} or ${formatBytes((size / unit + 1n) * unit)}`,
      sizeSpan,
    );
  const share = size / BigInt(ways);
  let short = false; // a size too large is reported once, at the first memdev it does not fit
  mems.forEach((m, i) => {
    const span = refs[i]?.span ?? memSpan;
    const free = freeOf(m);
    if (share <= free && share > 0n && positions[i]?.decoder) return;
    if (share === 0n && free > 0n) return;
    const holders = topo.regionsUsing(m).filter((x) => x !== replacing?.name);
    const rest =
      free > 0n
        ? ` and has ${formatBytes(free)} free, less than the ${formatBytes(share)} this region takes from it`
        : ', with no RAM left';
    if (holders.length > 0)
      problem(
        'DAX105',
        `${m.name} is already used by ${holders.join(', ')}${rest}: delete that region first, or use another memdev`,
        span,
      );
    else if (claimed.has(m.name))
      problem(
        'DAX105',
        `${m.name} is already used by cxl region \`${claimed.get(m.name)}\` of this layout${rest}: give the regions sizes that fit together, or use another memdev`,
        span,
      );
    else if (!positions[i]?.decoder)
      problem('DAX104', `${m.name} has no free endpoint decoder left for another region`, span);
    else if (share === 0n) problem('DAX104', `${m.name} has no RAM free for a region`, span);
    else if (!short && (short = true))
      problem(
        'DAX104',
        `${m.name} has ${formatBytes(free)} of RAM free, and ${formatBytes(size)} over ${ways} way${ways === 1 ? '' : 's'} takes ${formatBytes(share)} from each memdev: make the region at most ${formatBytes((fit / CXL_SIZE_UNIT.value) * CXL_SIZE_UNIT.value * BigInt(ways))}`,
        sizeSpan,
      );
  });
  const windowUsed = facts.regions
    .filter((x) => x.decoder === window?.name && x !== replacing)
    .reduce((s, x) => s + x.size, 0n);
  if (size > window.size - windowUsed)
    problem(
      'DAX104',
      `window ${window.name} has ${formatBytes(window.size - windowUsed)} of ${formatBytes(window.size)} free, less than ${formatBytes(size)}`,
      sizeSpan,
    );
  for (const m of mems) {
    demand.set(m.name, (demand.get(m.name) ?? 0n) + share);
    claimed.set(m.name, ask.label.value);
  }
  if (problems.length) return { problems };
  return {
    problems,
    resolved: { window, positions, ways, granularity, size, ...(replacing ? { replaces: replacing } : {}) },
  };
}
