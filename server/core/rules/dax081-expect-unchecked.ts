// DAX081: a stated performance expectation the host's facts cannot check (no HMAT data, or not the best initiator).
import type { Finding } from '../analysis/finding';
import { judge, unitOf } from '../perf/expect';
import { defineRule, devices, regionLabel } from './util';

export const dax081 = defineRule({
  code: 'DAX081',
  title: 'performance expectation cannot be checked',
  severity: 'info',
  check(a, report) {
    const out: Finding[] = [];
    for (const v of devices(a)) {
      if (!v.device.expects || !v.host.before) continue;
      const target = v.region.after?.targetNode ?? v.region.before?.targetNode;
      for (const e of v.device.expects) {
        const m = e.metric.value;
        if (target === undefined || target < 0) {
          out.push(
            report(
              e.span,
              `${regionLabel(v.region)} has no target NUMA node, so its memory has no HMAT performance to check \`expect ${m}\` against`,
            ),
          );
          continue;
        }
        const r = judge(e, target, v.host.before.nodes);
        if (r.kind === 'no-data') {
          const declared = v.host.factsOrigin === 'declared';
          out.push(
            report(
              e.span,
              `\`expect ${m}\` is not checked: ${r.why}${declared ? ' (a host designed without facts has none)' : ' (sysfs lists HMAT attributes only once the node has memory online: capture the facts again as root, which reads the HMAT table of the firmware)'}`,
            ),
          );
        } else if (r.kind === 'not-best') {
          out.push(
            report(
              e.initiator.span,
              `\`expect ${m}\` from node ${e.initiator.value} is not checked: HMAT reports node ${target}'s performance only for its best initiators (node ${r.best.join(', ')}: ${r.bestValue} ${unitOf(m)}), and node ${e.initiator.value} is not one of them`,
            ),
          );
        }
      }
    }
    return out;
  },
});
