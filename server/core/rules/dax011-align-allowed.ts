// DAX011: an alignment the host's architecture (or captured facts) does not allow.
import { formatBytes, sizeLiteral } from '../units';
import { archOf, defineRule, devices, hostAligns } from './util';

export const dax011 = defineRule({
  code: 'DAX011',
  title: 'alignment not allowed',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const v of devices(a)) {
      const align = v.device.align;
      if (!align) continue;
      const allowed = hostAligns(v.host);
      if (allowed.includes(align.value)) continue;
      const arch = archOf(v.host);
      out.push(
        report(
          align.span,
          `align ${formatBytes(align.value)} is not allowed on ${arch.name}: the kernel accepts ${allowed.map(formatBytes).join(', ')} (page size and the huge-page sizes the architecture maps)`,
          {
            fixes: allowed.map((x) => ({
              title: `Change align to ${sizeLiteral(x)}`,
              edits: [{ span: align.span, newText: sizeLiteral(x) }],
            })),
          },
        ),
      );
    }
    return out;
  },
});
