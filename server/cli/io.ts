// File access for the CLI: reading layouts and the facts files they name.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { FactsLoad } from '../core/analysis/analyze';

export class UsageError extends Error {}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String((e as Error).message)}`);
  }
}

/** A facts reader for a layout: paths are relative to the layout file's folder. */
export function factsReader(layoutPath: string): (path: string) => FactsLoad {
  const base = dirname(resolve(layoutPath));
  return (p) => {
    const full = isAbsolute(p) ? p : resolve(base, p);
    try {
      return { text: readFileSync(full, 'utf8') };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { error: code === 'ENOENT' ? `no such file: ${full} (docs/facts.md says how to capture one)` : `cannot read ${full}: ${(e as Error).message}` };
    }
  };
}
