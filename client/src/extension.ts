// The extension's entry point: wires the language client, its status item, the server
// commands and plan/apply (which run the bundled CLI), then returns at once. Everything
// about the language lives in the server; everything about hosts in the CLI.
import * as vscode from 'vscode';
import { Cli } from './cli';
import { DaxClient } from './client';
import { PlanApply } from './plan-apply';
import { registerQuickstart } from './quickstart';
import { TargetStatus } from './target-status';
import { RegionMapView } from './map-view';
import { LayoutTreeView } from './tree-view';

/** What `activate` returns: other extensions and the e2e suite may read it. */
export interface DaxlayoutApi {
  /** Resolves when the language server has answered `initialize` (rejects if it could not start). */
  readonly ready: Promise<void>;
  /** Milliseconds spent in `activate()` itself, and from its start until the server was ready. */
  readonly timings: { activateMs: number; readyMs: number | undefined };
  /** The file behind the "daxlayout" output channel. */
  readonly logFile: vscode.Uri;
}

let dax: DaxClient | undefined;

export function activate(context: vscode.ExtensionContext): DaxlayoutApi {
  const t0 = performance.now();
  const output = vscode.window.createOutputChannel('daxlayout', { log: true });
  dax = new DaxClient(context, output);
  context.subscriptions.push(
    output,
    dax,
    vscode.commands.registerCommand('daxlayout.restartServer', () => dax?.restart()),
    vscode.commands.registerCommand('daxlayout.showOutput', () => output.show(true)),
  );
  const client = dax;
  const hostsOf = (doc: vscode.TextDocument) => client.hosts(doc);
  context.subscriptions.push(
    new PlanApply(new Cli(context, output), output, hostsOf),
    new TargetStatus(hostsOf),
    registerQuickstart(context),
  );
  // the region map (webview) and the layout tree (explorer), both from the server's analysis
  context.subscriptions.push(new RegionMapView(dax), new LayoutTreeView(dax));

  const timings: { activateMs: number; readyMs: number | undefined } = { activateMs: 0, readyMs: undefined };
  const ready = dax.start().then(() => {
    timings.readyMs = performance.now() - t0;
    output.info(`language server ready ${timings.readyMs.toFixed(1)} ms after activation started`);
  });
  ready.catch(() => undefined); // reported by the client and the status item; callers may still await it

  timings.activateMs = performance.now() - t0;
  output.info(`activate() took ${timings.activateMs.toFixed(1)} ms`);
  return { ready, timings, logFile: vscode.Uri.joinPath(context.logUri, 'daxlayout.log') };
}

export function deactivate(): Promise<void> | undefined {
  const stopping = dax?.stop();
  dax = undefined;
  return stopping;
}
