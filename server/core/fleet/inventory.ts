// Ansible inventories, as text: INI and YAML inventories (hosts, groups,
// `children`, `vars`, `all`, `ungrouped`, host ranges such as `hbm[01:03]`),
// the variables each host ends up with, and Ansible host patterns (`--limit`,
// `hosts "…"` in a layout). Pure: the caller reads the file.

export type Vars = Record<string, string>;

export interface InventoryGroup {
  readonly name: string;
  /** Hosts listed directly in the group, in inventory order. */
  readonly hosts: string[];
  readonly children: string[];
  readonly vars: Vars;
}

export interface Inventory {
  /** Every host, in the order the inventory first names it. */
  readonly hosts: string[];
  readonly hostVars: Map<string, Vars>;
  /** Every group, `all` and `ungrouped` included. */
  readonly groups: Map<string, InventoryGroup>;
  readonly problems: InventoryProblem[];
}

export interface InventoryProblem {
  /** 1-based line (lines end at \n or \r\n). */
  readonly line?: number;
  /** 1-based column (UTF-16 code units) of what could not be read, when one character is to blame. */
  readonly column?: number;
  readonly message: string;
}

/** How to reach a host, from its variables. */
export interface Connection {
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
  readonly identity?: string;
}

// ------------------------------------------------------------------ building

class Builder {
  readonly hosts: string[] = [];
  readonly hostVars = new Map<string, Vars>();
  readonly groups = new Map<string, InventoryGroup>();
  readonly problems: InventoryProblem[] = [];

  constructor() {
    this.group('all');
    this.group('ungrouped');
  }

  group(name: string): InventoryGroup {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, hosts: [], children: [], vars: {} };
      this.groups.set(name, g);
    }
    return g;
  }

  host(name: string, group: string | undefined, vars: Vars): void {
    if (!this.hostVars.has(name)) {
      this.hosts.push(name);
      this.hostVars.set(name, {});
    }
    Object.assign(this.hostVars.get(name) as Vars, vars);
    if (group && group !== 'all') {
      const g = this.group(group);
      if (!g.hosts.includes(name)) g.hosts.push(name);
    }
  }

  child(parent: string, child: string): void {
    const p = this.group(parent);
    this.group(child);
    if (child !== parent && !p.children.includes(child)) p.children.push(child);
  }

  done(): Inventory {
    // hosts in no group but `all` are `ungrouped`
    const grouped = new Set<string>();
    for (const g of this.groups.values()) if (g.name !== 'all' && g.name !== 'ungrouped') for (const h of g.hosts) grouped.add(h);
    const ungrouped = this.group('ungrouped');
    for (const h of this.hosts) if (!grouped.has(h) && !ungrouped.hosts.includes(h)) ungrouped.hosts.push(h);
    return { hosts: this.hosts, hostVars: this.hostVars, groups: this.groups, problems: this.problems };
  }
}

/** At most this many hosts come out of one name with ranges (`h[0:9999][0:9999]` is refused). */
export const MAX_RANGE_HOSTS = 10_000;

/** `hbm[01:03]` → hbm01, hbm02, hbm03; `node-[a:c]` → node-a, node-b, node-c. */
export function expandHostRange(name: string): string[] | string {
  const r = expandRange(name, 0);
  if (typeof r === 'string') return r;
  return r.length > MAX_RANGE_HOSTS ? `host range ${name}: more than ${MAX_RANGE_HOSTS} hosts` : r;
}

function expandRange(name: string, depth: number): string[] | string {
  if (depth > 8) return `host range ${name}: more than 8 ranges in one name`;
  const m = /^(.*?)\[([0-9]+|[a-z]):([0-9]+|[a-z])(?::([0-9]+))?\](.*)$/.exec(name);
  if (!m) return [name];
  const [, pre, a, b, stepRaw, post] = m as unknown as [string, string, string, string, string | undefined, string];
  const step = stepRaw ? Number(stepRaw) : 1;
  if (step < 1) return `host range ${name}: the step must be at least 1`;
  const out: string[] = [];
  const tail = expandRange(post, depth + 1);
  if (typeof tail === 'string') return tail;
  const rest = (x: string): string[] => tail.map((y) => pre + x + y);
  if (/^[0-9]+$/.test(a) && /^[0-9]+$/.test(b)) {
    const from = Number(a);
    const to = Number(b);
    if (to < from || to - from > 10_000) return `host range ${name}: ${a}..${b} is not an increasing range of at most 10000`;
    const width = a.startsWith('0') ? a.length : 0;
    if (Math.floor((to - from) / step + 1) * tail.length > MAX_RANGE_HOSTS) return `host range ${name}: more than ${MAX_RANGE_HOSTS} hosts`;
    for (let i = from; i <= to; i += step) for (const h of rest(String(i).padStart(width, '0'))) out.push(h);
    return out;
  }
  if (/^[a-z]$/.test(a) && /^[a-z]$/.test(b) && a <= b) {
    if (Math.floor((b.charCodeAt(0) - a.charCodeAt(0)) / step + 1) * tail.length > MAX_RANGE_HOSTS) return `host range ${name}: more than ${MAX_RANGE_HOSTS} hosts`;
    for (let c = a.charCodeAt(0); c <= b.charCodeAt(0); c += step) for (const h of rest(String.fromCharCode(c))) out.push(h);
    return out;
  }
  return `host range ${name}: expected [START:END] with numbers or letters`;
}

