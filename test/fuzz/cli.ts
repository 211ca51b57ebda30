// `npm run fuzz` — long fuzz runs of what the language server does on an edit
// (run.mjs builds and bundles, then runs this). See test/fuzz/README.md.
//
//   node test/fuzz/run.mjs [--seed S] [--inputs N] [--hours H | --minutes M] [--workers W]
//        [--timeout MS] [--memory MB] [--slow MS] [--shrink TRIES] [--shrink-seconds S] [--out DIR]
//        [--top K]             (keep the K slowest inputs by CPU time as OUT/slow-N.json; 20)
//        [--from I]            (start at input I of the seed's stream)
//        [--resume]            (carry on the run whose OUT/progress.json is there, figures included)
//        [--cpu-prof DIR]      (each child writes a V8 CPU profile into DIR)
//        [--prefix-stride K]   (truncate samples at every K-th character; the unit test uses 13)
//   node test/fuzz/run.mjs --sweep   (every number of every sample replaced by each hostile number, every word by each keyword)
//   node test/fuzz/run.mjs --replay FILE|DIR   (run stored cases again: which still fail?)
//   node test/fuzz/run.mjs --minimise FILE [--worker BUNDLE]   (minimise a stored case again)
//   --source: bundle the core from its sources instead of loading server/dist/core.cjs

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { bundleWorker } from './bundle';
import { FAILURES, type StoredCase } from './case';
import { caseStream, sweepStream } from './cases';
import { loadCorpus } from './corpus';
import { formatFrame, blame } from './frames';
import { failureOf, fuzz, Histogram, KINDS, minimiseAndStore, newStats, type Failure, type Stats } from './fuzz';
import { Pool } from './pool';

/**
 * While minimising a hang, an input still hangs when it runs longer than this. The unit test
 * holds a replayed hang to under 2 s (REGRESSION_MS), so a minimised hang must exceed that.
 */
const SHRINK_HANG_MS = 2500;

function args(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out.set(a.slice(2), 'true');
    else (out.set(a.slice(2), next), i++);
  }
  return out;
}

const ms = (x: number) => (Number.isNaN(x) ? '-' : x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(0)} ms`);

/** p50, p99, p99.9, max and mean of times in ms. */
function percentiles(h: Histogram): string {
  return `p50 ${ms(h.percentile(50))}  p99 ${ms(h.percentile(99))}  p99.9 ${ms(h.percentile(99.9))}  max ${ms(h.count ? h.max : NaN)}  mean ${ms(h.sum / (h.count || NaN))}`;
}

/** What `progress.json` in the output folder holds: enough to resume a stopped run (`--resume`). */
interface Progress {
  readonly seed: string;
  readonly resumeAt: number;
  readonly inputs: number;
  readonly skipped: number;
  readonly counts: Stats['counts'];
  readonly times: Histogram;
  readonly cpuTimes: Histogram;
  readonly wholeCpuTimes: Histogram;
  readonly cpuTotalMs: number;
  readonly elapsedMs: number;
  /** CPU ms of the run so far, harness included. */
  readonly cpuMs: number;
  readonly slowest: Stats['slowest'];
  readonly failures: Failure[];
}

function progressOf(seed: string, s: Stats, cpuMs: number): Progress {
  return {
    seed,
    resumeAt: s.resumeAt,
    inputs: s.inputs,
    skipped: s.skipped,
    counts: s.counts,
    times: s.times,
    cpuTimes: s.cpuTimes,
    wholeCpuTimes: s.wholeCpuTimes,
    cpuTotalMs: s.cpuTotalMs,
    elapsedMs: s.elapsedMs,
    cpuMs,
    slowest: s.slowest,
    failures: [...s.failures.values()],
  };
}

function statsOf(p: Progress): Stats {
  return {
    ...newStats(),
    inputs: p.inputs,
    skipped: p.skipped,
    counts: { ...p.counts },
    times: Histogram.from(p.times),
    cpuTimes: Histogram.from(p.cpuTimes),
    wholeCpuTimes: Histogram.from(p.wholeCpuTimes),
    cpuTotalMs: p.cpuTotalMs,
    elapsedMs: p.elapsedMs,
    slowest: [...p.slowest],
    failures: new Map(p.failures.map((f) => [f.signature, { ...f }])),
  };
}

function report(stats: Stats, header: string): void {
  console.log(header);
  console.log('  ' + KINDS.map((k) => `${k} ${stats.counts[k]}`).join('  '));
  console.log(`  time per input (inputs < 100 KB that finished, n=${stats.times.count}): ${percentiles(stats.times)}`);
  console.log(`  CPU time per input (the same inputs; what the load does not inflate): ${percentiles(stats.cpuTimes)}`);
  console.log(
    `  CPU time per input with the dense probing of one small input in four (hover, completion, … at every token): ${percentiles(stats.wholeCpuTimes)}`,
  );
  console.log(
    `  load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
}

