// What the daxlayout language server offers its own extension beyond LSP, declared once: the
// `daxlayout/hosts` request and the arguments of the commands its code lenses name. The
// extension imports these types (`import type` only). Types and names only: no code besides
// the constants.

/** `daxlayout/hosts`: the host blocks of an open layout, as its current text declares them. */
export const HOSTS_REQUEST = 'daxlayout/hosts';

export interface HostsParams {
  readonly uri: string;
}

export interface HostInfo {
  readonly name: string;
  /** Offsets (UTF-16) of the `host` keyword and of the block's end. */
  readonly start: number;
  readonly end: number;
  /** 0-based line of the `host` keyword. */
  readonly line: number;
  readonly ssh?: string;
  readonly port?: number;
  /** The `facts "…"` path as written. */
  readonly facts?: string;
  /** Where that path resolves (next to the layout, then the facts search paths), when the file exists. */
  readonly factsFile?: string;
  /** `hosts "PATTERN"`: the block stands for inventory hosts (planned with the CLI's -i). */
  readonly pattern?: string;
}

/** The commands the code lenses name; the extension registers them. */
export const COMMANDS = {
  plan: 'daxlayout.plan',
  planFacts: 'daxlayout.planAgainstFacts',
  apply: 'daxlayout.apply',
  captureFacts: 'daxlayout.captureFacts',
} as const;

/** The argument of a code lens' command. */
export interface LensArgs {
  readonly uri: string;
  readonly host: string;
  /** `facts`: plan against the host's facts file although it has `ssh "…"`. */
  readonly target?: 'facts';
}
