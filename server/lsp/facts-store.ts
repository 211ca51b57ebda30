// Facts files for the language server: found relative to the layout's folder,
// then in the `daxlayout.factsSearchPaths` folders; read through a cache that
// re-reads a file whose size or mtime changed; watched so that a change to a
// facts file re-validates the layouts that use it.
//
// A facts path is text the user types, so it can name anything: /dev/zero, a
// FIFO, a directory, a socket, a 10 GB log. Only regular files of at most
// FACTS_LIMIT bytes are read: the type and size are checked with stat before
// the file is opened, it is opened non-blocking (a FIFO swapped in after the
// stat cannot block), checked again on the open descriptor, and at most
// FACTS_LIMIT + 1 bytes are read. Anything else is a facts error (DAX005).

import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  statSync,
  watch,
  type FSWatcher,
  type Stats,
} from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { FactsLoad } from '../core/index';

/** The largest facts file read (16 MiB; a capture of a large host is a few hundred KiB). */
export const FACTS_LIMIT = 16 * 1024 * 1024;

interface Cached {
  readonly stamp: string;
  readonly load: FactsLoad | undefined;
  /** loadKey(load), computed once. */
  readonly key: string;
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** The folder of a document, for file: URIs. */
export function documentFolder(uri: string): string | undefined {
  const p = uriToPath(uri);
  return p === undefined ? undefined : dirname(p);
}

/** `~/x` → the home folder's `x`. */
function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

function stampOf(path: string): string | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? `${s.size}:${s.mtimeMs}` : 'not-a-file';
  } catch {
    return undefined;
  }
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

const notAFile = (path: string, s: Stats) => ({
  error: `${path} is ${kindOf(s)}, not a regular file: a facts path must name a facts file (docs/facts.md)`,
});
const tooLarge = (path: string, size: number) => ({
  error: `${path} is too large for a facts file: ${size} bytes, limit ${FACTS_LIMIT} bytes`,
});

/** Reads a facts file: regular files only, at most FACTS_LIMIT bytes, never blocking on a FIFO. */
export function readFactsFile(path: string, limit = FACTS_LIMIT): FactsLoad {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return { error: `cannot read ${path}: ${(e as Error).message}` };
  }
  if (!st.isFile()) return notAFile(path, st);
  if (st.size > limit) return tooLarge(path, st.size);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    return { error: `cannot read ${path}: ${(e as Error).message}` };
  }
  try {
    const now = fstatSync(fd);
    if (!now.isFile()) return notAFile(path, now);
    if (now.size > limit) return tooLarge(path, now.size);
    const buf = Buffer.allocUnsafe(Math.min(now.size, limit) + 1);
    let total = 0;
    for (;;) {
      if (total === buf.length) break;
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
    }
    // the file grew past the limit while being read
    if (total > limit) return tooLarge(path, total);
    return { text: buf.toString('utf8', 0, total) };
  } catch (e) {
    return { error: `cannot read ${path}: ${(e as Error).message}` };
  } finally {
    closeSync(fd);
  }
}

/** A short stand-in for a text (its length and two 32-bit hashes), to tell a change from no change. */
export function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return `${text.length}:${(a >>> 0).toString(16)}:${(b >>> 0).toString(16)}`;
}

/** What a load held, as recorded in `seen` (a digest, not the text). */
export const loadKey = (l: FactsLoad | undefined) =>
  l === undefined ? 'missing' : 'text' in l ? `t:${digest(l.text)}` : `e:${l.error}`;

export class FactsStore {
  private readonly cache = new Map<string, Cached>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  /** Extra folders (absolute, `~/…`, or relative to each workspace folder). */
  searchPaths: readonly string[] = [];
  workspaceFolders: readonly string[] = [];

  constructor(
    /** Called (debounced) when a watched facts file changes on disk. */
    private readonly onDiskChange: (path: string) => void,
    private readonly watchFiles = true,
  ) {}

  /** Where `path` (as written in the layout at `uri`) may be, in search order. */
  candidates(uri: string, path: string): string[] {
    if (isAbsolute(path)) return [path];
    const out: string[] = [];
    const folder = documentFolder(uri);
    if (folder) out.push(resolve(folder, path));
    const roots = this.workspaceFolders.length > 0 ? this.workspaceFolders : folder ? [folder] : [];
    for (const entry of this.searchPaths) {
      const sp = expandHome(entry);
      if (isAbsolute(sp)) out.push(resolve(sp, path));
      else for (const r of roots) out.push(resolve(r, sp, path));
    }
    return [...new Set(out)];
  }

  private load(path: string): Cached {
    const stamp = stampOf(path);
    if (stamp === undefined) {
      const missing: Cached = { stamp: 'missing', load: undefined, key: loadKey(undefined) };
      this.cache.set(path, missing);
      return missing;
    }
    const hit = this.cache.get(path);
    if (hit && hit.stamp === stamp) return hit;
    const load = readFactsFile(path);
    const entry: Cached = { stamp, load, key: loadKey(load) };
    this.cache.set(path, entry);
    return entry;
  }

  /**
   * Reads a facts file for a layout. Every path looked at is recorded in
   * `seen`, with what it held (so a later change can be told from no change).
   */
  read(uri: string, path: string, seen: Map<string, string>): FactsLoad {
    const tried = this.candidates(uri, path);
    if (tried.length === 0) {
      return {
        error: `cannot find "${path}": the layout is not saved in a folder, so relative facts paths have no base (save it, or set daxlayout.factsSearchPaths); see docs/facts.md`,
      };
    }
    for (const c of tried) {
      const { load, key } = this.load(c);
      seen.set(c, key);
      if (load) return load;
    }
    const where = tried.length === 1 ? (tried[0] as string) : `any of ${tried.join(', ')}`;
    return {
      error: `no such file: ${where} (docs/facts.md says how to capture one; daxlayout.factsSearchPaths adds folders to look in)`,
    };
  }

  /** The first candidate for `path` that is a file, if any. */
  locate(uri: string, path: string): string | undefined {
    return this.candidates(uri, path).find((c) => {
      const s = stampOf(c);
      return s !== undefined && s !== 'not-a-file';
    });
  }

  /** Keeps only these files in the cache (the ones open layouts read), so that typed paths do not pile up. */
  retain(paths: ReadonlySet<string>): void {
    for (const p of this.cache.keys()) if (!paths.has(p)) this.cache.delete(p);
  }

  /** Forgets what these files held (they changed on disk: the next read reads them again). */
  invalidate(paths: Iterable<string>): void {
    for (const p of paths) this.cache.delete(p);
  }

  /** What the file at `path` holds now, read afresh (compare with what `read` recorded). */
  current(path: string): string {
    this.cache.delete(path);
    return this.load(path).key;
  }

  /** Watches the folders of these files (and stops watching folders no longer needed). */
  watch(paths: Iterable<string>): void {
    if (!this.watchFiles) return;
    const dirs = new Set<string>();
    for (const p of paths) dirs.add(dirname(p));
    for (const [dir, w] of this.watchers) {
      if (!dirs.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          if (name) this.debounce(join(dir, name.toString()));
        });
        w.on('error', () => {
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch {
        // the folder does not exist (yet): nothing to watch
      }
    }
  }

  private debounce(path: string): void {
    const t = this.pending.get(path);
    if (t) clearTimeout(t);
    this.pending.set(
      path,
      setTimeout(() => {
        this.pending.delete(path);
        this.onDiskChange(path);
      }, 50),
    );
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}
