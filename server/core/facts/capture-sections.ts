// Capture dumps split into sections, and the parsers of the values the kernel prints in them.
// The reader (capture-text.ts) and its parts (capture-regions.ts, capture-blocks.ts,
// capture-nodes.ts) read a dump through these.

import type { Loc } from './problems';

export type SectionStatus = 'value' | 'absent' | 'unreadable';

export interface Section {
  /** The header without `### ` and without the link target. */
  readonly title: string;
  /** Link target for `### PATH -> TARGET` headers. */
  readonly link?: string;
  /** Body lines (trailing empty lines dropped). */
  readonly body: readonly string[];
  readonly status: SectionStatus;
  /** 1-based line of the header. */
  readonly line: number;
}

const ERROR_LINE =
  /^(cat|ls|readlink|head|tail|grep|sh|bash|busybox|find|realpath|stat)(: |:$)|: No such file or directory$|: Permission denied$|: Operation not permitted$|: Invalid argument$|: No such device$|: Input\/output error$/;

function normTitle(t: string): string {
  const s = t.trim();
  if (!s.startsWith('/')) return s;
  return s.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

/** Splits a capture dump into sections. Text before the first header (and a leading BOM) is ignored. */
export function splitSections(text: string): Section[] {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
  const out: Section[] = [];
  let cur: { title: string; link?: string; body: string[]; line: number } | undefined;
  const flush = (): void => {
    if (!cur) return;
    const body = [...cur.body];
    while (body.length > 0 && (body[body.length - 1] ?? '').trim() === '') body.pop();
    const nonEmpty = body.filter((l) => l.trim() !== '');
    let status: SectionStatus = 'value';
    if (nonEmpty.length > 0 && nonEmpty.every((l) => ERROR_LINE.test(l.trim()))) {
      status = nonEmpty.some((l) => /Permission denied|Operation not permitted/.test(l)) ? 'unreadable' : 'absent';
    }
    out.push({
      title: cur.title,
      ...(cur.link !== undefined ? { link: cur.link } : {}),
      body: status === 'value' ? body : [],
      status,
      line: cur.line,
    });
  };
  lines.forEach((raw, i) => {
    if (raw.startsWith('###')) {
      flush();
      let header = raw.slice(3).trim();
      let link: string | undefined;
      const arrow = header.indexOf(' -> ');
      if (arrow >= 0) {
        link = header.slice(arrow + 4).trim();
        header = header.slice(0, arrow);
      }
      cur = { title: normTitle(header), ...(link !== undefined ? { link } : {}), body: [], line: i + 1 };
      return;
    }
    if (cur) cur.body.push(raw);
  });
  flush();
  return out;
}

export class Dump {
  readonly byTitle = new Map<string, Section>();
  constructor(readonly sections: readonly Section[]) {
    for (const s of sections) this.byTitle.set(s.title, s);
  }
  sec(title: string): Section | undefined {
    return this.byTitle.get(title);
  }
  /** The value of a file section (body joined, trimmed), or undefined if absent/unreadable/not captured. */
  val(title: string): string | undefined {
    const s = this.byTitle.get(title);
    if (!s || s.status !== 'value') return undefined;
    return s.body.join('\n').trim();
  }
  status(title: string): SectionStatus | 'missing' {
    return this.byTitle.get(title)?.status ?? 'missing';
  }
  firstVal(titles: readonly string[]): { value: string; section: Section } | undefined {
    for (const t of titles) {
      const s = this.byTitle.get(t);
      if (s && s.status === 'value') return { value: s.body.join('\n').trim(), section: s };
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Value parsers

export function parseDec(s: string | undefined): bigint | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  return /^\d+$/.test(t) ? BigInt(t) : undefined;
}

/** Base auto-detect as the kernel prints `%#llx` / `%llu`: "0x…" hex, "0", or decimal. */
export function parseAuto(s: string | undefined): bigint | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t);
  if (/^\d+$/.test(t)) return BigInt(t);
  return undefined;
}

export function parseHexBare(s: string | undefined): bigint | undefined {
  if (s === undefined) return undefined;
  const t = s.trim().replace(/^0x/i, '');
  return /^[0-9a-f]+$/i.test(t) ? BigInt('0x' + t) : undefined;
}

export function parseSignedInt(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (!/^-?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A kernel node/cpu list: `0-1,4`, or empty. */
export function parseList(s: string): number[] | undefined {
  const t = s.trim();
  if (t === '') return [];
  const out: number[] = [];
  for (const part of t.split(',')) {
    const m = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a || b - a > 4096) return undefined;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

/** The value of a file section (body joined, trimmed), or undefined if absent/unreadable. */
export function valOf(s: Section | undefined): string | undefined {
  return s && s.status === 'value' ? s.body.join('\n').trim() : undefined;
}

/** A section's line as a problem location. */
export function at(s: Section | undefined): Loc | undefined {
  return s ? { line: s.line } : undefined;
}

export const NODE_ATTR = /^\/sys\/devices\/system\/node\/node(\d{1,9})\/(.+)$/;
