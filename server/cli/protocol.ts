// The machine-readable output of the CLI, declared once: what `daxlayout plan --json` prints,
// and the lines of `daxlayout apply --events`. The CLI builds its output with these types and
// the VS Code extension imports them (`import type`, nothing else), so a change here fails the
// build on both sides. Types only: no code, no imports.

/** `+` creates a device, `~` changes one, `-` destroys (or empties) one. */
export type StepOp = '+' | '~' | '-';

export interface PlanWriteJson {
  readonly path: string;
  readonly value: string;
  /** What the kernel model says the write will do: `ok`, an errno, or `unmodelled`. */
  readonly predicted: string;
  /**
   * After the write, apply waits (checking once a second, up to `timeoutS`) until the dax device
   * exists, is bound to `driver` and memory blocks `first`…`last` exist; a CXL region's bind.
   */
  readonly settle?: {
    readonly device: string;
    readonly driver: string | null;
    readonly blocks?: { readonly first: number; readonly last: number };
    readonly timeoutS: number;
  };
}

export interface PlanStepJson {
  /** 1-based position in the plan. */
  readonly index: number;
  /** `+` only on the step that creates a device; the other steps of a new device are `~`. */
  readonly op: StepOp;
  /** The kernel device the step acts on (`dax0.1`). */
  readonly target: string;
  readonly label?: string;
  readonly summary: string;
  /** The step takes memory or a device away (unbind, shrink, offline, destroy). */
  readonly destructive: boolean;
  readonly writes: readonly PlanWriteJson[];
}

export interface PlanDiagnosticJson {
  readonly severity: string;
  /** `DAXnnn`, or `facts`, `model`, `persist` for problems without a rule. */
  readonly code: string;
  readonly message: string;
  readonly file?: string;
  /** 1-based. */
  readonly line?: number;
  /** 1-based, UTF-16 code units. */
  readonly column?: number;
  /** The rule's page (docs/rules/DAXnnn.md) as a file: URL where the CLI found it, else its path in the repository. */
  readonly href?: string;
}

/** Counts of kernel devices: the plan's one vocabulary (steps and writes are listed, not counted against these). */
export interface PlanSummaryJson {
  readonly create: number;
  readonly change: number;
  readonly destroy: number;
}

/** The boot-time restorer's step (docs/persist.md). */
export interface PersistJson {
  /** install, update, remove, verify, up-to-date, sim, problems (plans); installed, updated, removed, … (applies) */
  readonly action: string;
  /** ok, failed, not-run: after an apply */
  readonly status?: string;
  readonly message: string;
  readonly checksum: string | null;
  readonly files: readonly { readonly path: string; readonly mode: string; readonly sha256: string }[];
  readonly names: readonly { readonly label: string; readonly kernelName: string; readonly path: string }[];
  readonly checks: readonly { readonly ok: boolean; readonly text: string }[];
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

/** `daxlayout plan --json`, and the `plan` event of `apply --events`. */
export interface PlanJson {
  readonly host: string;
  /** `ssh root@db1 port 2222`, `facts lab.facts.json (simulated, nothing is saved)`, `sim FILE`. */
  readonly target: string;
  /** The target is a simulation (`--target facts` or `sim:FACTS`): nothing touches a machine. */
  readonly simulated: boolean;
  readonly fingerprint: string | null;
  readonly kernel: string | null;
  readonly changes: boolean;
  /** Empty when the layout has errors: an invalid layout gets no plan. */
  readonly steps: readonly PlanStepJson[];
  readonly summary: PlanSummaryJson;
  /** `Plan: 3 devices to create, 1 to change, 0 to destroy.`; null when there is no plan. */
  readonly summaryLine: string | null;
  readonly unlisted: readonly {
    readonly name: string;
    readonly size: string;
    readonly mode: string;
    readonly pruned: boolean;
  }[];
  readonly refusals: readonly string[];
  readonly diagnostics: readonly PlanDiagnosticJson[];
  readonly unreadable: readonly string[];
  /** The boot-time restorer of a `persist` layout (docs/persist.md); null when none. */
  readonly persist: PersistJson | null;
}

export type StepState = 'running' | 'ok' | 'failed';

/** One line of `daxlayout apply --events`. */
export type ApplyEvent =
  | ({ readonly event: 'plan' } & PlanJson)
  | {
      readonly event: 'step';
      readonly index: number;
      readonly of: number;
      readonly summary: string;
      readonly state: StepState;
      readonly error?: string;
    }
  | { readonly event: 'verify'; readonly ok: boolean; readonly differences?: readonly string[] }
  | {
      readonly event: 'persist';
      readonly action: string;
      readonly state: string;
      readonly message?: string;
      readonly checks?: readonly { readonly ok: boolean; readonly text: string }[];
    }
  | DoneEvent;

export interface DoneEvent {
  readonly event: 'done';
  /** applied, no-changes, failed, differs, refused, cancelled */
  readonly result: string;
  readonly exitCode: number;
  readonly message: string;
  readonly error?: string;
  readonly stepsRun: number;
  readonly stepsTotal: number;
  readonly writesRun?: number;
  readonly writesTotal?: number;
  readonly roundTrips?: number;
  readonly connections?: number;
  readonly elapsedMs?: number;
  readonly persist?: PersistJson | null;
}
