// The "DAX Layout" view in the explorer: the layout the user works on as hosts → regions →
// devices, each device with its kernel name and the change the plan makes to it (create,
// resize, rebind, change, unchanged, refused, destroy, keep), from the server's
// `daxlayout/layoutTree` request; refreshed after edits; a click selects the declaration.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DaxClient } from './client';
import { LayoutFollower, revealDeclaration } from './map-follow';
import {
  LAYOUT_TREE_REQUEST,
  type LayoutTreeResult,
  type LspRange,
  type TreeDeviceInfo,
  type TreeHostInfo,
  type TreeRegionInfo,
} from '../../server/lsp/protocol';

export const TREE_VIEW = 'daxlayout.layout';
const REVEAL = 'daxlayout.tree.reveal';

type Node =
  | { kind: 'host'; host: TreeHostInfo }
  | { kind: 'region'; region: TreeRegionInfo }
  | { kind: 'device'; device: TreeDeviceInfo }
  | { kind: 'note'; text: string };

const CHANGE_ICON: Readonly<Record<string, [string, string?]>> = {
  create: ['diff-added', 'charts.green'],
  resize: ['arrow-both', 'charts.yellow'],
  rebind: ['plug', 'charts.yellow'],
  change: ['diff-modified', 'charts.yellow'],
  unchanged: ['check'],
  refused: ['error', 'errorForeground'],
  destroy: ['diff-removed', 'charts.red'],
  keep: ['circle-outline'],
  unknown: ['question'],
};

/** A tree row as plain data (the e2e suite reads the tree through `daxlayout.tree.state`). */
export interface TreeRow {
  readonly depth: number;
  readonly label: string;
  readonly description: string;
}

const MAX_RETRIES = 40;

