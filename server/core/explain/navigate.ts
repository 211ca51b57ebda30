// Host names, device labels and `cxl region` labels: definition (`on HOST` → `host HOST`),
// references, and rename (all occurrences; invalid or clashing names refused).

import type { Span } from '../../../grammar/src/ast';
import { parse } from '../../../grammar/src/index';
import type { Analysis } from '../analysis/types';
import type { TextEdit } from '../analysis/finding';
import { locate, type Hit } from './locate';

type Named =
  | { kind: 'host'; name: string; span: Span }
  | { kind: 'device'; name: string; span: Span; hit: Extract<Hit, { kind: 'device-label' }> }
  | { kind: 'cxl'; name: string; span: Span };

function namedAt(a: Analysis, offset: number): Named | undefined {
  const hit = locate(a.file, a.text, offset, true);
  if (hit?.kind === 'host-name' || hit?.kind === 'host-ref')
    return { kind: 'host', name: hit.word.text, span: hit.word.span };
  if (hit?.kind === 'device-label') return { kind: 'device', name: hit.word.text, span: hit.word.span, hit };
  if (hit?.kind === 'cxl-label') return { kind: 'cxl', name: hit.word.text, span: hit.word.span };
  return undefined;
}

/** `host NAME` declarations of a host name. */
export function hostDeclarations(a: Analysis, name: string): Span[] {
  const out: Span[] = [];
  for (const d of a.file.declarations) if (d.kind === 'host' && d.name?.text === name) out.push(d.name.span);
  return out;
}

/** `on NAME` uses of a host name. */
export function hostUses(a: Analysis, name: string): Span[] {
  const out: Span[] = [];
  for (const d of a.file.declarations) if (d.kind === 'region' && d.host?.text === name) out.push(d.host.span);
  return out;
}

/** Where the host name at the offset is declared. */
export function definitionAt(a: Analysis, offset: number): Span[] {
  const n = namedAt(a, offset);
  if (!n) return [];
  if (n.kind !== 'host') return [n.span];
  return hostDeclarations(a, n.name);
}

export function referencesAt(a: Analysis, offset: number, includeDeclaration: boolean): Span[] {
  const n = namedAt(a, offset);
  if (!n) return [];
  if (n.kind !== 'host') return includeDeclaration ? [n.span] : [];
  const spans = [...(includeDeclaration ? hostDeclarations(a, n.name) : []), ...hostUses(a, n.name)];
  return spans.sort((x, y) => x.start - y.start);
}

/** The facts path (as written) when the offset is on a host's `facts "…"` string. */
export function factsPathAt(a: Analysis, offset: number): { path: string; span: Span } | undefined {
  const hit = filePathAt(a, offset);
  return hit?.property === 'facts' ? { path: hit.path, span: hit.span } : undefined;
}

/** The `facts "…"` or `inventory "…"` string of a host block at `offset` (its span holds the quotes). */
export function filePathAt(
  a: Analysis,
  offset: number,
): { property: 'facts' | 'inventory'; path: string; span: Span } | undefined {
  const hit = locate(a.file, a.text, offset, true);
  if (hit?.kind !== 'value' || hit.block !== 'host' || hit.value.kind !== 'string') return undefined;
  const key = hit.property.key.text;
  if (key !== 'facts' && key !== 'inventory') return undefined;
  return { property: key, path: hit.value.value, span: hit.value.span };
}

export type PrepareRename = { readonly span: Span; readonly placeholder: string } | { readonly error: string };

export function prepareRenameAt(a: Analysis, offset: number): PrepareRename {
  const n = namedAt(a, offset);
  if (!n) return { error: 'Only host names, device labels and cxl region labels can be renamed.' };
  return { span: n.span, placeholder: n.name };
}

export type RenameResult = { readonly edits: readonly TextEdit[] } | { readonly error: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function renameAt(a: Analysis, offset: number, newName: string): RenameResult {
  const n = namedAt(a, offset);
  if (!n) return { error: 'Only host names, device labels and cxl region labels can be renamed.' };
  if (!NAME.test(newName))
    return {
      error: `\`${newName}\` is not a valid name: use letters, digits, \`_\`, \`-\` and \`.\`, starting with a letter or \`_\`.`,
    };
  if (newName === n.name) return { edits: [] };
  let spans: Span[];
  if (n.kind === 'host') {
    if (hostDeclarations(a, newName).length > 0) return { error: `a host \`${newName}\` is already declared` };
    spans = [...hostDeclarations(a, n.name), ...hostUses(a, n.name)];
  } else if (n.kind === 'cxl') {
    if (a.file.declarations.some((d) => d.kind === 'region' && d.cxl && d.label?.text === newName))
      return { error: `a cxl region \`${newName}\` is already declared` };
    spans = [n.span];
  } else {
    if (n.hit.region.devices.some((d) => d.label?.text === newName))
      return { error: `region ${n.hit.region.id?.text ?? '?'} already has a device \`${newName}\`` };
    spans = [n.span];
  }
  // The new name must read back as the same name (e.g. not turn into a keyword the parser treats
  // differently) where it goes: checked in a few lines that put it there, not by parsing the whole
  // document again (a parse of the text per rename request).
  if (!readsBackAsName(n.kind, newName)) return { error: `\`${newName}\` cannot be used as a ${WHAT[n.kind]} here` };
  return { edits: spans.map((span) => ({ span, newText: newName })) };
}

const WHAT: Readonly<Record<Named['kind'], string>> = {
  host: 'host name',
  device: 'device label',
  cxl: 'cxl region label',
};

/** Every place a host name, a device label or a cxl region label is written, with `name` in it. */
function placesOf(kind: Named['kind'], name: string): string {
  if (kind === 'host') return `host ${name} {\n}\nregion 0 on ${name} {\n}\n`;
  if (kind === 'cxl') return `cxl region ${name} {\n}\n`;
  return `region 0 {\n  device ${name} {\n  }\n}\n`;
}

function readsBackAsName(kind: Named['kind'], name: string): boolean {
  return parse(placesOf(kind, name)).errors.length <= parse(placesOf(kind, 'x')).errors.length;
}
