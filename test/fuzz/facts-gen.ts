// Hostile host facts (docs/facts.md): the real facts files, daxctl JSON and
// capture dumps of the corpus, mutated structurally (a JSON value replaced by
// a hostile number written raw — 2^64, 1e400, -1, 0.5 — or as a string, keys
// dropped, arrays emptied or repeated, types swapped) and textually (cut,
// junk inserted, capture sections dropped or repeated, numbers in them replaced).

import type { Corpus } from './corpus';
import { hostileBigint, hostileChars, type Rng } from './values';

export interface FactsFile {
  /** The file name to write in the layout (`….json`, `….txt`). */
  readonly name: string;
  /** The corpus file it was made from. */
  readonly base: string;
  readonly text: string;
}

type Json = null | boolean | number | string | Raw | Json[] | { [k: string]: Json };

/** A number written exactly as given (JSON.stringify cannot write 2^64 or 1e400). */
class Raw {
  constructor(readonly text: string) {}
}

function stringify(v: Json, pretty: boolean): string {
  const raws: string[] = [];
  const s = JSON.stringify(
    v,
    (_k, x: unknown) => {
      if (x instanceof Raw) {
        raws.push(x.text);
        return `@@RAW${raws.length - 1}@@`;
      }
      return x;
    },
    pretty ? 2 : undefined,
  );
  return s.replace(/"@@RAW(\d+)@@"/g, (_m, i: string) => raws[Number(i)] as string);
}

function hostileNumber(rng: Rng): Json {
  const v = hostileBigint(rng);
  switch (rng.int(8)) {
    case 0:
      return new Raw(
        rng.pick(['1e400', '-1', '-0', '0.5', '1e3', '9007199254740993', '-9223372036854775808', '1E-7', '00', '0x10']),
      );
    case 1:
      return `0x${v.toString(16)}`;
    case 2:
      return rng.pick(['', '2 GiB', '0x', '-0x1', ' 42', '0x1_000', 'NaN', '1e9', '0X10']);
    case 3:
      return v.toString();
    default:
      return new Raw(v.toString());
  }
}

function hostileString(rng: Rng, was: string): Json {
  switch (rng.int(8)) {
    case 0:
      return '';
    case 1:
      return 'x'.repeat(rng.pick([300, 70000]));
    case 2:
      return was + hostileChars(rng);
    case 3:
      return rng.pick([
        'dax0.99999999999999999999',
        'dax-1.0',
        'dax0.0',
        'dax1.0',
        'dax0.',
        '/sys/devices/platform/hmem.0/dax_region',
        '/platform/hmem.0',
        '..',
        'kmem',
        'device_dax',
        'devdax',
        'system-ram',
        'online',
        'Movable',
        '0-1,3',
        '0-4294967295',
        '6.12.0',
        '2.6',
        '6.1.0-56-amd64',
      ]);
    case 4:
      return hostileNumber(rng);
    default:
      return was.slice(0, rng.int(was.length + 1));
  }
}

/** Every container (object or array) of the tree with a key of it, for mutation. */
function slots(root: Json): [Json[] | { [k: string]: Json }, string | number][] {
  const out: [Json[] | { [k: string]: Json }, string | number][] = [];
  const walk = (v: Json) => {
    if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), walk(x)));
    else if (v && typeof v === 'object' && !(v instanceof Raw))
      for (const k of Object.keys(v)) (out.push([v, k]), walk(v[k] as Json));
  };
  walk(root);
  return out;
}

const get = (c: Json[] | { [k: string]: Json }, k: string | number): Json =>
  (c as Record<string | number, Json>)[k] as Json;
const set = (c: Json[] | { [k: string]: Json }, k: string | number, v: Json) =>
  ((c as Record<string | number, Json>)[k] = v);

