// Ansible inventories as daxlayout reads them (server/core/fleet/inventory.ts): INI and YAML,
// groups, children, `all`/`ungrouped`, host ranges, variables and their precedence, the
// connection Ansible's ssh would use, and host patterns as `--limit` evaluates them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  connectionOf,
  expandHostRange,
  groupsOf,
  hostVars,
  matchPattern,
  parseInventory,
  parseIniInventory,
  parseYamlInventory,
  patternMatchesHost,
  patternProblem,
} from '../../server/core/fleet/inventory';

const INI = `# the lab
bastion ansible_host=10.0.0.254

[all:vars]
ansible_user=deploy
site=ams

[rack1]
hbm[01:03] ansible_port=2222   # three hosts
hbm04 ansible_host="10.0.1.4" ansible_user=root

[rack2]
cxl-[a:b].lab ansible_host=10.0.2.1

[racks:children]
rack1
rack2

[racks:vars]
site=ams-2
ansible_port=22

[rack1:vars]
ansible_ssh_private_key_file=keys/rack1
`;

const YAML = `---
all:
  vars:
    ansible_user: deploy
  hosts:
    bastion:
      ansible_host: 10.0.0.254
  children:
    racks:
      vars: { site: ams-2, ansible_port: 22 }
      children:
        rack1:
          hosts:
            hbm[01:03]:
              ansible_port: 2222   # three hosts
            hbm04: {ansible_host: "10.0.1.4", ansible_user: root}
          vars:
            ansible_ssh_private_key_file: keys/rack1
        rack2:
          hosts:
            cxl-a.lab:
              ansible_host: 10.0.2.1
            cxl-b.lab:
              ansible_host: '10.0.2.1'
`;

describe('inventories', () => {
  for (const [kind, text, path] of [
    ['INI', INI, 'hosts.ini'],
    ['YAML', YAML, 'hosts.yml'],
  ] as const) {
    describe(kind, () => {
      const inv = parseInventory(text, path);
      it('reads every host in order, groups with children, and ungrouped hosts', () => {
        expect(inv.problems).toEqual([]);
        expect(inv.hosts).toEqual(['bastion', 'hbm01', 'hbm02', 'hbm03', 'hbm04', 'cxl-a.lab', 'cxl-b.lab']);
        expect(inv.groups.get('rack1')?.hosts).toEqual(['hbm01', 'hbm02', 'hbm03', 'hbm04']);
        expect(inv.groups.get('racks')?.children).toEqual(['rack1', 'rack2']);
        expect(inv.groups.get('ungrouped')?.hosts).toEqual(['bastion']);
        expect(groupsOf(inv, 'hbm02')).toEqual(['all', 'racks', 'rack1']);
      });
      it('host variables win over child groups, child groups over parents, parents over all', () => {
        expect(hostVars(inv, 'hbm01')).toMatchObject({ ansible_user: 'deploy', site: 'ams-2', ansible_port: '2222' });
        expect(hostVars(inv, 'cxl-a.lab')).toMatchObject({ ansible_port: '22', site: 'ams-2' });
        expect(hostVars(inv, 'bastion').site).toBe(kind === 'INI' ? 'ams' : undefined);
      });
      it('the connection: ansible_host, ansible_user, ansible_port, the private key', () => {
        expect(connectionOf(inv, 'hbm02')).toEqual({
          host: 'hbm02',
          user: 'deploy',
          port: 2222,
          identity: 'keys/rack1',
        });
        expect(connectionOf(inv, 'hbm04')).toEqual({
          host: '10.0.1.4',
          user: 'root',
          port: 22,
          identity: 'keys/rack1',
        });
        expect(connectionOf(inv, 'bastion')).toEqual({ host: '10.0.0.254', user: 'deploy' });
      });
    });
  }

  it('detects the form from the text when the name does not say', () => {
    expect(parseInventory(YAML).hosts).toHaveLength(7);
    expect(parseInventory(INI).hosts).toHaveLength(7);
    expect(parseInventory('').hosts).toEqual([]);
  });

  it('host ranges: numbers keep their width, letters, steps; a bad range is a problem, not a host', () => {
    expect(expandHostRange('db[08:11].x')).toEqual(['db08', 'db09', 'db10', 'db11'].map((h) => `${h}.x`));
    expect(expandHostRange('n[1:5:2]')).toEqual(['n1', 'n3', 'n5']);
    expect(expandHostRange('r[a:c]')).toEqual(['ra', 'rb', 'rc']);
    expect(expandHostRange('plain')).toEqual(['plain']);
    expect(typeof expandHostRange('x[5:1]')).toBe('string');
    const inv = parseIniInventory('[g]\nx[5:1]\nok\n');
    expect(inv.hosts).toEqual(['ok']);
    expect(inv.problems[0]?.line).toBe(2);
  });

  it('reports what it cannot read, with the line', () => {
    expect(parseIniInventory('[g]\nh1 novalue\n').problems).toEqual([
      { line: 2, message: 'cannot read `novalue` (expected key=value)' },
    ]);
    expect(parseIniInventory('[g:vars]\nnot a var\n').problems[0]?.line).toBe(2);
    expect(parseYamlInventory('all:\n  hosts:\n    a:\n   b: 1\n').problems.length).toBe(1);
    expect(parseYamlInventory('all:\n  things: 1\n').problems[0]?.message).toContain(
      '`things` is not hosts, vars or children',
    );
  });
});