async function replay(pool: Pool, path: string, timeoutMs: number): Promise<number> {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(path, f))
    : [path];
  let failing = 0;
  for (const file of files) {
    const c = JSON.parse(readFileSync(file, 'utf8')) as StoredCase;
    const r = await pool.run(c, timeoutMs);
    const bad = FAILURES.includes(r.kind);
    if (bad) failing++;
    const at = blame(r.frameList, r.message, r.kind);
    console.log(
      `${bad ? 'FAIL' : 'ok  '} ${file}: ${r.kind} ${r.ms.toFixed(1)} ms${r.cpuMs !== undefined ? ` (CPU ${r.cpuMs.toFixed(1)} ms${r.wholeCpuMs !== undefined && r.wholeCpuMs - r.cpuMs > 1 ? `, with dense probing ${r.wholeCpuMs.toFixed(1)} ms` : ''})` : ''}${bad ? ` — ${(r.message ?? '').slice(0, 140)}${at ? ` at ${formatFrame(at)}` : ''}` : ''}`,
    );
  }
  console.log(`replay: ${files.length - failing} passed, ${failing} failed`);
  return failing;
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const root = resolve(a.get('root') ?? process.cwd());
  const script =
    a.get('worker') ??
    (await bundleWorker(root, join(root, 'test/fuzz/.out/worker.cjs'), a.has('source') ? 'source' : 'dist'));
  const seed = a.get('seed') ?? '1';
  const minutes = a.has('hours')
    ? Number(a.get('hours')) * 60
    : a.has('minutes')
      ? Number(a.get('minutes'))
      : undefined;
  const countArg = a.get('inputs') ?? a.get('count');
  const count = countArg !== undefined ? Number(countArg) : minutes === undefined ? 10_000 : Infinity;
  const top = Number(a.get('top') ?? 20);
  const workers = Number(a.get('workers') ?? 2);
  const timeoutMs = Number(a.get('timeout') ?? 10_000);
  const memoryMb = Number(a.get('memory') ?? 1024);
  const slowMs = Number(a.get('slow') ?? 50);
  const tries = Number(a.get('shrink') ?? 400);
  const shrinkSeconds = Number(a.get('shrink-seconds') ?? 120);
  const out = resolve(root, a.get('out') ?? 'test/fuzz/found');
  const pool = new Pool({
    script,
    workers,
    timeoutMs,
    cpuTimeout: !a.has('wall-timeout'),
    memoryMb,
    slowMs,
    sampleMs: a.has('sample') ? Number(a.get('sample')) : Math.min(1000, timeoutMs / 2),
    ...(a.has('cpu-prof') ? { cpuProfileDir: resolve(a.get('cpu-prof') as string) } : {}),
  });
  let stats: Stats;
  try {
    if (a.has('minimise')) {
      // minimise a stored case again (e.g. one found by an older build, with --worker of that build)
      const file = resolve(a.get('minimise') as string);
      const c = JSON.parse(readFileSync(file, 'utf8')) as StoredCase;
      const r = await pool.run(c);
      if (!FAILURES.includes(r.kind)) {
        console.log(`${file}: ${r.kind}, nothing to minimise`);
        return;
      }
      const f = { ...failureOf(c, r), first: c, result: r, count: 1 };
      const m = await minimiseAndStore(pool, f, out, {
        tries,
        ms: shrinkSeconds * 1000,
        hangTimeoutMs: Math.min(timeoutMs, SHRINK_HANG_MS),
        name: basename(file),
      });
      console.log(
        `${m.stored.description}\n  ${m.file} (minimised in ${m.tries} runs: ${m.stored.layout.length} chars)`,
      );
      return;
    }
    if (a.has('replay')) {
      process.exitCode = (await replay(pool, resolve(a.get('replay') as string), timeoutMs)) > 0 ? 1 : 0;
      return;
    }
    const corpus = loadCorpus(root);
    const until = minutes === undefined ? Infinity : Date.now() + minutes * 60_000;
    const progressFile = join(out, 'progress.json');
    const saved = a.has('resume') ? (JSON.parse(readFileSync(progressFile, 'utf8')) as Progress) : undefined;
    if (saved && saved.seed !== seed) throw new Error(`${progressFile} is of seed ${saved.seed}, not ${seed}`);
    stats = saved ? statsOf(saved) : newStats(top);
    stats.top = top;
    const from = saved?.resumeAt ?? Number(a.get('from') ?? 0);
    const cpuBefore = saved?.cpuMs ?? 0;
    const spent = (): number => {
      const u = process.cpuUsage();
      return cpuBefore + (u.user + u.system) / 1000 + pool.childrenCpuMs();
    };
    console.log(
      `fuzz: seed ${seed}${from ? `, from input ${from}${saved ? ` (resuming ${progressFile}: ${saved.inputs} inputs run)` : ''}` : ''}, ${count === Infinity ? 'no count limit' : `${count} inputs`}, ${minutes === undefined ? 'no time limit' : `${minutes} min`}, ${workers} workers, timeout ${timeoutMs} ms of ${a.has('wall-timeout') ? 'wall' : 'CPU'} time, memory ${memoryMb} MB, slow > ${slowMs} ms`,
    );
    let last = Date.now();
    let lastFigures = Date.now();
    const stream = a.has('sweep')
      ? sweepStream(corpus)
      : caseStream(seed, corpus, a.has('prefix-stride') ? { prefixStride: Number(a.get('prefix-stride')) } : {});
    const inputs0 = stats.inputs;
    const t0 = Date.now();
    const save = (s: Stats) => {
      mkdirSync(out, { recursive: true });
      writeFileSync(progressFile, JSON.stringify(progressOf(seed, s, spent())));
    };
    stats = await fuzz(pool, stream, {
      count: count - inputs0,
      until,
      inFlight: workers,
      from,
      stats,
      onResult: (_c, r, s) => {
        if (r.kind !== 'ok' && r.kind !== 'slow' && !a.has('quiet')) {
          const f = [...s.failures.values()].find((x) => x.result === r);
          if (f) console.log(`  new: [${f.owner}] ${f.signature.slice(0, 200)}`);
        }
        if (Date.now() - last > 30_000) {
          last = Date.now();
          const rate = ((s.inputs - inputs0) * 1000) / (Date.now() - t0);
          console.log(
            `  … ${s.inputs} inputs (${rate.toFixed(0)}/s, ${((s.inputs * 1000) / spent()).toFixed(0)} per CPU second), ${
              KINDS.filter((k) => k !== 'ok' && s.counts[k] > 0)
                .map((k) => `${k} ${s.counts[k]}`)
                .join(', ') || 'no failures'
            }; resume with --resume --out ${out} (or --from ${s.resumeAt})`,
          );
          save(s);
          // the figures so far, every 10 minutes: a run stopped early still has them
          if (Date.now() - lastFigures > 600_000) {
            lastFigures = Date.now();
            console.log(`    so far: time ${percentiles(s.times)}`);
            console.log(`            CPU  ${percentiles(s.cpuTimes)}; load average ${loadavg()[0]?.toFixed(1)}`);
          }
        }
      },
    });
    save(stats);
    const cpu = spent();
    report(
      stats,
      `fuzz: ${stats.inputs} inputs in ${(stats.elapsedMs / 1000).toFixed(0)} s (${((stats.inputs * 1000) / stats.elapsedMs).toFixed(0)} inputs/s; ${stats.skipped} skipped: the rest of typing sequences that hung twice)`,
    );
    console.log(
      `  CPU of the run: ${(cpu / 1000).toFixed(1)} s (the inputs' own ${(stats.cpuTotalMs / 1000).toFixed(1)} s; the rest is the harness: generation, IPC, the children's start and idle GC) = ${((stats.inputs * 1000) / cpu).toFixed(0)} inputs per CPU second: 10⁶ inputs ≈ ${(cpu / stats.inputs / 3.6).toFixed(1)} h of one core`,
    );
    stats.slowest.forEach((x, i) => {
      const file = join(out, `slow-${i + 1}.json`);
      mkdirSync(out, { recursive: true });
      const what = `${x.cpuMs !== undefined ? `${x.cpuMs.toFixed(0)} ms of CPU, ` : ''}${x.ms.toFixed(0)} ms of wall time`;
      writeFileSync(
        file,
        JSON.stringify(
          {
            description: `slow: ${what} (input ${x.index} of seed ${seed}: ${x.case.origin ?? ''})`,
            ...x.case,
            group: undefined,
          },
          null,
          2,
        ) + '\n',
      );
      console.log(`  slowest ${i + 1}: ${what}, ${x.case.layout.length} chars (${x.case.origin ?? ''}) → ${file}`);
    });
    const failures = [...stats.failures.values()].sort((x, y) => x.owner.localeCompare(y.owner) || y.count - x.count);
    console.log(`failures, de-duplicated by kind, blamed frame and message: ${failures.length}`);
    for (const f of failures) {
      const m = await minimiseAndStore(pool, f, out, {
        tries,
        ms: shrinkSeconds * 1000,
        hangTimeoutMs: Math.min(timeoutMs, SHRINK_HANG_MS),
      });
      console.log(`  [${f.owner}] ${f.count}× ${m.stored.description}`);
      console.log(`      ${m.file} (minimised in ${m.tries} runs: ${m.stored.layout.length} chars)`);
    }
    process.exitCode = failures.length > 0 ? 1 : 0;
  } finally {
    pool.close();
  }
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 2;
});
