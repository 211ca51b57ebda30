// `npm run fidelity -- --kernel 6.1|6.12|6.18|7.2|7.3 --ops N --seed S`: differential testing of the kernel
// model against real kernels (issue #5). Generates seeded random write sequences (gen.ts), runs
// them on Debian's real 6.1, 6.12, 6.18, 7.2 and 7.3 in QEMU (test/vm, session.ts) and through the model from the
// facts captured right before each sequence (compare.ts), compares write by write and state by
// state, shrinks every disagreement to a minimal reproducer by delta debugging on fresh
// region states, and prints, last, `agreement: A/B writes, C/D states`.
//
// Entry: test/fidelity/run.mjs bundles this file with esbuild and calls main().

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareItem, type Disagreement, type ItemCmp, hasSignature, type OutcomeFn } from './compare';
import { generateSequence, type GenStats } from './gen';
import { generateCxlPrelude } from './gen-cxl';
import type { Item } from './guest';
import { factsCheck, type FactsCheckResult } from './factscheck';
import { Session, type BootFn } from './session';
import { cxlCapturePart } from '../vm/cxl-state.mjs';
import { ddminBatched, modelReduce } from './shrink';

interface Options {
  /** `K` (the hmem machine, or --machine's) or `K@MACHINE` (test/vm/vm.mjs MACHINES) */
  kernels: string[];
  machine: string;
  ops: number;
  /** writes per kernel on the CXL machines (default: ops) */
  cxlOps?: number;
  seqLen: number;
  seed: string;
  shrink: boolean;
  maxShrink: number;
  factsCheck: boolean;
  genOnly: boolean;
  json?: string;
  out: string;
  verbose: boolean;
  parallel: boolean;
  cliCheck: boolean;
  captureEach: boolean;
  scripts: string[];
}

interface Finding {
  kernel: string;
  release: string;
  signature: string;
  kind: Disagreement['kind'];
  from: string;
  original: number;
  lines: string[];
  annotated: string[];
  detail: string[];
  file?: string;
  confirmed: boolean;
}

interface KernelReport {
  kernel: string;
  machine: string;
  /** CXL machines: the region-making writes after each boot, compared as a sequence */
  prelude?: {
    runs: number;
    writes: number;
    agreeWrites: number;
    states: number;
    agreeStates: number;
    settle: number[];
  };
  release: string;
  sequences: number;
  writes: number;
  agreeWrites: number;
  states: number;
  agreeStates: number;
  findings: Finding[];
  facts?: FactsCheckResult;
  stats: GenStats[];
  timing: Record<string, number>;
  session: Session['stats'];
  cliMismatches: string[];
  bootCapture: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    kernels: [],
    machine: 'hmem',
    ops: 500,
    seqLen: 100,
    seed: '1',
    shrink: true,
    maxShrink: 6,
    factsCheck: false,
    genOnly: false,
    out: '',
    verbose: false,
    parallel: false,
    cliCheck: true,
    captureEach: false,
    scripts: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    switch (a) {
      case '--kernel':
        o.kernels.push(...v().split(','));
        break;
      case '--machine':
        o.machine = v();
        break;
      case '--ops':
        o.ops = Number(v());
        break;
      case '--cxl-ops':
        o.cxlOps = Number(v());
        break;
      case '--seq-len':
        o.seqLen = Number(v());
        break;
      case '--seed':
        o.seed = v();
        break;
      case '--no-shrink':
        o.shrink = false;
        break;
      case '--max-shrink':
        o.maxShrink = Number(v());
        break;
      case '--facts-check':
        o.factsCheck = true;
        break;
      case '--gen-only':
        o.genOnly = true;
        break;
      case '--json':
        o.json = v();
        break;
      case '--out':
        o.out = v();
        break;
      case '--verbose':
        o.verbose = true;
        break;
      case '--parallel':
        o.parallel = true;
        break;
      case '--script':
        o.scripts.push(v());
        break;
      case '--capture-each':
        o.captureEach = true;
        break;
      case '--no-cli-check':
        o.cliCheck = false;
        break;
      default:
        throw new Error(
          `unknown option ${a}\nusage: npm run fidelity -- [--kernel 6.1|6.12|6.18|7.2|7.3[@MACHINE]]… [--machine hmem|cxl2|cxl1|hmem-cxl] [--ops N] [--cxl-ops N] [--seq-len L] [--seed S] [--no-shrink] [--max-shrink K] [--facts-check] [--gen-only] [--capture-each] [--script FILE]… [--parallel] [--json FILE] [--out DIR] [--verbose] [--no-cli-check]`,
        );
    }
  }
  if (!o.kernels.length) o.kernels = ['6.1', '6.12'];
  o.kernels = o.kernels.map((k) => (k.includes('@') || o.machine === 'hmem' ? k : `${k}@${o.machine}`));
  for (const spec of o.kernels) {
    const [k, m = 'hmem'] = spec.split('@') as [string, string?];
    if (!KERNELS.includes(k)) throw new Error(`--kernel ${spec}: one of ${KERNELS.join(', ')}`);
    if (!MACHINES.includes(m)) throw new Error(`--kernel ${spec}: machine one of ${MACHINES.join(', ')}`);
    if (m !== 'hmem' && !CXL_KERNELS.includes(k))
      throw new Error(`--kernel ${spec}: the CXL machines boot ${CXL_KERNELS.join(', ')}`);
  }
  if (!(o.ops > 0) || !(o.seqLen > 0) || (o.cxlOps !== undefined && !(o.cxlOps > 0)))
    throw new Error('--ops and --seq-len must be positive');
  return o;
}

