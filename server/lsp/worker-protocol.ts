// Messages between the language server's message loop and its analysis worker
// (server/lsp/analysis-worker.ts, bundled as server/dist/analysis-worker.cjs).
// Plain data only: an Analysis holds a KernelModel and maps keyed by objects,
// which do not survive structured cloning, so the worker sends back findings.

import type { Finding } from '../core/index';

export interface AnalyseRequest {
  readonly type: 'analyse';
  readonly id: number;
  readonly uri: string;
  readonly text: string;
  readonly searchPaths: readonly string[];
  readonly workspaceFolders: readonly string[];
}

export type ToWorker =
  | AnalyseRequest
  /** The document closed: drop its cache. */
  | { readonly type: 'forget'; readonly uri: string }
  /** These facts files changed on disk: read them again. */
  | { readonly type: 'invalidate'; readonly paths: readonly string[] };

export interface AnalyseResult {
  readonly type: 'result';
  readonly id: number;
  readonly findings: Finding[];
  /** Facts paths looked at, with a digest of what they held (FactsStore.read). */
  readonly seen: [string, string][];
  readonly ms: number;
  /** The worker's heap in use after the analysis (bytes), for the memory watchdog. */
  readonly heapUsed: number;
  /** The core threw (a bug): the findings are one DAX099 saying so. */
  readonly error?: string;
}

export type FromWorker =
  | AnalyseResult
  /** The analysis `id` stopped between two hosts because the server cancelled it (WorkerData.cancel). */
  | { readonly type: 'cancelled'; readonly id: number }
  | { readonly type: 'log'; readonly message: string };

/** What the worker is started with (workerData). */
export interface WorkerData {
  /** What the thread is for (server.cjs runs as the worker when started with this). */
  readonly role: 'analysis';
  /** Test hooks (`#!daxlayout-test:…` lines; see analysis-worker.ts); off unless a test turns them on. */
  readonly testFaults: boolean;
  /**
   * One Int32 the server sets to the id of an analysis it no longer wants (a newer version
   * of the document waits): the worker looks at it between hosts and stops that analysis,
   * keeping its cache. Absent: analyses run to the end.
   */
  readonly cancel?: SharedArrayBuffer;
}

/** A finding as plain data (what structured cloning keeps). */
export function plainFinding(f: Finding): Finding {
  return {
    code: f.code,
    severity: f.severity,
    message: f.message,
    span: { start: f.span.start, end: f.span.end },
    ...(f.related
      ? { related: f.related.map((r) => ({ span: { start: r.span.start, end: r.span.end }, message: r.message })) }
      : {}),
    ...(f.fixes
      ? {
          fixes: f.fixes.map((x) => ({
            title: x.title,
            edits: x.edits.map((e) => ({ span: { start: e.span.start, end: e.span.end }, newText: e.newText })),
          })),
        }
      : {}),
  };
}

/** What the server reports when the core itself fails: one DAX099 at the start of the file. */
export function internalErrorFinding(text: string, e: unknown): Finding {
  return {
    code: 'DAX099',
    severity: 'error',
    message: `internal error in the daxlayout core: ${e instanceof Error ? e.message : String(e)} — please report it`,
    span: { start: 0, end: Math.min(1, text.length) },
  };
}
