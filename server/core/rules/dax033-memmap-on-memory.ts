// DAX033: memmap-on-memory on a kernel before 6.8 or a host whose memory hotplug cannot do it.
import { feature, has } from '../kernel/version';
import { defineRule, devices } from './util';

export const dax033 = defineRule({
  code: 'DAX033',
  title: 'memmap_on_memory unavailable',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const v of devices(a)) {
      const span = v.device.memmapOnMemory;
      if (!span || !v.host.version || !v.host.before) continue;
      if (!has(v.host.version, 'memmapOnMemory')) {
        const since = feature('memmapOnMemory').since;
        out.push(
          report(
            span,
            `memmap_on_memory needs Linux ${since[0]}.${since[1]} or later; ${v.host.name} runs ${v.host.version.release}. Remove the option`,
          ),
        );
      } else if (!v.host.before.memmapOnMemorySupported) {
        out.push(
          report(
            span,
            `${v.host.name}'s memory hotplug cannot place the memmap on hot-added memory (memory_hotplug.memmap_on_memory is off), so the kernel refuses the setting (EOPNOTSUPP); boot with memory_hotplug.memmap_on_memory=1 or remove the option`,
          ),
        );
      }
    }
    return out;
  },
});