export class LayoutTreeView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private result: LayoutTreeResult | undefined;
  private readonly view: vscode.TreeView<Node>;
  private readonly follower: LayoutFollower;
  private readonly subs: vscode.Disposable[];
  private seq = 0;
  private retries = 0;

  constructor(private readonly dax: DaxClient) {
    this.view = vscode.window.createTreeView(TREE_VIEW, { treeDataProvider: this, showCollapseAll: true });
    this.follower = new LayoutFollower((d) => void this.refresh(d), { cursor: false, editDelayMs: 300 });
    this.subs = [
      vscode.commands.registerCommand(REVEAL, (uri: string, range: LspRange) =>
        revealDeclaration(vscode.Uri.parse(uri), range),
      ),
      vscode.commands.registerCommand('daxlayout.tree.refresh', () => this.follower.schedule(0)),
      // for tests and other extensions: the rows as shown
      vscode.commands.registerCommand(
        'daxlayout.tree.state',
        (): { uri?: string; version?: number; rows: TreeRow[] } => ({
          ...(this.result ? { uri: this.result.uri, version: this.result.version } : {}),
          rows: this.rows(),
        }),
      ),
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) this.follower.schedule(0);
      }),
    ];
    void vscode.commands.executeCommand('setContext', 'daxlayout.hasLayout', true);
    this.follower.schedule(0);
  }

  private async refresh(doc: vscode.TextDocument | undefined): Promise<void> {
    const seq = ++this.seq;
    if (!doc) {
      this.result = undefined;
      this.view.message = 'Open a .dax layout to see its hosts, regions and devices.';
      this.changed.fire(undefined);
      return;
    }
    let r: LayoutTreeResult | null | undefined;
    try {
      r = await this.dax.request<LayoutTreeResult | null>(LAYOUT_TREE_REQUEST, {
        textDocument: { uri: doc.uri.toString() },
      });
    } catch {
      r = undefined;
    }
    if (seq !== this.seq) return;
    if (!r) {
      if (this.retries++ < MAX_RETRIES) this.follower.schedule(250);
      return;
    }
    // redraw only what changed: rows drawn again under the pointer can swallow a click
    const same =
      this.result !== undefined &&
      this.result.uri === r.uri &&
      JSON.stringify(this.result.hosts) === JSON.stringify(r.hosts);
    this.result = r;
    this.view.message = undefined;
    this.view.description = path.posix.basename(doc.uri.path);
    if (!same) this.changed.fire(undefined);
    if ((!r.current || r.version !== doc.version) && this.retries++ < MAX_RETRIES) this.follower.schedule(250);
    else if (r.current) this.retries = 0;
  }

  getChildren(n?: Node): Node[] {
    if (!n)
      return this.result
        ? this.result.hosts.length
          ? this.result.hosts.map((host) => ({ kind: 'host', host }))
          : [{ kind: 'note', text: 'no hosts or regions in this layout' }]
        : [];
    if (n.kind === 'host') return n.host.regions.map((region) => ({ kind: 'region', region }));
    if (n.kind === 'region')
      return n.region.devices.length
        ? n.region.devices.map((device) => ({ kind: 'device', device }))
        : [{ kind: 'note', text: 'no devices' }];
    return [];
  }

  getTreeItem(n: Node): vscode.TreeItem {
    const row = describe(n);
    const item = new vscode.TreeItem(
      row.label,
      n.kind === 'host' || n.kind === 'region'
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None,
    );
    item.description = row.description;
    const uri = this.result?.uri;
    if (n.kind === 'host') {
      item.iconPath = new vscode.ThemeIcon(n.host.error ? 'warning' : 'server');
      item.tooltip = n.host.error
        ? `${n.host.name}: ${n.host.error}`
        : `${n.host.name} — ${n.host.target}${n.host.kernel ? `, Linux ${n.host.kernel}` : ''}`;
      item.contextValue = 'host';
    } else if (n.kind === 'region') {
      item.iconPath = new vscode.ThemeIcon('symbol-array');
      item.contextValue = 'region';
    } else if (n.kind === 'device') {
      const [icon, colour] = CHANGE_ICON[n.device.change] ?? ['circle-outline'];
      item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
      item.tooltip = new vscode.MarkdownString().appendText(
        `${n.device.label ?? n.device.kernelName ?? ''}: ${n.device.change} — ${n.device.detail}${n.device.mode ? `\n${n.device.size ?? ''} ${n.device.mode}` : ''}`,
      );
      item.contextValue = `device-${n.device.change}`;
    } else {
      item.iconPath = new vscode.ThemeIcon('info');
    }
    const range =
      n.kind === 'host'
        ? n.host.range
        : n.kind === 'region'
          ? n.region.range
          : n.kind === 'device'
            ? n.device.range
            : undefined;
    if (uri && range) item.command = { command: REVEAL, title: 'Show the declaration', arguments: [uri, range] };
    return item;
  }

  private rows(): TreeRow[] {
    const out: TreeRow[] = [];
    const walk = (n: Node | undefined, depth: number) => {
      for (const c of this.getChildren(n)) {
        out.push({ depth, ...describe(c) });
        walk(c, depth + 1);
      }
    };
    walk(undefined, 0);
    return out;
  }

  dispose(): void {
    this.follower.dispose();
    this.view.dispose();
    this.changed.dispose();
    for (const s of this.subs) s.dispose();
  }
}

function describe(n: Node): { label: string; description: string } {
  switch (n.kind) {
    case 'host':
      return {
        label: n.host.name,
        description: [n.host.target, n.host.kernel ? `Linux ${n.host.kernel}` : '', n.host.error ?? '']
          .filter(Boolean)
          .join(' · '),
      };
    case 'region':
      return { label: `region ${n.region.id}`, description: n.region.detail };
    case 'device': {
      const d = n.device;
      const label = d.label ?? `${d.kernelName ?? '?'} (not in layout)`;
      return {
        label,
        description: [
          d.kernelName && d.label ? d.kernelName : '',
          d.change,
          d.change === 'unchanged' || d.change === 'create' ? (d.size ?? '') : d.detail,
        ]
          .filter(Boolean)
          .join(' · '),
      };
    }
    case 'note':
      return { label: n.text, description: '' };
  }
}
