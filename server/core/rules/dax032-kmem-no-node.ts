// DAX032: system-ram on a region without a target node: kmem refuses it.
import { defineRule, devices, regionLabel } from './util';

export const dax032 = defineRule({
  code: 'DAX032',
  title: 'system-ram without a target node',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const v of devices(a)) {
      if (v.device.mode !== 'system-ram' || !v.region.before) continue;
      if (v.region.before.targetNode >= 0) continue;
      out.push(
        report(
          v.device.modeSpan ?? v.device.labelSpan,
          `${regionLabel(v.region)} has no target NUMA node, and kmem refuses memory it cannot place on a node (EINVAL)${v.host.factsOrigin === 'declared' ? "; declare the region's `node`" : '; use devdax for this device'}`,
        ),
      );
    }
    return out;
  },
});
