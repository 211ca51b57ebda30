// DAX080: a stated performance expectation that the region's node does not meet, by HMAT.
import type { Finding } from '../analysis/finding';
import { judge, isLatency, unitOf } from '../perf/expect';
import { defineRule, devices, regionLabel, type DeviceView } from './util';

export const dax080 = defineRule({
  code: 'DAX080',
  title: 'performance expectation not met',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const v of devices(a)) {
      const facts = v.host.before;
      const target = v.region.after?.targetNode ?? v.region.before?.targetNode;
      if (!v.device.expects || !facts || target === undefined || target < 0) continue;
      for (const e of v.device.expects) {
        const r = judge(e, target, facts.nodes);
        if (r.kind !== 'missed') continue;
        const m = e.metric.value;
        const unit = unitOf(m);
        const cls = e.access === 1 ? 'access1' : 'access0';
        const pct = Math.round((r.by * 100) / e.value.value);
        const what = isLatency(m) ? `${r.by} ${unit} (${pct}%) too slow` : `${r.by} ${unit} (${pct}%) short`;
        const from = r.fromBest ? `from node ${e.initiator.value}` : `even from its best initiators`;
        const alt = r.others.length
          ? `; ${r.others.map((o) => `node ${o.node} (${o.value} ${unit}${regionsOn(v, o.node)})`).join(', ')} would meet it`
          : '; no node of this host meets it from there';
        out.push(
          report(
            e.span,
            `\`${v.device.label}\` expects ${m} ${isLatency(m) ? 'at most' : 'at least'} ${e.value.value} ${unit} from node ${e.initiator.value} (${cls}), but ${regionLabel(v.region)} is memory of node ${target}, whose HMAT ${m} ${from} is ${r.actual} ${unit}: ${what}${alt}`,
          ),
        );
      }
    }
    return out;
  },
});

function regionsOn(v: DeviceView, node: number): string {
  const ids = v.host.before?.regions.filter((r) => r.targetNode === node).map((r) => r.id) ?? [];
  return ids.length ? `, region${ids.length === 1 ? '' : 's'} ${ids.join(', ')}` : '';
}
