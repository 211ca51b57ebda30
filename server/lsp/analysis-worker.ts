// The analysis worker: runs the core's fleet analysis off the language
// server's message loop (worker_threads), one document version at a time, and
// sends back its findings. It keeps one AnalysisCache per open document, so an
// edit re-analyses only the hosts it touches, and reads facts files itself
// (FactsStore: regular files only, bounded). Between hosts it looks whether the
// server has cancelled the analysis (a newer version waits) and stops if so. The server stops it (terminate)
// when an analysis runs past its time or memory budget, and starts a new one.
// Bundled as server/dist/analysis-worker.cjs, beside server.cjs; server.cjs
// holds it too and runs it when started as a worker without that file beside it
// (the VS Code extension bundles the server alone: client/dist/server.js).

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { performance } from 'node:perf_hooks';
import { AnalysisCache, analyzeFleetSteps, type Finding } from '../core/index';
import { FactsStore } from './facts-store';
import { describeError } from './errors';
import {
  internalErrorFinding,
  plainFinding,
  type AnalyseRequest,
  type FromWorker,
  type ToWorker,
  type WorkerData,
} from './worker-protocol';

const port = parentPort;
const data = (workerData ?? { role: 'analysis', testFaults: false }) as WorkerData;
const caches = new Map<string, AnalysisCache>();
const seenBy = new Map<string, Set<string>>();
const facts = new FactsStore(() => undefined, false);
const cancel = data.cancel ? new Int32Array(data.cancel) : undefined;

const post = (m: FromWorker) => port?.postMessage(m);

/**
 * Test hooks, only with workerData.testFaults (DAXLAYOUT_LSP_TEST_FAULTS=1):
 * a line `#!daxlayout-test:hang` loops forever, `…:oom` allocates until the
 * heap limit, `…:sleep N` busy-waits N ms before analysing, `…:exit` ends the
 * worker. They stand for what a real runaway analysis does.
 */
function testFault(text: string): void {
  const m = /^#!daxlayout-test:(hang|oom|exit|sleep (\d+))\s*$/m.exec(text);
  if (!m) return;
  if (m[1] === 'hang') for (;;);
  if (m[1] === 'exit') process.exit(3);
  if (m[1] === 'oom') {
    const keep: number[][] = [];
    for (;;) keep.push(new Array<number>(1 << 16).fill(keep.length));
  }
  const until = performance.now() + Number(m[2]);
  while (performance.now() < until);
}

function analyse(m: AnalyseRequest): void {
  const t0 = performance.now();
  if (data.testFaults) testFault(m.text);
  facts.searchPaths = m.searchPaths;
  facts.workspaceFolders = m.workspaceFolders;
  let cache = caches.get(m.uri);
  if (!cache) caches.set(m.uri, (cache = new AnalysisCache()));
  const seen = new Map<string, string>();
  let findings: Finding[];
  let error: string | undefined;
  try {
    const steps = analyzeFleetSteps(m.text, { readFacts: (p) => facts.read(m.uri, p, seen), cache });
    let step = steps.next();
    while (!step.done) {
      if (cancel && Atomics.load(cancel, 0) === m.id) {
        // a newer version waits: what the cache holds so far is valid (keyed by each host's text); no sweep
        post({ type: 'cancelled', id: m.id });
        return;
      }
      step = steps.next();
    }
    findings = step.value.findings.map(plainFinding);
  } catch (e) {
    error = describeError(e);
    findings = [internalErrorFinding(m.text, e)];
  }
  cache.sweep();
  seenBy.set(m.uri, new Set(seen.keys()));
  retainFacts();
  post({
    type: 'result',
    id: m.id,
    findings,
    seen: [...seen],
    ms: performance.now() - t0,
    heapUsed: getHeapStatistics().used_heap_size,
    ...(error ? { error } : {}),
  });
}

/** The facts store keeps only the files the open documents read. */
function retainFacts(): void {
  const all = new Set<string>();
  for (const s of seenBy.values()) for (const p of s) all.add(p);
  facts.retain(all);
}

/** Serves the server's messages (only in a thread the server started as its analysis worker). */
export function runAnalysisWorker(): void {
  port?.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'analyse':
        analyse(m);
        break;
      case 'forget':
        caches.delete(m.uri);
        seenBy.delete(m.uri);
        retainFacts();
        break;
      case 'invalidate':
        facts.invalidate(m.paths);
        break;
    }
  });
}

export const isAnalysisWorker = (): boolean =>
  !isMainThread && (workerData as Partial<WorkerData> | undefined)?.role === 'analysis';

if (isAnalysisWorker()) runAnalysisWorker();
