import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readCaptureText, readFacts, writeFacts, type ReadFactsResult } from '../../server/core/facts/read';
import type { HostFacts } from '../../server/core/host-facts';

const sample = (name: string): string => readFileSync(new URL(`../../samples/${name}`, import.meta.url), 'utf8');
const capture = (name: string): string =>
  readFileSync(new URL(`../fixtures/facts/${name}.txt`, import.meta.url), 'utf8');

/** The result is well formed: problems have a severity and a message; facts, when present, can be written. */
function wellFormed(r: ReadFactsResult<HostFacts>): void {
  expect(Array.isArray(r.problems)).toBe(true);
  for (const p of r.problems) {
    expect(['error', 'warning', 'info']).toContain(p.severity);
    expect(typeof p.message).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
  }
  if (r.facts) {
    const text = writeFacts(r.facts);
    const again = readFacts(text, r.facts.source);
    expect(again.facts).toStrictEqual(r.facts);
  }
  if (!r.facts) expect(r.problems.some((p) => p.severity === 'error')).toBe(true);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** All paths (as key lists) to values inside a JSON document. */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function replaceAt(doc: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const copy = JSON.parse(JSON.stringify(doc)) as Json;
  let cur: any = copy;
  for (const k of path.slice(0, -1)) cur = cur[k];
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else cur[last] = value;
  return copy;
}

/** Replaces or deletes one value somewhere in `doc`. */
const mutate = (doc: Json): fc.Arbitrary<string> => {
  const all = paths(doc);
  return fc
    .tuple(
      fc.integer({ min: 0, max: all.length - 1 }),
      fc.option(fc.jsonValue() as fc.Arbitrary<Json>, { nil: undefined, freq: 4 }),
    )
    .map(([i, v]) => JSON.stringify(replaceAt(doc, all[i]!, v)));
};

const OPTIONS = fc.record(
  {
    kernelRelease: fc.constantFrom('6.1.0', '6.12.117+deb12-amd64'),
    memoryBlockSize: fc.constantFrom(128n << 20n, 1n << 31n),
    autoOnline: fc.constantFrom('offline', 'online_movable') as fc.Arbitrary<'offline' | 'online_movable'>,
    regionStart: fc.bigInt({ min: 0n, max: 1n << 40n }).map((s) => new Map([[0, s * 0x200000n]])),
  },
  { requiredKeys: [] },
);

describe('readFacts never throws', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', ':', ',', '0', '-', 'e', '.', '#', ' ', '\n') }),
        ),
        (s) => {
          wellFormed(readFacts(s, 's'));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), OPTIONS, (v, o) => {
        wellFormed(readFacts(JSON.stringify(v) ?? 'null', 'j', o));
      }),
      { numRuns: 500 },
    );
  });

  it('on facts files with one value replaced or removed', () => {
    const docs = ['linux-6.1.facts.json', 'linux-6.12.facts.json', 'linux-6.1-node1-online.facts.json'].map(
      (n) => JSON.parse(sample(n)) as Json,
    );
    fc.assert(
      fc.property(fc.constantFrom(...docs).chain(mutate), OPTIONS, (text, o) => {
        wellFormed(readFacts(text, 'm', o));
      }),
      { numRuns: 500 },
    );
  });

  it('on daxctl JSON with one value replaced or removed', () => {
    const docs = ['linux-6.1.daxctl.json', 'linux-6.12.daxctl.json'].map((n) => JSON.parse(sample(n)) as Json);
    fc.assert(
      fc.property(fc.constantFrom(...docs).chain(mutate), OPTIONS, (text, o) => {
        wellFormed(readFacts(text, 'm', o));
      }),
      { numRuns: 500 },
    );
  });

  it('on deeply nested input', () => {
    for (const s of ['['.repeat(100000), '{"a":'.repeat(50000), '['.repeat(300) + ']'.repeat(300)]) {
      const r = readFacts(s, 'deep');
      expect(r.facts).toBeUndefined();
      expect(r.problems[0]!.severity).toBe('error');
    }
  });

  it('on unusable options', () => {
    const text = sample('linux-6.12.daxctl.json');
    for (const o of [
      { memoryBlockSize: 0n },
      { memoryBlockSize: -4096n },
      { autoOnline: 'nope' as never },
      { kernelRelease: '' },
      { arch: '' },
    ]) {
      wellFormed(readFacts(text, 'o', o));
    }
  });
});

describe('readCaptureText never throws', () => {
  const caps = ['linux-6.1-boot', 'linux-6.1-boot-node1-online', 'linux-6.12-boot'].map((n) => capture(n).split('\n'));

  it('on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom(
              '### ',
              '### /sys/devices/platform/hmem.0/dax_region/size',
              '### x -> y',
              'cat: x: No such file or directory',
            ),
          ),
          { maxLength: 30 },
        ),
        (lines) => {
          wellFormed(readCaptureText(lines.join('\n'), 'c'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on real captures with lines removed, duplicated or replaced', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...caps),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'dup', 'junk', 'zero'), fc.string({ maxLength: 12 })), {
          minLength: 1,
          maxLength: 6,
        }),
        OPTIONS,
        (lines, edits, o) => {
          const out = [...lines];
          for (const [n, what, junk] of edits) {
            const i = n % out.length;
            if (what === 'drop') out.splice(i, 1);
            else if (what === 'dup') out.splice(i, 0, out[i] ?? '');
            else if (what === 'junk') out[i] = junk;
            else out[i] = '0';
          }
          wellFormed(readCaptureText(out.join('\n'), 'c', o));
        },
      ),
      { numRuns: 300 },
    );
  });
});