describe('host patterns', () => {
  const inv = parseInventory(INI, 'hosts.ini');
  const cases: [string, string[]][] = [
    ['all', inv.hosts],
    ['*', inv.hosts],
    ['rack1', ['hbm01', 'hbm02', 'hbm03', 'hbm04']],
    ['racks', ['hbm01', 'hbm02', 'hbm03', 'hbm04', 'cxl-a.lab', 'cxl-b.lab']],
    ['hbm02', ['hbm02']],
    ['hbm02:bastion', ['bastion', 'hbm02']],
    ['bastion,hbm03', ['bastion', 'hbm03']],
    ['rack1:!hbm02', ['hbm01', 'hbm03', 'hbm04']],
    ['!rack1', ['bastion', 'cxl-a.lab', 'cxl-b.lab']],
    ['racks:&rack2', ['cxl-a.lab', 'cxl-b.lab']],
    ['hbm0*', ['hbm01', 'hbm02', 'hbm03', 'hbm04']],
    ['hbm0[13]', ['hbm01', 'hbm03']],
    ['rack*:!hbm0[!1]', ['hbm01', 'cxl-a.lab', 'cxl-b.lab']],
    ['~cxl-.\\.lab', ['cxl-a.lab', 'cxl-b.lab']],
    ['hbm0[1-2]', ['hbm01', 'hbm02']],
    ['cxl-[a-a].lab', ['cxl-a.lab']],
    ['hbm0[3-1]', []],
    ['hbm0[3-14]', ['hbm04']],
    ['hbm0[!2-4]', ['hbm01']],
    ['cxl-?.lab', ['cxl-a.lab', 'cxl-b.lab']],
    ['cxl-a.la?', ['cxl-a.lab']],
    ['cxl-a+lab*', []],
    ['nosuch', []],
    ['!all', []],
  ];
  for (const [p, want] of cases)
    it(`${p} → ${want.join(', ') || 'nothing'}`, () => expect(matchPattern(inv, p)).toEqual(want));

  it('a pattern against one host known by name and groups agrees with the inventory', () => {
    for (const [p] of cases) {
      for (const h of inv.hosts) {
        const groups = groupsOf(inv, h).filter((g) => g !== 'all');
        expect(patternMatchesHost(p, h, groups), `${p} / ${h}`).toBe(matchPattern(inv, p).includes(h));
      }
    }
  });

  it('globs with backslashes, regex characters and ranges out of order match as fnmatch would, and never throw', () => {
    const odd = parseInventory('ra\\ck\\1\n[g]\nx.y\na(b)\n-\n\\\n', 'odd.ini');
    expect(odd.hosts).toEqual(['ra\\ck\\1', 'x.y', 'a(b)', '-', '\\']);
    // the pattern a fuzzer found: `\-1` is a range from `\` down to `1`, which fnmatch drops
    expect(matchPattern(odd, 'ra\\ck\\1[\\-1]')).toEqual([]);
    expect(matchPattern(odd, 'ra\\ck\\[1]')).toEqual(['ra\\ck\\1']);
    expect(matchPattern(odd, '[\\]')).toEqual(['\\']);
    expect(matchPattern(odd, '[-]')).toEqual(['-']);
    expect(matchPattern(odd, 'a(b[)]')).toEqual(['a(b)']);
    expect(matchPattern(odd, 'x?y*')).toEqual(['x.y']);
    expect(matchPattern(odd, 'x[!.]y')).toEqual([]);
    expect(matchPattern(odd, '[^x]*')).toEqual(['x.y']);
    expect(patternMatchesHost('ra\\ck\\1[\\-1]', 'ra\\ck\\1', [])).toBe(false);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (p) => {
        expect(() => matchPattern(odd, p)).not.toThrow();
        expect(() => patternMatchesHost(p, 'x.y', ['g'])).not.toThrow();
      }),
      { seed: 20261207, numRuns: 3000 },
    );
  });

  it('refuses empty patterns and control characters', () => {
    expect(patternProblem('')).toMatch(/empty/);
    expect(patternProblem('a\nb')).toMatch(/control/);
    expect(patternProblem('rack1:!hbm02')).toBeUndefined();
  });
});

