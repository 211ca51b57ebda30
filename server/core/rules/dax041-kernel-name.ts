// DAX041: a pinned kernel name the kernel will not assign.
import { deviceName } from '../kernel/state';
import { assigned, defineRule, devices } from './util';

export const dax041 = defineRule({
  code: 'DAX041',
  title: 'kernel name not assignable',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const v of devices(a)) {
      const pin = v.device.kernelName;
      const dev = assigned(v);
      if (!pin || !dev) continue;
      const got = deviceName(dev);
      if (got === pin.value) continue;
      const taken = [...dev.region.devices.values()].map((d) => d.id).sort((x, y) => x - y);
      out.push(
        report(
          pin.span,
          `the kernel will name this device ${got}, not ${pin.value}: it gives a new device the lowest free id of its region (ids in use after the plan: ${taken.join(', ')}). Pin ${got}, or drop \`name\``,
          { fixes: [{ title: `Pin ${got}`, edits: [{ span: pin.span, newText: got }] }] },
        ),
      );
    }
    return out;
  },
});
