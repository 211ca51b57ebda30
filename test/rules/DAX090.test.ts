import { describe, it } from 'vitest';
import { LAB61, expectFinding, expectNone } from './harness';

describe('DAX090 invalid device access', () => {
  it('fires on names that cannot go into a udev rule', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device vm { size 1G owner <|Qemu|> group kvm } }\n`,
      'DAX090',
      'error',
      /^`Qemu` has upper-case letters; user and group names are lower case/,
    );
    expectFinding(
      `${LAB61}region 0 on lab { device vm { size 1G group <|kvm.users|> } }\n`,
      'DAX090',
      'error',
      /^`kvm\.users` is not a user or group name: use \[a-z_\]\[a-z0-9_-\]\*/,
    );
    expectFinding(
      `${LAB61}region 0 on lab { device vm { size 1G owner <|4294967295|> } }\n`,
      'DAX090',
      'error',
      /is not a user or group id/,
    );
  });

  it('fires on modes that are not a device node mode, and warns on world-writable ones', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device vm { size 1G permissions <|0680|> } }\n`,
      'DAX090',
      'error',
      /^0680 is not an octal file mode/,
    );
    expectFinding(
      `${LAB61}region 0 on lab { device vm { size 1G permissions <|4660|> } }\n`,
      'DAX090',
      'error',
      /has three octal digits/,
    );
    expectFinding(
      `${LAB61}region 0 on lab { device vm { size 1G permissions <|0666|> } }\n`,
      'DAX090',
      'warning',
      /let every user of the host write/,
    );
  });

  it('fires on access settings of a system-ram device', () => {
    expectFinding(
      `${LAB61}region 0 on lab { device ram { size 1G mode system-ram owner <|qemu|> } }\n`,
      'DAX090',
      'error',
      /is system-ram: kmem onlines its memory/,
    );
  });

  it('does not fire on valid names, numeric ids and 0660', () => {
    expectNone(`${LAB61}region 0 on lab { device vm { size 1G owner qemu group kvm permissions 0660 } }\n`, 'DAX090');
    expectNone(
      `${LAB61}region 0 on lab { device vm { size 1G owner 107 group libvirt-qemu permissions 640 } }\n`,
      'DAX090',
    );
  });
});
