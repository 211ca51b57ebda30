// Which layout and host a command is for, and where it plans and applies: the host blocks come
// from the language server (`daxlayout/hosts`, server/lsp/code-lens.ts), never from a lexer
// of our own. A host with `ssh "…"` is reached over SSH; a host with only `facts "…"` — or any
// host, with "Plan against facts" — is simulated by the CLI from its facts file (`--target
// facts`): nothing touches a machine and nothing is saved, exactly as `daxlayout plan` does
// for such a host in a terminal.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostInfo } from '../../server/lsp/protocol';
import type { CliResult } from './cli';
import { PLAN_SCHEME, PlanDocuments } from './plan-view';

/**
 * The argument the commands accept (all optional; code lenses pass `uri` and `host`):
 * - `uri`: the layout (a URI or its string); default: the active editor's layout
 * - `host`: the host's name; default: the only host, or a QuickPick
 * - `target`: `facts` plans against the host's facts file even when it has `ssh "…"`
 * - `yes`: skip the confirmation (apply; capture: overwrite the facts file) — for automation
 * - `destination`: capture from this SSH destination instead of the host's `ssh "…"`
 * - `cancel`: a CancellationToken that cancels a running apply like the notification's
 *   Cancel button (for callers in the same extension host: other extensions, tests)
 */
export interface CommandArgs {
  readonly uri?: string | vscode.Uri;
  readonly host?: string;
  readonly target?: 'facts';
  readonly yes?: boolean;
  readonly destination?: string;
  readonly cancel?: vscode.CancellationToken;
}

export function commandArgs(a: unknown): CommandArgs {
  if (a instanceof vscode.Uri) return { uri: a };
  if (typeof a === 'object' && a !== null) {
    const o = a as Record<string, unknown>;
    return {
      ...(typeof o.uri === 'string' || o.uri instanceof vscode.Uri ? { uri: o.uri } : {}),
      ...(typeof o.host === 'string' ? { host: o.host } : {}),
      ...(o.target === 'facts' ? { target: 'facts' as const } : {}),
      ...(o.yes === true ? { yes: true } : {}),
      ...(typeof o.destination === 'string' ? { destination: o.destination } : {}),
      ...(isToken(o.cancel) ? { cancel: o.cancel } : {}),
    };
  }
  return {};
}

function isToken(x: unknown): x is vscode.CancellationToken {
  const t = x as Partial<vscode.CancellationToken> | null | undefined;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.isCancellationRequested === 'boolean' &&
    typeof t.onCancellationRequested === 'function'
  );
}

/** Ends a command with a message (shown unless `shown`). */
export class Stop extends Error {
  constructor(
    message: string,
    readonly shown = false,
  ) {
    super(message);
  }
}

export interface Resolved {
  readonly doc: vscode.TextDocument;
  readonly host: HostInfo;
}

/** Where a plan or apply runs, and how the messages name it. */
export interface Target {
  readonly kind: 'ssh' | 'facts';
  /** The CLI's `--target` arguments. */
  readonly args: string[];
  /** `ssh root@db1 port 2222`, or `simulated from lab.facts.json — nothing touches a machine`. */
  readonly text: string;
  readonly simulated: boolean;
  readonly destination?: string;
  /** The facts file (simulated targets). */
  readonly facts?: string;
}

export type HostsOf = (doc: vscode.TextDocument) => Promise<HostInfo[]>;

