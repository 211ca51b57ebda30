// Rule tests: layouts written inline, with `<|` and `|>` around the text a finding must cover.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { analyze, type Analysis, type Finding } from '../../server/core/index';

export const SAMPLES = resolve(__dirname, '../../samples');

/** Reads facts files from samples/ (and any extra in-memory files given by name). */
export function sampleReader(extra: Record<string, string> = {}) {
  return (path: string) => {
    if (path in extra) return { text: extra[path] as string };
    try {
      return { text: readFileSync(join(SAMPLES, path), 'utf8') };
    } catch {
      return { error: `no such file: ${path}` };
    }
  };
}

export interface Marked {
  readonly text: string;
  readonly spans: { start: number; end: number }[];
}

export function marked(source: string): Marked {
  const spans: { start: number; end: number }[] = [];
  let text = '';
  let i = 0;
  const open: number[] = [];
  while (i < source.length) {
    if (source.startsWith('<|', i)) {
      open.push(text.length);
      i += 2;
    } else if (source.startsWith('|>', i)) {
      const s = open.pop();
      if (s === undefined) throw new Error('unbalanced |> in test source');
      spans.push({ start: s, end: text.length });
      i += 2;
    } else text += source[i++];
  }
  return { text, spans };
}

export interface RunOptions {
  prune?: boolean;
  files?: Record<string, string>;
  /** The kernel model's work budget (AnalyzeOptions.workBudget). */
  workBudget?: number;
}

export function run(source: string, options: RunOptions = {}): { analysis: Analysis; spans: Marked['spans'] } {
  const m = marked(source);
  const analysis = analyze(m.text, {
    readFacts: sampleReader(options.files),
    prune: options.prune ?? false,
    ...(options.workBudget !== undefined ? { workBudget: options.workBudget } : {}),
  });
  return { analysis, spans: m.spans };
}

/** Asserts that `code` fires exactly at the marked span(s), with the severity and a message matching `message`. */
export function expectFinding(
  source: string,
  code: string,
  severity: Finding['severity'],
  message: RegExp,
  options: RunOptions = {},
): Finding[] {
  const { analysis, spans } = run(source, options);
  const found = analysis.findings.filter((f) => f.code === code);
  expect(spans.length, 'the test source marks at least one span').toBeGreaterThan(0);
  expect(
    found.map((f) => ({ start: f.span.start, end: f.span.end })),
    `${code} findings: ${JSON.stringify(found.map((f) => f.message))}\nall: ${JSON.stringify(analysis.findings.map((f) => `${f.code} ${f.message}`))}`,
  ).toEqual(spans);
  for (const f of found) {
    expect(f.severity).toBe(severity);
    expect(f.message).toMatch(message);
  }
  return found;
}

export function expectNone(source: string, code: string, options: RunOptions = {}): Analysis {
  const { analysis } = run(source, options);
  expect(analysis.findings.filter((f) => f.code === code).map((f) => f.message)).toEqual([]);
  return analysis;
}

/** A 6.1 lab host (real capture) named `lab`, for rule tests. */
export const LAB61 = `host lab { facts "linux-6.1.facts.json" }\n`;
export const LAB612 = `host lab { facts "linux-6.12.facts.json" }\n`;