function mutateJsonValue(rng: Rng, root: Json): Json {
  const all = slots(root);
  if (all.length === 0) return hostileNumber(rng);
  const [c, k] = rng.pick(all);
  const v = get(c, k);
  const op = rng.int(12);
  if (op <= 3 && (typeof v === 'number' || v instanceof Raw)) set(c, k, hostileNumber(rng));
  else if (op <= 3 && typeof v === 'string') set(c, k, hostileString(rng, v));
  else if (op === 4) {
    if (Array.isArray(c)) c.splice(k as number, 1);
    else delete c[k as string];
  } else if (op === 5 && Array.isArray(v) && v.length > 0) {
    const x = rng.pick(v);
    const n = rng.pick([1, 2, 10, 200, 5000]);
    for (let i = 0; i < n; i++) v.push(x); // shared: written out n times
  } else if (op === 6) set(c, k, rng.pick<Json>([null, true, false, [], {}, 0, '', [[]], { '': null }]));
  else if (op === 7 && !Array.isArray(c))
    set(
      c,
      rng.pick([
        '$comment',
        'typo',
        'memTotal',
        'caches',
        'memoryBlocks',
        'access0',
        'zone',
        'kmemDefault',
        'memmapOnMemory',
        'availableSize',
        'end',
        'start',
      ]),
      hostileNumber(rng),
    );
  else if (op === 8 && Array.isArray(v)) set(c, k, []);
  else if (op === 9 && typeof v === 'number') set(c, k, v + rng.pick([1, -1, 4096, -4096, 2097152, 1 << 30]));
  else if (op === 10) {
    // a plausible memory block or cache, with hostile numbers
    if (!Array.isArray(c) && 'memoryBlocks' in c && Array.isArray(c.memoryBlocks)) {
      for (let i = 0, n = rng.pick([1, 3, 40, 3000]); i < n; i++)
        c.memoryBlocks.push({
          index: rng.chance(0.5) ? 32 + i : hostileNumber(rng),
          state: rng.pick(['online', 'offline', 'going']),
          node: rng.int(3),
          removable: true,
          ...(rng.chance(0.3) ? { zone: rng.pick(['Movable', 'Normal', 'none', 'x']) } : {}),
        });
    } else if (!Array.isArray(c) && 'caches' in c && Array.isArray(c.caches)) {
      c.caches.push({
        level: rng.pick([1, 2, 0, 99]),
        size: rng.chance(0.5) ? rng.pick([268435456, 1073741824, 4096]) : hostileNumber(rng),
        lineSize: rng.pick([64, 0, 1, 4096]),
        indexing: rng.pick([0, 1, 2]),
        writePolicy: rng.pick([0, 1, 2]),
      });
    } else set(c, k, hostileNumber(rng));
  } else set(c, k, hostileNumber(rng));
  return root;
}

/** Text damage: cut, junk, a byte-order mark, CRs. */
function damageText(rng: Rng, text: string): string {
  switch (rng.int(5)) {
    case 0:
      return text.slice(0, rng.int(text.length + 1));
    case 1: {
      const at = rng.int(text.length + 1);
      return text.slice(0, at) + hostileChars(rng) + text.slice(at);
    }
    case 2:
      return '\ufeff' + text;
    case 3:
      return text.replace(/\n/g, '\r\n');
    default: {
      const at = rng.int(text.length + 1);
      return text.slice(0, at) + text.slice(at + rng.small(40));
    }
  }
}

export function mutateJson(rng: Rng, text: string, rounds: number): string {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch {
    return damageText(rng, text);
  }
  for (let i = 0; i < rounds; i++) root = mutateJsonValue(rng, root);
  const out = stringify(root, rng.chance(0.7));
  return rng.chance(0.1) ? damageText(rng, out) : out;
}

