// Everything the language server does with a document after an edit, calling
// the core's public API as server/lsp does (read the handlers there): the
// fleet analysis (analyses.ts), the diagnostics (convert.ts toDiagnostic), semantic
// tokens, inlay hints over the document, the region map and the layout tree (map.ts,
// tree.ts), the outline, folding ranges, and at a
// few positions (the cursor, the end, spread over the tokens; every token of one
// small input in four) hover (rendered to Markdown as hover.ts does), completion,
// code actions with their formatted edits (code-actions.ts), definition,
// references, prepare-rename and rename; and formatting (format on save).
// Offsets become positions through the same TextDocument the server uses.
//
// `stage` says which feature was running when something threw.

import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  analyzeFleet,
  applyEdits,
  completeAt,
  definitionAt,
  factsPathAt,
  folds,
  format,
  hoverAt,
  inlayHints,
  layoutTree,
  mapDeviceAt,
  outline,
  prepareRenameAt,
  renameAt,
  referencesAt,
  regionMaps,
  renderMapSvg,
  ruleHref,
  semanticTokens,
  TOKEN_MODIFIERS,
  TOKEN_TYPES,
  type Analysis,
  type FactsLoad,
  type Finding,
  type Fix,
  type OutlineSymbol,
} from '../../server/core/index';
import { renderHover } from '../../server/lsp/markdown';
import type { FuzzCase } from './case';
import { tokens } from './mutate';

