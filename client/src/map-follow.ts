// What the region map and the layout tree share: following the `.dax` document the user
// works on (the active editor, or the last active one while a view has focus), asking the
// server again after edits (debounced) and until its answer is of the document's current
// version, and revealing a declaration in the layout.
import * as vscode from 'vscode';
import type { LspRange } from '../../server/lsp/protocol';

export const isLayout = (d: vscode.TextDocument | undefined): d is vscode.TextDocument => d?.languageId === 'dax';

export function toRange(r: LspRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** Selects `range` in the layout's editor (opening it beside nothing: in its own column) and scrolls to it. */
export async function revealDeclaration(uri: vscode.Uri, range: LspRange): Promise<vscode.TextEditor> {
  const open = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const doc = open?.document ?? (await vscode.workspace.openTextDocument(uri));
  const r = toRange(range);
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: open?.viewColumn ?? vscode.ViewColumn.One,
    preserveFocus: false,
    selection: new vscode.Selection(r.start, r.end),
  });
  editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/**
 * Calls `refresh(document, reason)` for the followed layout: at once when it changes, after
 * `editDelayMs` of quiet after edits, after `cursorDelayMs` after cursor moves (when asked).
 * `again(document)` schedules one more ask (the server answered from an older version).
 */
export class LayoutFollower implements vscode.Disposable {
  private readonly subs: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private document: vscode.TextDocument | undefined;
  /** When the pending ask goes out (ms since the epoch). */
  private dueAt = 0;

  constructor(
    private readonly refresh: (doc: vscode.TextDocument | undefined) => void,
    options: { cursor: boolean; editDelayMs?: number; cursorDelayMs?: number },
  ) {
    const editDelay = options.editDelayMs ?? 250;
    const cursorDelay = options.cursorDelayMs ?? 80;
    this.document = isLayout(vscode.window.activeTextEditor?.document)
      ? vscode.window.activeTextEditor?.document
      : vscode.window.visibleTextEditors.find((e) => isLayout(e.document))?.document;
    this.subs.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (!isLayout(e?.document) || e.document === this.document) return;
        this.document = e.document;
        this.schedule(0);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === this.document && e.contentChanges.length > 0) this.schedule(editDelay);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d !== this.document) return;
        this.document = undefined;
        this.schedule(0);
      }),
    );
    if (options.cursor) {
      this.subs.push(
        vscode.window.onDidChangeTextEditorSelection((e) => {
          // typing moves the cursor too: a pending ask after an edit is not brought forward
          if (e.textEditor.document === this.document) this.schedule(Math.max(cursorDelay, this.dueAt - Date.now()));
        }),
      );
    }
  }

  get current(): vscode.TextDocument | undefined {
    return this.document;
  }

  /** The cursor in the followed layout's editor, if it is visible. */
  get cursor(): vscode.Position | undefined {
    const e = vscode.window.visibleTextEditors.find((x) => x.document === this.document);
    return e?.selection.active;
  }

  follow(doc: vscode.TextDocument): void {
    this.document = doc;
    this.schedule(0);
  }

  schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh(this.document);
    }, ms);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subs.splice(0)) s.dispose();
  }
}
