// DAX034: the host's auto_online_blocks policy onlines kmem memory differently from what the layout asks.
import { defineRule, devices } from './util';

const ZONE_OF = {
  online: 'the kernel zone',
  online_kernel: 'the kernel zone',
  online_movable: 'ZONE_MOVABLE',
} as const;

export const dax034 = defineRule({
  code: 'DAX034',
  title: 'auto-online policy conflicts',
  severity: 'warning',
  check(a, report) {
    const out = [];
    for (const v of devices(a)) {
      if (v.device.mode !== 'system-ram' || !v.host.before) continue;
      const policy = v.host.before.autoOnlineBlocks;
      if (policy === 'offline') continue;
      const wantsMovable = v.device.online && v.device.movable;
      const policyMovable = policy === 'online_movable';
      if (v.device.online && wantsMovable === policyMovable) continue;
      const want = !v.device.online ? 'offline' : wantsMovable ? 'online in ZONE_MOVABLE' : 'online in the kernel zone';
      out.push(
        report(
          v.device.modeSpan ?? v.device.labelSpan,
          `${v.host.name} has auto_online_blocks=${policy}: the kernel onlines this device's memory in ${ZONE_OF[policy]} as soon as kmem binds, but the layout wants it ${want}; ${policy === 'online_movable' ? `the plan then offlines it${v.device.online ? ' and onlines it again' : ''}` : 'kernel-zone memory cannot be reliably offlined, so the plan will refuse to change it'}. Set auto_online_blocks to offline first (as daxctl requires)`,
        ),
      );
    }
    return out;
  },
});
