// The tolerant AST of a .dax file. Every node keeps the source span of every
// name, key and value. Parts that the user has not written yet (or that the
// parser had to skip) are `undefined`: consumers never assume completeness.
//
// The grammar knows nothing of kernels: a property's key and values are kept
// as written; the meaning (which keys a block accepts, which units a size may
// carry, what a mode option does) is given by the lowering in server/core.

/** Half-open range of UTF-16 offsets into the source text: [start, end). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A bare word: an identifier or a keyword used as a name or a value. */
export interface Word {
  readonly kind: 'word';
  readonly span: Span;
  readonly text: string;
}

/**
 * A number as written, with an optional unit suffix: `48G`, `4 GiB`,
 * `0x10_8000_0000`, `2097152`. `value` is the number without its unit
 * (undefined when the digits cannot be read, e.g. `1.5G`, with `error` saying
 * why). `unit` is the suffix exactly as written (`G`, `GiB`, `k`, `GB`…);
 * the lowering decides whether it is a unit the language accepts.
 */
export interface NumberValue {
  readonly kind: 'number';
  readonly span: Span;
  readonly text: string;
  readonly value: bigint | undefined;
  readonly unit: string | undefined;
  readonly radix: 10 | 16;
  readonly error?: string;
}

/** A double-quoted string; `value` has its escapes resolved. */
export interface StringValue {
  readonly kind: 'string';
  readonly span: Span;
  readonly text: string;
  readonly value: string;
  readonly unterminated?: boolean;
}

/**
 * A physical range: `start..end` (end inclusive) or `start + length`.
 * The second operand may be missing while the user types.
 */
export interface RangeValue {
  readonly kind: 'range';
  readonly span: Span;
  readonly op: '..' | '+';
  readonly start: NumberValue;
  readonly end?: NumberValue;
  readonly length?: NumberValue;
}

export type Value = Word | NumberValue | StringValue | RangeValue;

/** `key value value …` inside a block, e.g. `size 48G`, `mode system-ram movable`. */
export interface Property {
  readonly kind: 'property';
  readonly span: Span;
  readonly key: Word;
  readonly values: readonly Value[];
}

export interface DeviceDecl {
  readonly kind: 'device';
  readonly span: Span;
  /** Span of the `device` keyword. */
  readonly keyword: Span;
  readonly label?: Word;
  /** From `{` to `}` inclusive; undefined if the block was never opened. */
  readonly body?: Span;
  readonly properties: readonly Property[];
}

export interface RegionDecl {
  readonly kind: 'region';
  readonly span: Span;
  /** Span of the `region` keyword (the declaration may start at `cxl`: see `cxl`). */
  readonly keyword: Span;
  /** `cxl region LABEL …`: a CXL RAM region (docs/cxl.md); the span of `cxl`. */
  readonly cxl?: Span;
  /** The label of a `cxl region` (the kernel picks its number). */
  readonly label?: Word;
  /** The kernel's region id (`region 0`). */
  readonly id?: NumberValue;
  /** The host after `on` (`region 0 on hbm01`). */
  readonly host?: Word;
  readonly body?: Span;
  readonly properties: readonly Property[];
  readonly devices: readonly DeviceDecl[];
}

export interface HostDecl {
  readonly kind: 'host';
  readonly span: Span;
  readonly keyword: Span;
  readonly name?: Word;
  readonly body?: Span;
  readonly properties: readonly Property[];
}

export type Declaration = HostDecl | RegionDecl;

export interface Comment {
  readonly span: Span;
  /** The comment text including its leading `#`. */
  readonly text: string;
}

/** A syntax error, worded in the language's own terms. */
export interface SyntaxProblem {
  readonly message: string;
  readonly span: Span;
}

export interface LayoutFile {
  readonly kind: 'file';
  readonly span: Span;
  readonly declarations: readonly Declaration[];
  readonly comments: readonly Comment[];
  readonly errors: readonly SyntaxProblem[];
}
