// INI inventories: `[group]`, `[group:vars]`, `[group:children]`, hosts with `key=value`.

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
