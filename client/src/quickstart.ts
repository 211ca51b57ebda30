// "DAX: Open the Quick-Start Layout" (the walkthrough's first step): copies the quick-start
// layout and its facts file, shipped in the extension, into a folder of the extension's own
// storage (once; a later run opens the same copy) and opens the layout. Its host has only
// `facts "…"`, so Plan and Apply run simulated, in one click.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export function registerQuickstart(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.commands.registerCommand('daxlayout.openQuickstart', async () => {
    const dir = path.join(context.globalStorageUri.fsPath, 'quickstart');
    mkdirSync(dir, { recursive: true });
    for (const f of ['quickstart.dax', 'linux-6.1.facts.json']) {
      const to = path.join(dir, f);
      if (!existsSync(to)) copyFileSync(context.asAbsolutePath(path.join('samples', f)), to);
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir, 'quickstart.dax')));
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc.uri.toString();
  });
}
