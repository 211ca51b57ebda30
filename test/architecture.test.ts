// The import rules of docs/architecture.md, checked on the source.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

function files(dir: string): string[] {
  const out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);
}

/** The file a relative import names (`./x` → x.ts or x/index.ts), or undefined. */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(file), spec);
  return [`${base}.ts`, join(base, 'index.ts')].find((c) => existsSync(c));
}

const core = join(root, 'server/core');

/** A core file's place in the layering: its top folder (`kernel/`), or the file itself at the top (`units.ts`). */
function unitOf(file: string): string {
  const r = relative(core, file);
  return r.includes('/') ? `${r.split('/')[0]}/` : r;
}

/** The core's import graph between units, each edge with one import that makes it. */
function coreUnitGraph(): Map<string, Map<string, string>> {
  const g = new Map<string, Map<string, string>>();
  for (const f of files(core)) {
    for (const s of imports(f)) {
      const t = target(f, s);
      if (!t || !t.startsWith(core + '/')) continue;
      const a = unitOf(f);
      const b = unitOf(t);
      if (a === b) continue;
      if (!g.has(a)) g.set(a, new Map());
      const out = g.get(a) as Map<string, string>;
      if (!out.has(b)) out.set(b, `${relative(root, f)} imports ${s}`);
    }
  }
  return g;
}

/** Each cycle of the graph, once, as `a → b → … → a` with the imports that close it. */
function cycles(g: Map<string, Map<string, string>>): string[] {
  const found = new Set<string>();
  const out: string[] = [];
  const walk = (start: string, at: string, path: string[]): void => {
    for (const [next, why] of g.get(at) ?? []) {
      if (next === start) {
        const ring = [...path, next];
        const key = [...ring.slice(0, -1)].sort().join(',');
        if (!found.has(key)) {
          found.add(key);
          out.push(`${ring.join(' → ')} (${why})`);
        }
      } else if (!path.includes(next) && next > start) walk(start, next, [...path, next]);
    }
  };
  for (const u of [...g.keys()].sort()) walk(u, u, [u]);
  return out;
}

function violations(dir: string, bad: (spec: string, file: string) => boolean): string[] {
  return files(join(root, dir)).flatMap((f) =>
    imports(f)
      .filter((s) => bad(s, f))
      .map((s) => `${relative(root, f)} imports ${s}`),
  );
}

const resolvesInto = (spec: string, file: string, folder: string) =>
  spec.startsWith('.') && resolve(file, '..', spec).startsWith(join(root, folder));

describe('architecture', () => {
  it('server/core is pure: no Node built-ins, LSP, SSH or host code', () => {
    const v = violations(
      'server/core',
      (s, f) =>
        s.startsWith('node:') ||
        /^(fs|path|os|child_process|net|vscode)/.test(s) ||
        resolvesInto(s, f, 'server/host') ||
        resolvesInto(s, f, 'server/lsp') ||
        resolvesInto(s, f, 'server/cli'),
    );
    expect(v).toEqual([]);
    const usesProcess = files(join(root, 'server/core')).filter((f) =>
      /\bprocess\.|\brequire\(/.test(readFileSync(f, 'utf8')),
    );
    expect(usesProcess.map((f) => relative(root, f))).toEqual([]);
  });

  it('grammar knows nothing of the server', () => {
    const v = violations(
      'grammar',
      (s, f) => !(s === 'chevrotain' || (s.startsWith('.') && resolve(f, '..', s).startsWith(join(root, 'grammar')))),
    );
    expect(v).toEqual([]);
  });

  it('the language server does not reach machines, and the CLI does not know LSP', () => {
    expect(
      violations(
        'server/lsp',
        (s, f) => resolvesInto(s, f, 'server/host') || s === 'node:child_process' || s === 'node:net',
      ),
    ).toEqual([]);
    expect(violations('server/cli', (s, f) => resolvesInto(s, f, 'server/lsp') || s.startsWith('vscode'))).toEqual([]);
  });

  it('host code reaches machines without LSP or the CLI', () => {
    expect(
      violations(
        'server/host',
        (s, f) => resolvesInto(s, f, 'server/lsp') || resolvesInto(s, f, 'server/cli') || s.startsWith('vscode'),
      ),
    ).toEqual([]);
  });

  it('code outside the core imports only its entry, server/core/index.ts', () => {
    const entry = join(core, 'index.ts');
    const deep = ['server/host', 'server/cli', 'server/lsp', 'client'].flatMap((d) =>
      violations(d, (s, f) => {
        const t = target(f, s);
        return t !== undefined && t.startsWith(core + '/') && t !== entry;
      }),
    );
    expect(deep).toEqual([]);
  });

  it("the core's folders are layered: no import cycle between them", () => {
    const g = coreUnitGraph();
    // not vacuous: the graph has the edges every analysis needs
    expect(g.get('pipeline/')?.has('rules/')).toBe(true);
    expect(g.get('rules/')?.has('analysis/')).toBe(true);
    expect(cycles(g)).toEqual([]);
  });

  it('the cycle check sees a cycle', () => {
    const g = new Map([
      ['a/', new Map([['b/', 'a imports b']])],
      ['b/', new Map([['c/', 'b imports c']])],
      ['c/', new Map([['a/', 'c imports a']])],
    ]);
    expect(cycles(g)).toEqual(['a/ → b/ → c/ → a/ (c imports a)']);
  });

  it('the extension has no analysis of its own: of the server it imports only the declared protocols', () => {
    const protocols = [join(root, 'server/cli/protocol.ts'), join(root, 'server/lsp/protocol.ts')];
    const isProtocol = (s: string, f: string) => protocols.includes(resolve(f, '..', `${s}.ts`));
    expect(
      violations(
        'client',
        (s, f) => (resolvesInto(s, f, 'server') && !isProtocol(s, f)) || resolvesInto(s, f, 'grammar'),
      ),
    ).toEqual([]);
    // the protocols stand alone: a client import of them pulls in nothing else
    for (const p of protocols) expect(imports(p)).toEqual([]);
  });

  it('the core has source files to check (the scan is not vacuous)', () => {
    expect(files(join(root, 'server/core')).length).toBeGreaterThan(20);
    expect(files(join(root, 'grammar')).length).toBeGreaterThan(3);
  });
});
