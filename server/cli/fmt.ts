// `daxlayout fmt FILE... [--check]`: rewrites files in the canonical style.
import { format } from '../../grammar/src/index';
import { readLayout, writeOutput } from './io';

export interface FmtResult {
  readonly output: string;
  readonly code: number;
}

export function runFmt(paths: readonly string[], check: boolean): FmtResult {
  const lines: string[] = [];
  let code = 0;
  for (const p of paths) {
    const text = readLayout(p);
    const formatted = format(text);
    if (formatted === undefined) {
      lines.push(`${p}: not formatted: the file has syntax errors (run \`daxlayout check ${p}\`)`);
      code = 1;
      continue;
    }
    if (formatted === text) continue;
    if (check) {
      lines.push(`${p}: would be reformatted`);
      code = 1;
    } else {
      writeOutput(p, formatted);
      lines.push(`${p}: formatted`);
    }
  }
  return { output: lines.length ? lines.join('\n') + '\n' : '', code };
}
