// The stream of inputs for a seed: generated layouts, the sample layouts
// mutated, typing sequences (every prefix of a fragment typed into a layout),
// the samples truncated at every character, layouts whose facts files or
// inventories are hostile, and token soup. The same seed gives the same
// stream; case i is made from the generator state after case i−1.

import type { FuzzCase } from './case';
import type { Corpus } from './corpus';
import { factsFor, hostileFacts } from './facts-gen';
import { generateLayout } from './layout-gen';
import { mutateText, typingSequence } from './mutate';
import { hostileChars, hostileLiteral, Rng } from './values';

/** The files a corpus layout names (facts, inventories, per-host facts), from the corpus. */
export function corpusFiles(layout: string, corpus: Corpus): Record<string, string> {
  const files: Record<string, string> = {};
  const all = { ...corpus.facts, ...corpus.daxctl, ...corpus.captures, ...corpus.inventories };
  for (const m of layout.matchAll(/\b(?:facts|inventory)\s+"([^"\n]*)"/g)) {
    const path = m[1] as string;
    if (path.includes('{host}')) {
      for (const h of ['hbm01', 'hbm02', 'hbm03']) {
        const f = corpus.facts[`${h}.json`];
        if (f !== undefined) files[path.split('{host}').join(h)] = f;
      }
    } else if (all[path] !== undefined) files[path] = all[path] as string;
  }
  return files;
}

function soup(rng: Rng): string {
  const words = [
    'host',
    'region',
    'device',
    'on',
    '{',
    '}',
    'size',
    'rest',
    'range',
    '..',
    '+',
    ',',
    'colours',
    'of',
    'any',
    'cache',
    'memory-block',
    'align',
    'node',
    'start',
    'mode',
    'system-ram',
    'expect',
    'from',
    '"',
    '#',
    '\n',
    'x',
    '0',
    '1G',
  ];
  const out: string[] = [];
  for (let i = 0, n = rng.small(300); i < n; i++)
    out.push(rng.chance(0.15) ? hostileLiteral(rng) : rng.chance(0.05) ? hostileChars(rng) : rng.pick(words));
  return out.join(rng.chance(0.5) ? ' ' : '');
}

/** Long runs of one thing: what makes a parser's recovery or a lexer slow. */
function pathological(rng: Rng): string {
  const n = rng.pick([100, 1000, 10_000, 50_000]);
  const unit = rng.pick([
    '{',
    '}',
    '"',
    '#\n',
    '..',
    '+',
    ',',
    'device x {',
    'region 0 {',
    'host h {',
    'size ',
    '0x',
    '1G ',
    'device ',
    '{}',
    'range 0x1..0x2, ',
    'colours 0, ',
    '\r',
    '\u2028',
    'é',
    '\\',
    'on ',
    '"\n',
    'device x { size 1G }\n',
    'region 0 on h { ',
  ]);
  const head = rng.chance(0.5) ? rng.pick(['region 0 {\n', 'host h {\n', 'region 0 on h {\n  device a {', '']) : '';
  return head + unit.repeat(n) + (rng.chance(0.5) ? '\n}' : '');
}

export interface StreamOptions {
  /** Truncate samples at every `prefixStride`-th character (1: every character). */
  readonly prefixStride?: number;
}

/** Larger inputs are dropped: an editor does not hold them, and they only measure the lexer's speed. */
export const MAX_INPUT = 1_000_000;

const size = (c: FuzzCase) => c.layout.length + Object.values(c.files).reduce((n, f) => n + f.length, 0);

/** An endless stream of cases for `seed`, none larger than MAX_INPUT characters in all. */
export function* caseStream(seed: string | number, corpus: Corpus, options: StreamOptions = {}): Generator<FuzzCase> {
  for (const c of rawStream(seed, corpus, options)) if (size(c) <= MAX_INPUT) yield c;
}