/** A capture dump with sections dropped, repeated or with their numbers replaced. */
export function mutateCapture(rng: Rng, text: string, rounds: number): string {
  let sections = text.split(/(?=^### )/m);
  for (let i = 0; i < rounds; i++) {
    const at = rng.int(sections.length);
    const s = sections[at] ?? '';
    switch (rng.int(6)) {
      case 0:
        sections.splice(at, 1);
        break;
      case 1:
        sections.splice(at, 0, s);
        break;
      case 2: {
        // one number of the section (decimal or hex, as sysfs prints it) replaced
        const nums = [...s.matchAll(/\b(?:0x)?[0-9a-fA-F]+\b/g)];
        if (nums.length === 0) break;
        const m = rng.pick(nums);
        const v = hostileBigint(rng);
        const rep = m[0].startsWith('0x')
          ? `0x${v.toString(16)}`
          : /[a-f]/i.test(m[0]) || rng.chance(0.5)
            ? v.toString(16)
            : v.toString();
        sections[at] = s.slice(0, m.index) + rep + s.slice((m.index ?? 0) + m[0].length);
        break;
      }
      case 3: {
        const body = s.indexOf('\n');
        const json = s.slice(body + 1);
        if (/^\s*[[{]/.test(json)) sections[at] = s.slice(0, body + 1) + mutateJson(rng, json, 1 + rng.int(3)) + '\n';
        else sections[at] = s.slice(0, body + 1) + hostileChars(rng) + json;
        break;
      }
      case 4: {
        const lines = s.split('\n');
        const l = rng.int(lines.length);
        lines.splice(l, 0, ...Array.from({ length: rng.pick([1, 2, 100]) }, () => lines[l] ?? ''));
        sections[at] = lines.join('\n');
        break;
      }
      default:
        sections[at] = damageText(rng, s);
    }
  }
  if (sections.length === 0) sections = ['###'];
  return sections.join('');
}

/** One of the corpus's facts inputs, mutated with probability ~ hostility. */
export function factsFor(rng: Rng, corpus: Corpus, hostility: number): FactsFile {
  const kind = rng.weighted<'facts' | 'daxctl' | 'capture'>([
    [6, 'facts'],
    [2, 'daxctl'],
    [2, 'capture'],
  ]);
  const pool = kind === 'daxctl' ? corpus.daxctl : kind === 'capture' ? corpus.captures : corpus.facts;
  const base = rng.pick(Object.keys(pool));
  let text = pool[base] as string;
  const mutate = rng.chance(Math.min(0.9, hostility * 2));
  const rounds = rng.small(4);
  if (mutate) text = kind === 'capture' ? mutateCapture(rng, text, rounds) : mutateJson(rng, text, rounds);
  const name = kind === 'capture' ? base.replace(/\.txt$/, '') + '.txt' : base;
  return { name, base, text };
}

/** Facts made to hurt: many mutations, or a region of 2^63 bytes, or thousands of blocks. */
export function hostileFacts(rng: Rng, corpus: Corpus): FactsFile {
  const base = rng.pick(Object.keys(corpus.facts));
  const root = JSON.parse(corpus.facts[base] as string) as { [k: string]: Json };
  const regions = root.regions as { [k: string]: Json }[];
  const r = regions[0];
  switch (rng.int(4)) {
    case 0:
      if (r) {
        const size = 1n << BigInt(rng.pick([40, 47, 52, 53, 60, 62, 63, 64]));
        r.size = size.toString();
        r.end = `0x${((BigInt(String(r.start ?? '0x100000000')) + size - 1n) & ((1n << 80n) - 1n)).toString(16)}`;
        const d = (r.devices as { [k: string]: Json }[])[0];
        if (d && rng.chance(0.5)) {
          d.size = size.toString();
          d.mappings = [{ id: 0, start: r.start as Json, end: r.end, pageOffset: 0 }];
        }
      }
      break;
    case 1:
      root.memoryBlockSize = rng.pick<Json>([1, 2, 4096, 512, 2097152, '0x1', new Raw('1e400'), 0]);
      break;
    case 2:
      if (r) r.align = rng.pick<Json>([1, 2, 3, 4096, 4095, '0x8000000000000000', 0]);
      break;
    default:
      return { name: base, base, text: mutateJson(rng, corpus.facts[base] as string, rng.range(4, 12)) };
  }
  return { name: base, base, text: stringify(root, true) };
}
