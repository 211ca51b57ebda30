// Mutations of .dax text, and typing sequences: what an editor holds while
// someone types, one character at a time, into a real layout.

import type { Corpus } from './corpus';
import { hostileChars, hostileLiteral, type Rng } from './values';

/** Tokens roughly as the lexer sees them (numbers with their units, names, strings, comments, punctuation). */
const TOKEN =
  /0x[0-9A-Fa-f_]*[A-Za-z/]*|[0-9][0-9_.]*[A-Za-z/]*|[A-Za-z_][A-Za-z0-9_.-]*|"(?:[^"\\\n]|\\.)*"?|#[^\n]*|\.\.|[{}+,]/g;
const NUMBER = /^(?:0x|[0-9])/;

interface Tok {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function tokens(text: string): Tok[] {
  return [...text.matchAll(TOKEN)].map((m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, text: m[0] }));
}

const WORDS = [
  'host',
  'region',
  'device',
  'on',
  'size',
  'rest',
  'align',
  'mode',
  'devdax',
  'system-ram',
  'online',
  'offline',
  'movable',
  'normal',
  'memmap-on-memory',
  'range',
  'name',
  'colours',
  'colors',
  'of',
  'exclusive',
  'any',
  'expect',
  'read-latency',
  'write-bandwidth',
  'from',
  'node',
  'access1',
  'owner',
  'group',
  'permissions',
  'start',
  'cache',
  'dynamic',
  'static',
  'persist',
  'ssh',
  'port',
  'facts',
  'kernel',
  'arch',
  'memory-block',
  'auto-online',
  'hosts',
  'inventory',
  '{',
  '}',
  '..',
  '+',
  ',',
  '"',
  '#',
  '0x',
  '1G',
  '2M',
  'rest',
  '\n',
];

const splice = (text: string, start: number, end: number, insert: string) =>
  text.slice(0, start) + insert + text.slice(end);

/** One random mutation of the text. */
export function mutateText(rng: Rng, text: string, corpus: Corpus): string {
  const toks = tokens(text);
  const tok = toks.length ? rng.pick(toks) : { start: 0, end: 0, text: '' };
  const at = rng.int(text.length + 1);
  switch (rng.int(16)) {
    case 0:
    case 1:
    case 2: {
      const nums = toks.filter((t) => NUMBER.test(t.text));
      const t = nums.length ? rng.pick(nums) : tok;
      return splice(text, t.start, t.end, hostileLiteral(rng));
    }
    case 3:
      return splice(text, tok.start, tok.end, '');
    case 4:
      return splice(text, tok.end, tok.end, ' ' + tok.text);
    case 5: {
      const i = toks.indexOf(tok);
      const next = toks[i + 1];
      if (!next) return text;
      return text.slice(0, tok.start) + next.text + text.slice(tok.end, next.start) + tok.text + text.slice(next.end);
    }
    case 6:
      return splice(
        text,
        rng.chance(0.5) ? tok.end : tok.start,
        rng.chance(0.5) ? tok.end : tok.start,
        ` ${rng.pick(WORDS)} `,
      );
    case 7:
      return splice(text, at, at, hostileChars(rng));
    case 8:
      return splice(text, at, Math.min(text.length, at + rng.small(60)), '');
    case 9: {
      const lines = text.split('\n');
      const l = rng.int(lines.length);
      const op = rng.int(3);
      if (op === 0) lines.splice(l, 1);
      else if (op === 1)
        lines.splice(l, 0, ...Array.from({ length: rng.pick([1, 1, 2, 50, 2000]) }, () => lines[l] ?? ''));
      else if (l + 1 < lines.length) [lines[l], lines[l + 1]] = [lines[l + 1] as string, lines[l] as string];
      return lines.join('\n');
    }
    case 10:
      return text.slice(0, at);
    case 11: {
      const other = corpus.layouts[rng.pick(Object.keys(corpus.layouts))] as string;
      const lines = other.split('\n');
      const from = rng.int(lines.length);
      return splice(text, at, at, lines.slice(from, from + rng.small(6)).join('\n') + '\n');
    }
    case 12:
      return text.replace(/\n/g, () =>
        rng.chance(0.3) ? rng.pick(['\r', '\r\n', '\u2028', '\u2029', '\u0085', '\n\n']) : '\n',
      );
    case 13: {
      const n = rng.pick([1000, 100000]);
      return splice(text, tok.end, tok.end, rng.chance(0.5) ? ` "${'s'.repeat(n)}"` : ` ${'w'.repeat(n)}`);
    }
    case 14: {
      const braces = [...text.matchAll(/[{}]/g)];
      if (!braces.length) return splice(text, at, at, rng.pick(['{', '}']));
      const b = rng.pick(braces);
      return splice(text, b.index ?? 0, (b.index ?? 0) + 1, rng.pick(['', '{}', '}}', '{{', ' ']));
    }
    default: {
      // one device line repeated: a long region
      const devices = [...text.matchAll(/^\s*device [^\n]*\}[^\n]*$/gm)];
      if (!devices.length) return text;
      const d = rng.pick(devices);
      const end = (d.index ?? 0) + d[0].length;
      const n = rng.pick([10, 200, 3000]);
      return splice(
        text,
        end,
        end,
        Array.from({ length: n }, (_, i) => '\n' + d[0].replace(/device (\S+)/, `device $1-${i}`)).join(''),
      );
    }
  }
}

