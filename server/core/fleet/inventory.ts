// Ansible inventories, as text: INI and YAML inventories (hosts, groups,
// `children`, `vars`, `all`, `ungrouped`, host ranges such as `hbm[01:03]`),
// the variables each host ends up with, and Ansible host patterns (`--limit`,
// `hosts "…"` in a layout). Pure: the caller reads the file.
//
// inventory-build.ts holds the shape and the builder, inventory-ini.ts and inventory-yaml.ts the
// two readers, host-patterns.ts the patterns; this file picks the reader and answers what a
// host's variables and connection are.

import { failed, inventoryLines, type Connection, type Inventory, type Vars } from './inventory-build';
import { parseIniInventory } from './inventory-ini';
import { parseYamlInventory } from './inventory-yaml';
import { groupHosts } from './host-patterns';

export {
  expandHostRange,
  MAX_RANGE_HOSTS,
  type Connection,
  type Inventory,
  type InventoryGroup,
  type InventoryProblem,
  type Vars,
} from './inventory-build';
export * from './inventory-ini';
export * from './inventory-yaml';
export * from './host-patterns';

/**
 * Reads an inventory in either form: YAML when it looks like YAML (`key:` at the top), INI
 * otherwise. Never throws: what cannot be read is in `problems`, with its line (and column).
 */
export function parseInventory(text: string, path = ''): Inventory {
  if (typeof text !== 'string') return failed(new Error('the inventory is not text'));
  if (/\.ya?ml$/i.test(path)) return parseYamlInventory(text);
  if (/\.(ini|cfg)$/i.test(path)) return parseIniInventory(text);
  const firstLine = inventoryLines(text)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#') && !l.startsWith(';'));
  if (firstLine === undefined) return parseIniInventory('');
  if (firstLine === '---' || /^[^\s=[\]]+:\s*(#.*)?$/.test(firstLine)) return parseYamlInventory(text);
  return parseIniInventory(text);
}

// ------------------------------------------------------------------ variables and connection

/** Groups a host belongs to (transitively through children), `all` first, parents before children. */
export function groupsOf(inv: Inventory, host: string): string[] {
  const parents = new Map<string, string[]>();
  for (const g of inv.groups.values()) for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name]);
  const depth = new Map<string, number>();
  const depthOf = (g: string, seen: Set<string>): number => {
    if (g === 'all') return 0;
    const known = depth.get(g);
    if (known !== undefined) return known;
    if (seen.has(g)) return 1;
    seen.add(g);
    const ps = (parents.get(g) ?? []).filter((p) => p !== 'all');
    const d = ps.length === 0 ? 1 : 1 + Math.max(...ps.map((p) => depthOf(p, seen)));
    depth.set(g, d);
    return d;
  };
  const member = [...inv.groups.keys()].filter((g) => g === 'all' || groupHosts(inv, g).has(host));
  return member.sort((a, b) => depthOf(a, new Set()) - depthOf(b, new Set()) || (a < b ? -1 : a > b ? 1 : 0));
}

/** A host's variables: `all`, then its groups (parents before children), then its own. */
export function hostVars(inv: Inventory, host: string): Vars {
  const out: Vars = {};
  for (const g of groupsOf(inv, host)) Object.assign(out, inv.groups.get(g)?.vars ?? {});
  Object.assign(out, inv.hostVars.get(host) ?? {});
  return out;
}

/** How Ansible's ssh connection would reach the host. */
export function connectionOf(inv: Inventory, host: string): Connection {
  const v = hostVars(inv, host);
  const port = v.ansible_port ?? v.ansible_ssh_port;
  const user = v.ansible_user ?? v.ansible_ssh_user;
  const identity = v.ansible_ssh_private_key_file ?? v.ansible_private_key_file;
  return {
    host: v.ansible_host ?? v.ansible_ssh_host ?? host,
    ...(user ? { user } : {}),
    ...(port !== undefined && /^\d{1,5}$/.test(port) ? { port: Number(port) } : {}),
    ...(identity ? { identity } : {}),
  };
}
