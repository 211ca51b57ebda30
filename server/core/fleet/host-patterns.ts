// Ansible host patterns (`--limit`, `hosts "…"` in a layout): terms, globs, regexes,
// intersections and exclusions, matched against an inventory or a host's groups.

import type { Inventory } from './inventory-build';

/** Why a host pattern is refused, or undefined. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'a host pattern cannot be empty';
  if (pattern.length > 1000) return 'a host pattern is at most 1000 characters';
  if (/[\0-\x1f\x7f]/.test(pattern)) return 'a host pattern cannot contain control characters';
  return undefined;
}

/** The terms of a pattern: split on `,` (or `:` when there is no `,`, as Ansible does). */
export function patternTerms(pattern: string): string[] {
  const p = pattern.trim();
  let terms: string[];
  if (p.includes(',')) terms = p.split(',');
  else if (p.includes(':') && !/^[0-9a-fA-F:]+$/.test(p) && !p.includes('~')) terms = p.split(':');
  else terms = [p];
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

/** A character for a regular expression, escaped whatever it is. */
const reChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * The body of a `[…]` class as a regular expression class body, as Python's fnmatch (which
 * Ansible uses) reads it: every character literal (a backslash too), `a-z` a range, a range
 * whose ends are out of order dropped (fnmatch drops it; a regular expression would refuse it).
 */
function classBody(body: string): string {
  let out = '';
  for (let j = 0; j < body.length; j++) {
    const a = body[j] as string;
    if (body[j + 1] === '-' && j + 2 < body.length) {
      const b = body[j + 2] as string;
      if (a.charCodeAt(0) <= b.charCodeAt(0)) out += `${reChar(a)}-${reChar(b)}`;
      j += 2;
    } else out += reChar(a);
  }
  return out;
}

/** fnmatch as Ansible uses it: `*`, `?`, `[abc]`, `[!abc]`, `[a-z]`. Never throws. */
const globRe = (g: string): RegExp => {
  let re = '^';
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[' && g.indexOf(']', i + 2) > 0) {
      const end = g.indexOf(']', i + 2);
      let body = g.slice(i + 1, end);
      const neg = body.startsWith('!');
      if (neg) body = body.slice(1);
      const cls = classBody(body);
      // an empty class (every range dropped) matches nothing, or any character when negated
      re += cls === '' ? (neg ? '.' : '(?!)') : `[${neg ? '^' : ''}${cls}]`;
      i = end;
    } else re += reChar(c);
  }
  return new RegExp(re + '$');
};

/** Hosts of a group and its children. */
export function groupHosts(inv: Inventory, group: string): Set<string> {
  if (group === 'all') return new Set(inv.hosts);
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (g: string): void => {
    if (seen.has(g)) return;
    seen.add(g);
    const gr = inv.groups.get(g);
    if (!gr) return;
    for (const h of gr.hosts) out.add(h);
    for (const c of gr.children) visit(c);
  };
  visit(group);
  return out;
}

/** The hosts one term names: `all`/`*`, a group, a host, a glob over both, or `~REGEX`. */
function termHosts(inv: Inventory, term: string): Set<string> {
  if (term === 'all' || term === '*') return new Set(inv.hosts);
  if (inv.groups.has(term)) return groupHosts(inv, term);
  if (inv.hostVars.has(term)) return new Set([term]);
  let re: RegExp | undefined;
  if (term.startsWith('~')) {
    try {
      re = new RegExp(term.slice(1));
    } catch {
      return new Set();
    }
  } else if (/[*?[]/.test(term)) re = globRe(term);
  if (!re) return new Set();
  const out = new Set<string>();
  for (const g of inv.groups.keys()) if (re.test(g)) for (const h of groupHosts(inv, g)) out.add(h);
  for (const h of inv.hosts) if (re.test(h)) out.add(h);
  return out;
}

/**
 * The inventory hosts a pattern matches, in inventory order. As Ansible: plain terms are
 * united, then `&term`s intersect, then `!term`s are removed; only `!`/`&` terms start from `all`.
 */
export function matchPattern(inv: Inventory, pattern: string): string[] {
  const terms = patternTerms(pattern);
  const plain = terms.filter((t) => !t.startsWith('!') && !t.startsWith('&'));
  const and = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1));
  const not = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));
  let set = new Set<string>();
  if (plain.length === 0) set = new Set(inv.hosts);
  for (const t of plain) for (const h of termHosts(inv, t)) set.add(h);
  for (const t of and) {
    const x = termHosts(inv, t);
    set = new Set([...set].filter((h) => x.has(h)));
  }
  for (const t of not) for (const h of termHosts(inv, t)) set.delete(h);
  return inv.hosts.filter((h) => set.has(h));
}

/**
 * Whether a pattern matches one host known only by its name and its groups (as in a play,
 * from `inventory_hostname` and `group_names`), without the whole inventory.
 */
export function patternMatchesHost(pattern: string, host: string, groups: readonly string[]): boolean {
  const all = new Set(['all', ...groups]);
  const hit = (term: string): boolean => {
    if (term === 'all' || term === '*') return true;
    if (term === host || all.has(term)) return true;
    let re: RegExp | undefined;
    if (term.startsWith('~')) {
      try {
        re = new RegExp(term.slice(1));
      } catch {
        return false;
      }
    } else if (/[*?[]/.test(term)) re = globRe(term);
    return re !== undefined && (re.test(host) || [...all].some((g) => re.test(g)));
  };
  const terms = patternTerms(pattern);
  const plain = terms.filter((t) => !t.startsWith('!') && !t.startsWith('&'));
  let ok = plain.length === 0 || plain.some(hit);
  for (const t of terms) {
    if (t.startsWith('&')) ok = ok && hit(t.slice(1));
    if (t.startsWith('!') && hit(t.slice(1))) ok = false;
  }
  return ok;
}
