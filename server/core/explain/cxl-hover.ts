// Hover on a memdev (`memdevs mem0, 0x2`) or a window (`window decoder0.0`, `adopt region0`'s
// window) of a `cxl region`: where it sits in the CXL topology and what capacity is free, from the
// host's facts (docs/cxl.md). Plain data; server/lsp/markdown.ts renders it.

import type { Span, Value } from '../../../grammar/src/ast';
import type { Analysis } from '../analysis/types';
import type { CxlFacts } from '../cxl-facts';
import { CxlTopology } from '../plan/cxl-checks';
import { formatBytes } from '../units';

export interface CxlMemdevHover {
  readonly kind: 'cxl-memdev';
  readonly span: Span;
  readonly name: string;
  readonly serial: bigint;
  readonly ramSize: bigint;
  readonly pmemSize: bigint;
  /** RAM no endpoint decoder holds yet. */
  readonly free: bigint;
  /** Its interleave position in this block. */
  readonly position?: number;
  /** The host bridge (dport id at the CXL root) and the endpoint port it is below. */
  readonly hostBridge?: number;
  readonly endpoint?: string;
  readonly decoders: readonly { name: string; mode: string; dpaSize: bigint; region?: string }[];
  /** `ram/qos_class` (6.8+), when the platform gave one. */
  readonly qosClass?: readonly number[];
}

export interface CxlWindowHover {
  readonly kind: 'cxl-window';
  readonly span: Span;
  readonly name: string;
  readonly start: bigint;
  readonly size: bigint;
  readonly ways: number;
  readonly granularity: number;
  /** Host bridges (dport ids) it interleaves over. */
  readonly targets: readonly number[];
  readonly capRam: boolean;
  readonly capPmem: boolean;
  /** Bytes no region holds. */
  readonly free: bigint;
  readonly regions: readonly { name: string; size: bigint; start?: bigint }[];
  readonly node?: number;
  /** The region name `create_ram_region` offers now. */
  readonly offers?: string;
  /** The window's `qos_class` (6.7+), when known. */
  readonly qosClass?: number;
}

export type CxlHover = CxlMemdevHover | CxlWindowHover;

function hostCxl(a: Analysis, hostName: string | undefined): CxlFacts | undefined {
  return a.hosts.find((h) => h.name === hostName)?.before?.cxl;
}

/** The hover of a `window`, `memdevs` or `adopt` value of a `cxl region` on `hostName`; undefined when the facts do not have it. */
export function cxlHover(
  a: Analysis,
  hostName: string | undefined,
  key: string,
  v: Value,
  values: readonly Value[],
): CxlHover | undefined {
  const facts = hostCxl(a, hostName);
  if (!facts) return undefined;
  const topo = new CxlTopology(facts);
  if (key === 'memdevs' && (v.kind === 'word' || v.kind === 'number')) {
    const m = facts.memdevs.find((x) => (v.kind === 'word' ? x.name === v.text : x.serial === v.value));
    if (!m) return undefined;
    const ep = topo.endpointOf(m);
    const hb = topo.hostBridgeOf(m);
    return {
      kind: 'cxl-memdev',
      span: v.span,
      name: m.name,
      serial: m.serial,
      ramSize: m.ramSize,
      pmemSize: m.pmemSize,
      free: topo.freeRam(m),
      position: values.filter((x) => x.kind === 'word' || x.kind === 'number').indexOf(v),
      ...(hb !== undefined ? { hostBridge: hb } : {}),
      ...(ep ? { endpoint: ep } : {}),
      ...(m.ramQosClass ? { qosClass: m.ramQosClass } : {}),
      decoders: topo.decodersOf(m).map((d) => ({
        name: d.name,
        mode: d.mode ?? 'none',
        dpaSize: d.dpaSize ?? 0n,
        ...(d.region ? { region: d.region } : {}),
      })),
    };
  }
  const name =
    key === 'window' && v.kind === 'word'
      ? v.text
      : key === 'adopt' && v.kind === 'word'
        ? facts.regions.find((r) => r.name === v.text)?.decoder
        : undefined;
  const w = facts.decoders.find((d) => d.kind === 'root' && d.name === name);
  if (!w) return undefined;
  const regions = facts.regions.filter((r) => r.decoder === w.name);
  const node = facts.windowNodes.find((x) => x.decoder === w.name)?.node;
  return {
    kind: 'cxl-window',
    span: v.span,
    name: w.name,
    start: w.start,
    size: w.size,
    ways: w.ways,
    granularity: w.granularity,
    targets: w.targets,
    capRam: w.capRam ?? false,
    capPmem: w.capPmem ?? false,
    free: w.size - regions.reduce((s, r) => s + r.size, 0n),
    regions: regions.map((r) => ({ name: r.name, size: r.size, ...(r.start !== undefined ? { start: r.start } : {}) })),
    ...(node !== undefined ? { node } : {}),
    ...(w.nextRegion !== undefined ? { offers: `region${w.nextRegion}` } : {}),
    ...(w.qosClass !== undefined ? { qosClass: w.qosClass } : {}),
  };
}

/** Completion values of a `cxl region`'s `memdevs`, `window` and `adopt`: what the facts have, with where it sits. */
export function cxlValues(
  facts: CxlFacts | undefined,
  key: string,
  written: readonly string[],
): { label: string; detail: string }[] | undefined {
  if (!facts) return undefined;
  const topo = new CxlTopology(facts);
  if (key === 'memdevs') {
    if (written.length > 0 && written[written.length - 1] !== ',') return [];
    return facts.memdevs
      .filter((m) => !written.includes(m.name))
      .map((m) => ({
        label: m.name,
        detail: `serial 0x${m.serial.toString(16)} · ${formatBytes(topo.freeRam(m))} of ${formatBytes(m.ramSize)} RAM free · host bridge ${topo.hostBridgeOf(m) ?? '?'}`,
      }));
  }
  if (written.length > 0) return undefined;
  if (key === 'window')
    return facts.decoders
      .filter((d) => d.kind === 'root')
      .map((d) => ({
        label: d.name,
        detail: `${formatBytes(d.size)} at 0x${d.start.toString(16)} · ${d.ways} way${d.ways === 1 ? '' : 's'} × ${d.granularity} B${d.capRam ? '' : ' · no RAM'}`,
      }));
  if (key === 'adopt')
    return facts.regions.map((r) => ({
      label: r.name,
      detail: `${formatBytes(r.size)} in ${r.decoder}, ${r.ways} way${r.ways === 1 ? '' : 's'}${r.bound ? '' : r.commit ? ' · not bound' : ' · not committed'}`,
    }));
  return undefined;
}
