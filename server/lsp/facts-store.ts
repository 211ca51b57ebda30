// Facts files for the language server: found relative to the layout's folder,
// then in the `daxlayout.factsSearchPaths` folders; read through a cache that
// re-reads a file whose size or mtime changed; watched so that a change to a
// facts file re-validates the layouts that use it.

import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { FactsLoad } from '../core/index';

interface Cached {
  readonly stamp: string;
  readonly load: FactsLoad | undefined;
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

const key = (l: FactsLoad | undefined) => (l === undefined ? 'missing' : 'text' in l ? `t:${l.text}` : `e:${l.error}`);

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

  private load(path: string): FactsLoad | undefined {
    const stamp = stampOf(path);
    if (stamp === undefined) {
      this.cache.set(path, { stamp: 'missing', load: undefined });
      return undefined;
    }
    const hit = this.cache.get(path);
    if (hit && hit.stamp === stamp) return hit.load;
    let load: FactsLoad;
    try {
      load = { text: readFileSync(path, 'utf8') };
    } catch (e) {
      load = { error: `cannot read ${path}: ${(e as Error).message}` };
    }
    this.cache.set(path, { stamp, load });
    return load;
  }

  /**
   * Reads a facts file for a layout. Every path looked at is recorded in
   * `seen`, with what it held (so a later change can be told from no change).
   */
  read(uri: string, path: string, seen: Map<string, string>): FactsLoad {
    const tried = this.candidates(uri, path);
    if (tried.length === 0) {
      return { error: `cannot find "${path}": the layout is not saved in a folder, so relative facts paths have no base (save it, or set daxlayout.factsSearchPaths); see docs/facts.md` };
    }
    for (const c of tried) {
      const load = this.load(c);
      seen.set(c, key(load));
      if (load) return load;
    }
    const where = tried.length === 1 ? (tried[0] as string) : `any of ${tried.join(', ')}`;
    return { error: `no such file: ${where} (docs/facts.md says how to capture one; daxlayout.factsSearchPaths adds folders to look in)` };
  }

  /** The first candidate for `path` that is a file, if any. */
  locate(uri: string, path: string): string | undefined {
    return this.candidates(uri, path).find((c) => {
      const s = stampOf(c);
      return s !== undefined && s !== 'not-a-file';
    });
  }

  /** What the file at `path` holds now, read afresh (compare with what `read` recorded). */
  current(path: string): string {
    this.cache.delete(path);
    return key(this.load(path));
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
