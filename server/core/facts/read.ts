// Reading host facts: a daxlayout-facts/1 file, `daxctl list -RDMi` output
// (detected and imported), or a capture dump (`### path` sections). Pure: takes
// text, returns facts and problems, never throws. See docs/facts.md.

import type { HostFacts } from '../host-facts';
import { parseJson } from './json';
import { Fields } from './fields';
import { Problems, type ReadFactsOptions, type ReadFactsResult } from './problems';
import { FACTS_FORMAT, readFactsDocument } from './format';
import { writeFacts } from './format-write';
import { importDaxctl, looksLikeDaxctl } from './daxctl';
import { readCaptureText } from './capture-text';
import { readCxlFacts } from './cxl';
import { checkOptions } from './infer';

export type { FactsProblem, FactsSeverity, ReadFactsOptions, ReadFactsResult } from './problems';
export { FACTS_FORMAT, writeFacts, readCaptureText };

/** Which kind of input `readFacts` saw. */
export type FactsInputKind = 'facts' | 'daxctl' | 'capture' | 'unknown';

export function detectFactsInput(text: string): FactsInputKind {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('###')) return 'capture';
  const parsed = parseJson(text);
  if (!parsed.ok) return 'unknown';
  const root = parsed.value;
  if (root.kind === 'obj' && (root.entries.has('format') || root.entries.has('regions'))) return 'facts';
  if (looksLikeDaxctl(root)) return 'daxctl';
  return 'unknown';
}

/** A capture dump's facts (capture-text.ts), with the CXL topology (cxl.ts) when the dump has one. */
export function readCaptureFacts(
  text: string,
  source: string,
  options: ReadFactsOptions = {},
): ReadFactsResult<HostFacts> {
  const r = readCaptureText(text, source, options);
  const cxl = r.facts ? readCxlFacts(text) : undefined;
  return r.facts && cxl ? { ...r, facts: { ...r.facts, cxl } } : r;
}

/**
 * Reads host facts from `text`. `source` names the input (a file name) and
 * becomes `facts.source`. `facts` is absent when the input cannot give a
 * complete HostFacts; an unknown kernel release is reported as an error but
 * still returns facts (pass it later, e.g. `--kernel`).
 */
export function readFacts(text: string, source: string, options: ReadFactsOptions = {}): ReadFactsResult<HostFacts> {
  return readFactsAndKind(text, source, options).result;
}

/**
 * `readFacts` and `detectFactsInput` in one: the text is parsed once (the analysis needs
 * both, for every host).
 */
export function readFactsAndKind(
  text: string,
  source: string,
  options: ReadFactsOptions = {},
): { result: ReadFactsResult<HostFacts>; kind: FactsInputKind } {
  let kind: FactsInputKind | undefined;
  const result = readFactsInto(text, source, options, (k) => (kind = k));
  return { result, kind: kind ?? (typeof text === 'string' ? detectFactsInput(text) : 'unknown') };
}

function readFactsInto(
  text: string,
  source: string,
  options: ReadFactsOptions,
  saw: (kind: FactsInputKind) => void,
): ReadFactsResult<HostFacts> {
  const problems = new Problems(typeof text === 'string' ? text : '');
  try {
    if (typeof text !== 'string') {
      problems.error('the facts input is not text');
      return { problems: problems.list };
    }
    if (!checkOptions(options, problems)) return { problems: problems.list };
    if (
      text
        .replace(/^\uFEFF/, '')
        .trimStart()
        .startsWith('###')
    ) {
      saw('capture');
      return readCaptureFacts(text, source, options);
    }
    const parsed = parseJson(text);
    if (!parsed.ok) {
      saw('unknown');
      problems.error(`not valid JSON: ${parsed.message}`, { at: parsed.at });
      const last = problems.list[problems.list.length - 1];
      if (last && last.line !== undefined) {
        problems.list[problems.list.length - 1] = {
          ...last,
          message: `${last.message} (line ${last.line}, column ${last.column ?? 1})`,
        };
      }
      return { problems: problems.list };
    }
    const root = parsed.value;
    if (root.kind === 'obj' && (root.entries.has('format') || root.entries.has('regions'))) {
      saw('facts');
      const r = readFactsDocument(new Fields(root, '', problems, 'the facts file'), source, options, problems);
      return r.facts ? { facts: r.facts, problems: problems.list } : { problems: problems.list };
    }
    if (looksLikeDaxctl(root)) {
      saw('daxctl');
      const r = importDaxctl(root, source, options, problems);
      return r.facts ? { facts: r.facts, problems: problems.list } : { problems: problems.list };
    }
    saw('unknown');
    problems.error(
      `neither a ${FACTS_FORMAT} object (with "format") nor \`daxctl list -RDMi\` output (an array of regions)`,
      { path: '', at: root.at },
    );
    return { problems: problems.list };
  } catch (e) {
    problems.error(`internal error while reading facts: ${e instanceof Error ? e.message : String(e)}`);
    return { problems: problems.list };
  }
}
