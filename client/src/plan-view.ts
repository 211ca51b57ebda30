// The read-only plan documents (`daxlayout-plan:` URIs): one per layout file and host,
// re-rendered in place when the plan is made again or an apply reports progress.
import * as path from 'node:path';
import * as vscode from 'vscode';

export const PLAN_SCHEME = 'daxlayout-plan';
export const PLAN_LANGUAGE = 'dax-plan';

export class PlanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** The plan URI of a layout's host: `daxlayout-plan:/hbm-lab.dax — lab61?<layout uri>`. */
  static uriFor(layout: vscode.Uri, host: string): vscode.Uri {
    return vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${path.posix.basename(layout.path)} — ${host} plan`, query: new URLSearchParams({ layout: layout.toString(), host }).toString() });
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

  set(uri: vscode.Uri, text: string): void {
    if (this.texts.get(uri.toString()) === text) return;
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  /** Shows the plan document (beside the layout), as a plan-language document. */
  async show(uri: vscode.Uri, text: string): Promise<vscode.TextDocument> {
    this.set(uri, text);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== PLAN_LANGUAGE) doc = await vscode.languages.setTextDocumentLanguage(doc, PLAN_LANGUAGE);
    const open = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: false, viewColumn: open?.viewColumn ?? vscode.ViewColumn.Beside });
    return doc;
  }

  dispose(): void {
    this.changed.dispose();
    this.texts.clear();
  }
}
