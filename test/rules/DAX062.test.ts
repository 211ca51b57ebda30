import { describe, it } from 'vitest';
import { expectFinding, expectNone } from './harness';

describe('DAX062 restorer would meet kernel-zone memory at boot', () => {
  it('fires on 6.3+ with a kmem-type region and an online policy', () => {
    expectFinding(
      'host lab { facts "linux-6.12.facts.json" auto-online online }\nregion 0 on lab { <|persist|> device a { size 1G } }\n',
      'DAX062',
      'warning',
      /^on Linux 6\.12\.118\+deb12-amd64 region 0 on lab boots bound to kmem, and with auto_online_blocks=online its memory comes up online in a kernel zone.*memhp_default_state=offline/,
    );
    expectFinding(
      'host lab { facts "linux-6.12.facts.json" auto-online online_kernel <|persist|> }\nregion 0 on lab { device a { size 1G } }\n',
      'DAX062',
      'warning',
      /auto_online_blocks=online_kernel/,
    );
  });

  it('does not fire with an offline or movable policy, before 6.3, or without persist', () => {
    expectNone(
      'host lab { facts "linux-6.12.facts.json" }\nregion 0 on lab { persist device a { size 1G } }\n',
      'DAX062',
    );
    expectNone(
      'host lab { facts "linux-6.12.facts.json" auto-online online_movable }\nregion 0 on lab { persist device a { size 1G } }\n',
      'DAX062',
    );
    expectNone(
      'host lab { facts "linux-6.1.facts.json" auto-online online }\nregion 0 on lab { persist device a { size 1G } }\n',
      'DAX062',
    );
    expectNone(
      'host lab { facts "linux-6.12.facts.json" auto-online online }\nregion 0 on lab { device a { size 1G } }\n',
      'DAX062',
    );
  });
});
