// Shrinking a disagreeing sequence to a minimal reproducer.
//
// Two stages. First, on the model alone (no guest): writes are dropped as long as the model's
// complete state after the sequence (including what sysfs does not show: new_id lists, seed,
// stale pgmaps, iomem reservations) stays exactly the same. The model agreed with the kernel on
// every write before the disagreement, so this removes the writes that change nothing or undo
// each other, in milliseconds. Second, delta debugging (ddmin) on the real kernel, each round's
// candidates run as one batch over one ssh round trip, each from the boot state; complements
// first (what usually shrinks), subsets only when no complement does.

import type { HostFacts } from '../../server/core/host-facts';
import { KernelModel } from '../../server/core/kernel/model';
import { parseScript } from '../../server/core/kernel/script';
import { deviceName } from '../../server/core/kernel/state';
import { modelState } from './canon';

/** Everything the model knows, visible or not, as one comparable string. */
export function fullModelState(m: KernelModel): string {
  const s = m.state;
  const hidden = {
    ids: s.driverIds,
    stale: s.regions.flatMap((r) => [...r.devices.values()].filter((d) => d.pgmapStale).map(deviceName)),
    reservations: s.reservations.map((x) => `${x.start}-${x.end} ${x.owner} ${x.kind} ${x.stranded}`),
    memmap: s.memmapPlacements ?? [],
  };
  return JSON.stringify({ visible: modelState(m), hidden });
}

/** The model's full state after `lines`, or undefined when a write is not modelled. */
export function modelAfter(facts: HostFacts, release: string, lines: readonly string[]): string | undefined {
  const m = KernelModel.fromFacts(facts, release);
  const parsed = parseScript(lines.join('\n'));
  if (!parsed.ok) return undefined;
  for (const w of parsed.writes) if (m.write(w.path, w.value).kind === 'unmodelled') return undefined;
  return fullModelState(m);
}

/**
 * ddmin with a synchronous predicate (`keeps(candidate)` true when the candidate still shows
 * what the whole does). Returns a 1-minimal subsequence.
 */
export function ddminSync(lines: readonly string[], keeps: (c: string[]) => boolean): string[] {
  let cur = [...lines];
  if (keeps([])) return [];
  let n = 2;
  while (cur.length >= 2) {
    const size = Math.ceil(cur.length / n);
    const chunks: string[][] = [];
    for (let i = 0; i < cur.length; i += size) chunks.push(cur.slice(i, i + size));
    let reduced = false;
    for (let i = 0; i < chunks.length && !reduced; i++) {
      const comp = chunks.filter((_, j) => j !== i).flat();
      if (keeps(comp)) {
        cur = comp;
        n = Math.max(n - 1, 2);
        reduced = true;
      }
    }
    if (!reduced && n > 2) {
      for (const c of chunks) {
        if (keeps(c)) {
          cur = c;
          n = 2;
          reduced = true;
          break;
        }
      }
    }
    if (reduced) continue;
    if (n >= cur.length) break;
    n = Math.min(n * 2, cur.length);
  }
  if (cur.length === 1 && keeps([])) return [];
  return cur;
}

/** Stage one: the shortest subsequence (1-minimal) after which the model's full state is the same. */
export function modelReduce(facts: HostFacts, release: string, lines: readonly string[]): string[] {
  const target = modelAfter(facts, release, lines);
  if (target === undefined) return [...lines];
  return ddminSync(lines, (c) => modelAfter(facts, release, c) === target);
}

/**
 * Stage two: ddmin where each round's candidates are tested together (`test` runs them all on
 * the guest and says which still disagree the same way).
 */
export async function ddminBatched<T>(
  lines: readonly string[],
  test: (cands: string[][]) => Promise<(T | undefined)[]>,
  log: (s: string) => void = () => {},
): Promise<{ lines: string[]; best?: T; rounds: number; candidates: number }> {
  let cur = [...lines];
  let best: T | undefined;
  let rounds = 0;
  let candidates = 0;
  const run = async (cands: string[][]) => {
    rounds++;
    candidates += cands.length;
    return test(cands);
  };
  let n = 2;
  while (cur.length >= 2) {
    const size = Math.ceil(cur.length / n);
    const chunks: string[][] = [];
    for (let i = 0; i < cur.length; i += size) chunks.push(cur.slice(i, i + size));
    const complements = chunks.map((_, i) => chunks.filter((__, j) => j !== i).flat());
    let res = await run(complements);
    let hit = res.findIndex((x) => x !== undefined);
    if (hit >= 0) {
      cur = complements[hit] as string[];
      best = res[hit];
      n = Math.max(n - 1, 2);
      log(`    shrink: ${cur.length} writes`);
      continue;
    }
    if (n > 2) {
      res = await run(chunks);
      hit = res.findIndex((x) => x !== undefined);
      if (hit >= 0) {
        cur = chunks[hit] as string[];
        best = res[hit];
        n = 2;
        log(`    shrink: ${cur.length} writes`);
        continue;
      }
    }
    if (n >= cur.length) break;
    n = Math.min(n * 2, cur.length);
  }
  return { lines: cur, ...(best !== undefined ? { best } : {}), rounds, candidates };
}