/** The kernels test/vm boots (test/vm/setup.sh). */
const KERNELS = ['6.1', '6.12', '6.18', '7.2', '7.3'];
/** The machines of test/vm/vm.mjs; the CXL ones boot the kernels with a CXL initramfs (setup.sh CXL_KERNELS). */
const MACHINES = ['hmem', 'cxl2', 'cxl1', 'hmem-cxl'];
const CXL_KERNELS = ['6.12', '6.18', '7.2', '7.3'];

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Sequence i of a run: its seed is the run's seed, the kernel and i. */
function sequenceSeed(seed: string, kernel: string, i: number): string {
  return `${seed}/${kernel}/${i}`;
}

/** Splits `ops` writes into sequences of at most `len`. */
function lengths(ops: number, len: number): number[] {
  const out: number[] = [];
  for (let left = ops; left > 0; left -= len) out.push(Math.min(len, left));
  return out;
}

// ------------------------------------------------------------------ delta debugging

/**
 * Shrinks a disagreeing sequence (shrink.ts): first on the model alone, then ddmin on the guest,
 * each round's candidates in one batch, each from the boot state. For a write or state
 * disagreement the disagreeing write stays last in every candidate and only the state after it
 * is dumped (cheap candidates); for a final-state one the final state decides.
 */
async function shrink(
  session: Session,
  lines: string[],
  d: Disagreement,
  outcome: OutcomeFn,
  log: (s: string) => void,
): Promise<{ lines: string[]; cmp?: ItemCmp; rounds: number; candidates: number }> {
  const pinned = d.kind === 'write' || d.kind === 'state' || d.kind === 'crash';
  const last = pinned ? (lines.at(-1) as string) : undefined;
  const body = pinned ? lines.slice(0, -1) : lines;
  const full = (c: string[]) => (last !== undefined ? [...c, last] : c);
  let counter = 0;
  let rounds = 0;
  let candidates = 0;
  const test = async (cands: string[][]): Promise<(ItemCmp | undefined)[]> => {
    const items: Item[] = cands.map((c) => ({
      id: `shrink-${++counter}`,
      lines: full(c),
      capture: false,
      every: false,
      daxctl: d.kind === 'daxctl',
      dmesg: false,
    }));
    const res = await session.run(items, { maxBatchWrites: 3000 });
    rounds++;
    candidates += cands.length;
    return items.map((it) => {
      const r = res.get(it.id);
      if (!r) return undefined;
      const c = compareItem(it.lines, r, session.release, session.layout!, outcome, session.bootCapture);
      return hasSignature(c, d) ? c : undefined;
    });
  };
  // stage one: the model alone
  const t0 = Date.now();
  const reduced = modelReduce(session.bootFacts!, session.release, body);
  log(`    model-only reduction: ${full(body).length} → ${full(reduced).length} writes (${Date.now() - t0} ms)`);
  const first = await test([...(pinned ? [[]] : []), ...(reduced.length < body.length ? [reduced] : [])]);
  if (pinned && first[0]) return { lines: full([]), cmp: first[0], rounds, candidates };
  let cur = body;
  let best: ItemCmp | undefined;
  if (reduced.length < body.length && first.at(-1)) {
    cur = reduced;
    best = first.at(-1);
  } else if (reduced.length < body.length)
    log('    (the model-reduced sequence does not reproduce it; shrinking the whole)');
  // stage two: ddmin on the guest
  const dd = await ddminBatched(cur, test, (m) =>
    log(m.replace(/(\d+) writes/, (_x, n) => `${Number(n) + (pinned ? 1 : 0)} writes`)),
  );
  return { lines: full(dd.lines), ...((dd.best ?? best) ? { cmp: dd.best ?? best } : {}), rounds, candidates };
}

