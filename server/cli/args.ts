// Command-line flags for every `daxlayout` command: one small parser with messages that name
// the flag and what it wants (no parser's internal wording reaches the user). Every mistake is
// a UsageError (exit 2): an unknown flag (with the nearest known one), a missing value, a value
// given to a switch, a string flag given twice. `--` ends the flags.

import { closest } from '../../grammar/src/index';
import { UsageError } from './io';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** One letter: `-i FILE`. */
  readonly short?: string;
  /** The flag may be given several times; its values are collected in order. */
  readonly multiple?: boolean;
  /** What the value is called in messages (`--host H`). */
  readonly value?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type FlagValues<S extends FlagSpecs> = {
  -readonly [K in keyof S]?: S[K]['type'] extends 'boolean'
    ? boolean
    : S[K]['multiple'] extends true
      ? string[]
      : string;
};

export interface ParsedFlags<S extends FlagSpecs> {
  readonly values: FlagValues<S>;
  readonly positionals: string[];
}

/** How a flag is shown in messages: `--host`, `-i/--inventory`. */
function shown(name: string, spec: FlagSpec): string {
  return spec.short ? `-${spec.short}/--${name}` : `--${name}`;
}

/** A printable form of what the user typed (control characters escaped, long text cut). */
export function printable(s: string): string {
  const t = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  return /[\0-\x1f\x7f\u2028\u2029]/.test(t) ? JSON.stringify(t).slice(1, -1) : t;
}

/**
 * Parses `args` for `command` against `specs`. `--help`/`-h` are handled before (by the
 * command table), so they are not flags here.
 */
export function parseFlags<S extends FlagSpecs>(command: string, args: readonly string[], specs: S): ParsedFlags<S> {
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);
  const unknown = (flag: string): UsageError => {
    const bare = flag.replace(/^-+/, '').replace(/=.*$/, '').slice(0, 40);
    const names = Object.keys(specs);
    const near = closest(bare, names);
    const hint = near
      ? `; did you mean --${near}?`
      : names.length
        ? ''
        : ` (\`daxlayout ${command}\` takes no options)`;
    return new UsageError(
      `unknown option \`${printable(flag.replace(/=.*$/, ''))}\` for \`daxlayout ${command}\`${hint}`,
    );
  };
  const set = (name: string, spec: FlagSpec, value: string | true): void => {
    if (spec.type === 'boolean') {
      values[name] = true;
      return;
    }
    if (spec.multiple) {
      const list = (values[name] as string[] | undefined) ?? [];
      list.push(value as string);
      values[name] = list;
      return;
    }
    if (values[name] !== undefined)
      throw new UsageError(
        `${shown(name, spec)} is given twice (${printable(String(values[name]))}, then ${printable(String(value))}): give it once`,
      );
    values[name] = value as string;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) inline = a.slice(eq + 1);
      if (!Object.hasOwn(specs, name)) throw unknown(a);
    } else if (a.startsWith('-') && a.length > 1) {
      const letter = a[1] as string;
      name = byShort.get(letter);
      if (name === undefined) throw unknown(`-${letter}`);
      // `-iFILE` and `-i=FILE` are `-i FILE`; a switch takes nothing after its letter
      if (a.length > 2) inline = a[2] === '=' ? a.slice(3) : a.slice(2);
    } else {
      positionals.push(a);
      continue;
    }
    const spec = specs[name] as FlagSpec;
    if (spec.type === 'boolean') {
      if (inline !== undefined)
        throw new UsageError(`${shown(name, spec)} is a switch: it takes no value (got \`${printable(a)}\`)`);
      set(name, spec, true);
      continue;
    }
    if (inline !== undefined) {
      set(name, spec, inline);
      continue;
    }
    const next = args[i + 1];
    const what = `${shown(name, spec)} ${spec.value ?? 'VALUE'}`;
    if (next === undefined) throw new UsageError(`${shown(name, spec)} needs a value: ${what}`);
    // `--host --json`: the value was forgotten (a value that starts with `-` is written --host=-x)
    if (next.startsWith('-') && next.length > 1 && !/^-\d/.test(next))
      throw new UsageError(
        `${shown(name, spec)} needs a value, got the option \`${printable(next)}\`: ${what} (a value starting with \`-\` is written --${name}=VALUE)`,
      );
    set(name, spec, next);
    i++;
  }
  return { values: values as FlagValues<S>, positionals };
}

/** `--name N`: a whole number in [min, max], or `dflt` when not given. */
export function intFlag(v: string | undefined, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`--${name} takes a whole number ${min}–${max}, got \`${printable(v)}\``);
  return Number(v);
}

/** Whether `args` ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
