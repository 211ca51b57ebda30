// Completion of the file paths a host block names — `facts "…"` (facts JSON, daxctl JSON,
// capture dumps) and `inventory "…"` (Ansible INI or YAML) — from the folders the server looks
// them up in: the layout's folder, then daxlayout.factsSearchPaths. Folders complete with a
// trailing `/` and open the list again.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CompletionItemKind, type CompletionItem, type Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { filePathAt, type Analysis } from '../core/index';
import type { Session } from './session';

const MAX_ENTRIES = 200;
const WANTED = { facts: /\.(json|txt)$/i, inventory: /(\.(ini|ya?ml|cfg)$|^[^.]+$|^hosts$)/i } as const;

export function pathCompletion(
  session: Session,
  doc: TextDocument,
  a: Analysis,
  offset: number,
): CompletionItem[] | undefined {
  const hit = filePathAt(a, offset);
  if (!hit) return undefined;
  // the part typed so far, between the opening quote and the cursor
  const contentStart = hit.span.start + 1;
  if (offset < contentStart) return undefined;
  const typed = a.text.slice(contentStart, offset);
  if (typed.includes('\n')) return undefined;
  const slash = typed.lastIndexOf('/');
  const dirPart = slash >= 0 ? typed.slice(0, slash + 1) : '';
  const range: Range = { start: doc.positionAt(contentStart + dirPart.length), end: doc.positionAt(offset) };
  const items = new Map<string, CompletionItem>();
  for (const base of session.pathBases(doc.uri)) {
    const dir = dirPart.startsWith('/') ? dirPart : join(base, dirPart);
    let names: string[];
    try {
      names = readdirSync(dir).slice(0, MAX_ENTRIES);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith('.') || items.has(name)) continue;
      let isDir = false;
      try {
        isDir = statSync(join(dir, name)).isDirectory();
      } catch {
        continue;
      }
      if (!isDir && !WANTED[hit.property].test(name)) continue;
      items.set(name, {
        label: isDir ? `${name}/` : name,
        kind: isDir ? CompletionItemKind.Folder : CompletionItemKind.File,
        detail: isDir ? 'folder' : hit.property === 'facts' ? 'facts file' : 'Ansible inventory',
        sortText: `${isDir ? '1' : '0'}${name}`,
        textEdit: { range, newText: isDir ? `${name}/` : name },
        ...(isDir ? { command: { title: 'Complete', command: 'editor.action.triggerSuggest' } } : {}),
      });
    }
  }
  return [...items.values()];
}