describe('inventories that are not clean text (the reader never throws)', () => {
  it('a lone carriage return in an INI line is a problem with its line and column, not a crash; the other lines are read', () => {
    const inv = parseInventory('[rack1]\nhbm01\rhbm09\nhbm02\n', 'hosts.ini');
    expect(inv.hosts).toEqual(['hbm02']);
    expect(inv.problems).toHaveLength(1);
    expect(inv.problems[0]).toMatchObject({ line: 2, column: 6 });
    expect(inv.problems[0]?.message).toMatch(/carriage return \(U\+000D\)/);
  });

  it('U+2028 (a line separator) in an INI line, a host line, a vars line and a YAML inventory', () => {
    for (const text of ['[g]\nh1 a=1\u2028h2\n', '[g:vars]\nx=\u2028\n', '[g]\nh1\u2028\n']) {
      const inv = parseInventory(text, 'hosts.ini');
      expect(inv.problems.map((p) => [p.line, p.column])).toEqual([[2, text.split('\n')[1]!.indexOf('\u2028') + 1]]);
      expect(inv.problems[0]?.message).toMatch(/line separator \(U\+2028\)/);
    }
    const y = parseInventory('all:\n  hosts:\n    a\u2028b:\n', 'hosts.yml');
    expect(y.hosts).toEqual([]);
    expect(y.problems).toMatchObject([{ line: 3, column: 6 }]);
  });

  it('the form is detected and read without a crash when the file has no name to go by', () => {
    expect(() => parseInventory('hbm01\rfoo\n')).not.toThrow();
    expect(parseInventory('hbm01\rfoo\n').problems[0]).toMatchObject({ line: 1, column: 6 });
  });

  it('a leading byte-order mark is not part of the first line (INI and YAML)', () => {
    const ini = parseInventory('\ufeff[rack1]\nhbm01 ansible_port=22\n', 'hosts.ini');
    expect(ini.problems).toEqual([]);
    expect(ini.groups.get('rack1')?.hosts).toEqual(['hbm01']);
    const yaml = parseInventory('\ufeffall:\n  hosts:\n    hbm01:\n');
    expect(yaml.problems).toEqual([]);
    expect(yaml.hosts).toEqual(['hbm01']);
  });

  it('a binary file gives a bounded list of problems', () => {
    const bytes = Array.from({ length: 4000 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
    for (const path of ['x.ini', 'x.yml', 'x']) {
      const inv = parseInventory(bytes, path);
      expect(inv.problems.length).toBeGreaterThan(0);
      expect(inv.problems.length).toBeLessThanOrEqual(101);
    }
  });

  it('host ranges that would make millions of hosts, and YAML nested without end, are problems', () => {
    expect(expandHostRange('h[0:9999][0:9999]')).toMatch(/more than 10000 hosts/);
    expect(expandHostRange('m[0:9][0:9999]')).toMatch(/more than 10000 hosts/);
    expect(expandHostRange('hbm[a:z][a:z][a:z]')).toMatch(/more than 10000 hosts/);
    expect(expandHostRange('hbm[a:z][0:99]')).toHaveLength(2600);
    expect(parseIniInventory('[g]\nh[0:9999][0:9999]\n').problems[0]).toMatchObject({ line: 2 });
    const deep = Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}- `)
      .join('\n')
      .replace(/- $/, '- x');
    expect(parseYamlInventory(`all:\n${deep}\n`).problems.length).toBe(1);
    expect(parseYamlInventory(`all: ${'['.repeat(20000)}${']'.repeat(20000)}\n`).problems.length).toBe(1);
  });

  it('property: any text, read as INI, YAML or by detection, gives an inventory and problems within its lines', () => {
    const odd = fc.constantFrom(
      '\r',
      '\u2028',
      '\u2029',
      '\0',
      '\ufeff',
      '\x85',
      '[',
      ']',
      ':',
      '=',
      '"',
      "'",
      '-',
      ' ',
      '\t',
      '\n',
      '#',
      'a',
      '1',
      '{',
      '}',
      ',',
    );
    fc.assert(
      fc.property(
        fc.array(odd, { maxLength: 80 }).map((a) => a.join('')),
        fc.constantFrom('x.ini', 'x.yaml', 'x'),
        (text, path) => {
          const inv = parseInventory(text, path);
          const lines = text.split(/\r?\n/).length;
          for (const p of inv.problems) if (p.line !== undefined) expect(p.line).toBeLessThanOrEqual(lines);
          expect(Array.isArray(inv.hosts)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