function* rawStream(seed: string | number, corpus: Corpus, options: StreamOptions = {}): Generator<FuzzCase> {
  const rng = new Rng(`daxlayout-fuzz:${seed}`);
  const layouts = Object.keys(corpus.layouts);
  let groups = 0;
  const sample = () => {
    const name = rng.pick(layouts);
    const layout = corpus.layouts[name] as string;
    return { name, layout, files: corpusFiles(layout, corpus) };
  };
  for (;;) {
    const what = rng.weighted<string>([
      [30, 'generated'],
      [20, 'sample-mutated'],
      [22, 'typing'],
      [12, 'facts'],
      [3, 'prefixes'],
      [5, 'soup'],
      [2, 'pathological'],
      [8, 'generated-hostile'],
    ]) as string;
    if (what === 'generated' || what === 'generated-hostile') {
      const hostility = what === 'generated' ? rng.float() * 0.3 : 0.3 + rng.float() * 0.7;
      const g = generateLayout(rng, corpus, hostility);
      let layout = g.layout;
      for (let i = 0, n = rng.int(3); i < n; i++) layout = mutateText(rng, layout, corpus);
      yield { layout, files: g.files, origin: `${what} (hostility ${hostility.toFixed(2)})` };
    } else if (what === 'sample-mutated') {
      const s = sample();
      let layout = s.layout;
      for (let i = 0, n = rng.range(1, 4); i < n; i++) layout = mutateText(rng, layout, corpus);
      yield { layout, files: s.files, origin: `${s.name} mutated` };
    } else if (what === 'typing') {
      const base = rng.chance(0.6)
        ? sample()
        : { name: 'generated', ...generateLayout(rng, corpus, rng.float() * 0.2) };
      const seq = typingSequence(rng, base.layout);
      const group = ++groups;
      for (const t of seq)
        yield { layout: t.text, files: base.files, cursor: t.cursor, origin: `typing into ${base.name}`, group };
    } else if (what === 'facts') {
      // a sample layout whose facts file is hostile: each `facts "…"` file replaced
      const s = sample();
      const files = { ...s.files };
      for (const path of Object.keys(files)) {
        if (/inventory|\.ini$|\.ya?ml$/.test(path)) continue;
        files[path] = (rng.chance(0.4) ? hostileFacts(rng, corpus) : factsFor(rng, corpus, 1)).text;
      }
      yield { layout: s.layout, files, origin: `${s.name} with hostile facts` };
    } else if (what === 'prefixes') {
      // the whole file typed from the top: the text truncated at every character
      const s = sample();
      const stride = options.prefixStride ?? 1;
      const group = ++groups;
      for (let k = rng.int(stride); k <= s.layout.length; k += stride)
        yield { layout: s.layout.slice(0, k), files: s.files, cursor: k, origin: `${s.name} truncated`, group };
    } else if (what === 'pathological') {
      yield { layout: pathological(rng), files: {}, origin: 'long run of one token' };
    } else {
      yield { layout: soup(rng), files: {}, origin: 'token soup' };
    }
  }
}

/** The hostile numbers the sweep writes at every number of every sample. */
export const SWEEP_NUMBERS: readonly string[] = [
  '0',
  '1',
  '2',
  '3',
  '4K',
  '4095',
  '4097',
  '2M',
  '0x1fffff',
  '1G',
  '0x8000000000000000',
  '0xffffffffffffffff',
  '0x10000000000000000',
  '18446744073709551616',
  '9223372036854775808T',
  '99999999999999999999999999999G',
  '0x',
  '1.5G',
  '4GB',
  '0x10G',
  '1__0',
  '00',
  '65536',
  '2147483648',
  '4294967296',
];

/**
 * A deterministic sweep: every number of every sample layout replaced by each of
 * SWEEP_NUMBERS (with the sample's own files), then every word by each keyword.
 */
export function* sweepStream(corpus: Corpus): Generator<FuzzCase> {
  const words = [
    'rest',
    'online',
    'system-ram',
    'any',
    'of',
    'exclusive',
    'node',
    'from',
    'host',
    'region',
    'device',
    '{',
    '}',
    '..',
    '+',
    ',',
  ];
  for (const [name, layout] of Object.entries(corpus.layouts)) {
    const files = corpusFiles(layout, corpus);
    const toks = [...layout.matchAll(/0x[0-9A-Fa-f_]*[A-Za-z/]*|[0-9][0-9_.]*[A-Za-z/]*|[A-Za-z_][A-Za-z0-9_.-]*/g)];
    for (const t of toks) {
      const at = t.index ?? 0;
      const isNumber = /^[0-9]/.test(t[0]);
      for (const v of isNumber ? SWEEP_NUMBERS : words) {
        yield {
          layout: layout.slice(0, at) + v + layout.slice(at + t[0].length),
          files,
          cursor: at + v.length,
          origin: `sweep of ${name}: \`${t[0]}\` → \`${v}\``,
        };
      }
    }
  }
}
