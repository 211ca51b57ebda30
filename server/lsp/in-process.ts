// The message loop's own analysis of the open documents, for hover, completion, code actions
// and the other requests (docs/architecture.md, "The language server's scheduling"): an
// Analysis (kernel models, plans keyed by layout objects) does not cross threads, so once the
// worker has finished a version (its analysis is known to end, within budget), the message
// loop analyses that version too, in slices of one host at a time (analyzeFleetSteps),
// yielding to requests between slices, with a per-host cache (an edit re-analyses one host).
// Requests answer from the last finished in-process analysis: of the current version when it
// is there (or about to be: a short wait once the worker has finished the version), else of an
// older version, its offsets mapped through the edits made since (edit-log.ts), leaving out
// whatever lies in a part edited since. It starts once the document has been left alone for
// IDLE_MS (or at once when a request needs it), so a stream of edits does not keep it
// parsing. Outline, folding, tokens and names need only the current text: a parse, once per
// version. The worker's side (diagnostics, which version runs when) is analyses.ts.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocuments } from 'vscode-languageserver/node';
import { AnalysisCache, analyzeFleetSteps, syntaxAnalysis, type Analysis, type AnalyzeOptions } from '../core/index';
import { describeError } from './errors';
import type { FactsStore } from './facts-store';
import { COMPLETION_GRACE_MS, SETTLED_WAIT_MS, SLICE_MS, type Limits } from './limits';
import { EditLog } from './edit-log';

export interface Stamp {
  readonly version: number;
  /** Bumped on every change an analysis depends on (text, facts, settings). */
  readonly gen: number;
}

export interface InProcess extends Stamp {
  readonly analysis: Analysis;
}

export interface Computing extends Stamp {
  readonly promise: Promise<void>;
  aborted: boolean;
}

export interface Waiter extends Stamp {
  readonly resolve: (a: Analysis | undefined) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export interface DocState {
  gen: number;
  /** When the document last changed, and the gap before that change (ms, performance.now()). */
  lastChange: number;
  gap: number;
  /** The job running in the worker for this document. */
  inflight?: Stamp;
  /** How long its last analysis in the worker took (ms). */
  lastMs?: number;
  /** Facts paths the last worker analysis looked at, with digests of what they held. */
  seen: Map<string, string>;
  /** The newest version the worker analysed to the end (not stopped), with what it read. */
  vetted?: Stamp & { readonly seen: Map<string, string> };
  /** The last finished in-process analysis (of any version). */
  inproc?: InProcess;
  computing?: Computing;
  waiters: Waiter[];
  /** The message loop's cache (per-host analyses, the parse of the current text). */
  readonly cache: AnalysisCache;
  /** The syntax of the current version (parse once per version). */
  syntax?: { readonly version: number; readonly analysis: Analysis };
  /** Published for this stamp (to publish a too-large notice once). */
  published?: Stamp;
  /** The edits since the in-process analysis' version. */
  readonly log: EditLog;
  /** The in-process analysis starts when this fires (the document left alone for IDLE_MS). */
  idle?: ReturnType<typeof setTimeout>;
}

/** A document's analysis as seen from its current text. */
export interface View {
  readonly doc: TextDocument;
  readonly analysis: Analysis;
  /** The analysis is of the current text (offsets map one to one). */
  readonly current: boolean;
  /** Current-text offset → analysis offset (undefined in the part changed since). */
  toAnalysis(offset: number): number | undefined;
  /** Analysis span → current-text span (undefined when it touches the part changed since). */
  toCurrent(span: { start: number; end: number }): { start: number; end: number } | undefined;
}

export type Wait = 'none' | 'settled' | 'completion';

class Unvetted extends Error {}

export class InProcessAnalyses {
  protected readonly docs = new Map<string, DocState>();

  /** Documents waiting for the worker, oldest change first. */
  protected readonly queue = new Set<string>();

  protected disposed = false;

  constructor(
    protected readonly documents: TextDocuments<TextDocument>,
    protected readonly facts: FactsStore,
    protected readonly limits: Limits,
    protected readonly log: (message: string) => void,
  ) {}

  protected state(uri: string): DocState {
    let s = this.docs.get(uri);
    if (!s)
      this.docs.set(
        uri,
        (s = {
          gen: 0,
          lastChange: -Infinity,
          gap: Infinity,
          seen: new Map(),
          waiters: [],
          cache: new AnalysisCache(),
          log: new EditLog(),
        }),
      );
    return s;
  }

  // Diagnostics: the worker

