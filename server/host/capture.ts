// Facts capture: one read-only program, one round trip; its output is a
// capture dump (docs/facts.md) that the core's reader turns into facts.

import { readCaptureFacts, splitSections, type FactsProblem, type HostFacts } from '../core/index';
import { captureProgram, PERSIST_FILES_SECTION, stateText, type Root } from './shell';
import type { Transport } from './transport';

export interface Captured {
  /** The capture dump as the host printed it. */
  readonly text: string;
  /** The state part (what the apply program's guard compares). */
  readonly state: string | undefined;
  readonly facts?: HostFacts;
  readonly problems: FactsProblem[];
  /** Files that exist but could not be read (root-only attributes as an ordinary user). */
  readonly unreadable: string[];
  /** The uid the capture ran as, when it said. */
  readonly uid?: number;
  /** The persist artifacts (docs/persist.md) present on the host; undefined when the dump does not say. */
  readonly persistFiles?: string[];
}

/** Reads a capture dump's output into facts, and notes what could not be read. */
export function readCapture(text: string, source: string): Captured {
  const r = readCaptureFacts(text, source);
  const sections = splitSections(text);
  const unreadable = sections
    .filter(
      (s) => s.status === 'unreadable' && s.title.startsWith('/') && !/\/dax_region\/(delete|create)$/.test(s.title),
    )
    .map((s) => s.title);
  const uidSec = sections.find((s) => s.title === 'id -u');
  const uid = uidSec && /^\d+$/.test(uidSec.body.join('').trim()) ? Number(uidSec.body.join('').trim()) : undefined;
  const persistSec = sections.find((s) => s.title === PERSIST_FILES_SECTION);
  const persistFiles = persistSec ? persistSec.body.map((l) => l.trim()).filter((l) => l.startsWith('/')) : undefined;
  return {
    text,
    state: stateText(text),
    ...(r.facts ? { facts: r.facts } : {}),
    problems: r.problems,
    unreadable,
    ...(uid !== undefined ? { uid } : {}),
    ...(persistFiles ? { persistFiles } : {}),
  };
}

export class CaptureError extends Error {}

/** Captures facts over a transport: one round trip. */
export async function captureFacts(t: Transport, source: string, root: Root = ''): Promise<Captured> {
  const r = await t.run(captureProgram(root), { timeoutMs: 120_000 });
  if (r.code !== 0 || !r.stdout.includes('### daxlayout state end')) {
    const why = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' / ');
    throw new CaptureError(`the capture on ${t.description} did not complete (exit ${r.code})${why ? `: ${why}` : ''}`);
  }
  return readCapture(r.stdout, source);
}

/** One sentence on what an ordinary user could not read, or undefined. */
export function unreadableNote(c: Captured): string | undefined {
  if (c.unreadable.length === 0) return undefined;
  const kinds = new Set(
    c.unreadable.map((t) => {
      if (/\/mapping\d+\/(start|end|page_offset)$/.test(t)) return 'mappingN/{start,end,page_offset}';
      if (t.startsWith('/sys/firmware/acpi/tables/'))
        return `ACPI ${t.slice('/sys/firmware/acpi/tables/'.length)} table`;
      const attr = t.replace(/^.*\//, '');
      return t.includes('/dax_region/') ? `dax_region/${attr}` : attr;
    }),
  );
  const who = c.uid !== undefined && c.uid !== 0 ? ` as uid ${c.uid}` : '';
  return `${c.unreadable.length} file(s) could not be read${who} (root-only): ${[...kinds].sort().join(', ')}. Capture as root (e.g. ssh root@HOST, or a sudo-capable login) for complete facts.`;
}
