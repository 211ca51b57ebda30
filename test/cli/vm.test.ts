// `daxlayout explain --vm DEVICE` and the access rules of VM parcels (core functions apply calls).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main';
import { analyze, deviceAccess, renderAccessRules, vmAttach } from '../../server/core/index';
import { sampleReader } from '../rules/harness';

const root = resolve(__dirname, '../..');
const sample = resolve(root, 'samples/colours.dax');

describe('daxlayout explain --vm', () => {
  it('prints the QEMU backend with path, size, align and share, and the libvirt snippet', () => {
    const r = main(['explain', sample, '--vm', 'vms']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '-object memory-backend-file,id=mem-vms,mem-path=/dev/dax0.1,size=512M,align=2M,share=on\n-device pc-dimm,id=dimm-vms,memdev=mem-vms',
    );
    expect(r.stdout).toContain('-device nvdimm,id=nvdimm-vms,memdev=mem-vms');
    expect(r.stdout).toMatch(
      /<memory model='nvdimm' access='shared'>\s*<source>\s*<path>\/dev\/dax0\.1<\/path>\s*<alignsize unit='KiB'>2048<\/alignsize>/,
    );
    expect(r.stdout).toContain("<size unit='KiB'>524288</size>");
    expect(r.stdout).toMatch(/^# vms on lab61n1: dax0\.1, 512 MiB, align 2 MiB \(owner qemu, group kvm, mode 0660\)$/m);
  });

  it('uses the stable name when the region persists, and the device align', () => {
    const text =
      'host h { facts "linux-6.1-node1-online.facts.json" }\nregion 0 on h {\n  persist\n  device big { size 512M align 1G }\n  device g { size 256M }\n}\n';
    const a = analyze(text, { readFacts: sampleReader() });
    const v = vmAttach(a, 'h/0/g');
    expect(v.attach?.path).toBe('/dev/dax/by-label/g');
    expect(vmAttach(a, 'g').attach?.align).toBe(2n * 1024n * 1024n);
  });

  it('refuses what a guest cannot map, and unknown or ambiguous names', () => {
    expect(main(['explain', sample, '--vm', 'nothing'])).toMatchObject({
      code: 2,
      stderr: 'daxlayout: no device `nothing` in the layout\n',
    });
    const a = analyze(
      'host h { facts "linux-6.1-node1-online.facts.json" }\nregion 0 on h { device r { size 256M mode system-ram } }\n',
      { readFacts: sampleReader() },
    );
    expect(vmAttach(a, 'r').error).toMatch(/is system-ram/);
    expect(() => main(['explain', sample, resolve(root, 'samples/hmat-node1.dax'), '--vm', 'vms'])).not.toThrow();
    expect(main(['explain', sample, resolve(root, 'samples/hmat-node1.dax'), '--vm', 'vms']).code).toBe(2);
  });
});

describe('access rules (udev)', () => {
  it('renders OWNER, GROUP and MODE matched on the resource and size of the predicted device', () => {
    const a = analyze(
      'host h { facts "linux-6.1-node1-online.facts.json" }\nregion 0 on h {\n  device a { size 512M owner qemu group kvm permissions 0660 }\n  device b { size 256M permissions 600 }\n  device c { size 256M }\n}\n',
      { readFacts: sampleReader() },
    );
    const { rules, problems } = deviceAccess(a, 'h');
    expect(problems).toEqual([]);
    const text = renderAccessRules('h', rules);
    expect(text.split('\n').filter((l) => l.startsWith('ATTR'))).toEqual([
      'ATTR{resource}=="0x140000000", ATTR{size}=="536870912", OWNER="qemu", GROUP="kvm", MODE="0660"',
      'ATTR{resource}=="0x160000000", ATTR{size}=="268435456", MODE="0600"',
    ]);
    expect(text).toMatch(/^SUBSYSTEM!="dax", GOTO="daxlayout_access_end"$/m);
  });

  it('leaves out invalid names with a problem, never writing them into a rule', () => {
    const a = analyze(
      'host h { facts "linux-6.1-node1-online.facts.json" }\nregion 0 on h { device a { size 512M owner "x\\"y" group kvm } device b { size 256M owner Root } }\n',
      { readFacts: sampleReader() },
    );
    const { rules, problems } = deviceAccess(a, 'h');
    // A quoted owner is a syntax error and never lowered: only `a`'s group is left.
    expect(rules.map((r) => [r.label, r.owner, r.group])).toEqual([['a', undefined, 'kvm']]);
    expect(renderAccessRules('h', rules)).not.toContain('x"y');
    expect(problems).toEqual([
      'b: `Root` has upper-case letters; user and group names are lower case ([a-z_][a-z0-9_-]*)',
    ]);
  });
});

describe('daxlayout explain with colours', () => {
  it('says which colours each device holds and in how many stripes', () => {
    const r = main(['explain', sample]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '    weather: colours 0..1 of 4 (exclusive) of the 256 MiB memory-side cache — 512 MiB in 4 range(s) (colour stripes of 64 MiB)',
    );
    expect(r.stdout).toContain(
      '    vms: colours 2..3 of 4 of the 256 MiB memory-side cache — 512 MiB in 4 range(s) (colour stripes of 64 MiB)',
    );
  });
});
