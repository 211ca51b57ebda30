// "Analysis never throws" (docs/architecture.md, invariant 1), checked by fuzzing
// what the language server does on every edit (server-work.ts) in child processes:
//  - a bounded run with a fixed seed: no exception, no DAX099, no internal error,
//    no span outside the text, no hang, no abort;
//  - every input that ever failed (regressions/*.json) replayed;
//  - the harness itself: it does see a throw, a DAX099, a hang and an abort.
// The core is bundled from its sources (not server/dist), so this tests the checkout as it is.
// Long runs: `npm run fuzz` (test/fuzz/README.md).

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from './bundle';
import { FAILURES, type StoredCase } from './case';
import { caseStream } from './cases';
import { loadCorpus } from './corpus';
import { blame, formatFrame } from './frames';
import { describe as describeFailure, fuzz } from './fuzz';
import { Pool } from './pool';

const ROOT = resolve(__dirname, '../..');
const REGRESSIONS = join(__dirname, 'regressions');
/** The fixed seed and size of the bounded run. */
const SEED = 'unit-1';
const COUNT = 3000;
/** A case running longer than this is a hang (inputs take milliseconds; this is for a machine busy with other work). */
const TIMEOUT_MS = 30_000;
/**
 * What a replayed input that once hung may take now, in CPU time of the child (its wall time on a
 * machine loaded by other work is several times that): minimised inputs take milliseconds; the
 * larger ones (10 000 lines that were quadratic) well under a second.
 */
const REGRESSION_MS = 6_000;

let dir: string;
let script: string;
let pool: Pool;
/**
 * The regressions' own children: their watchdog samples only an input that is about to be called a
 * hang (each sample pauses the child through the inspector; the large replays run past a second of
 * wall time on a loaded machine and would be paused again and again for nothing).
 */
let replayPool: Pool;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'daxlayout-fuzz-'));
  script = await bundleWorker(ROOT, join(dir, 'worker.cjs'), 'source');
  pool = new Pool({ script, workers: 2, timeoutMs: TIMEOUT_MS, memoryMb: 1024, slowMs: 50, sampleMs: 1000 });
  replayPool = new Pool({
    script,
    workers: 2,
    timeoutMs: TIMEOUT_MS,
    memoryMb: 1024,
    slowMs: 50,
    sampleMs: TIMEOUT_MS - 5_000,
  });
}, 60_000);

afterAll(() => {
  pool?.close();
  replayPool?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the fuzz harness', () => {
  it('sees a throw, a DAX099, a hang and an abort (out of memory), lets a long input finish, and keeps going', async () => {
    const p = new Pool({
      script,
      workers: 2,
      timeoutMs: 5000,
      memoryMb: 96,
      slowMs: 50,
      sampleMs: 500,
      env: { FUZZ_SELFTEST: '1' },
    });
    try {
      const run = (kind: string) => p.run({ layout: `#selftest:${kind}`, files: {} });
      const [thrown, dax099, hang, abort, spin] = await Promise.all([
        run('throw'),
        run('dax099'),
        run('hang'),
        run('abort'),
        run('spin'),
      ]);
      expect(thrown.kind).toBe('throws');
      expect(thrown.frameList.some((f) => f.fn === 'selftest' && f.file === 'test/fuzz/worker.ts')).toBe(true);
      expect(dax099.kind).toBe('dax099');
      expect(hang.kind).toBe('hang');
      // the watchdog said where it was hanging
      expect(hang.frameList.some((f) => f.fn === 'selftest')).toBe(true);
      expect(abort.kind).toBe('abort');
      expect(abort.message).toMatch(/out of memory/);
      expect(abort.frameList.some((f) => f.fn === 'selftest')).toBe(true);
      // sampled where it was (it runs past sampleMs), and let go on
      expect(spin.kind).toBe('ok');
      // a fresh child takes over
      const ok = await p.run({
        layout: 'region 0 { start 0x1_0000_0000 size 1G device a { size rest } }\n',
        files: {},
      });
      expect(ok.kind === 'ok' || ok.kind === 'slow').toBe(true);
    } finally {
      p.close();
    }
  }, 60_000);
});

describe('the server never fails on an edit', () => {
  it(`${COUNT} generated and mutated inputs (seed ${SEED}): no exception, DAX099, internal error, bad span, hang or abort`, async () => {
    const corpus = loadCorpus(ROOT);
    const stats = await fuzz(pool, caseStream(SEED, corpus, { prefixStride: 13 }), {
      count: COUNT,
      until: Date.now() + 420_000,
      inFlight: 2,
    });
    const failures = [...stats.failures.values()].map(
      (f) => `${f.count}× ${describeFailure(f, f.first)}\n    from: ${f.first.origin}`,
    );
    expect(
      failures,
      'minimise and keep them with: npm run fuzz -- --seed unit-1 --count 3000 (see test/fuzz/README.md)',
    ).toEqual([]);
    // every input ran (the deadline is for a machine far slower than it should be)
    expect(stats.inputs).toBe(COUNT);
  }, 480_000);
});

describe('regression corpus: every input that ever failed', () => {
  const files = readdirSync(REGRESSIONS)
    .filter((f) => f.endsWith('.json'))
    .sort();
  it('is there', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    const c = JSON.parse(readFileSync(join(REGRESSIONS, file), 'utf8')) as StoredCase;
    it(`${file}: ${c.description.slice(0, 120)}`, async () => {
      const r = await replayPool.run(c);
      const at = blame(r.frameList, r.message, r.kind);
      expect(
        FAILURES.includes(r.kind) ? `${r.kind}: ${r.message ?? ''}${at ? ` at ${formatFrame(at)}` : ''}` : 'ok',
      ).toBe('ok');
      // an input that hung must now take a moment, not merely less than the timeout
      if (c.kind === 'hang' || c.kind === 'abort')
        expect(r.cpuMs ?? r.ms, 'CPU milliseconds the server worked on it').toBeLessThan(REGRESSION_MS);
    }, 60_000);
  }
});
