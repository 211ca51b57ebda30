// DAX030: a system-ram device with no whole memory block: kmem refuses it.
import { has } from '../kernel/version';
import { formatBytes } from '../units';
import { defineRule, placedSystemRam } from './util';

export const dax030 = defineRule({
  code: 'DAX030',
  title: 'system-ram without a whole memory block',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const { v, blockSize: bs, use } of placedSystemRam(a)) {
      if (use.usable > 0n) continue;
      const refuses = v.host.version ? has(v.host.version, 'kmemRejectsEmpty') : true;
      out.push(
        report(
          v.device.modeSpan ?? v.device.labelSpan,
          `\`${v.device.label}\` holds no whole ${formatBytes(bs)} memory block, so kmem has nothing to hot-plug${refuses ? ' and refuses the device (EINVAL)' : ' (this kernel binds it with no memory added)'}; make it at least ${formatBytes(bs)} and block-aligned, e.g. pin \`range\` on a ${formatBytes(bs)} boundary`,
        ),
      );
    }
    return out;
  },
});
