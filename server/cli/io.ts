// File access for the CLI: reading layouts and the files they name, writing outputs. Every
// failure a user can cause (a missing, unreadable, binary or huge file; an unwritable output)
// is a UsageError: one line, exit 2.
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, resolve } from 'node:path';
import { detectFactsInput, type FactsLoad } from '../core/index';
import { jitCheckpoint } from './jit';
import { writeFileAtomic } from '../host/atomic';

export class UsageError extends Error {}

/** Exit codes of every command (README, "The CLI"). */
export const EXIT = {
  ok: 0,
  /** errors found, a write failed, the host differs, files to format */
  failed: 1,
  /** usage: bad flags, unreadable or invalid input */
  usage: 2,
  /** refused: host changed since the plan, lock busy, host key unknown or changed, confirmation declined */
  refused: 3,
  /** a bug in daxlayout (the message says so) */
  internal: 70,
} as const;

/** Inputs larger than this are refused (a layout, facts file, inventory or dump is far smaller). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'ELOOP') return 'too many symbolic links';
  if (code === 'ENAMETOOLONG') return 'the name is too long';
  return (e as Error).message ?? String(e);
}

/** The file's text (UTF-8), or a message saying why it cannot be read as text. */
export function tryReadText(path: string): { text: string } | { error: string } {
  if (path === '') return { error: 'an empty file name' };
  if (path.includes('\0')) return { error: 'a file name cannot hold a NUL character' };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return { error: why(e) };
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_INPUT_BYTES)
        return { error: `larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB: not a daxlayout input` };
      chunks.push(buf.subarray(0, n));
    }
    const data = Buffer.concat(chunks);
    const nul = data.indexOf(0);
    if (nul >= 0) return { error: `not a text file (a NUL byte at offset ${nul})` };
    return { text: data.toString('utf8') };
  } catch (e) {
    return { error: why(e) };
  } finally {
    closeSync(fd);
  }
}

/**
 * A layout's text. A facts file, `daxctl list` JSON or a capture dump given where a layout is
 * expected is a usage error that says what the file is and how a layout uses it.
 */
export function readLayout(path: string): string {
  const text = readText(path);
  jitCheckpoint(text.length);
  const kind = detectFactsInput(text);
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (kind !== 'unknown' || t.startsWith('{') || t.startsWith('[')) {
    const what =
      kind === 'facts'
        ? 'a host facts file (daxlayout-facts/1)'
        : kind === 'daxctl'
          ? '`daxctl list` JSON'
          : kind === 'capture'
            ? 'a capture dump (`daxlayout facts --raw`)'
            : 'JSON, not a .dax layout';
    throw new UsageError(
      `${path} is ${what}. Commands that take a FILE read .dax layouts; a layout names host facts in a host block: \`host NAME { facts "${path.replace(/^.*[\\/]/, '')}" }\`${kind === 'capture' ? ' (or turn the dump into facts: daxlayout facts --from ' + path + ' -o host.facts.json)' : ''}. To try one: daxlayout explain samples/quickstart.dax`,
    );
  }
  return text;
}

export function readText(path: string): string {
  const r = tryReadText(path);
  if ('error' in r) throw new UsageError(`cannot read ${path}: ${r.error}`);
  return r.text;
}

/** A file given to ssh (`--identity`, `--known-hosts`, `--ssh-config`) must exist and be readable. */
export function requireReadable(path: string, what: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    throw new UsageError(`${what} ${path}: ${why(e)}`);
  }
}

/**
 * Writes an output file: a file is replaced whole (never half-written, a symlink replaced rather
 * than followed); a device or pipe (`-o /dev/stdout`) is written to. A failure is a UsageError.
 */
export function writeOutput(path: string, text: string): void {
  try {
    let special = false;
    try {
      const st = statSync(path);
      special = st.isCharacterDevice() || st.isFIFO() || st.isSocket();
    } catch {
      // not there yet
    }
    if (special) writeFileSync(path, text);
    else writeFileAtomic(path, text);
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${why(e)}`);
  }
}

/**
 * Where a layout's `facts "…"` path resolves: relative to the layout file's folder, then to the
 * folders of DAXLAYOUT_FACTS_PATH (separated by `:`, as the editor's daxlayout.factsSearchPaths
 * are passed on); the first that exists, else the layout's folder.
 */
export function factsFile(
  layoutPath: string,
  p: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const base = dirname(resolve(layoutPath));
  if (isAbsolute(p)) return p;
  const extra = (env.DAXLAYOUT_FACTS_PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const d of [base, ...extra]) {
    const full = resolve(base, d, p);
    if (existsSync(full)) return full;
  }
  return resolve(base, p);
}

/** A facts reader for a layout: paths are resolved by factsFile. */
export function factsReader(layoutPath: string): (path: string) => FactsLoad {
  return (p) => {
    const full = factsFile(layoutPath, p);
    const r = tryReadText(full);
    jitCheckpoint('text' in r ? r.text.length : 0);
    if ('text' in r) return r;
    return {
      error:
        r.error === 'no such file'
          ? `no such file: ${full} (docs/facts.md says how to capture one)`
          : `cannot read ${full}: ${r.error}`,
    };
  };
}

/** The one line an internal error prints (the stack too with DAXLAYOUT_DEBUG=1). */
export function internalError(e: unknown, debug: boolean): string {
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split('\n')[0]?.slice(0, 500) ?? '';
  return `daxlayout: internal error: ${first} (please report)\n${debug && e instanceof Error && e.stack ? `${e.stack}\n` : ''}`;
}
