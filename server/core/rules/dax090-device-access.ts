// DAX090: owner, group or permissions of /dev/daxR.N that cannot go into a udev rule, or mean nothing.
import type { Finding } from '../analysis/finding';
import { accessNameProblem, parsePermissions } from '../persist/access';
import { defineRule, devices } from './util';

export const dax090 = defineRule({
  code: 'DAX090',
  title: 'invalid device access',
  severity: 'error',
  check(a, report) {
    const out: Finding[] = [];
    for (const v of devices(a)) {
      const d = v.device;
      for (const x of [d.owner, d.group]) {
        if (!x) continue;
        const p = accessNameProblem(x.value);
        if (p)
          out.push(
            report(x.span, `${p}; the name goes into a udev rule (OWNER=/GROUP=) and must be one the system can have`),
          );
      }
      if (d.permissions) {
        const p = parsePermissions(d.permissions.value);
        if (p.problem) out.push(report(d.permissions.span, p.problem));
        else if (p.mode !== undefined && (p.mode & 0o002) !== 0) {
          out.push(
            report(
              d.permissions.span,
              `permissions ${d.permissions.value} let every user of the host write the device's memory (map /dev/daxR.N); use 0660 with a group such as kvm`,
              {},
              'warning',
            ),
          );
        }
      }
      const any = d.owner ?? d.group ?? d.permissions;
      if (any && d.mode === 'system-ram') {
        out.push(
          report(
            any.span,
            `\`${d.label}\` is system-ram: kmem onlines its memory and there is no /dev/daxR.N whose owner, group or permissions could be set; drop them or use mode devdax`,
          ),
        );
      }
    }
    return out;
  },
});
