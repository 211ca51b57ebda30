// The status bar item: the language server's state, shown beside .dax editors (and
// always while the server is in error). Clicking it opens the "daxlayout" output channel.
import * as vscode from 'vscode';

export type ServerState = 'starting' | 'ready' | 'stopped' | 'error';

const look: Record<ServerState, { icon: string; text: string }> = {
  starting: { icon: '$(loading~spin)', text: 'starting' },
  ready: { icon: '$(check)', text: 'ready' },
  stopped: { icon: '$(circle-slash)', text: 'stopped' },
  error: { icon: '$(error)', text: 'error' },
};

export class ServerStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('daxlayout.status', vscode.StatusBarAlignment.Right, 100);
  private readonly subscription: vscode.Disposable;
  private state: ServerState = 'stopped';

  constructor() {
    this.item.name = 'daxlayout language server';
    this.item.command = 'daxlayout.showOutput';
    this.subscription = vscode.window.onDidChangeActiveTextEditor(() => this.update());
    this.set('starting');
  }

  set(state: ServerState, detail?: string): void {
    this.state = state;
    this.item.text = `${look[state].icon} DAX`;
    this.item.tooltip = `daxlayout language server: ${look[state].text}${detail ? ` (${detail})` : ''}. Click to show its output.`;
    this.item.backgroundColor = state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.update();
  }

  private update(): void {
    const onDax = vscode.window.activeTextEditor?.document.languageId === 'dax';
    if (onDax || this.state === 'error') this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
