// The extension's entry point: wires the language client, its status item and the two
// commands, then returns at once. Everything about the language lives in the server.
import * as vscode from 'vscode';
import { DaxClient } from './client';

/** What `activate` returns: other extensions and the e2e suite may read it. */
export interface DaxlayoutApi {
  /** Resolves when the language server has answered `initialize` (rejects if it could not start). */
  readonly ready: Promise<void>;
  /** Milliseconds spent in `activate()` itself, and from its start until the server was ready. */
  readonly timings: { activateMs: number; readyMs: number | undefined };
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

  const timings: { activateMs: number; readyMs: number | undefined } = { activateMs: 0, readyMs: undefined };
  const ready = dax.start().then(() => {
    timings.readyMs = performance.now() - t0;
    output.info(`language server ready ${timings.readyMs.toFixed(1)} ms after activation started`);
  });
  ready.catch(() => undefined); // reported by the client and the status item; callers may still await it

  timings.activateMs = performance.now() - t0;
  output.info(`activate() took ${timings.activateMs.toFixed(1)} ms`);
  return { ready, timings };
}

export function deactivate(): Promise<void> | undefined {
  const stopping = dax?.stop();
  dax = undefined;
  return stopping;
}