function annotate(lines: readonly string[], cmp: ItemCmp | undefined): string[] {
  const width = Math.max(...lines.map((l) => l.length));
  return lines.map((l, i) => {
    const w = cmp?.writes[i];
    if (!w) return l;
    const mark = w.agree ? '' : '   <-- DIFFER';
    const st = w.stateDiff.length && w.agree ? '   <-- state differs' : '';
    return `${l.padEnd(width)}  # real: ${w.real}, model: ${w.model}${mark}${st}`;
  });
}

// ------------------------------------------------------------------ per kernel

/** The CXL prelude's runs (one per boot so far), each compared write by write and state by state. */
function comparePrelude(
  session: Session,
  outcome: OutcomeFn,
): { tally: NonNullable<KernelReport['prelude']>; first?: string; annotated: string[] } {
  const p = session.prelude as NonNullable<Session['prelude']>;
  const tally = { runs: 0, writes: 0, agreeWrites: 0, states: 0, agreeStates: 0, settle: [] as number[] };
  let first: string | undefined;
  let annotated: string[] = [];
  for (const res of session.preludeResults) {
    const c = compareItem(p.lines, res, session.release, p.layout, outcome);
    tally.runs++;
    tally.writes += p.lines.length;
    tally.agreeWrites += c.agreeWrites;
    tally.states += c.states;
    tally.agreeStates += c.agreeStates;
    tally.settle.push(...res.settle);
    if (c.first && !first) {
      first = `${c.first.signature} (${c.first.detail.slice(0, 4).join('; ')})`;
      annotated = annotate(p.lines, c);
    }
    if (!annotated.length) annotated = annotate(p.lines, c);
  }
  return { tally, ...(first ? { first } : {}), annotated };
}

