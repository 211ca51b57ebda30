// What the inventory readers share: the inventory's shape, the builder they fill, host ranges
// (`hbm[01:03]`), the characters a line may not hold, and the cap on problems.

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

export class Builder {
  readonly hosts: string[] = [];
  readonly hostVars = new Map<string, Vars>();
  readonly groups = new Map<string, InventoryGroup>();
  readonly problems: InventoryProblem[] = [];
  /** Each group's hosts as a set, beside its list: a group of 10 000 hosts is built in linear time. */
  private readonly members = new Map<string, Set<string>>();

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
      this.addMember(this.group(group), name);
    }
  }

  private addMember(g: InventoryGroup, name: string): void {
    let set = this.members.get(g.name);
    if (!set) this.members.set(g.name, (set = new Set(g.hosts)));
    if (set.has(name)) return;
    set.add(name);
    g.hosts.push(name);
  }

  child(parent: string, child: string): void {
    const p = this.group(parent);
    this.group(child);
    if (child !== parent && !p.children.includes(child)) p.children.push(child);
  }

  done(): Inventory {
    // hosts in no group but `all` are `ungrouped`
    const grouped = new Set<string>();
    for (const g of this.groups.values())
      if (g.name !== 'all' && g.name !== 'ungrouped') for (const h of g.hosts) grouped.add(h);
    const ungrouped = this.group('ungrouped');
    for (const h of this.hosts) if (!grouped.has(h)) this.addMember(ungrouped, h);
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
    if (to < from || to - from > 10_000)
      return `host range ${name}: ${a}..${b} is not an increasing range of at most 10000`;
    const width = a.startsWith('0') ? a.length : 0;
    if (Math.floor((to - from) / step + 1) * tail.length > MAX_RANGE_HOSTS)
      return `host range ${name}: more than ${MAX_RANGE_HOSTS} hosts`;
    for (let i = from; i <= to; i += step) for (const h of rest(String(i).padStart(width, '0'))) out.push(h);
    return out;
  }
  if (/^[a-z]$/.test(a) && /^[a-z]$/.test(b) && a <= b) {
    if (Math.floor((b.charCodeAt(0) - a.charCodeAt(0)) / step + 1) * tail.length > MAX_RANGE_HOSTS)
      return `host range ${name}: more than ${MAX_RANGE_HOSTS} hosts`;
    for (let c = a.charCodeAt(0); c <= b.charCodeAt(0); c += step)
      for (const h of rest(String.fromCharCode(c))) out.push(h);
    return out;
  }
  return `host range ${name}: expected [START:END] with numbers or letters`;
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
export function oddCharProblem(
  line: string,
  n: number,
  skipped = 'the line is not read',
): InventoryProblem | undefined {
  const m = ODD_CHAR.exec(line);
  if (!m) return undefined;
  return {
    line: n,
    column: m.index + 1,
    message: `column ${m.index + 1}: ${charName(m[0])}; ${skipped} (Ansible may read it differently: save the file with plain \\n line endings)`,
  };
}

/** The text without a leading byte-order mark, split into lines at \n and \r\n. */
export function inventoryLines(text: string): string[] {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
}

/** Too many problems are not worth reporting one by one (a binary file, the wrong file). */
const MAX_PROBLEMS = 100;

export function capProblems(inv: Inventory): Inventory {
  if (inv.problems.length <= MAX_PROBLEMS) return inv;
  const more = inv.problems.length - MAX_PROBLEMS;
  inv.problems.length = MAX_PROBLEMS;
  inv.problems.push({ message: `… and ${more} more problem(s): is this an Ansible inventory?` });
  return inv;
}

/** An inventory that holds only the problem that stopped the reading (the readers never throw). */
export function failed(e: unknown): Inventory {
  const b = new Builder();
  b.problems.push({ message: `cannot read the inventory: ${e instanceof Error ? e.message : String(e)}` });
  return b.done();
}

/** A value without its surrounding quotes (`"a b"`, `'a b'`). */
export const unquote = (v: string): string => {
  const t = v.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))))
    return t.slice(1, -1);
  return t;
};
