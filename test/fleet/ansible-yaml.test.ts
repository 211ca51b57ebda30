// YAML inventories as Ansible writes and reads them (anchors, merge keys, block scalars, nested
// children, vars of every YAML kind), checked against what Ansible itself made of the same file:
// fixtures/ansible-written.list.json is the output of `ansible-inventory -i ansible-written.yml
// --list` (ansible-core 2.14.18), kept beside it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionOf, hostVars, matchPattern, parseInventory } from '../../server/core/index';

const dir = join(__dirname, 'fixtures');
const text = readFileSync(join(dir, 'ansible-written.yml'), 'utf8');
const listed = JSON.parse(readFileSync(join(dir, 'ansible-written.list.json'), 'utf8')) as Record<string, unknown>;
const hostvars = (listed._meta as { hostvars: Record<string, Record<string, unknown>> }).hostvars;
const groups = Object.fromEntries(Object.entries(listed).filter(([k]) => k !== '_meta')) as Record<
  string,
  { hosts?: string[]; children?: string[] }
>;

/** A variable as we keep it (text) against Ansible's value: strings as they are, collections as JSON. */
function same(ours: string | undefined, theirs: unknown): void {
  if (theirs === null) expect(ours).toBe('');
  else if (typeof theirs === 'object') expect(JSON.parse(ours ?? 'null')).toEqual(theirs);
  else expect(ours).toBe(String(theirs));
}

describe('a YAML inventory written for Ansible', () => {
  const inv = parseInventory(text, 'ansible-written.yml');

  it('reads without problems, with the hosts Ansible finds', () => {
    expect(inv.problems).toEqual([]);
    expect([...inv.hosts].sort()).toEqual(Object.keys(hostvars).sort());
  });

  it('puts each host in the groups Ansible puts it in (ranges, a host in two groups, children)', () => {
    for (const [group, g] of Object.entries(groups)) {
      if (group === 'all' || group === 'ungrouped') continue;
      const members = new Set([...(g.hosts ?? []), ...(g.children ?? []).flatMap((c) => groups[c]?.hosts ?? [])]);
      expect(matchPattern(inv, group).sort(), group).toEqual([...members].sort());
    }
  });

  it('gives every host the variables Ansible gives it: anchors, merge keys, block scalars, precedence', () => {
    for (const [host, want] of Object.entries(hostvars)) {
      const got = hostVars(inv, host);
      expect(Object.keys(got).sort(), host).toEqual(Object.keys(want).sort());
      for (const [k, v] of Object.entries(want)) same(got[k], v);
    }
    expect(hostVars(inv, 'cxl-special').motd).toBe('line one\nline two\n');
    expect(connectionOf(inv, 'cxl-special')).toEqual({ host: '10.0.2.9', user: 'deploy', port: 22 });
    expect(connectionOf(inv, 'hbm03')).toEqual({ host: 'hbm03', user: 'deploy', port: 2222 });
  });

  it('refuses documents that expand without end (aliases of aliases), with a problem, not a hang', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const bomb = `all:\n  vars:\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
    const r = parseInventory(bomb, 'bomb.yml');
    expect(r.problems.length).toBe(1);
    expect(r.problems[0]?.message).toMatch(/alias/i);
  });

  it('says where a YAML error is', () => {
    const r = parseInventory('all:\n  hosts:\n    a: [1, 2\n  vars: {}\n', 'bad.yml');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.line).toBeGreaterThanOrEqual(3);
  });
});
