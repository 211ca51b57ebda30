// The import rules of docs/architecture.md, checked on the source.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
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
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);
}

function violations(dir: string, bad: (spec: string, file: string) => boolean): string[] {
  return files(join(root, dir)).flatMap((f) => imports(f).filter((s) => bad(s, f)).map((s) => `${relative(root, f)} imports ${s}`));
}

const resolvesInto = (spec: string, file: string, folder: string) => spec.startsWith('.') && resolve(file, '..', spec).startsWith(join(root, folder));

describe('architecture', () => {
  it('server/core is pure: no Node built-ins, LSP, SSH or host code', () => {
    const v = violations('server/core', (s, f) => s.startsWith('node:') || /^(fs|path|os|child_process|net|vscode)/.test(s) || resolvesInto(s, f, 'server/host') || resolvesInto(s, f, 'server/lsp') || resolvesInto(s, f, 'server/cli'));
    expect(v).toEqual([]);
    const usesProcess = files(join(root, 'server/core')).filter((f) => /\bprocess\.|\brequire\(/.test(readFileSync(f, 'utf8')));
    expect(usesProcess.map((f) => relative(root, f))).toEqual([]);
  });

  it('grammar knows nothing of the server', () => {
    const v = violations('grammar', (s, f) => !(s === 'chevrotain' || (s.startsWith('.') && resolve(f, '..', s).startsWith(join(root, 'grammar')))));
    expect(v).toEqual([]);
  });

  it('the language server does not reach machines, and the CLI does not know LSP', () => {
    expect(violations('server/lsp', (s, f) => resolvesInto(s, f, 'server/host') || s === 'node:child_process' || s === 'node:net')).toEqual([]);
    expect(violations('server/cli', (s, f) => resolvesInto(s, f, 'server/lsp') || s.startsWith('vscode'))).toEqual([]);
  });

  it('the extension has no analysis of its own: of the server it imports only the declared protocols', () => {
    const protocols = [join(root, 'server/cli/protocol.ts'), join(root, 'server/lsp/protocol.ts')];
    const isProtocol = (s: string, f: string) => protocols.includes(resolve(f, '..', `${s}.ts`));
    expect(violations('client', (s, f) => ((resolvesInto(s, f, 'server') && !isProtocol(s, f)) || resolvesInto(s, f, 'grammar')))).toEqual([]);
    // the protocols stand alone: a client import of them pulls in nothing else
    for (const p of protocols) expect(imports(p)).toEqual([]);
  });

  it('the core has source files to check (the scan is not vacuous)', () => {
    expect(files(join(root, 'server/core')).length).toBeGreaterThan(20);
    expect(files(join(root, 'grammar')).length).toBeGreaterThan(3);
  });
});
