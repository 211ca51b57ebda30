// "DAX: Show Region Map": a webview beside the layout with each region's address map (the
// SVG the server renders, the same as `daxlayout explain --svg`). It follows the layout the
// user works on: redrawn after edits from the server's analysis, the device under the cursor
// highlighted, and a click on a device selects its declaration in the layout.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DaxClient } from './client';
import { isLayout, LayoutFollower, revealDeclaration } from './map-follow';
import { REGION_MAP_REQUEST, type RegionMapResult } from '../../server/lsp/protocol';

/** What the webview reports after drawing (the e2e suite reads it through `daxlayout.map.state`). */
export interface MapRendered {
  readonly version: number;
  readonly regions: readonly { readonly key: string; readonly devices: readonly string[] }[];
  readonly active: { readonly region: string; readonly device: string } | null;
  /** How many drawn elements carry the highlight. */
  readonly highlighted: number;
}

export interface MapState {
  readonly open: boolean;
  readonly uri?: string;
  readonly version?: number;
  readonly current?: boolean;
  readonly titles: readonly string[];
  readonly rendered?: MapRendered;
}

/** The server answered from an older version: ask again, at most this many times in a row. */
const MAX_RETRIES = 40;

export class RegionMapView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private follower: LayoutFollower | undefined;
  private last: RegionMapResult | undefined;
  private rendered: MapRendered | undefined;
  private seq = 0;
  private retries = 0;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly dax: DaxClient) {
    this.subs = [
      vscode.commands.registerCommand('daxlayout.showMap', (uri?: vscode.Uri) => this.show(uri)),
      // for tests and other extensions: what the map shows
      vscode.commands.registerCommand('daxlayout.map.state', (): MapState => this.state()),
    ];
  }

  private state(): MapState {
    return {
      open: this.panel !== undefined,
      ...(this.last ? { uri: this.last.uri, version: this.last.version, current: this.last.current } : {}),
      titles: this.last?.regions.map((r) => r.title) ?? [],
      ...(this.rendered ? { rendered: this.rendered } : {}),
    };
  }

  async show(uri?: vscode.Uri): Promise<void> {
    const doc = uri
      ? await vscode.workspace.openTextDocument(uri)
      : isLayout(vscode.window.activeTextEditor?.document)
        ? vscode.window.activeTextEditor?.document
        : undefined;
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(
        'daxlayout.map',
        'Region map',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, localResourceRoots: [] },
      );
      this.panel = panel;
      panel.webview.html = html(nonce());
      panel.webview.onDidReceiveMessage((m: unknown) => this.message(m));
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.follower?.dispose();
        this.follower = undefined;
        this.last = undefined;
        this.rendered = undefined;
      });
      this.follower = new LayoutFollower((d) => void this.refresh(d), { cursor: true });
    }
    if (doc) this.follower?.follow(doc);
    else this.follower?.schedule(0);
  }

  private async refresh(doc: vscode.TextDocument | undefined): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    const seq = ++this.seq;
    if (!doc) {
      void panel.webview.postMessage({
        type: 'empty',
        text: 'Open a .dax layout to see the address map of its regions.',
      });
      return;
    }
    panel.title = `Map: ${path.posix.basename(doc.uri.path)}`;
    const cursor = this.follower?.cursor;
    let r: RegionMapResult | null | undefined;
    try {
      r = await this.dax.request<RegionMapResult | null>(REGION_MAP_REQUEST, {
        textDocument: { uri: doc.uri.toString() },
        ...(cursor ? { position: { line: cursor.line, character: cursor.character } } : {}),
      });
    } catch {
      r = undefined;
    }
    if (seq !== this.seq || this.panel !== panel) return; // a newer ask went out meanwhile
    if (!r) {
      void panel.webview.postMessage({
        type: 'empty',
        text: 'The language server has no analysis of this layout yet.',
      });
      this.again();
      return;
    }
    this.last = r;
    void panel.webview.postMessage({
      type: 'update',
      version: r.version,
      regions: r.regions.map(({ key, title, svg }) => ({ key, title, svg })),
      active: r.active ?? null,
      empty: 'No region of this layout can be predicted: see the problems.',
    });
    if (!r.current || r.version !== doc.version) this.again();
    else this.retries = 0;
  }

  private again(): void {
    if (this.retries++ < MAX_RETRIES) this.follower?.schedule(250);
  }

  private message(m: unknown): void {
    const msg = m as { type?: string; region?: string; device?: string } & Partial<MapRendered>;
    if (msg.type === 'rendered') {
      this.rendered = {
        version: msg.version ?? -1,
        regions: msg.regions ?? [],
        active: msg.active ?? null,
        highlighted: msg.highlighted ?? 0,
      };
    } else if (msg.type === 'reveal' && typeof msg.region === 'string' && typeof msg.device === 'string') {
      void this.reveal(msg.region, msg.device);
    }
  }

  /** A click on a device: select its declaration (asking again first when the text changed since the map was drawn). */
  private async reveal(region: string, device: string): Promise<void> {
    const doc = this.follower?.current;
    if (!doc) return;
    let r = this.last;
    if (!r || r.version !== doc.version)
      r =
        (await this.dax
          .request<RegionMapResult | null>(REGION_MAP_REQUEST, { textDocument: { uri: doc.uri.toString() } })
          .catch(() => null)) ?? undefined;
    const d = r?.regions.find((x) => x.key === region)?.devices.find((x) => x.key === device);
    if (d?.range) await revealDeclaration(doc.uri, d.range);
    else
      void vscode.window.showInformationMessage(
        d
          ? `${d.kernelName ?? device} is not declared in the layout (the layout does not list it).`
          : 'That device is no longer in the layout.',
      );
  }

  dispose(): void {
    this.panel?.dispose();
    this.follower?.dispose();
    for (const s of this.subs) s.dispose();
  }
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