const unquote = (v: string): string => {
  const t = v.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) return t.slice(1, -1);
  return t;
};

/** `key=value key2="a b"` after a host name (INI). */
function iniAssignments(text: string): { vars: Vars; problem?: string } {
  const vars: Vars = {};
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s]*)/y;
  const blanks = /\s*(?:$|(?<=\s)#)/y;
  let i = 0;
  while (i < text.length) {
    // the rest is blank, or a comment after a blank (sticky: linear in the line's length)
    blanks.lastIndex = i;
    if (blanks.test(text)) break;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return { vars, problem: `cannot read \`${text.slice(i).trim()}\` (expected key=value)` };
    vars[m[1] as string] = unquote(m[2] as string);
    i = re.lastIndex;
  }
  return { vars };
}

/**
 * Characters an inventory line may not hold: control characters other than tab, and the
 * Unicode line and paragraph separators. A lone carriage return is among them: Ansible (Python's
 * `splitlines`) reads it, U+2028 and a few others as line breaks where editors and daxlayout do
 * not, so a host hidden behind one is reported instead of guessed.
 */
const ODD_CHAR = /[\0-\x08\x0b-\x1f\x7f\x85\u2028\u2029]/;

function charName(c: string): string {
  const code = c.charCodeAt(0);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code === 0x0d) return `a carriage return (${hex}) without a line feed`;
  if (code === 0x2028) return `a Unicode line separator (${hex})`;
  if (code === 0x2029) return `a Unicode paragraph separator (${hex})`;
  if (code === 0) return `a NUL byte (${hex}; is this a text file?)`;
  return `the control character ${hex}`;
}

/** A problem for the first character a line may not hold, or undefined. */
function oddCharProblem(line: string, n: number, skipped = 'the line is not read'): InventoryProblem | undefined {
  const m = ODD_CHAR.exec(line);
  if (!m) return undefined;
  return { line: n, column: m.index + 1, message: `column ${m.index + 1}: ${charName(m[0])}; ${skipped} (Ansible may read it differently: save the file with plain \\n line endings)` };
}

/** The text without a leading byte-order mark, split into lines at \n and \r\n. */
function inventoryLines(text: string): string[] {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
}

/** Too many problems are not worth reporting one by one (a binary file, the wrong file). */
const MAX_PROBLEMS = 100;

function capProblems(inv: Inventory): Inventory {
  if (inv.problems.length <= MAX_PROBLEMS) return inv;
  const more = inv.problems.length - MAX_PROBLEMS;
  inv.problems.length = MAX_PROBLEMS;
  inv.problems.push({ message: `… and ${more} more problem(s): is this an Ansible inventory?` });
  return inv;
}

/** An inventory that holds only the problem that stopped the reading (the readers never throw). */
function failed(e: unknown): Inventory {
  const b = new Builder();
  b.problems.push({ message: `cannot read the inventory: ${e instanceof Error ? e.message : String(e)}` });
  return b.done();
}

/** Reads an INI inventory. Never throws: what it cannot read is in `problems`, with its line. */
export function parseIniInventory(text: string): Inventory {
  try {
    return capProblems(readIni(typeof text === 'string' ? text : String(text)));
  } catch (e) {
    return failed(e);
  }
}

