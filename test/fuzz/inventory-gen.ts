// Hostile Ansible inventories (INI and YAML, docs/fleet.md) and host patterns
// for `hosts "…"`: host ranges (huge, nested, lettered, zero steps), groups
// whose children form cycles, headers left open, deep YAML, tabs, CRs.

import type { Corpus } from './corpus';
import { hostileChars, type Rng } from './values';

export interface InventoryFile {
  readonly text: string;
  readonly yaml: boolean;
  /** A host pattern to write in `hosts "…"`. */
  readonly pattern: string;
  /** Hosts it probably matches (facts files are written for them). */
  readonly members: string[];
}

const PATTERNS = [
  'rack1',
  'all',
  '*',
  'hbm0*',
  'rack1:&lab',
  'lab:!cxl',
  'rack1:cxl',
  '~hbm0[12]',
  'hbm01',
  'ungrouped',
  'nosuch',
  'hbm0[1-3]',
  'rack1[0]',
  'rack1[0:1]',
  'rack1[-1]',
  'g1',
  'lab',
];
const HOSTILE_PATTERNS = [
  '',
  ':',
  '!',
  '&',
  ':::',
  '~(a+)+$',
  '~(',
  '~[',
  '~.*',
  '*'.repeat(50),
  '!all',
  'all:!all',
  '[',
  'rack1[99999999999]',
  'rack1[0:-1]',
  '~^(h|hb|hbm|hbm0)*x$',
  'é',
  ',',
  'a,b,,c',
];

function range(rng: Rng, hostility: number): string {
  if (!rng.chance(hostility)) return rng.pick(['[1:2]', '[01:03]', '[a:c]', '[1:9:2]']);
  return rng.pick([
    '[0:9999]',
    '[0:99999999]',
    '[0:9999][0:9999]',
    '[a:z][0:999][0:99]',
    '[1:9:0]',
    '[9:1]',
    '[a:Z]',
    '[:]',
    '[0:10000]',
    '[00:9999]',
    '[1:2',
    '[a:z][a:z][a:z][a:z]',
    '[0:0:99999999999999999999]',
  ]);
}

function ini(rng: Rng, hostility: number): { text: string; members: string[] } {
  const lines: string[] = [];
  const members: string[] = [];
  const groups = ['rack1', 'cxl', 'lab', 'g1', 'all'];
  if (rng.chance(0.5))
    lines.push('[all:vars]', `ansible_user=${rng.pick(['root', 'deploy', '"quoted user"', "'x'", ''])}`);
  for (let g = 0; g < rng.range(1, 4); g++) {
    const group = rng.pick(groups);
    lines.push(
      rng.chance(hostility / 3)
        ? rng.pick([`[${group}`, `[${group}:nonsense]`, '[]', `[${group} x]`, `[${group}:vars]`])
        : `[${group}]`,
    );
    for (let h = 0; h < rng.range(0, 4); h++) {
      const name = `hbm0${h + 1}`;
      members.push(name);
      const host = rng.chance(0.3)
        ? `hbm${range(rng, hostility)}`
        : rng.chance(hostility / 3)
          ? name + hostileChars(rng)
          : name;
      lines.push(
        `${host}${rng.chance(0.5) ? ` ansible_host=10.0.0.${h} ansible_port=${rng.pick(['22', '2200', 'x', '99999999999999999999'])}` : ''}`,
      );
    }
    if (rng.chance(0.4)) {
      lines.push(`[${rng.pick(groups)}:children]`);
      for (let c = 0; c < rng.range(1, 3); c++) lines.push(rng.pick(groups));
    }
  }
  if (rng.chance(hostility)) {
    // a cycle of children, a line of junk, a very long line
    lines.push(
      '[a:children]',
      'b',
      '[b:children]',
      'a',
      rng.pick(['=', 'x=', '= =', 'a'.repeat(100000), hostileChars(rng)]),
    );
  }
  return { text: lines.join(rng.chance(0.1) ? '\r\n' : '\n') + '\n', members: [...new Set(members)] };
}

function yaml(rng: Rng, hostility: number): { text: string; members: string[] } {
  const members: string[] = [];
  const lines = ['---', 'all:'];
  if (rng.chance(0.5))
    lines.push(
      '  vars:',
      `    ansible_user: ${rng.pick(['root', '"deploy"', "'x'", '~', 'null', '{a: b}', '[1, 2]', '|'])}`,
    );
  lines.push('  children:');
  for (let g = 0; g < rng.range(1, 3); g++) {
    lines.push(`    ${rng.pick(['rack1', 'cxl', 'lab', 'g1'])}:`, '      hosts:');
    for (let h = 0; h < rng.range(0, 3); h++) {
      const name = `hbm0${h + 1}`;
      members.push(name);
      const host = rng.chance(0.3) ? `hbm${range(rng, hostility)}` : name;
      lines.push(
        rng.chance(0.5)
          ? `        ${host}:`
          : `        ${host}: {ansible_host: "10.0.0.${h}", ansible_port: ${rng.pick(['22', 'x'])}}`,
      );
    }
  }
  if (rng.chance(hostility)) {
    const depth = rng.pick([50, 400, 1500]);
    switch (rng.int(5)) {
      case 0:
        for (let i = 0; i < depth; i++) lines.push(`${' '.repeat(i + 4)}k${i}:`);
        break;
      case 1:
        lines.push('\tbad: tab');
        break;
      case 2:
        lines.push('  hosts:', `    ${'{'.repeat(depth)}`);
        break;
      case 3:
        lines.push('    x: &a [1, 2]', '    y: *a', '    z: |', '      text');
        break;
      default:
        lines.push(' odd: indent', hostileChars(rng));
    }
  }
  return { text: lines.join('\n') + '\n', members: [...new Set(members)] };
}

/** An inventory (one of the corpus's, or generated) with a pattern to match. */
export function inventoryFor(rng: Rng, corpus: Corpus, hostility: number): InventoryFile {
  const pattern = rng.chance(hostility / 2) ? rng.pick(HOSTILE_PATTERNS) : rng.pick(PATTERNS);
  if (rng.chance(0.25)) {
    const base = rng.pick(Object.keys(corpus.inventories));
    return {
      text: corpus.inventories[base] as string,
      yaml: false,
      pattern,
      members: ['hbm01', 'hbm02', 'hbm03', 'cxl01'],
    };
  }
  const isYaml = rng.chance(0.4);
  const g = isYaml ? yaml(rng, hostility) : ini(rng, hostility);
  return { text: g.text, yaml: isYaml, pattern, members: g.members.length ? g.members : ['hbm01'] };
}