/** What people type: properties, whole blocks, hostile values. */
const FRAGMENTS: readonly {
  readonly where: 'host' | 'region' | 'device' | 'top';
  readonly text: (rng: Rng) => string;
}[] = [
  { where: 'host', text: () => 'memory-block 128M' },
  { where: 'host', text: (r) => `memory-block ${hostileLiteral(r)}` },
  { where: 'host', text: () => 'kernel "6.12.0"' },
  { where: 'host', text: () => 'arch aarch64' },
  { where: 'host', text: () => 'auto-online online_movable' },
  { where: 'host', text: () => 'facts "linux-6.12.facts.json"' },
  { where: 'host', text: () => 'hosts "rack1" inventory "inventory.ini"' },
  { where: 'region', text: () => 'cache 256M' },
  { where: 'region', text: (r) => `cache ${hostileLiteral(r)}` },
  { where: 'region', text: () => 'size 0x8000000000000000' },
  { where: 'region', text: (r) => `start ${hostileLiteral(r)} size ${hostileLiteral(r)}` },
  { where: 'region', text: () => 'align 1G' },
  { where: 'region', text: () => 'node 1 dynamic' },
  { where: 'region', text: () => 'device new { size 256M align 2M mode system-ram online movable }' },
  { where: 'region', text: () => 'device c { colours 0..1 of 4 exclusive }' },
  { where: 'region', text: () => 'device c { colors any 2 of 8 expect read-latency 50ns from node 0 access1 }' },
  { where: 'device', text: () => ' size 1G' },
  { where: 'device', text: (r) => ` size ${hostileLiteral(r)}` },
  { where: 'device', text: (r) => ` align ${hostileLiteral(r)}` },
  { where: 'device', text: () => ' range 0x1_4000_0000 + 256M, 0x1_6000_0000..0x1_6fff_ffff' },
  { where: 'device', text: (r) => ` range ${hostileLiteral(r)} + ${hostileLiteral(r)}` },
  { where: 'device', text: () => ' colours 0, 2..3 of 8 exclusive' },
  { where: 'device', text: (r) => ` colours ${hostileLiteral(r)}..${hostileLiteral(r)} of ${hostileLiteral(r)}` },
  { where: 'device', text: (r) => ` colours any ${hostileLiteral(r)} of 128` },
  { where: 'device', text: () => ' expect read-bandwidth 20000MB/s from node 0' },
  { where: 'device', text: (r) => ` expect write-latency ${hostileLiteral(r)} from node ${hostileLiteral(r)}` },
  { where: 'device', text: () => ' mode system-ram online movable memmap-on-memory' },
  { where: 'device', text: () => ' owner qemu group kvm permissions 0660' },
  { where: 'device', text: () => ' name dax0.7' },
  { where: 'top', text: () => 'region 0 on lab61 {\n  device a { size 1G }\n}\n' },
  {
    where: 'top',
    text: () =>
      'host h {\n  kernel "6.1.0"\n  memory-block 2G\n}\nregion 3 on h {\n  start 0x40_0000_0000\n  size 8G\n  node 1\n  cache 1G\n  device a { colours any 1 }\n}\n',
  },
  {
    where: 'top',
    text: (r) =>
      `region ${hostileLiteral(r)} {\n  start ${hostileLiteral(r)}\n  size ${hostileLiteral(r)}\n  device a { size rest }\n}\n`,
  },
];

/** Offsets where a fragment of this kind can be typed (just inside the blocks that take it). */
function insertionPoints(text: string, where: 'host' | 'region' | 'device' | 'top'): number[] {
  if (where === 'top') return [0, text.length, ...[...text.matchAll(/^(?:host|region)\b/gm)].map((m) => m.index ?? 0)];
  const re =
    where === 'host' ? /\bhost\s+\S+\s*\{/g : where === 'region' ? /\bregion\b[^{\n]*\{/g : /\bdevice\s+\S+\s*\{/g;
  return [...text.matchAll(re)].map((m) => (m.index ?? 0) + m[0].length);
}

export interface Typed {
  readonly text: string;
  readonly cursor: number;
}

/**
 * A typing sequence: the texts an editor holds while `fragment` is typed into
 * `base` at a point where it belongs, one character at a time (every prefix).
 */
export function typingSequence(rng: Rng, base: string): Typed[] {
  let frag = rng.pick(FRAGMENTS);
  let points = insertionPoints(base, frag.where);
  for (let tries = 0; points.length === 0 && tries < 8; tries++) {
    frag = rng.pick(FRAGMENTS);
    points = insertionPoints(base, frag.where);
  }
  if (points.length === 0) points = [base.length];
  const at = rng.pick(points);
  let typed = frag.text(rng);
  if (frag.where === 'host' || frag.where === 'region') typed = `\n  ${typed}`;
  const out: Typed[] = [];
  for (let k = 1; k <= typed.length; k++)
    out.push({ text: base.slice(0, at) + typed.slice(0, k) + base.slice(at), cursor: at + k });
  return out;
}