  /** Analyses the worker's last version on the message loop, in slices. */
  protected compute(uri: string, st: DocState, doc: TextDocument): void {
    const vetted = st.vetted;
    if (!vetted || vetted.version !== doc.version || vetted.gen !== st.gen) return;
    if (
      st.computing &&
      st.computing.version === vetted.version &&
      st.computing.gen === vetted.gen &&
      !st.computing.aborted
    )
      return;
    if (st.inproc && st.inproc.version === vetted.version && st.inproc.gen === vetted.gen) return;
    const text = doc.getText();
    if (text.length > this.limits.mainThreadBytes) {
      this.settle(uri, st);
      return;
    }
    if (st.computing) st.computing.aborted = true;
    // Facts are read again here; the analysis may only see what the worker saw (it is what is known to end).
    const readFacts: AnalyzeOptions['readFacts'] = (p) => {
      const seen = new Map<string, string>();
      const load = this.facts.read(uri, p, seen);
      for (const [path, key] of seen)
        if (vetted.seen.get(path) !== key) throw new Unvetted(`${path} changed since the worker read it`);
      return load;
    };
    const steps = analyzeFleetSteps(text, { readFacts, cache: st.cache });
    const c: Computing = { version: vetted.version, gen: vetted.gen, aborted: false, promise: Promise.resolve() };
    const stale = () =>
      c.aborted ||
      this.disposed ||
      this.docs.get(uri) !== st ||
      this.documents.get(uri)?.version !== c.version ||
      st.gen !== c.gen;
    (c as { promise: Promise<void> }).promise = (async () => {
      try {
        for (;;) {
          const t0 = performance.now();
          let r: IteratorResult<void, Analysis>;
          do r = steps.next();
          while (!r.done && performance.now() - t0 < SLICE_MS);
          if (r.done) {
            st.cache.sweep();
            if (!stale()) this.setInProcess(st, { version: c.version, gen: c.gen, analysis: r.value });
            return;
          }
          await new Promise<void>((res) => setImmediate(res));
          if (stale()) {
            steps.return(undefined as never);
            return;
          }
        }
      } catch (e) {
        if (!(e instanceof Unvetted)) this.log(`daxlayout: in-process analysis of ${uri} failed: ${describeError(e)}`);
      } finally {
        if (st.computing === c) st.computing = undefined;
        this.settle(uri, st);
      }
    })();
    st.computing = c;
  }

  protected setInProcess(st: DocState, x: InProcess): void {
    st.inproc = x;
    st.log.trim(x.version);
  }

  /** Resolves the waiters that can be served now (or never will be). */
  protected settle(uri: string, st: DocState): void {
    const doc = this.documents.get(uri);
    const keep: Waiter[] = [];
    for (const w of st.waiters) {
      const current = st.inproc && st.inproc.version === w.version && st.inproc.gen === w.gen;
      const outdated = !doc || doc.version !== w.version || st.gen !== w.gen;
      const pending = st.computing !== undefined || st.inflight !== undefined || this.queue.has(uri);
      if (current || outdated || !pending) {
        clearTimeout(w.timer);
        w.resolve(current ? st.inproc?.analysis : undefined);
      } else keep.push(w);
    }
    st.waiters = keep;
  }

  /** Waits up to `ms` for the in-process analysis of the current version. */
  protected waitCurrent(uri: string, st: DocState, doc: TextDocument, ms: number): Promise<Analysis | undefined> {
    return new Promise((resolve) => {
      const w: Waiter = {
        version: doc.version,
        gen: st.gen,
        resolve,
        timer: setTimeout(() => {
          st.waiters = st.waiters.filter((x) => x !== w);
          resolve(undefined);
        }, ms),
      };
      st.waiters.push(w);
      this.settle(uri, st);
    });
  }

  /** True when the current version is too large to parse on the message loop. */
  protected tooLargeHere(doc: TextDocument): boolean {
    return doc.getText().length > this.limits.mainThreadBytes;
  }

  /**
   * The current text's syntax (never waits): the full analysis when it is of
   * the current version, else a parse of the text (once per version).
   */
  syntax(uri: string): { doc: TextDocument; analysis: Analysis } | undefined {
    const doc = this.documents.get(uri);
    if (!doc || this.tooLargeHere(doc)) return undefined;
    const st = this.state(uri);
    if (st.inproc && st.inproc.version === doc.version) return { doc, analysis: st.inproc.analysis };
    if (st.syntax?.version !== doc.version)
      st.syntax = { version: doc.version, analysis: syntaxAnalysis(doc.getText(), st.cache) };
    return { doc, analysis: st.syntax.analysis };
  }

  /**
   * The last finished analysis as a view of the current text. `settled`:
   * waits (briefly) for the current version when the worker has finished it;
   * `completion`: also while the worker is still at it (a short grace);
   * `none`: never waits.
   */
  async view(uri: string, wait: Wait): Promise<View | undefined> {
    const doc = this.documents.get(uri);
    if (!doc || this.tooLargeHere(doc)) return undefined;
    const st = this.state(uri);
    const isCurrent = (x: InProcess | undefined) => x !== undefined && x.version === doc.version && x.gen === st.gen;
    if (!isCurrent(st.inproc) && wait !== 'none') {
      const vetted = st.vetted && st.vetted.version === doc.version && st.vetted.gen === st.gen;
      if (vetted) {
        this.compute(uri, st, doc);
        await this.waitCurrent(uri, st, doc, SETTLED_WAIT_MS);
      } else if (wait === 'completion' && (st.inflight || this.queue.has(uri))) {
        await this.waitCurrent(uri, st, doc, COMPLETION_GRACE_MS);
      }
    }
    const now = this.documents.get(uri);
    if (!now || now !== doc) return undefined;
    const inproc = st.inproc;
    if (!inproc) return undefined;
    if (inproc.version === now.version) {
      return { doc: now, analysis: inproc.analysis, current: true, toAnalysis: (o) => o, toCurrent: (s) => s };
    }
    const map = st.log.since(inproc.version);
    if (!map) return undefined;
    return {
      doc: now,
      analysis: inproc.analysis,
      current: false,
      toAnalysis: (o) => map.toOld(o),
      toCurrent: (s) => map.toNew(s),
    };
  }

  // Facts, settings, closing

  /** An edit of the document's text (server.ts records them as TextDocuments applies them). */
  edited(uri: string, version: number, start: number, end: number, length: number): void {
    this.docs.get(uri)?.log.edited(version, start, end, length);
  }

  /** The document's whole text was replaced. */
  replaced(uri: string, version: number): void {
    this.docs.get(uri)?.log.replaced(version);
  }
}
