// The language server's limits (docs/architecture.md, "The language server's scheduling").
// Each can be lowered for a test through the environment; the defaults are what users get.

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

export interface Limits {
  /** Documents above this many bytes (UTF-8) are not analysed: they get one diagnostic saying so. */
  readonly documentBytes: number;
  /**
   * Documents above this many bytes are not parsed on the message loop: outline,
   * folding, tokens, hover and the other features answer empty (diagnostics still
   * come from the worker). A parse takes ~25 ms per 160 KB on a busy machine.
   */
  readonly mainThreadBytes: number;
  /** Time budget of one analysis in the worker; past it the worker is stopped and restarted. */
  readonly analysisBudgetMs: number;
  /** The worker's V8 old-generation heap limit (resourceLimits.maxOldGenerationSizeMb). */
  readonly workerHeapMb: number;
}

export function defaultLimits(): Limits {
  return {
    documentBytes: env('DAXLAYOUT_LSP_DOCUMENT_LIMIT', 4 * 1024 * 1024),
    mainThreadBytes: env('DAXLAYOUT_LSP_MAIN_THREAD_LIMIT', 1024 * 1024),
    analysisBudgetMs: env('DAXLAYOUT_LSP_ANALYSIS_BUDGET_MS', 20_000),
    workerHeapMb: env('DAXLAYOUT_LSP_WORKER_HEAP_MB', 1024),
  };
}

/**
 * A newer version waits while the worker analyses an older one: the older one
 * runs on (its result is then dropped, the worker keeps its cache) unless it
 * takes longer than this, when the worker is stopped and restarted.
 */
export function supersedeAfterMs(lastMs: number | undefined): number {
  return Math.max(1500, 3 * (lastMs ?? 0));
}

/**
 * Edits coming faster than a document analyses (the gap before the last one is
 * shorter than its last analysis took, and that took over BURST_MIN_MS): its
 * next analysis starts after BURST_QUIET_MS without an edit.
 */
export const BURST_MIN_MS = 20;
export const BURST_QUIET_MS = 40;

/** The message loop analyses a document (for hovers and the like) once it has been left alone this long, or when a request needs it. */
export const IDLE_MS = 150;

/** How long a request waits for the analysis of the current version once the worker has finished it. */
export const SETTLED_WAIT_MS = 2000;
/** How long completion waits for the current version's analysis while the worker is still at it. */
export const COMPLETION_GRACE_MS = 300;
/** The longest slice of in-process analysis between two turns of the message loop. */
export const SLICE_MS = 8;
