// `daxlayout check FILE...`: diagnostics as file:line:col lines or JSON.
import { analyzeFleet, type Analysis, type Inventory } from '../core/index';
import { rulePage, rulePagesPath } from './rule-pages';
import { factsReader, readLayout } from './io';
import { LineIndex } from './positions';
import { findingLines } from './diagnostics';

export interface CheckedFile {
  readonly path: string;
  readonly analysis: Analysis;
}

/** `inventory`: the Ansible inventory `hosts "…"` blocks are matched against (`check -i`); else their own `inventory "…"`. */
export function checkFiles(
  paths: readonly string[],
  prune: boolean,
  inventory?: { inventory: Inventory; name: string },
): CheckedFile[] {
  return paths.map((path) => ({
    path,
    analysis: analyzeFleet(readLayout(path), {
      readFacts: factsReader(path),
      prune,
      ...(inventory ? { inventory: inventory.inventory, inventoryName: inventory.name } : {}),
    }),
  }));
}

export function renderFindings(files: readonly CheckedFile[], json: boolean): string {
  if (json) {
    const out = files.flatMap(({ path, analysis }) => {
      const idx = new LineIndex(analysis.text);
      const suppressed = new Set(analysis.suppressed ?? []);
      return [...analysis.findings, ...suppressed].map((f) => {
        const s = idx.position(f.span.start);
        const e = idx.position(f.span.end);
        return {
          file: path,
          line: s.line,
          column: s.column,
          endLine: e.line,
          endColumn: e.column,
          severity: f.severity,
          code: f.code,
          message: f.message,
          href: rulePage(f.code),
          // hidden by `# daxlayout: ignore CODE` (never an error): listed here, not printed, not counted
          ...(suppressed.has(f) ? { suppressed: true } : {}),
          ...(f.related
            ? { related: f.related.map((r) => ({ ...idx.position(r.span.start), message: r.message })) }
            : {}),
        };
      });
    });
    return JSON.stringify(out, null, 2) + '\n';
  }
  const lines: string[] = [];
  for (const { path, analysis } of files) {
    const idx = new LineIndex(analysis.text);
    for (const f of analysis.findings) lines.push(...findingLines(path, idx, f));
  }
  const count = (s: string) =>
    files.reduce((n, f) => n + f.analysis.findings.filter((x) => x.severity === s).length, 0);
  const e = count('error');
  const w = count('warning');
  const i = count('info');
  const hidden = files.reduce((n, f) => n + (f.analysis.suppressed?.length ?? 0), 0);
  lines.push(
    `${files.length} file${files.length === 1 ? '' : 's'} checked: ${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'}, ${i} info${hidden ? ` (${hidden} ignored by \`# daxlayout: ignore\` comments; check --json lists them)` : ''}`,
  );
  const codes = [...new Set(files.flatMap((f) => f.analysis.findings.map((x) => x.code)))].sort();
  // where each rule is explained, offline (the pages ship with daxlayout)
  if (codes.length > 0)
    lines.push(`Rules: ${rulePagesPath()}${codes.length === 1 ? codes[0] : `{${codes.join(',')}}`}.md`);
  return lines.join('\n') + '\n';
}

export function hasErrors(files: readonly CheckedFile[]): boolean {
  return files.some((f) => f.analysis.findings.some((x) => x.severity === 'error'));
}
