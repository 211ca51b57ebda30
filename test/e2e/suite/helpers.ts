// Shared helpers for the extension-host suite. Every wait is on an event with a deadline;
// nothing sleeps.
import * as assert from 'node:assert/strict';
import { format } from 'node:util';
import * as vscode from 'vscode';

/**
 * Under code-server the extension host's console reaches the launcher mixed with the
 * workbench's own logging; the launcher sets DAXLAYOUT_E2E_TAG (the extension host inherits
 * code-server's environment) so that the suite's report lines carry a tag it can pick out.
 */
const REPORT_TAG = process.env.DAXLAYOUT_E2E_TAG ?? '';

/** Prints a line of the suite's report. */
export function note(...args: unknown[]): void {
  for (const line of format(...args).split('\n')) console.log(`${REPORT_TAG}${line}`);
}

export const EXTENSION_ID = 'daxlayout.daxlayout';

export interface DaxlayoutApi {
  readonly ready: Promise<void>;
  readonly timings: { activateMs: number; readyMs: number | undefined };
}

export function workspaceUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs a workspace folder (a copy of samples/ and test/e2e/fixtures/)');
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function openDax(name: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(name));
  await vscode.window.showTextDocument(doc, { preview: false });
  assert.equal(doc.languageId, 'dax', `${name} should open as a dax document`);
  return doc;
}

/** Activates the extension (opening a .dax file already does) and waits for its server. */
export async function activated(): Promise<DaxlayoutApi> {
  const ext = vscode.extensions.getExtension<DaxlayoutApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  const api = await ext.activate();
  await api.ready;
  return api;
}

export function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c);
}

export function describeDiagnostics(diags: readonly vscode.Diagnostic[]): string {
  return (
    diags
      .map((d) => `${codeOf(d)}@${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`)
      .join('\n  ') || '(none)'
  );
}

/**
 * Resolves with the diagnostics of `uri` at the first `onDidChangeDiagnostics` event
 * for it that satisfies `accept`. Call it before the action that causes the change.
 * With `checkNow`, the current diagnostics count too.
 */
export function diagnosticsWhen(
  uri: vscode.Uri,
  accept: (diags: vscode.Diagnostic[]) => boolean,
  { timeoutMs = 20_000, checkNow = false, what = 'diagnostics' } = {},
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const key = uri.toString();
    const finish = (diags?: vscode.Diagnostic[], err?: Error) => {
      clearTimeout(timer);
      sub.dispose();
      if (err) reject(err);
      else resolve(diags ?? []);
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === key)) return;
      const diags = vscode.languages.getDiagnostics(uri);
      if (accept(diags)) finish(diags);
    });
    const timer = setTimeout(() => {
      finish(
        undefined,
        new Error(
          `timed out after ${timeoutMs} ms waiting for ${what} on ${uri.path}; last seen:\n  ${describeDiagnostics(vscode.languages.getDiagnostics(uri))}`,
        ),
      );
    }, timeoutMs);
    if (checkNow) {
      const now = vscode.languages.getDiagnostics(uri);
      if (accept(now)) finish(now);
    }
  });
}

export const hasCode = (code: string) => (diags: readonly vscode.Diagnostic[]) => diags.some((d) => codeOf(d) === code);

/** The position of the `n`th (0-based) occurrence of `needle` in the document, plus `offset` characters. */
export function positionOf(doc: vscode.TextDocument, needle: string, offset = 0, n = 0): vscode.Position {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = doc.getText().indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle}" (#${i}) not found in ${doc.uri.path}`);
  }
  return doc.positionAt(at + offset);
}

export function hoverText(hovers: readonly vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

/** Reverts what a test edited (nothing is saved) and closes every editor. */
export async function closeAll(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file')) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * Resolves with `read()`'s value once `accept` holds, asking again every 50 ms until
 * `timeoutMs` (for state that has no event of its own, such as what a webview drew).
 */
export async function until<T>(
  read: () => Thenable<T> | T,
  accept: (v: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Asks the launcher for a screenshot of the workbench as it is now (test/e2e/out/shots/NAME.png)
 * and waits until it is written. Outside code-server (desktop VS Code) there is no launcher to
 * take it: a no-op.
 */
export async function shot(name: string, timeoutMs = 20_000): Promise<void> {
  const dir = process.env.DAXLAYOUT_E2E_SHOTS;
  if (!dir) return;
  const { existsSync } = await import('node:fs');
  const file = `${dir}/${name}.png`;
  note(`e2e-shot: ${name}`);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (existsSync(`${file}.failed`)) throw new Error(`the screenshot ${name} failed`);
    if (Date.now() > deadline) throw new Error(`no screenshot ${file} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
