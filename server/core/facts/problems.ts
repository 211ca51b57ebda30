// Problems found while reading facts, and the options the readers share.

import type { AutoOnlinePolicy } from '../host-facts';

export type FactsSeverity = 'error' | 'warning' | 'info';

export interface FactsProblem {
  readonly severity: FactsSeverity;
  readonly message: string;
  /** JSON pointer (RFC 6901) of the value concerned, for JSON input. */
  readonly path?: string;
  /** 1-based line of the input the problem is about, when known. */
  readonly line?: number;
  /** 1-based column (UTF-16 units), when known. */
  readonly column?: number;
}

export interface ReadFactsOptions {
  /** `uname -r` of the host (`--kernel`); overrides the file's value. */
  readonly kernelRelease?: string;
  /** Physical start of regions by id (`--region-start ID=ADDR`). */
  readonly regionStart?: ReadonlyMap<number, bigint>;
  /** Memory block size in bytes (`--block-size`). */
  readonly memoryBlockSize?: bigint;
  /** `/sys/devices/system/memory/auto_online_blocks` (`--auto-online`). */
  readonly autoOnline?: AutoOnlinePolicy;
  /** `uname -m` (`--arch`). */
  readonly arch?: string;
}

export interface ReadFactsResult<T> {
  /**
   * Present when a complete HostFacts could be built. It may still come
   * with error problems: the one error that leaves facts usable is an
   * unknown kernel release (the caller can supply it later, e.g. --kernel).
   */
  readonly facts?: T;
  readonly problems: FactsProblem[];
}

/** Where a problem is: a JSON pointer and input offset, or a line of capture text. */
export interface Loc {
  readonly path?: string;
  /** UTF-16 offset into the input text. */
  readonly at?: number;
  /** 1-based line, when known directly (capture text). */
  readonly line?: number;
}

/** Collects problems; converts input offsets to line/column. */
export class Problems {
  readonly list: FactsProblem[] = [];
  private errors = 0;
  /** Offsets where the text's lines start, computed at the first problem with an offset (a scan per problem would be quadratic in hostile input). */
  private lineStarts: number[] | undefined;
  constructor(private readonly text?: string) {}

  /** 1-based line and column of a UTF-16 offset of the text (as lineColumn gives). */
  private lineColumn(text: string, at: number): { line: number; column: number } {
    let starts = this.lineStarts;
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const end = Math.min(Math.max(at, 0), text.length);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= end) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: end - (starts[lo] as number) + 1 };
  }

  add(severity: FactsSeverity, message: string, loc?: Loc): void {
    const p: { -readonly [K in keyof FactsProblem]: FactsProblem[K] } = { severity, message };
    if (loc?.path !== undefined) p.path = loc.path;
    if (loc?.at !== undefined && this.text !== undefined) {
      const lc = this.lineColumn(this.text, loc.at);
      p.line = lc.line;
      p.column = lc.column;
    } else if (loc?.line !== undefined) {
      p.line = loc.line;
    }
    this.list.push(p);
    if (severity === 'error') this.errors++;
  }

  error(message: string, loc?: Loc): void {
    this.add('error', message, loc);
  }
  warning(message: string, loc?: Loc): void {
    this.add('warning', message, loc);
  }
  info(message: string, loc?: Loc): void {
    this.add('info', message, loc);
  }

  /** Errors so far (counted as they are added: readers ask before and after each item). */
  get errorCount(): number {
    return this.errors;
  }
}

export const AUTO_ONLINE_POLICIES: readonly AutoOnlinePolicy[] = [
  'offline',
  'online',
  'online_kernel',
  'online_movable',
];
