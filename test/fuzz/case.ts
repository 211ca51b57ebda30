// One fuzz input: a layout as the editor holds it, the files it names (facts,
// inventories) and where the cursor is. Stored as JSON in found/ and
// regressions/ (JSON keeps CR, U+2028 and lone surrogates exactly).

export interface FuzzCase {
  /** The .dax text. */
  readonly layout: string;
  /** Files the layout names (facts files, inventories), by the path as written in it. */
  readonly files: Readonly<Record<string, string>>;
  /** The cursor (typing sequences): hover and completion are asked there. */
  readonly cursor?: number;
  /** How the case was made, for the report. */
  readonly origin?: string;
  /** The typing sequence (or truncation sweep) the case belongs to: the rest is skipped after two hangs. */
  readonly group?: number;
}

/**
 * What a run of one case came to: ok; slow (over the slow threshold, not a failure);
 * throws (an exception escaped the core); dax099 (a rule crashed, caught by the core);
 * internal (another "internal error" finding: the kernel model or a reader caught a crash);
 * badspan (a view answered with a span outside the text); hang (killed after the hard
 * timeout); abort (the process died: out of memory, a fatal error).
 */
export type Kind = 'ok' | 'slow' | 'throws' | 'dax099' | 'internal' | 'badspan' | 'hang' | 'abort';

/** The kinds that are failures (slow is measured, not a failure). */
export const FAILURES: readonly Kind[] = ['throws', 'dax099', 'internal', 'badspan', 'hang', 'abort'];

export interface Outcome {
  readonly kind: Kind;
  /** Milliseconds the server's work took (for hangs and aborts: until the case was given up). */
  readonly ms: number;
  /**
   * CPU milliseconds the child used on it (user + system, its GC threads included), when it
   * finished: on a machine loaded by other work this stays near what the input costs, while the
   * wall time grows with the load.
   */
  readonly cpuMs?: number;
  /**
   * Wall and CPU milliseconds of all the work on the input: `ms` and `cpuMs` are of the work of one
   * edit (analysis, views, requests at a few offsets, formatting); one small input in four is then
   * also probed at every token (server-work.ts), which these include.
   */
  readonly wholeMs?: number;
  readonly wholeCpuMs?: number;
  /** The error, the DAX099 finding's message, or why the process ended. */
  readonly message?: string;
  /** Top frames, innermost first: `function (file:line)`, file relative to the checkout. */
  readonly frames?: readonly string[];
  /** Which server feature was running when it failed (analysis, hover, completion, …). */
  readonly stage?: string;
}

/** A case as stored in found/ and regressions/. */
export interface StoredCase extends FuzzCase {
  /** One line: what fails, where, who owns it. */
  readonly description: string;
  readonly kind: Kind;
  readonly signature: string;
  readonly owner: string;
  readonly frames?: readonly string[];
}