async function runKernel(
  kernel: string,
  o: Options,
  boot: BootFn,
  capture: string,
  cxlCapture: string,
  outcome: OutcomeFn,
  root: string,
  log: (s: string) => void,
): Promise<KernelReport> {
  const t0 = Date.now();
  // `K@MACHINE`: a CXL machine; its capture has the CXL bus too, and every boot first makes the
  // CXL region (gen-cxl.ts) whose dax region the sequences then run on
  const [bare, machine = 'hmem'] = kernel.split('@') as [string, string?];
  const cxl = machine !== 'hmem';
  const session = new Session(
    bare,
    boot,
    cxl ? `${capture.trim()}\n${cxlCapture}` : capture,
    log,
    machine,
    cxl ? (facts, release) => generateCxlPrelude(facts, release, `${o.seed}/${kernel}/cxl`).lines : undefined,
  );
  const report: KernelReport = {
    kernel,
    machine,
    release: '',
    sequences: 0,
    writes: 0,
    agreeWrites: 0,
    states: 0,
    agreeStates: 0,
    findings: [],
    stats: [],
    timing: {},
    session: session.stats,
    cliMismatches: [],
    bootCapture: '',
  };
  try {
    await session.start();
    report.release = session.release;
    report.bootCapture = session.bootCapture;
    if (session.prelude) {
      const p = comparePrelude(session, outcome);
      report.prelude = p.tally;
      log(
        `${kernel} (${session.release}): CXL region made by ${session.prelude.lines.length} writes: ${p.tally.agreeWrites}/${p.tally.writes} writes, ${p.tally.agreeStates}/${p.tally.states} states agree${p.first ? `; first disagreement: ${p.first}` : ''}`,
      );
      if (o.verbose || p.first) for (const l of p.annotated) log(`    ${l}`);
    }
    const facts = session.bootFacts!;
    const tStart = Date.now();
    const scripted: Item[] = o.scripts.map((file, i) => ({
      id: `script-${i}`,
      lines: readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
        .filter((l) => l !== ''),
      capture: o.captureEach,
    }));
    const items: Item[] = scripted.length
      ? scripted
      : lengths(cxl ? (o.cxlOps ?? o.ops) : o.ops, o.seqLen).map((len, i) => {
          // on the CXL machines the sequences write to the CXL dax regions only (hmem-cxl's hmem region stays as booted)
          const g = generateSequence(
            facts,
            session.release,
            sequenceSeed(o.seed, kernel, i),
            len,
            cxl ? session.layout!.cxlRoots : undefined,
          );
          report.stats.push(g.stats);
          return { id: `seq-${i}`, lines: g.lines, capture: o.captureEach };
        });
    log(
      `${kernel} (${session.release}): ${items.length} sequences, ${items.reduce((a, x) => a + x.lines.length, 0)} writes; boot ${sec(session.stats.bootMs)}`,
    );
    const results = await session.run(items);
    const tRun = Date.now();
    report.timing.runMs = tRun - tStart;
    const cmps: { item: Item; cmp: ItemCmp }[] = [];
    for (const it of items) {
      const r = results.get(it.id);
      if (!r) continue;
      const cmp = compareItem(it.lines, r, session.release, session.layout!, outcome, session.bootCapture);
      cmps.push({ item: it, cmp });
      report.sequences++;
      report.writes += it.lines.length;
      report.agreeWrites += cmp.agreeWrites;
      report.states += cmp.states;
      report.agreeStates += cmp.agreeStates;
      const bad =
        cmp.writes.filter((w) => !w.agree || w.stateDiff.length).length +
        (cmp.finalDiff.length || cmp.daxctlDiff.length ? 1 : 0);
      log(
        `  ${it.id}: ${cmp.agreeWrites}/${it.lines.length} writes, ${cmp.agreeStates}/${cmp.states} states${cmp.first ? `; first disagreement at write ${cmp.first.index + 1}: ${cmp.first.signature}` : ''}${bad ? ` (${bad} points differ)` : ''}`,
      );
      if (o.verbose && cmp.first) for (const d of cmp.first.detail.slice(0, 12)) log(`      ${d}`);
      if (scripted.length)
        for (const w of cmp.writes)
          log(
            `    ${w.cmd}  # real: ${w.real}, model: ${w.model}${w.agree ? '' : '  <-- DIFFER'}${w.stateDiff.length ? `  state: ${w.stateDiff.join('; ')}` : ''}`,
          );
      // the CLI (`daxlayout sim --json`) must say what the model API says
      if (o.cliCheck && cmp.facts) {
        const dir = join(o.out, 'cli');
        mkdirSync(dir, { recursive: true });
        const ff = join(dir, `${kernel}-${it.id}.facts.txt`);
        const sf = join(dir, `${kernel}-${it.id}.sh`);
        writeFileSync(ff, r.capture || session.bootCapture);
        writeFileSync(sf, it.lines.join('\n') + '\n');
        const p = spawnSync(
          process.execPath,
          [join(root, 'server/bin/daxlayout.cjs'), 'sim', '--json', '--facts', ff, '--kernel', session.release, sf],
          { encoding: 'utf8' },
        );
        let cli: string[] = [];
        try {
          cli = (JSON.parse(p.stdout).results as { result: string }[]).map((x) => x.result);
        } catch {
          const m = /line (\d+): cannot model/.exec(p.stderr);
          cli = m ? [] : ['(sim failed: ' + (p.stderr || p.stdout).split('\n')[0] + ')'];
        }
        const api = cmp.modelResults.filter((x) => x !== 'NOT-RUN' && x !== 'UNMODELLED');
        if (
          JSON.stringify(cli) !== JSON.stringify(api.slice(0, cli.length)) ||
          (cli.length !== api.length && !cmp.modelResults.includes('UNMODELLED'))
        ) {
          report.cliMismatches.push(`${it.id}: daxlayout sim and the model API disagree`);
        }
      }
    }
    // distinct disagreements, each shrunk once
    const seen = new Set<string>();
    const todo: { item: Item; cmp: ItemCmp }[] = [];
    for (const c of cmps) {
      if (!c.cmp.first) continue;
      if (seen.has(c.cmp.first.signature)) continue;
      seen.add(c.cmp.first.signature);
      todo.push(c);
    }
    const tShrink = Date.now();
    let k = 0;
    for (const { item, cmp } of todo) {
      const first = cmp.first as Disagreement;
      const prefix = item.lines.slice(0, first.index + 1);
      let lines = prefix;
      let best: ItemCmp | undefined = cmp;
      let confirmed = false;
      if (o.shrink && k < o.maxShrink) {
        log(`  shrinking ${item.id} (${first.signature}), ${prefix.length} writes`);
        const s = await shrink(session, prefix, first, outcome, log);
        lines = s.lines;
        if (s.cmp) best = s.cmp;
        // confirm on a fresh boot
        await session.close();
        const again = await session.run([{ id: `confirm-${k}`, lines }]);
        const r = again.get(`confirm-${k}`);
        const c = r ? compareItem(lines, r, session.release, session.layout!, outcome, session.bootCapture) : undefined;
        confirmed = !!c && hasSignature(c, first);
        if (c) best = c;
        log(
          `  shrunk to ${lines.length} writes in ${s.rounds} rounds (${s.candidates} candidates)${confirmed ? ', confirmed on a fresh boot' : ', NOT reproduced on a fresh boot'}`,
        );
        k++;
      }
      report.findings.push({
        kernel,
        release: session.release,
        signature: first.signature,
        kind: first.kind,
        from: item.id,
        original: item.lines.length,
        lines,
        annotated: annotate(lines, best),
        detail: best?.first?.detail ?? first.detail,
        confirmed,
      });
    }
    report.timing.shrinkMs = Date.now() - tShrink;
    if (session.prelude) report.prelude = comparePrelude(session, outcome).tally; // with the later boots'
    if (o.factsCheck && !cxl) {
      const tf = Date.now();
      await session.close();
      report.facts = await factsCheck(session, boot, capture, log);
      report.timing.factsMs = Date.now() - tf;
    }
  } finally {
    await session.close();
  }
  report.timing.totalMs = Date.now() - t0;
  return report;
}

