// Stated performance expectations (`expect read-latency 120ns from node 0`)
// against the host's HMAT facts. Pure: the rules DAX080/DAX081 word the result.

import type { AccessClassFacts, NodeFacts } from '../host-facts';
import type { ExpectMetric, Expectation } from '../layout/types';

const FIELD: Readonly<Record<ExpectMetric, keyof Omit<AccessClassFacts, 'initiators'>>> = {
  'read-latency': 'readLatency',
  'write-latency': 'writeLatency',
  'read-bandwidth': 'readBandwidth',
  'write-bandwidth': 'writeBandwidth',
};

export const isLatency = (m: ExpectMetric): boolean => m.endsWith('latency');
export const unitOf = (m: ExpectMetric): string => (isLatency(m) ? 'ns' : 'MB/s');

/** Whether a reported value meets the expectation: latency at most, bandwidth at least. */
export function meets(m: ExpectMetric, actual: number, wanted: number): boolean {
  return isLatency(m) ? actual <= wanted : actual >= wanted;
}

export type Verdict =
  /** No HMAT data for the target node (or for this attribute). */
  | { kind: 'no-data'; why: string }
  /** The initiator is not among the target's best initiators: HMAT says nothing of it. */
  | { kind: 'not-best'; best: readonly number[]; bestValue: number }
  | { kind: 'met'; actual: number }
  | { kind: 'missed'; actual: number; by: number; fromBest: boolean; others: { node: number; value: number }[] };

function valueOf(
  node: NodeFacts | undefined,
  access: 0 | 1,
  m: ExpectMetric,
): { cls: AccessClassFacts; value: number } | undefined {
  const cls = access === 1 ? node?.access1 : node?.access0;
  const value = cls?.[FIELD[m]];
  return cls && value !== undefined ? { cls, value } : undefined;
}

/** Judges one expectation of a device whose memory is on `target`, with every node of the host. */
export function judge(e: Expectation, target: number, nodes: readonly NodeFacts[]): Verdict {
  const m = e.metric.value;
  const cls = e.access === 1 ? 'access1' : 'access0';
  const node = nodes.find((n) => n.id === target);
  if (!node) return { kind: 'no-data', why: `node ${target} is not in the host facts` };
  const v = valueOf(node, e.access, m);
  if (!v) {
    const has = e.access === 1 ? node.access1 : node.access0;
    return {
      kind: 'no-data',
      why: has ? `node ${target}'s ${cls} data has no ${m}` : `node ${target} has no HMAT ${cls} data in the facts`,
    };
  }
  const wanted = e.value.value;
  const fromBest = v.cls.initiators.includes(e.initiator.value);
  if (!fromBest && meets(m, v.value, wanted)) return { kind: 'not-best', best: v.cls.initiators, bestValue: v.value };
  if (meets(m, v.value, wanted)) return { kind: 'met', actual: v.value };
  const others: { node: number; value: number }[] = [];
  for (const n of nodes) {
    if (n.id === target) continue;
    const o = valueOf(n, e.access, m);
    if (o && o.cls.initiators.includes(e.initiator.value) && meets(m, o.value, wanted))
      others.push({ node: n.id, value: o.value });
  }
  return { kind: 'missed', actual: v.value, by: Math.abs(v.value - wanted), fromBest, others };
}