/** The layout and the host a command is for. */
export async function resolveHost(a: CommandArgs, verb: string, hostsOf: HostsOf): Promise<Resolved> {
  let uri: vscode.Uri | undefined;
  let hostName = a.host;
  if (a.uri) uri = typeof a.uri === 'string' ? vscode.Uri.parse(a.uri) : a.uri;
  else {
    const active = vscode.window.activeTextEditor?.document;
    if (active?.languageId === 'dax') uri = active.uri;
    else if (active?.uri.scheme === PLAN_SCHEME) uri = active.uri;
  }
  if (uri?.scheme === PLAN_SCHEME) {
    const src = PlanDocuments.sourceOf(uri);
    uri = src?.layout;
    hostName ??= src?.host;
  }
  if (!uri) throw new Stop(`Open a .dax layout to ${verb} one of its hosts.`);
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.uri.scheme !== 'file')
    throw new Stop(
      `${path.basename(doc.uri.path)} is not a file on disk: save it first (the CLI reads the layout from disk).`,
    );
  const hosts = await hostsOf(doc);
  const name = path.basename(doc.uri.fsPath);
  if (hostName !== undefined) {
    const h = hosts.find((x) => x.name === hostName);
    if (!h)
      throw new Stop(
        `${name} has no host \`${hostName}\`${hosts.length ? ` (hosts: ${hosts.map((x) => x.name).join(', ')})` : ''}.`,
      );
    return { doc, host: h };
  }
  if (hosts.length === 0)
    throw new Stop(
      `${name} declares no host: plan and apply work on a \`host NAME { ssh "…" }\` or \`host NAME { facts "…" }\` block.`,
    );
  if (hosts.length === 1) return { doc, host: hosts[0] as HostInfo };
  // several hosts: the one under the cursor first, then ask
  const editor = vscode.window.activeTextEditor;
  const offset = editor?.document.uri.toString() === doc.uri.toString() ? doc.offsetAt(editor.selection.active) : -1;
  const here = hosts.find((h) => offset >= h.start && offset <= h.end);
  const items = [...(here ? [here] : []), ...hosts.filter((h) => h !== here)].map((h) => ({
    label: h.name,
    description: describeHost(h),
    host: h,
  }));
  const pick = await vscode.window.showQuickPick(items, {
    title: `Which host to ${verb}?`,
    placeHolder: `${name} has ${hosts.length} hosts`,
  });
  if (!pick) throw new Stop('No host was picked; nothing was run.', true);
  return { doc, host: pick.host };
}

export function describeHost(h: HostInfo): string {
  return h.ssh
    ? `ssh ${h.ssh}${h.port ? ` port ${h.port}` : ''}`
    : h.facts
      ? `simulated from ${h.facts}`
      : 'no ssh or facts';
}

/** Over SSH when the host has `ssh "…"` (unless `facts` is asked for), else simulated from its facts file. */
export function targetOf(r: Resolved, wanted?: 'facts'): Target {
  const h = r.host;
  if (h.ssh && wanted !== 'facts') {
    const text = `ssh ${h.ssh}${h.port ? ` port ${h.port}` : ''}`;
    return { kind: 'ssh', args: ['--target', 'ssh'], text, simulated: false, destination: h.ssh };
  }
  if (h.facts) {
    if (!h.factsFile) {
      throw new Stop(
        `${h.name}'s facts file ${h.facts} was not found (next to the layout or in daxlayout.factsSearchPaths)${h.ssh ? '' : `, and ${h.name} has no \`ssh "…"\` destination`}: capture the facts first${h.ssh ? '' : ', or add `ssh "user@host"`'}.`,
      );
    }
    return {
      kind: 'facts',
      args: ['--target', 'facts'],
      text: `simulated from ${relativeName(r.doc, h.factsFile)} — nothing touches a machine`,
      simulated: true,
      facts: h.factsFile,
    };
  }
  if (wanted === 'facts')
    throw new Stop(
      `${h.name} has no \`facts "…"\` file to plan against: capture its facts first ("Capture facts" on the host line).`,
    );
  throw new Stop(
    `${h.name} has neither \`ssh "…"\` nor \`facts "…"\`: add \`ssh "user@host"\` to plan and apply over SSH, or a facts file to plan against a simulation of it.`,
  );
}

/** The environment the CLI needs to find facts files as the language server does. */
export function cliEnv(doc: vscode.TextDocument): Record<string, string> {
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri) ?? vscode.workspace.workspaceFolders?.[0];
  const base = folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
  const extra = (vscode.workspace.getConfiguration('daxlayout', doc.uri).get<string[]>('factsSearchPaths') ?? [])
    .filter((p) => typeof p === 'string' && p.trim() !== '')
    .map((p) => (path.isAbsolute(p) || !base ? p : path.resolve(base, p)));
  return extra.length ? { DAXLAYOUT_FACTS_PATH: extra.join(path.delimiter) } : {};
}

export function relativeName(doc: vscode.TextDocument, file: string): string {
  const rel = path.relative(path.dirname(doc.uri.fsPath), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function lastLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.replace(/^daxlayout: /, '').trim())
      .filter((l) => l && !l.startsWith('Run `daxlayout help`'))
      .pop() ?? ''
  );
}

export function describeExit(r: CliResult): string {
  return r.signal ? `signal ${r.signal}` : `exit code ${r.code ?? '?'}`;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
