// The read-only plan documents (`daxlayout-plan:` URIs): one per layout file and host,
// re-rendered in place when the plan is made again or an apply reports progress.
import * as path from 'node:path';
import * as vscode from 'vscode';

export const PLAN_SCHEME = 'daxlayout-plan';
export const PLAN_LANGUAGE = 'dax-plan';
const THROTTLE_MS = 150;

export class PlanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** The plan URI of a layout's host: `daxlayout-plan:/hbm-lab.dax — lab61?<layout uri>`. */
  static uriFor(layout: vscode.Uri, host: string): vscode.Uri {
    return vscode.Uri.from({
      scheme: PLAN_SCHEME,
      path: `/${path.posix.basename(layout.path)} — ${host} plan`,
      query: new URLSearchParams({ layout: layout.toString(), host }).toString(),
    });
  }

  /** The layout and host a plan URI is for. */
  static sourceOf(uri: vscode.Uri): { layout: vscode.Uri; host: string } | undefined {
    if (uri.scheme !== PLAN_SCHEME) return undefined;
    const q = new URLSearchParams(uri.query);
    const layout = q.get('layout');
    const host = q.get('host');
    return layout && host ? { layout: vscode.Uri.parse(layout), host } : undefined;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'No plan yet: run "DAX: Plan".\n';
  }

  /**
   * Sets a plan document's text. Changes are passed on at most every THROTTLE_MS per document
   * (the last one always): VS Code applies a virtual document's updates as edits computed
   * asynchronously, and updates in quick succession (an apply's steps) can lose the last one.
   */
  set(uri: vscode.Uri, text: string): void {
    const key = uri.toString();
    if (this.texts.get(key) === text) return;
    this.texts.set(key, text);
    if (this.timers.has(key)) return;
    const wait = (this.fired.get(key) ?? -Infinity) + THROTTLE_MS - Date.now();
    if (wait <= 0) return this.fire(key, uri);
    this.timers.set(
      key,
      setTimeout(() => this.fire(key, uri), wait),
    );
  }

  private fire(key: string, uri: vscode.Uri): void {
    this.timers.delete(key);
    this.fired.set(key, Date.now());
    this.changed.fire(uri);
  }

  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly fired = new Map<string, number>();

  /** Shows the plan document (beside the layout), as a plan-language document. */
  async show(uri: vscode.Uri, text: string): Promise<vscode.TextDocument> {
    this.set(uri, text);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== PLAN_LANGUAGE) doc = await vscode.languages.setTextDocumentLanguage(doc, PLAN_LANGUAGE);
    const open = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    await vscode.window.showTextDocument(doc, {
      preview: false,
      preserveFocus: false,
      viewColumn: open?.viewColumn ?? vscode.ViewColumn.Beside,
    });
    return doc;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.changed.dispose();
    this.texts.clear();
  }
}