function readIni(text: string): Inventory {
  const b = new Builder();
  let section: { group: string; kind: 'hosts' | 'vars' | 'children' } = { group: 'ungrouped', kind: 'hosts' };
  inventoryLines(text).forEach((raw, i) => {
    const n = i + 1;
    const odd = oddCharProblem(raw, n);
    if (odd) {
      b.problems.push(odd);
      return;
    }
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const head = /^\[([^\]:\s]+)(?::(vars|children))?\]\s*(?:[#;].*)?$/.exec(line);
    if (head) {
      section = { group: head[1] as string, kind: (head[2] as 'vars' | 'children' | undefined) ?? 'hosts' };
      b.group(section.group);
      return;
    }
    if (line.startsWith('[')) {
      b.problems.push({ line: n, message: `cannot read the section header \`${line}\`` });
      return;
    }
    if (section.kind === 'vars') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*(.*)$/.exec(line);
      if (!m) b.problems.push({ line: n, message: `expected key=value in [${section.group}:vars], found \`${line}\`` });
      else b.group(section.group).vars[m[1] as string] = unquote(m[2] as string);
      return;
    }
    if (section.kind === 'children') {
      const name = line.split(/\s+/)[0] as string;
      b.child(section.group, name);
      return;
    }
    const m = /^(\S+)(.*)$/.exec(line);
    if (!m) {
      b.problems.push({ line: n, message: `cannot read \`${line}\`` });
      return;
    }
    const names = expandHostRange(m[1] as string);
    if (typeof names === 'string') {
      b.problems.push({ line: n, message: names });
      return;
    }
    const { vars, problem } = iniAssignments(m[2] as string);
    if (problem) b.problems.push({ line: n, message: problem });
    for (const h of names) b.host(h, section.group, vars);
  });
  return b.done();
}

// ------------------------------------------------------------------ YAML (the inventory subset)

type Y = null | string | Y[] | { [k: string]: Y };

/** Block and flow nesting deeper than this is refused (an inventory is a few levels deep). */
const MAX_DEPTH = 64;

interface YLine {
  readonly n: number;
  readonly indent: number;
  readonly text: string;
}

/** Strips a comment that starts with ` #` outside quotes. */
function stripComment(s: string): string {
  let q: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = undefined;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1] as string))) return s.slice(0, i);
  }
  return s;
}

function yScalar(s: string, depth = 0): Y {
  if (depth > MAX_DEPTH) throw new Error(`a flow collection nested more than ${MAX_DEPTH} levels deep`);
  const t = s.trim();
  if (t === '' || t === '~' || t === 'null') return null;
  if (t.startsWith('{') && t.endsWith('}')) {
    const out: Record<string, Y> = {};
    for (const part of splitFlow(t.slice(1, -1))) {
      if (part.trim() === '') continue;
      const m = /^\s*("[^"]*"|'[^']*'|.+?)\s*:(?:\s+(.*))?$/.exec(part);
      if (!m) throw new Error(`cannot read \`${part.trim()}\` in a flow mapping`);
      out[unquote(m[1] as string)] = yScalar(m[2] ?? '', depth + 1);
    }
    return out;
  }
  if (t.startsWith('[') && t.endsWith(']')) return splitFlow(t.slice(1, -1)).filter((x) => x.trim() !== '').map((x) => yScalar(x, depth + 1));
  return unquote(t);
}

