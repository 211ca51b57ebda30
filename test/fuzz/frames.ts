// Where a failure is: stack frames of the bundled worker (or of
// server/dist/core.cjs) mapped back to source files through the `// path`
// comments esbuild writes before each module of an unminified bundle; the
// owner of that code; and a signature to de-duplicate failures by.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Kind } from './case';

export interface Frame {
  readonly fn: string;
  /** Source file relative to the checkout (`server/core/kernel/model.ts`), or the bundle/URL when unknown. */
  readonly file: string;
}

const modules = new Map<string, { line: number; path: string }[]>();

/** The module comments of a bundle: line → source path. */
function moduleIndex(bundle: string): { line: number; path: string }[] {
  let idx = modules.get(bundle);
  if (idx) return idx;
  idx = [];
  try {
    readFileSync(bundle, 'utf8')
      .split('\n')
      .forEach((l, i) => {
        const m = /^\/\/ ((?:\.\.\/)*[\w@.-][\w@./+-]*\.(?:[cm]?[jt]s))$/.exec(l);
        if (m)
          (idx as { line: number; path: string }[]).push({
            line: i + 1,
            path: (m[1] as string).replace(/^(?:\.\.\/)+(?:[^/]+\/)?node_modules\//, 'node_modules/'),
          });
      });
  } catch {
    // not a file we can read: frames keep the URL
  }
  modules.set(bundle, idx);
  return idx;
}

/** The source file a line of a bundle comes from. */
export function sourceOf(url: string, line: number): string {
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  if (!path.endsWith('.cjs') && !path.endsWith('.js')) return path;
  const idx = moduleIndex(path);
  let lo = 0;
  let hi = idx.length - 1;
  let found: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = idx[mid] as { line: number; path: string };
    if (e.line <= line) {
      found = e.path;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found ?? path;
}

/** Frames of a V8 stack text (`at fn (file:line:col)`). */
export function framesOfStack(stack: string): Frame[] {
  const out: Frame[] = [];
  for (const l of stack.split('\n')) {
    const m = /^\s*at (?:(.*?) \()?(.*?):(\d+):\d+\)?$/.exec(l);
    if (!m) continue;
    const fn = m[1] ?? '<anonymous>';
    out.push({ fn, file: sourceOf(m[2] as string, Number(m[3])) });
  }
  return out;
}

/** Frames of the watchdog's sample: [functionName, url, line]. */
export function framesOfSample(sample: readonly (readonly [string, string, number])[]): Frame[] {
  return sample.map(([fn, url, line]) => ({ fn: fn || '<anonymous>', file: url ? sourceOf(url, line) : '<eval>' }));
}

/**
 * The frames every sample shares, innermost first: the outermost frames common to
 * all (compared by function and file), i.e. the loop the input spends its time in.
 */
export function commonFrames(samples: readonly (readonly Frame[])[]): Frame[] {
  const first = samples[0] ?? [];
  let n = 0;
  for (; n < first.length; n++) {
    const f = first[first.length - 1 - n] as Frame;
    if (
      !samples.every(
        (s) =>
          s.length > n && (s[s.length - 1 - n] as Frame).fn === f.fn && (s[s.length - 1 - n] as Frame).file === f.file,
      )
    )
      break;
  }
  return first.slice(first.length - n);
}

export const isProject = (f: Frame) => /^(?:server|grammar)\//.test(f.file);
/** Helpers called from everywhere: a sample that lands in one says nothing of who loops. */
const isHelper = (f: Frame) => /^server\/core\/units\.ts$/.test(f.file);

/**
 * The frame a failure is attributed to: the first in the project's code; for a
 * stack overflow, the frame recurring most. For a hang or an abort the frames are
 * what the watchdog's samples share (commonFrames): the first of them in the
 * project, past the helpers everything calls.
 */
export function blame(frames: readonly Frame[], message = '', kind?: Kind): Frame | undefined {
  if (kind === 'hang' || kind === 'abort') return frames.find((f) => isProject(f) && !isHelper(f));
  const own = frames.filter(isProject);
  if (/call stack size/i.test(message) && own.length > 3) {
    const count = new Map<string, number>();
    for (const f of own) count.set(`${f.fn}|${f.file}`, (count.get(`${f.fn}|${f.file}`) ?? 0) + 1);
    const [top] = [...count].sort((a, b) => b[1] - a[1]);
    const [fn, file] = (top as [string, number])[0].split('|') as [string, string];
    return { fn, file };
  }
  return own[0];
}

/** Who owns the code a frame is in (the areas of the concurrent work). */
export function ownerOf(file: string | undefined): string {
  if (!file) return 'unknown';
  if (/^server\/core\/(kernel|plan)\//.test(file)) return 'kernel-model/planner';
  if (/^server\/core\/rules\/dax004/.test(file)) return 'cli/host/persist/inventory';
  if (/^(server\/core\/(persist\/|fleet\/inventory)|server\/(cli|host)\/)/.test(file))
    return 'cli/host/persist/inventory';
  if (/^(server\/lsp\/|server\/core\/analysis\/)/.test(file)) return 'lsp/analysis';
  if (/^server\/core\/fleet\/analyze-fleet/.test(file))
    return 'unassigned (fleet analysis, server/core/fleet/analyze-fleet.ts)';
  if (/^(grammar\/src\/|server\/core\/(explain|rules|facts|colour|layout)\/|server\/core\/units\.ts)/.test(file))
    return 'fuzz (grammar/explain/rules/facts/colour/layout/units)';
  return `unassigned (${file.split('/').slice(0, 3).join('/')})`;
}

/** A message with its particulars (numbers, names in quotes) blanked, for grouping. */
export function normalise(message: string): string {
  return message
    .replace(/`[^`]*`|"[^"]*"|'[^']*'/g, 'Q')
    .replace(/0x[0-9a-f_]+/gi, 'N')
    .replace(/\d[\d_]*/g, 'N')
    .replace(/\s+/g, ' ')
    .slice(0, 90);
}

/** The de-duplication key of a failure: its kind, the blamed frame, and the message's shape. */
export function signature(kind: Kind, frames: readonly Frame[], message = ''): string {
  const b = blame(frames, message, kind);
  const where = b ? `${b.fn}@${b.file}` : 'nowhere';
  const what =
    kind === 'hang' || kind === 'abort' ? '' : ` ${normalise(message.replace(/^.*?internal error[^:]*: /i, ''))}`;
  return `${kind} ${where}${what}`;
}

export const formatFrame = (f: Frame) => `${f.fn} (${f.file})`;
