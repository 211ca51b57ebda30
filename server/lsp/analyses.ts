// The analyses of the open documents, and when they run (docs/architecture.md,
// "The language server's scheduling").
//
// Nothing long runs on the message loop:
//
// - Diagnostics come from the analysis worker (runner.ts): one job at a time,
//   always of a document's newest version. A change while its older version is
//   being analysed cancels that analysis: the worker stops it at its next host,
//   keeping what its cache holds (or the worker is stopped if one host takes
//   much longer than the document's analyses usually do). Diagnostics are published only for the version the document
//   has when they arrive, so a stale version is never published, and the last
//   version of a burst of edits is analysed as soon as the worker is free (when
//   edits come faster than the document analyses, the worker waits for a pause
//   of BURST_QUIET_MS instead of analysing versions that are already gone).
//   An analysis stopped past its time or memory budget, or by a worker crash,
//   publishes one diagnostic saying so; the next edit tries again.
//
// - Hover, completion, code actions and the other features need an Analysis
//   object (a kernel model, plans keyed by layout objects), which does not
//   cross threads. The message loop keeps its own (in-process.ts, the class this one extends): once the worker has
//   finished a version (so its analysis is known to end, within budget), the
//   message loop analyses that version too, in slices of one host at a time
//   (analyzeFleetSteps), yielding to requests between slices, with a per-host
//   cache (an edit re-analyses one host). Requests answer from the last
//   finished in-process analysis: of the current version when it is there (or
//   about to be: a short wait once the worker has finished the version), else
//   of an older version, its offsets mapped through the edits made since
//   (edit-log.ts), leaving out whatever lies in a part edited since. The
//   message loop starts that analysis once the document has been left alone for
//   IDLE_MS (or at once when a request needs it), so a stream of edits does not
//   keep it parsing. Outline, folding, tokens and names need only the current
//   text: a parse, once per version.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { Finding } from '../core/index';
import { toDiagnostic } from './convert';
import { describeError } from './errors';
import type { FactsStore } from './facts-store';
import { BURST_MIN_MS, BURST_QUIET_MS, IDLE_MS, supersedeAfterMs, type Limits } from './limits';
import type { AnalysisRunner, Job, Outcome } from './runner';
import { InProcessAnalyses, type DocState } from './in-process';

export type { Stamp, View, Wait } from './in-process';

/** The text's size in UTF-8 bytes, or a number known to be at most `limit` when it is (a UTF-16 unit is 1–3 bytes). */
function byteLength(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length;
  return Buffer.byteLength(text, 'utf8');
}

export class Analyses extends InProcessAnalyses {
  private pumping: ReturnType<typeof setImmediate> | undefined;

  private pumpTimer: ReturnType<typeof setTimeout> | undefined;

  private watched = '';

  constructor(
    private readonly connection: Connection,
    documents: TextDocuments<TextDocument>,
    facts: FactsStore,
    private readonly runner: AnalysisRunner,
    limits: Limits,
    private readonly relatedInformation: () => boolean,
    log: (message: string) => void,
  ) {
    super(documents, facts, limits, log);
  }

  /** The document changed (or opened, or what it reads changed): analyse its new version. */
  schedule(uri: string): void {
    const st = this.state(uri);
    const now = performance.now();
    st.gap = now - st.lastChange;
    st.lastChange = now;
    st.gen++;
    // waiters for an older version will not be served
    this.settle(uri, st);
    if (st.computing) st.computing.aborted = true;
    this.queue.add(uri);
    if (st.inflight) this.runner.supersede(uri, supersedeAfterMs(st.lastMs));
    this.pumpSoon();
  }