// ------------------------------------------------------------------ entry

export async function main({
  root,
  argv,
  log = (s: string) => console.log(s),
}: {
  root: string;
  argv: string[];
  log?: (s: string) => void;
}): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    console.error(String((e as Error).message));
    return 2;
  }
  if (!o.out) o.out = join(root, 'test', 'vm', '.cache', 'fidelity', `seed-${o.seed.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  mkdirSync(o.out, { recursive: true });
  const capture = readFileSync(join(root, 'test', 'vm', 'capture.sh'), 'utf8');
  const cxlCapture = cxlCapturePart(readFileSync(join(root, 'test', 'vm', 'cxl-capture.sh'), 'utf8'));

  if (o.genOnly) {
    // no VM: sequences from the recorded boot captures (test/fixtures/facts)
    const { factsFrom } = await import('./compare');
    for (const kernel of o.kernels) {
      if (kernel.includes('@')) {
        log(
          `${kernel}: --gen-only has no boot capture of the CXL machines (their sequences follow the guest's region)`,
        );
        continue;
      }
      // real boot captures (test/vm/capture.sh) of each kernel
      const file =
        kernel === '7.3'
          ? join(root, 'test', 'kernel', 'fixtures', 'linux-7.3-boot.txt')
          : join(root, 'test', 'fixtures', 'facts', `linux-${kernel}-boot.txt`);
      const text = readFileSync(file, 'utf8');
      const release = /### uname -r\n(\S+)/.exec(text)?.[1] ?? kernel;
      const f = factsFrom(text, release);
      if (!f.facts) throw new Error(f.error);
      const all: GenStats[] = [];
      lengths(o.ops, o.seqLen).forEach((len, i) => {
        const g = generateSequence(f.facts!, release, sequenceSeed(o.seed, kernel, i), len);
        all.push(g.stats);
        if (o.verbose) log(`# ${kernel} sequence ${i}\n${g.lines.join('\n')}`);
      });
      log(`${kernel}: ${summariseStats(all)}`);
    }
    return 0;
  }

  const vmMod = await import(join(root, 'test', 'vm', 'vm.mjs'));
  const runMod = await import(join(root, 'test', 'vm', 'run-script.mjs'));
  const boot: BootFn = vmMod.boot;
  const outcome: OutcomeFn = runMod.outcome;
  const t0 = Date.now();
  const reports: KernelReport[] = [];
  const runOne = (k: string) =>
    runKernel(k, o, boot, capture, cxlCapture, outcome, root, (s) => log(o.parallel ? `[${k}] ${s}` : s));
  if (o.parallel) reports.push(...(await Promise.all(o.kernels.map(runOne))));
  else for (const k of o.kernels) reports.push(await runOne(k));

  // ---- report
  log('');
  let bad = 0;
  for (const r of reports) {
    log(
      `== ${r.kernel} (${r.release}): ${r.agreeWrites}/${r.writes} writes, ${r.agreeStates}/${r.states} states agree over ${r.sequences} sequences`,
    );
    log(
      `   boots ${r.session.boots} (${sec(r.session.bootMs)}), guest batches ${r.session.batches} (${sec(r.session.guestMs)}), resets ${r.session.resets} (unclean ${r.session.uncleanResets}), crashes ${r.session.crashes}; run ${sec(r.timing.runMs ?? 0)}, shrink ${sec(r.timing.shrinkMs ?? 0)}${r.timing.factsMs ? `, facts check ${sec(r.timing.factsMs)}` : ''}, total ${sec(r.timing.totalMs ?? 0)}`,
    );
    if (r.prelude) {
      const p = r.prelude;
      log(
        `   CXL region prelude: ${p.agreeWrites}/${p.writes} writes, ${p.agreeStates}/${p.states} states agree over ${p.runs} boots; waits after bind until the region's last memory block was there (0.1 s each): ${p.settle.join(', ') || 'none'}`,
      );
    }
    log(`   reached: ${summariseStats(r.stats)}`);
    for (const m of r.cliMismatches) log(`   CLI: ${m}`);
    bad += r.cliMismatches.length;
    if (r.facts) {
      log(`   facts check: ${r.facts.agree}/${r.facts.compared} values agree`);
      for (const d of r.facts.diffs) log(`     ${d}`);
      for (const d of r.facts.explained) log(`     explained: ${d}`);
      bad += r.facts.diffs.length;
    }
    r.findings.forEach((f, i) => {
      bad++;
      const file = join(o.out, `repro-${r.kernel}-${i + 1}.sh`);
      const factsFile = join(o.out, `facts-${r.kernel}.txt`);
      f.file = file;
      const text = [
        `# daxlayout fidelity reproducer: ${f.signature}`,
        `# kernel ${f.release} (test/vm QEMU guest, boot state); from ${f.from} of seed ${o.seed}, ${f.original} writes shrunk to ${f.lines.length}${f.confirmed ? ', confirmed on a fresh boot' : ''}`,
        `# on the guest: sh ${file.split('/').at(-1)}    with the model: daxlayout sim --facts ${factsFile.split('/').at(-1)} --kernel ${f.release} ${file.split('/').at(-1)}`,
        ...f.annotated,
        '',
      ].join('\n');
      writeFileSync(file, text);
      log(`   disagreement ${i + 1}: ${f.signature}`);
      for (const d of f.detail.slice(0, 8)) log(`     ${d}`);
      log(`   reproducer (${file}):`);
      for (const l of f.annotated) log(`     ${l}`);
    });
  }
  for (const r of reports) if (r.bootCapture) writeFileSync(join(o.out, `facts-${r.kernel}.txt`), r.bootCapture);
  if (o.json)
    writeFileSync(
      o.json,
      JSON.stringify(reports, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2),
    );
  // the CXL preludes' writes and states count with the sequences'
  const W = reports.reduce((a, r) => a + r.writes + (r.prelude?.writes ?? 0), 0);
  const Wa = reports.reduce((a, r) => a + r.agreeWrites + (r.prelude?.agreeWrites ?? 0), 0);
  const S = reports.reduce((a, r) => a + r.states + (r.prelude?.states ?? 0), 0);
  const Sa = reports.reduce((a, r) => a + r.agreeStates + (r.prelude?.agreeStates ?? 0), 0);
  log(`total ${sec(Date.now() - t0)}`);
  log(`agreement: ${Wa}/${W} writes, ${Sa}/${S} states`);
  return bad === 0 && Wa === W && Sa === S ? 0 : 1;
}

function summariseStats(all: GenStats[]): string {
  const sum = (f: (s: GenStats) => number) => all.reduce((a, s) => a + f(s), 0);
  const max = (f: (s: GenStats) => number) => Math.max(0, ...all.map(f));
  const outcomes: Record<string, number> = {};
  for (const s of all) for (const [k, v] of Object.entries(s.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  const okish = Object.entries(outcomes)
    .filter(([k]) => k.endsWith(':ok'))
    .reduce((a, [, v]) => a + v, 0);
  return `${sum((s) => s.writes)} writes (${okish} ok), max ${max((s) => s.maxRanges)} ranges/device, max ${max((s) => s.maxHoles)} holes, max ${max((s) => s.maxDevices)} devices, ${sum((s) => s.fullRegion)} writes on a full region, ${sum((s) => s.kmemBinds)} kmem binds, ${sum((s) => s.blockWrites)} block writes, ${sum((s) => s.strandings)} strandings; outcomes ${Object.entries(
    outcomes,
  )
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`;
}