export interface Work {
  /** The feature running now. */
  stage: string;
  /** The analysis, once made (for the caller to inspect findings). */
  analysis?: Analysis;
  /** Spans the views answered with that lie outside the text (a wrong span is a bug, if not a crash). */
  badSpans: string[];
  /** Called when the work of one edit is done, before the dense probing (its time is reported apart). */
  mark?: () => void;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** A cheap hash of the text, to pick inputs for dense probing deterministically. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i += 1 + (s.length >> 10)) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * The offsets the editor asks about: the cursor, both ends, and after tokens spread over the text
 * (`edit`); and for one small input in four, also the start, middle and end of every token
 * (`dense`: hover and completion everywhere — hundreds of requests, far more than one edit brings,
 * so their time is reported apart from the edit's).
 */
export function probeOffsets(c: FuzzCase, perInput = 6): { edit: number[]; dense: number[] } {
  const n = c.layout.length;
  const out = new Set<number>([n, 0]);
  if (c.cursor !== undefined) out.add(Math.max(0, Math.min(n, c.cursor)));
  const toks = n > 200_000 ? [] : tokens(c.layout);
  for (let i = 0; i < perInput && toks.length; i++) {
    const t = toks[Math.floor((i * toks.length) / perInput)] as (typeof toks)[number];
    out.add(i % 2 ? t.end : t.start + Math.min(1, t.end - t.start));
  }
  const dense = new Set<number>();
  if (n < 3000 && hash(c.layout) % 4 === 0)
    for (const t of toks) for (const x of [t.start, (t.start + t.end) >> 1, t.end]) if (!out.has(x)) dense.add(x);
  return { edit: [...out], dense: [...dense] };
}

/** Runs the server's work on one input. Throws what the core throws. */
export function serverWork(c: FuzzCase, work: Work): void {
  const text = c.layout;
  const n = text.length;
  const doc = TextDocument.create('file:///fuzz/layout.dax', 'dax', 1, text);
  const range = (s: Span) => ({ start: doc.positionAt(s.start), end: doc.positionAt(s.end) });
  const check = (what: string, s: Span) => {
    if (!(s.start >= 0 && s.end <= n && s.start <= s.end) && work.badSpans.length < 5)
      work.badSpans.push(`${what} ${s.start}..${s.end} of ${n}`);
  };
  const readFacts = (path: string): FactsLoad =>
    Object.prototype.hasOwnProperty.call(c.files, path)
      ? { text: c.files[path] as string }
      : { error: `no such file: ${path}` };

  work.stage = 'analysis';
  const a = analyzeFleet(text, { readFacts });
  work.analysis = a;

  work.stage = 'diagnostics';
  const toDiagnostic = (f: Finding) => {
    check(`${f.code} finding`, f.span);
    for (const r of f.related ?? []) check(`${f.code} related`, r.span);
    return {
      range: range(f.span),
      code: f.code,
      href: ruleHref(f.code),
      message:
        f.message +
        (f.related ?? []).map((r) => `\n  line ${doc.positionAt(r.span.start).line + 1}: ${r.message}`).join(''),
      related: (f.related ?? []).map((r) => range(r.span)),
      fixes: (f.fixes ?? []).map((x) =>
        x.edits.map((e) => (check(`${f.code} fix`, e.span), { range: range(e.span), newText: e.newText })),
      ),
    };
  };
  a.findings.map(toDiagnostic);

  work.stage = 'semanticTokens';
  const data: number[] = [];
  for (const t of semanticTokens(a)) {
    check('token', t.span);
    const p = doc.positionAt(t.span.start);
    const e = doc.positionAt(t.span.end);
    const mods = (t.modifiers ?? []).reduce((m, x) => m | (1 << TOKEN_MODIFIERS.indexOf(x)), 0);
    data.push(p.line, p.character, e.character - p.character, TOKEN_TYPES.indexOf(t.type), mods);
  }

  work.stage = 'inlayHints';
  for (const h of inlayHints(a, { start: 0, end: n })) {
    if (!(h.offset >= 0 && h.offset <= n) && work.badSpans.length < 5)
      work.badSpans.push(`inlay hint at ${h.offset} of ${n}`);
    doc.positionAt(h.offset);
  }

  // the region map (server/lsp/map.ts) and the layout tree (tree.ts)
  work.stage = 'regionMap';
  for (const m of regionMaps(a)) {
    for (const d of m.devices) if (d.declaration) check('map device', d.declaration);
    mapDeviceAt(m, n >> 1);
    renderMapSvg(m);
  }
  work.stage = 'layoutTree';
  for (const h of layoutTree(a)) {
    if (h.declaration) check('tree host', h.declaration);
    for (const r of h.regions) for (const d of r.devices) if (d.declaration) check('tree device', d.declaration);
  }

  work.stage = 'documentSymbol';
  const walk = (x: OutlineSymbol) => {
    check('symbol', x.span);
    check('symbol selection', x.selectionSpan);
    range(x.span);
    range(x.selectionSpan);
    x.children.forEach(walk);
  };
  outline(a).forEach(walk);

  work.stage = 'foldingRange';
  for (const f of folds(a)) {
    check('fold', f.span);
    const end = doc.positionAt(f.span.end);
    void doc.positionAt(f.span.start).line;
    void text.slice(f.span.end - end.character, f.span.end).trim();
  }

  let formatted: boolean | undefined;
  const fixEdits = (fix: Fix) => {
    if (formatted === undefined) formatted = format(text) === text;
    if (formatted) {
      const after = format(applyEdits(text, fix.edits));
      if (after !== undefined) return after;
    }
    return fix.edits.map((e) => range(e.span));
  };

  /** The requests at one offset. Rename: once per name (a name's every offset renames the same spans). */
  const renamed = new Set<number>();
  const probe = (offset: number) => {
    work.stage = 'hover';
    const info = hoverAt(a, offset);
    if (info) {
      check('hover', info.span);
      renderHover(info);
      range(info.span);
    }
    work.stage = 'completion';
    const comp = completeAt(a, offset);
    check('completion', comp.span);
    range(comp.span);
    work.stage = 'codeAction';
    for (const f of a.findings) {
      if (!f.fixes?.length || f.span.end < offset || f.span.start > offset) continue;
      toDiagnostic(f);
      f.fixes.forEach(fixEdits);
    }
    work.stage = 'definition';
    if (!factsPathAt(a, offset)) for (const s of definitionAt(a, offset)) check('definition', s);
    work.stage = 'references';
    for (const s of referencesAt(a, offset, true)) check('reference', s);
    work.stage = 'rename';
    const prepared = prepareRenameAt(a, offset);
    if (!('error' in prepared) && !renamed.has(prepared.span.start)) {
      renamed.add(prepared.span.start);
      renameAt(a, offset, 'renamed-x');
    }
  };
  const offsets = probeOffsets(c);
  offsets.edit.forEach(probe);
  work.stage = 'formatting';
  format(text);
  // the work of one edit ends here; the dense probing that follows is timed apart
  work.mark?.();
  offsets.dense.forEach(probe);
  work.stage = 'done';
}
