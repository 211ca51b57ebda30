// DAX095: `# daxlayout: ignore DAXnnn` comments. A comment on a finding's line, or alone on the
// line above it, hides that finding from the editor and `check` (`check --json` lists it as
// suppressed) — unless it is an error: an error means the kernel would refuse the layout's
// writes or the layout cannot be planned, so apply would fail, and hiding it would only move
// the failure to the machine. This rule says so at the comment, and names comments that hide
// nothing. `applySuppressions` does the hiding, after every rule has run.

import type { Span } from '../../../grammar/src/ast';
import type { Analysis } from '../analysis/types';
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

export interface Suppression {
  /** The comment's span. */
  readonly span: Span;
  readonly codes: readonly string[];
  /** Findings starting on this line are covered (0-based). */
  readonly line: number;
}

const IGNORE = /daxlayout:\s*ignore\s+((?:DAX\d{3}\b[\s,]*)+)/i;

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const cache = new WeakMap<Analysis, { list: Suppression[]; starts: number[] }>();

/** The ignore comments of a layout, each with the line it covers. */
export function suppressions(a: Analysis): { list: Suppression[]; starts: number[] } {
  const hit = cache.get(a);
  if (hit) return hit;
  const starts = lineStarts(a.text);
  const list: Suppression[] = [];
  for (const c of a.file.comments) {
    const m = IGNORE.exec(c.text);
    if (!m) continue;
    const codes = (m[1] as string).toUpperCase().match(/DAX\d{3}/g) ?? [];
    const line = lineOf(starts, c.span.start);
    // alone on its line: it covers the next line; after code: its own line
    const alone = a.text.slice(starts[line] as number, c.span.start).trim() === '';
    list.push({ span: c.span, codes, line: alone ? line + 1 : line });
  }
  const r = { list, starts };
  cache.set(a, r);
  return r;
}

function covers(s: Suppression, f: Finding, starts: readonly number[]): boolean {
  return s.codes.includes(f.code) && lineOf(starts, f.span.start) === s.line;
}

export const dax095 = defineRule({
  code: 'DAX095',
  title: 'ignore comment',
  severity: 'warning',
  check(a, report) {
    const { list, starts } = suppressions(a);
    if (list.length === 0) return [];
    const out: Finding[] = [];
    for (const s of list) {
      for (const code of s.codes) {
        const hit = a.findings.filter((f) => f.code === code && covers({ ...s, codes: [code] }, f, starts));
        const errors = hit.filter((f) => f.severity === 'error');
        if (errors.length > 0) {
          out.push(
            report(
              s.span,
              `\`ignore ${code}\` does not hide this error: an error means apply would fail (the kernel would refuse a write, or the layout cannot be planned), so it stays. Fix the layout instead; only warnings and info can be ignored`,
            ),
          );
        } else if (hit.length === 0) {
          out.push(
            report(
              s.span,
              `\`ignore ${code}\` hides nothing: no ${code} finding starts on line ${s.line + 1}. Remove the comment, or put it on the finding's line or alone on the line above it`,
              {},
              'info',
            ),
          );
        }
      }
    }
    return out;
  },
});

/** Moves the findings an ignore comment covers (never errors) out of `findings`; returns them. */
export function applySuppressions(a: Analysis): Finding[] {
  const { list, starts } = suppressions(a);
  if (list.length === 0) return [];
  const kept: Finding[] = [];
  const hidden: Finding[] = [];
  for (const f of a.findings) {
    if (f.severity !== 'error' && f.code !== 'DAX095' && list.some((s) => covers(s, f, starts))) hidden.push(f);
    else kept.push(f);
  }
  a.findings.length = 0;
  for (const f of kept) a.findings.push(f);
  return hidden;
}
