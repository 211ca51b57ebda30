// DAX108: a memdev of a `cxl region` whose volatile QoS class (`ram/qos_class`) is not the QoS
// class of the window the region is made in (the root decoder's `qos_class`). The kernel makes the
// region all the same; `cxl create-region` warns the same way ("qos_class_mismatch"). Checked only
// where the facts carry both classes (kernels 6.8+ on platforms with QoS telemetry).
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

export const dax108 = defineRule({
  code: 'DAX108',
  title: 'CXL QoS class differs from the window',
  severity: 'warning',
  check(a, report) {
    const out: Finding[] = [];
    for (const h of a.hosts)
      for (const [region, p] of h.plan?.cxl ?? []) {
        const window = p.resolved?.window;
        const refs = region.cxl?.memdevs?.refs;
        if (!window || window.qosClass === undefined || !refs || !p.resolved) continue;
        p.resolved.positions.forEach((pos, i) => {
          const classes = pos.memdev.ramQosClass;
          const ref = refs[i];
          if (!classes || !ref || classes.includes(window.qosClass as number)) return;
          const list = classes.length === 1 ? `QoS class ${classes[0]}` : `QoS classes ${classes.join(', ')}`;
          out.push(
            report(
              ref.span,
              `${pos.memdev.name}'s RAM has ${list} and window ${window.name} has QoS class ${window.qosClass}: ` +
                `the region works, but its memory may not perform as the window's class promises; ` +
                `use a window of class ${classes[0]} if the host has one`,
            ),
          );
        });
      }
    return out;
  },
});
