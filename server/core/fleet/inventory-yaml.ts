// YAML inventories (`all:` with `hosts`, `vars`, `children`, nested), read with the `yaml` package
// as YAML 1.1, the version Ansible's PyYAML reads: anchors and aliases, merge keys (`<<: *base`),
// flow and block collections, block scalars, every quoting style. The values of variables are
// text (numbers and booleans as written would be read back; collections as JSON).

import { parseDocument } from 'yaml';
import {
  Builder,
  capProblems,
  expandHostRange,
  failed,
  inventoryLines,
  oddCharProblem,
  type Inventory,
  type InventoryProblem,
  type Vars,
} from './inventory-build';

type Y = null | string | number | boolean | bigint | Y[] | { [k: string]: Y };

/** Block and flow nesting deeper than this is refused before the YAML parser sees it (an inventory is a few levels deep). */
const MAX_DEPTH = 64;

/**
 * The first line nested deeper than MAX_DEPTH: by indentation (and `- ` items on one line), or by
 * open flow brackets. Brackets inside quotes count too; that only matters past 64 of them.
 */
function tooDeep(lines: readonly string[]): InventoryProblem | undefined {
  const indents: number[] = [];
  let flow = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    const t = l.trimStart();
    if (t !== '' && !t.startsWith('#')) {
      const indent = l.length - t.length;
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
      const dashes = /^(-\s+)*/.exec(t)?.[0].match(/-/g)?.length ?? 0;
      if (indents.length + dashes > MAX_DEPTH)
        return {
          line: i + 1,
          message: `nested more than ${MAX_DEPTH} levels deep (an inventory is a few levels deep)`,
        };
    }
    for (const c of l) {
      if (c === '[' || c === '{') flow++;
      else if ((c === ']' || c === '}') && flow > 0) flow--;
      if (flow > MAX_DEPTH)
        return { line: i + 1, message: `a flow collection nested more than ${MAX_DEPTH} levels deep` };
    }
  }
  return undefined;
}

/** Aliases expanded at the most (a "billion laughs" document is refused, not expanded). */
const MAX_ALIASES = 10_000;

/** The document as plain values, or the first problem that stops the reading (with its line and column). */
function readYamlDocument(text: string): { value: Y } | { problem: InventoryProblem } {
  const lines = inventoryLines(text);
  for (let i = 0; i < lines.length; i++) {
    const odd = oddCharProblem(lines[i] as string, i + 1, 'the YAML inventory is not read');
    if (odd) return { problem: odd };
  }
  const deep = tooDeep(lines);
  if (deep) return { problem: deep };
  const doc = parseDocument(lines.join('\n'), {
    version: '1.1',
    // a date stays the text it is (a host variable is text to us)
    customTags: (tags) => tags.filter((t) => typeof t !== 'object' || t.tag !== 'tag:yaml.org,2002:timestamp'),
    uniqueKeys: false,
    intAsBigInt: true,
  });
  const e = doc.errors[0];
  if (e) {
    const at = e.linePos?.[0];
    const message = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    return { problem: { ...(at ? { line: at.line, column: at.col } : {}), message } };
  }
  return { value: doc.toJS({ maxAliasCount: MAX_ALIASES }) as Y };
}

const isMap = (y: Y | undefined): y is { [k: string]: Y } => typeof y === 'object' && y !== null && !Array.isArray(y);

/** A collection as JSON, integers exact (a bigint is written as its digits). */
const json = (y: Y): string =>
  typeof y === 'bigint'
    ? y.toString()
    : Array.isArray(y)
      ? `[${y.map(json).join(',')}]`
      : typeof y === 'object' && y !== null
        ? `{${Object.entries(y)
            .map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`)
            .join(',')}}`
        : JSON.stringify(y);

/** A variable's value as text: a string as it is, a number or boolean as YAML read it, a collection as JSON. */
const flat = (y: Y): string => (y === null ? '' : typeof y === 'object' ? json(y) : String(y));

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
  const read = readYamlDocument(text);
  if ('problem' in read) {
    b.problems.push(read.problem);
    return b.done();
  }
  const doc = read.value;
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
