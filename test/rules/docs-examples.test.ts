// The examples of the rule pages run: every ```dax block of docs/rules/DAXnnn.md that is followed
// by an output block (lines `SEVERITY DAXnnn: MESSAGE`, as the pages show them; a line "with
// `apply --prune`:" between them means the layout is analysed with --prune) is analysed, and
// each line it shows must be a finding of that code and severity, with that message (up to an
// ellipsis `…`, which marks where the page shortens it). Facts files named in an example are
// read from samples/, or test/fixtures/rule-pages/ for hosts only a page needs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFleet, type Finding } from '../../server/core/index';

const root = resolve(__dirname, '../..');
const pages = join(root, 'docs/rules');
// Facts named in the examples: the samples, and the few hosts only a rule page needs.
const factsDirs = [join(root, 'samples'), join(root, 'test/fixtures/rule-pages')];

interface Expected {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

interface Example {
  readonly page: string;
  /** 1-based line of the ```dax fence. */
  readonly line: number;
  readonly text: string;
  readonly expected: readonly Expected[];
  /** The page says the output is that of `apply --prune` (a line naming `--prune` between the blocks). */
  readonly prune: boolean;
}

const EXPECTED_LINE = /^(error|warning|info) (DAX\d{3}): (.*)$/;

/** The ```dax blocks of a page that an output block follows (blank lines between them only). */
export function examples(page: string, markdown: string): Example[] {
  const lines = markdown.split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```dax') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]?.trim() !== '```'; i++) body.push(lines[i] as string);
    let j = i + 1;
    let prune = false;
    for (
      ;
      j < lines.length && (lines[j]?.trim() === '' || /^with `[^`]*--prune`:$/.test(lines[j]?.trim() ?? ''));
      j++
    ) {
      if (lines[j]?.includes('--prune')) prune = true;
    }
    if (lines[j]?.trim() !== '```') continue;
    const shown: string[] = [];
    for (j++; j < lines.length && lines[j]?.trim() !== '```'; j++) shown.push(lines[j] as string);
    const expected = shown.flatMap((l) => {
      const m = EXPECTED_LINE.exec(l.trim());
      return m ? [{ severity: m[1] as string, code: m[2] as string, message: m[3] as string }] : [];
    });
    if (expected.length > 0) out.push({ page, line: start + 1, text: body.join('\n') + '\n', expected, prune });
  }
  return out;
}

function findingsOf(text: string, prune: boolean): Finding[] {
  const a = analyzeFleet(text, {
    prune,
    readFacts: (path) => {
      const dir = factsDirs.find((d) => existsSync(join(d, path)));
      return dir ? { text: readFileSync(join(dir, path), 'utf8') } : { error: `no such file: ${path}` };
    },
  });
  return [...a.findings, ...(a.suppressed ?? [])];
}

/** Whether a finding says what the page shows: the same code, severity and message (to its `…`). */
function shows(f: Finding, e: Expected): boolean {
  if (f.code !== e.code || f.severity !== e.severity) return false;
  const cut = e.message.indexOf('…');
  return cut < 0 ? f.message === e.message : f.message.startsWith(e.message.slice(0, cut));
}

const all = readdirSync(pages)
  .filter((f) => /^DAX\d{3}\.md$/.test(f))
  .sort()
  .flatMap((f) => examples(f, readFileSync(join(pages, f), 'utf8')));

describe('rule pages: the examples show what daxlayout reports', () => {
  it('finds examples on the pages (the check is not vacuous)', () => {
    expect(all.length).toBeGreaterThan(40);
    const withExample = new Set(all.map((e) => e.page));
    // every rule that fires on a layout has a page example; DAX098 (budget) and DAX099 (internal error) do not
    const pagesWithout = readdirSync(pages).filter((f) => /^DAX\d{3}\.md$/.test(f) && !withExample.has(f));
    expect(pagesWithout.sort()).toEqual(['DAX098.md', 'DAX099.md']);
  });

  it('reads an example and its output block', () => {
    const page = [
      '# DAX010',
      '',
      '```dax',
      'region 0 { device a { size 3M } }',
      '```',
      '',
      '```',
      'error DAX010: size 3 MiB …',
      '```',
      '',
    ].join('\n');
    expect(examples('X.md', page)).toEqual([
      {
        page: 'X.md',
        line: 3,
        text: 'region 0 { device a { size 3M } }\n',
        expected: [{ severity: 'error', code: 'DAX010', message: 'size 3 MiB …' }],
        prune: false,
      },
    ]);
  });

  for (const ex of all) {
    it(`${ex.page}:${ex.line}`, () => {
      const findings = findingsOf(ex.text, ex.prune);
      for (const e of ex.expected) {
        const seen = findings.filter((f) => f.code === e.code).map((f) => `${f.severity} ${f.code}: ${f.message}`);
        expect(
          findings.some((f) => shows(f, e)),
          `${e.severity} ${e.code}: ${e.message}\nfound: ${seen.join('\n       ') || 'nothing of that code'}`,
        ).toBe(true);
      }
    });
  }
});