  private pumpSoon(delayMs = 0): void {
    if (delayMs > 0) {
      if (this.pumpTimer || this.disposed) return;
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = undefined;
        this.pumpSoon();
      }, delayMs);
      return;
    }
    if (this.pumping || this.disposed) return;
    // after the notifications already read: a burst of changes is one job
    this.pumping = setImmediate(() => {
      this.pumping = undefined;
      this.pump();
    });
  }

  private pump(): void {
    if (this.runner.busy || this.disposed) return;
    const now = performance.now();
    for (const uri of this.queue) {
      const doc = this.documents.get(uri);
      const st = this.docs.get(uri);
      if (!doc || !st) {
        this.queue.delete(uri);
        continue;
      }
      // A burst of edits (changes coming faster than this document analyses):
      // wait for a pause rather than analyse versions that are already gone.
      const burst = st.lastMs !== undefined && st.lastMs > BURST_MIN_MS && st.gap < st.lastMs;
      const quiet = now - st.lastChange;
      if (burst && quiet < BURST_QUIET_MS) {
        this.pumpSoon(BURST_QUIET_MS - quiet + 1);
        continue;
      }
      this.queue.delete(uri);
      const text = doc.getText();
      const bytes = byteLength(text, this.limits.documentBytes);
      if (bytes > this.limits.documentBytes) {
        this.tooLarge(doc, st, bytes);
        continue;
      }
      const job: Job = {
        uri,
        version: doc.version,
        gen: st.gen,
        text,
        searchPaths: this.facts.searchPaths,
        workspaceFolders: this.facts.workspaceFolders,
      };
      st.inflight = { version: job.version, gen: job.gen };
      this.runner.run(job, (o) => this.finished(job, o));
      return;
    }
  }

  private tooLarge(doc: TextDocument, st: DocState, bytes: number): void {
    st.vetted = undefined;
    st.inproc = undefined;
    st.syntax = undefined;
    if (st.published?.version === doc.version && st.published.gen === st.gen) return;
    st.published = { version: doc.version, gen: st.gen };
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    void this.connection.sendDiagnostics({
      uri: doc.uri,
      version: doc.version,
      diagnostics: [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: 2,
          source: 'daxlayout',
          message: `this file is too large to analyse: ${bytes} bytes (${mib(bytes)}), limit ${this.limits.documentBytes} bytes (${mib(this.limits.documentBytes)}); nothing in it is checked`,
        },
      ],
    });
  }

  private finished(job: Job, o: Outcome): void {
    const st = this.docs.get(job.uri);
    if (st && st.inflight?.gen === job.gen) st.inflight = undefined;
    try {
      if (!st) return;
      const doc = this.documents.get(job.uri);
      const current = doc !== undefined && doc.version === job.version && st.gen === job.gen;
      if (o.kind === 'done') {
        st.lastMs = o.ms;
        st.seen = new Map(o.seen);
        this.watchFacts();
        if (o.error) this.log(`daxlayout: analysis of ${job.uri} failed: ${o.error}`);
        if (!current) return;
        this.publish(doc, o.findings);
        if (o.error) {
          this.settle(job.uri, st);
          return;
        }
        st.vetted = { version: job.version, gen: job.gen, seen: st.seen };
        if (o.analysis) {
          this.setInProcess(st, { version: job.version, gen: job.gen, analysis: o.analysis });
          this.settle(job.uri, st);
        } else {
          if (st.idle) clearTimeout(st.idle);
          st.idle = setTimeout(() => {
            st.idle = undefined;
            const now = this.documents.get(job.uri);
            if (now && this.docs.get(job.uri) === st && !this.disposed) this.compute(job.uri, st, now);
          }, IDLE_MS);
        }
      } else if (o.kind === 'stopped' && current) {
        this.publish(doc, [
          {
            code: 'DAX099',
            severity: 'error',
            message: `the analysis of this layout was stopped: ${o.reason}. Nothing in it is checked until the next edit; hovers and the other features show the last complete analysis`,
            span: { start: 0, end: Math.min(1, job.text.length) },
          },
        ]);
        this.settle(job.uri, st);
      }
    } catch (e) {
      this.log(`daxlayout: diagnostics for ${job.uri} failed: ${describeError(e)}`);
    } finally {
      this.pumpSoon();
    }
  }

  private publish(doc: TextDocument, findings: readonly Finding[]): void {
    const st = this.state(doc.uri);
    st.published = { version: doc.version, gen: st.gen };
    const options = { relatedInformation: this.relatedInformation() };
    const diagnostics = findings.map((f) => toDiagnostic(doc, f, options));
    void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  /** Watches the facts files the open documents read, and keeps only those in the store's cache. */
  private watchFacts(): void {
    const all = new Set<string>();
    for (const s of this.docs.values()) for (const p of s.seen.keys()) all.add(p);
    this.facts.retain(all);
    const key = [...all].sort().join('\n');
    if (key === this.watched) return;
    this.watched = key;
    this.facts.watch(all);
  }

  // The in-process analysis (for hovers and the like)

  /** Facts files changed: re-validate the open layouts whose facts now read differently. */
  factsChanged(paths: readonly string[]): void {
    for (const path of new Set(paths)) {
      const users = [...this.docs].filter(([, s]) => s.seen.has(path));
      if (users.length === 0) continue;
      const now = this.facts.current(path);
      for (const [uri, s] of users) {
        if (s.seen.get(path) === now) continue;
        this.runner.invalidate([path]);
        this.schedule(uri);
      }
    }
  }

  /** Settings or workspace folders changed: everything is analysed again. */
  revalidateAll(): void {
    for (const doc of this.documents.all()) this.schedule(doc.uri);
  }

  closed(uri: string): void {
    const st = this.docs.get(uri);
    if (st) {
      if (st.idle) clearTimeout(st.idle);
      if (st.computing) st.computing.aborted = true;
      for (const w of st.waiters) {
        clearTimeout(w.timer);
        w.resolve(undefined);
      }
      if (st.inflight) this.runner.supersede(uri, supersedeAfterMs(st.lastMs));
    }
    this.docs.delete(uri);
    this.queue.delete(uri);
    this.runner.forget(uri);
    this.watchFacts();
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  dispose(): void {
    this.disposed = true;
    if (this.pumping) clearImmediate(this.pumping);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    for (const st of this.docs.values()) {
      if (st.idle) clearTimeout(st.idle);
      if (st.computing) st.computing.aborted = true;
      for (const w of st.waiters) {
        clearTimeout(w.timer);
        w.resolve(undefined);
      }
    }
    this.runner.dispose();
  }
}
