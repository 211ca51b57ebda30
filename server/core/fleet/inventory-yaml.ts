// YAML inventories (`all:` with `hosts`, `vars`, `children`, nested), read with the subset of
// YAML that Ansible inventories use.

import {
  Builder,
  capProblems,
  expandHostRange,
  failed,
  inventoryLines,
  oddCharProblem,
  unquote,
  type Inventory,
  type Vars,
} from './inventory-build';

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
  if (t.startsWith('[') && t.endsWith(']'))
    return splitFlow(t.slice(1, -1))
      .filter((x) => x.trim() !== '')
      .map((x) => yScalar(x, depth + 1));
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
    if (raw.includes('\t') && /^\s*\t/.test(raw))
      throw Object.assign(new Error('tabs cannot indent YAML'), { line: i + 1 });
    const s = stripComment(raw).trimEnd();
    if (s.trim() === '') return;
    lines.push({ n: i + 1, indent: s.length - s.trimStart().length, text: s.trim() });
  });
  let pos = 0;
  const block = (indent: number, depth = 0): Y => {
    const first = lines[pos];
    if (!first || first.indent < indent) return null;
    if (depth > MAX_DEPTH)
      throw Object.assign(new Error(`nested more than ${MAX_DEPTH} levels deep`), { line: first.n });
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
        if (/^[|>]/.test(v.trim()))
          throw Object.assign(new Error('block scalars (| and >) are not read in inventories'), { line: l.n });
        obj[key] = yScalar(v);
      } else {
        const next = lines[pos];
        obj[key] =
          next && (next.indent > ind || (next.indent === ind && next.text.startsWith('-')))
            ? block(next.indent, depth + 1)
            : null;
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
    b.problems.push({
      ...(at.line ? { line: at.line } : {}),
      ...(at.column ? { column: at.column } : {}),
      message: e instanceof Error ? e.message : String(e),
    });
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
