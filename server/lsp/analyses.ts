// The analyses of the open documents: one per version, computed on demand
// (a request on a changed document) or by the diagnostics scheduler, and
// dropped when a facts file they read changes.

import { performance } from 'node:perf_hooks';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import { parse, type Analysis, type AnalyzeOptions } from '../core/index';
import { toDiagnostic } from './convert';
import type { FactsStore } from './facts-store';
import { describeError } from './guard';

/**
 * Scheduling of diagnostics. A change is analysed as soon as it has been taken
 * in (setImmediate): measured over stdio (test/bench/lsp.mjs), ~100 lines
 * analyse in under a millisecond and 10,000 lines in a few tens. Only a burst
 * on a slow document is debounced: when changes come faster than it can be
 * analysed (the gap since the previous change is shorter than the last
 * analysis took, and that took over SLOW_MS), the run waits DEBOUNCE_MS for
 * more. A newer change cancels the pending run, and a run analyses the current
 * version, so a stale version is never published.
 */
const SLOW_MS = 8;
const DEBOUNCE_MS = 15;

export type AnalyzeFn = (text: string, options: AnalyzeOptions) => Analysis;

interface Entry {
  readonly version: number;
  readonly analysis: Analysis;
  /** Facts paths looked at, with what they held. */
  readonly seen: Map<string, string>;
  readonly ms: number;
  published?: number;
}

type Pending = { kind: 'immediate'; handle: ReturnType<typeof setImmediate> } | { kind: 'timeout'; handle: ReturnType<typeof setTimeout> };

/** What the server answers with when the core itself fails: the syntax tree and one DAX099. */
function failedAnalysis(text: string, e: unknown): Analysis {
  return {
    text,
    file: parse(text),
    layout: { hosts: [], regions: [], issues: [] },
    hosts: [],
    findings: [
      {
        code: 'DAX099',
        severity: 'error',
        message: `internal error in the daxlayout core: ${e instanceof Error ? e.message : String(e)} — please report it`,
        span: { start: 0, end: Math.min(1, text.length) },
      },
    ],
  };
}

export class Analyses {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Pending>();
  private readonly lastChange = new Map<string, number>();
  private watched = '';

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly facts: FactsStore,
    private readonly analyzeFn: AnalyzeFn,
    private readonly relatedInformation: () => boolean,
    private readonly log: (message: string) => void,
  ) {}

  /** The analysis of the document's current version, computed now if stale. */
  current(doc: TextDocument): Analysis {
    const e = this.entries.get(doc.uri);
    return (e && e.version === doc.version ? e : this.analyse(doc)).analysis;
  }

  private analyse(doc: TextDocument): Entry {
    const seen = new Map<string, string>();
    const text = doc.getText();
    const t0 = performance.now();
    let analysis: Analysis;
    try {
      analysis = this.analyzeFn(text, { readFacts: (p) => this.facts.read(doc.uri, p, seen) });
    } catch (e) {
      this.log(`daxlayout: analysis of ${doc.uri} failed: ${describeError(e)}`);
      analysis = failedAnalysis(text, e);
    }
    const entry: Entry = { version: doc.version, analysis, seen, ms: performance.now() - t0 };
    this.entries.set(doc.uri, entry);
    this.watchFacts();
    return entry;
  }

  /** Watches the facts files the open documents read (only when that set changes). */
  private watchFacts(): void {
    const all = new Set<string>();
    for (const e of this.entries.values()) for (const p of e.seen.keys()) all.add(p);
    const key = [...all].sort().join('\n');
    if (key === this.watched) return;
    this.watched = key;
    this.facts.watch(all);
  }

  private cancel(uri: string): void {
    const p = this.pending.get(uri);
    if (!p) return;
    if (p.kind === 'immediate') clearImmediate(p.handle);
    else clearTimeout(p.handle);
    this.pending.delete(uri);
  }

  private publish(uri: string): void {
    this.pending.delete(uri);
    try {
      const doc = this.documents.get(uri);
      if (!doc) return;
      this.current(doc);
      const e = this.entries.get(uri) as Entry;
      if (e.published === doc.version) return;
      e.published = doc.version;
      const options = { relatedInformation: this.relatedInformation() };
      const diagnostics = e.analysis.findings.map((f) => toDiagnostic(doc, f, options));
      void this.connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    } catch (e) {
      this.log(`daxlayout: diagnostics for ${uri} failed: ${describeError(e)}`);
    }
  }

  /** The document changed (or opened): publish its diagnostics soon. */
  schedule(uri: string): void {
    this.cancel(uri);
    const now = performance.now();
    const gap = now - (this.lastChange.get(uri) ?? -Infinity);
    this.lastChange.set(uri, now);
    const last = this.entries.get(uri);
    const run = () => this.publish(uri);
    if (last && last.ms > SLOW_MS && gap < last.ms) this.pending.set(uri, { kind: 'timeout', handle: setTimeout(run, DEBOUNCE_MS) });
    else this.pending.set(uri, { kind: 'immediate', handle: setImmediate(run) });
  }

  /** Facts files changed: re-validate the open layouts whose facts now read differently. */
  factsChanged(paths: readonly string[]): void {
    for (const path of new Set(paths)) {
      const users = [...this.entries].filter(([, e]) => e.seen.has(path));
      if (users.length === 0) continue;
      const now = this.facts.current(path);
      for (const [uri, e] of users) {
        if (e.seen.get(path) === now) continue;
        this.entries.delete(uri);
        this.schedule(uri);
      }
    }
  }

  /** Settings or workspace folders changed: everything is analysed again. */
  revalidateAll(): void {
    this.entries.clear();
    for (const doc of this.documents.all()) this.schedule(doc.uri);
  }

  closed(uri: string): void {
    this.cancel(uri);
    this.entries.delete(uri);
    this.lastChange.delete(uri);
    this.watchFacts();
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  dispose(): void {
    for (const uri of [...this.pending.keys()]) this.cancel(uri);
  }
}
