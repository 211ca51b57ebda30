// Where the rule pages (docs/rules/DAXnnn.md) are on this machine, so that a diagnostic's link
// opens offline: beside the running bundle (the extension ships them in its .vsix as
// docs/rules/), or in the repository the CLI runs from. Used by the CLI and the language server.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RULE_DOCS_BASE } from '../core/index';

let found: string | undefined | null = null;

/** The folder of the rule pages as a `file:` URL ending in `/`, or undefined when none is found. */
export function rulePagesUrl(from: string = __dirname): string | undefined {
  if (found !== null && from === __dirname) return found;
  let hit: string | undefined;
  for (const up of ['.', '..', '../..', '../../..']) {
    const dir = resolve(from, up, 'docs', 'rules');
    if (existsSync(join(dir, 'DAX001.md'))) {
      hit = pathToFileURL(dir).toString() + '/';
      break;
    }
  }
  if (from === __dirname) found = hit;
  return hit;
}

/** A rule's page: a `file:` URL when the pages are on this machine, else its path in the repository. */
export function rulePage(code: string): string {
  return `${rulePagesUrl() ?? RULE_DOCS_BASE}${code}.md`;
}

/** The folder of the rule pages as a path to print: relative to the working folder when inside it, else absolute. */
export function rulePagesPath(cwd: string = process.cwd()): string {
  const url = rulePagesUrl();
  if (!url) return RULE_DOCS_BASE;
  const dir = fileURLToPath(url).replace(/\/$/, '');
  const rel = relative(cwd, dir);
  return `${rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir}/`;
}