/** The webview's page: sections of inline SVG, swapped only when they change; the highlight is a class. */
function html(n: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${n}'; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${n}">
  body { padding: 8px 12px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); }
  section { margin: 0 0 14px; }
  section svg { width: 100%; max-width: 880px; height: auto; display: block; border-radius: 4px; }
  g.dev { cursor: pointer; }
  g.dev:hover rect { stroke-width: 2px; }
  section.has-active g.dev:not(.active) { opacity: 0.55; }
  g.dev.active rect { stroke: #000; stroke-width: 2.5px; }
  #empty { opacity: 0.8; }
</style></head>
<body><p id="empty">Loading the region map…</p><div id="maps"></div>
<script nonce="${n}">
  const vscode = acquireVsCodeApi();
  const maps = document.getElementById('maps');
  const empty = document.getElementById('empty');
  let active = null;
  const drawn = new WeakMap();
  function highlight(scroll) {
    let count = 0;
    for (const s of maps.querySelectorAll('section')) {
      const on = active && s.dataset.region === active.region;
      s.classList.toggle('has-active', !!on);
      for (const g of s.querySelectorAll('g.dev')) {
        const hit = !!on && g.dataset.device === active.device;
        g.classList.toggle('active', hit);
        if (hit) count++;
      }
      if (on && scroll) s.scrollIntoView({ block: 'nearest' });
    }
    return count;
  }
  function report(version) {
    const regions = [...maps.querySelectorAll('section')].map((s) => ({ key: s.dataset.region, devices: [...new Set([...s.querySelectorAll('g.dev')].map((g) => g.dataset.device))] }));
    vscode.postMessage({ type: 'rendered', version, regions, active, highlighted: highlight(false) });
  }
  window.addEventListener('message', (e) => {
    const m = e.data;
    if (m.type === 'empty') { maps.replaceChildren(); empty.textContent = m.text; empty.hidden = false; active = null; report(-1); return; }
    if (m.type !== 'update') return;
    const keep = new Map([...maps.querySelectorAll('section')].map((s) => [s.dataset.region, s]));
    const next = m.regions.map((r) => {
      let s = keep.get(r.key);
      if (!s) { s = document.createElement('section'); s.dataset.region = r.key; }
      if (drawn.get(s) !== r.svg) { s.innerHTML = r.svg; drawn.set(s, r.svg); }
      return s;
    });
    maps.replaceChildren(...next);
    empty.hidden = next.length > 0;
    if (next.length === 0) empty.textContent = m.empty;
    const moved = JSON.stringify(active) !== JSON.stringify(m.active);
    active = m.active;
    highlight(moved);
    report(m.version);
  });
  document.addEventListener('click', (e) => {
    const g = e.target.closest && e.target.closest('g.dev');
    const s = g && g.closest('section');
    if (g && s) vscode.postMessage({ type: 'reveal', region: s.dataset.region, device: g.dataset.device });
  });
</script></body></html>`;
}