function splitFlow(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let q: string | undefined;
  let cur = '';
  for (const c of s) {
    if (q) {
      if (c === q) q = undefined;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** A small YAML reader: block mappings and sequences, plain and quoted scalars, flow collections on one line. */
export function parseYamlSubset(text: string): Y {
  const lines: YLine[] = [];
  inventoryLines(text).forEach((raw, i) => {
    const odd = oddCharProblem(raw, i + 1, 'the YAML inventory is not read');
    if (odd) throw Object.assign(new Error(odd.message), { line: i + 1, column: odd.column });
    if (/^(---|\.\.\.)\s*$/.test(raw)) return;
    if (raw.includes('\t') && /^\s*\t/.test(raw)) throw Object.assign(new Error('tabs cannot indent YAML'), { line: i + 1 });
    const s = stripComment(raw).trimEnd();
    if (s.trim() === '') return;
    lines.push({ n: i + 1, indent: s.length - s.trimStart().length, text: s.trim() });
  });
  let pos = 0;
  const block = (indent: number, depth = 0): Y => {
    const first = lines[pos];
    if (!first || first.indent < indent) return null;
    if (depth > MAX_DEPTH) throw Object.assign(new Error(`nested more than ${MAX_DEPTH} levels deep`), { line: first.n });
    const ind = first.indent;
    if (first.text.startsWith('- ') || first.text === '-') {
      const arr: Y[] = [];
      while (pos < lines.length && (lines[pos] as YLine).indent === ind && (lines[pos] as YLine).text.startsWith('-')) {
        const l = lines[pos] as YLine;
        pos++;
        const rest = l.text.slice(1).trim();
        if (rest === '') arr.push(block(ind + 1, depth + 1));
        else arr.push(yScalar(rest));
      }
      return arr;
    }
    const obj: Record<string, Y> = {};
    while (pos < lines.length && (lines[pos] as YLine).indent === ind) {
      const l = lines[pos] as YLine;
      const m = /^("[^"]*"|'[^']*'|.+?)\s*:(?:\s+(.*)|$)/.exec(l.text);
      if (!m) throw Object.assign(new Error(`expected \`key: value\`, found \`${l.text}\``), { line: l.n });
      pos++;
      const key = unquote(m[1] as string);
      const v = m[2];
      if (v !== undefined && v.trim() !== '') {
        if (/^[|>]/.test(v.trim())) throw Object.assign(new Error('block scalars (| and >) are not read in inventories'), { line: l.n });
        obj[key] = yScalar(v);
      } else {
        const next = lines[pos];
        obj[key] = next && (next.indent > ind || (next.indent === ind && next.text.startsWith('-'))) ? block(next.indent, depth + 1) : null;
      }
    }
    return obj;
  };
  const out = block(0);
  if (pos < lines.length) {
    const l = lines[pos] as YLine;
    throw Object.assign(new Error(`unexpected indentation at \`${l.text}\``), { line: l.n });
  }
  return out;
}

const isMap = (y: Y | undefined): y is { [k: string]: Y } => typeof y === 'object' && y !== null && !Array.isArray(y);

const flat = (y: Y): string => (y === null ? '' : typeof y === 'string' ? y : JSON.stringify(y));

/** Reads a YAML inventory (`all:` with `hosts`, `vars`, `children`, nested). Never throws. */
export function parseYamlInventory(text: string): Inventory {
  try {
    return capProblems(readYaml(typeof text === 'string' ? text : String(text)));
  } catch (e) {
    return failed(e);
  }
}

function readYaml(text: string): Inventory {
  const b = new Builder();
  let doc: Y;
  try {
    doc = parseYamlSubset(text);
  } catch (e) {
    const at = e as { line?: number; column?: number };
    b.problems.push({ ...(at.line ? { line: at.line } : {}), ...(at.column ? { column: at.column } : {}), message: e instanceof Error ? e.message : String(e) });
    return b.done();
  }
  if (doc === null) return b.done();
  if (!isMap(doc)) {
    b.problems.push({ message: 'a YAML inventory is a mapping of groups (such as `all:`)' });
    return b.done();
  }
  const walk = (name: string, g: Y, depth: number): void => {
    b.group(name);
    if (depth > 50) return;
    if (g === null) return;
    if (!isMap(g)) {
      b.problems.push({ message: `group ${name}: expected hosts, vars or children` });
      return;
    }
    for (const [k, v] of Object.entries(g)) {
      if (k === 'hosts') {
        if (v === null) continue;
        if (!isMap(v)) {
          b.problems.push({ message: `group ${name}: \`hosts\` is a mapping of host names` });
          continue;
        }
        for (const [h, hv] of Object.entries(v)) {
          const names = expandHostRange(h);
          if (typeof names === 'string') {
            b.problems.push({ message: names });
            continue;
          }
          const vars: Vars = {};
          if (isMap(hv)) for (const [vk, vv] of Object.entries(hv)) vars[vk] = flat(vv);
          else if (hv !== null) b.problems.push({ message: `host ${h}: its variables must be a mapping` });
          for (const n of names) b.host(n, name, vars);
        }
      } else if (k === 'vars') {
        if (isMap(v)) for (const [vk, vv] of Object.entries(v)) b.group(name).vars[vk] = flat(vv);
        else if (v !== null) b.problems.push({ message: `group ${name}: \`vars\` is a mapping` });
      } else if (k === 'children') {
        if (v === null) continue;
        if (!isMap(v)) {
          b.problems.push({ message: `group ${name}: \`children\` is a mapping of groups` });
          continue;
        }
        for (const [c, cv] of Object.entries(v)) {
          b.child(name, c);
          walk(c, cv, depth + 1);
        }
      } else b.problems.push({ message: `group ${name}: \`${k}\` is not hosts, vars or children` });
    }
  };
  for (const [name, g] of Object.entries(doc)) {
    if (name !== 'all') b.child('all', name);
    walk(name, g, 0);
  }
  return b.done();
}

/**
 * Reads an inventory in either form: YAML when it looks like YAML (`key:` at the top), INI
 * otherwise. Never throws: what cannot be read is in `problems`, with its line (and column).
 */
export function parseInventory(text: string, path = ''): Inventory {
  if (typeof text !== 'string') return failed(new Error('the inventory is not text'));
  if (/\.ya?ml$/i.test(path)) return parseYamlInventory(text);
  if (/\.(ini|cfg)$/i.test(path)) return parseIniInventory(text);
  const firstLine = inventoryLines(text).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#') && !l.startsWith(';'));
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

// ------------------------------------------------------------------ patterns

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

/** fnmatch as Ansible uses it: `*`, `?`, `[abc]`, `[!abc]`. */
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
      re += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\[\]]/g, '\\$&');
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
