// The status bar item naming where the open layout's host is planned and applied: the host
// under the cursor (or the only one) and its target — `ssh root@db1` or `simulated from
// lab.facts.json`. Clicking it plans that host.
import * as vscode from 'vscode';
import type { HostInfo } from '../../server/lsp/protocol';
import { COMMANDS, type LensArgs } from '../../server/lsp/protocol';
import { describeHost, type HostsOf } from './targets';

export class TargetStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('daxlayout.target', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(private readonly hostsOf: HostsOf) {
    this.item.name = 'daxlayout target';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.soon(0)),
      vscode.window.onDidChangeTextEditorSelection(
        (e) => e.textEditor === vscode.window.activeTextEditor && this.soon(150),
      ),
      vscode.workspace.onDidChangeTextDocument(
        (e) => e.document === vscode.window.activeTextEditor?.document && this.soon(300),
      ),
    ];
    this.soon(0);
  }

  private soon(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), ms);
  }

  private async update(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const doc = editor?.document;
    if (!doc || doc.languageId !== 'dax') {
      this.item.hide();
      return;
    }
    const seq = ++this.seq;
    let hosts: HostInfo[];
    try {
      hosts = await this.hostsOf(doc);
    } catch {
      return; // the server is (re)starting: the next change updates the item
    }
    if (seq !== this.seq || vscode.window.activeTextEditor?.document !== doc) return;
    const offset = doc.offsetAt(editor.selection.active);
    const h = hosts.find((x) => offset >= x.start && offset <= x.end) ?? (hosts.length === 1 ? hosts[0] : undefined);
    if (!h) {
      this.item.text = hosts.length ? `$(server) DAX: ${hosts.length} hosts` : '$(server) DAX: no host';
      this.item.tooltip = hosts.length
        ? hosts.map((x) => `${x.name}: ${describeHost(x)}`).join('\n')
        : 'This layout declares no host to plan or apply.';
      this.item.command = undefined;
    } else {
      const simulated = !h.ssh && h.facts !== undefined;
      this.item.text = `${simulated ? '$(beaker)' : '$(remote)'} ${h.name}: ${describeHost(h)}`;
      this.item.tooltip = `Plan and Apply for ${h.name} run ${h.ssh ? `over SSH (${h.ssh})` : h.facts ? `against a simulation of ${h.facts}: nothing touches a machine` : 'nowhere yet: add ssh "…" or facts "…"'}. Click to plan.`;
      const args: LensArgs = { uri: doc.uri.toString(), host: h.name };
      this.item.command = { title: 'Plan', command: COMMANDS.plan, arguments: [args] };
    }
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
    this.item.dispose();
  }
}
