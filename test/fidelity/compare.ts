// Compares one sequence run on the real kernel with the kernel model started from the facts
// captured right before it: every write's outcome (ok or the errno name), the state after every
// write (canon.ts), and the final state both as canonical state and as `daxctl list -RDMi`.

import { readFacts } from '../../server/core/facts/read';
import type { HostFacts } from '../../server/core/host-facts';
import { KernelModel } from '../../server/core/kernel/model';
import { parseScript } from '../../server/core/kernel/script';
import { toDaxctlJson } from '../../server/core/kernel/snapshot';
import { diffCanon, guestState, modelState, normaliseDaxctl } from './canon';
import type { ItemResult, Layout } from './guest';

/** Maps a write's rc and error text (busybox sh) to `ok` or an errno name: test/vm/run-script.mjs `outcome`. */
export type OutcomeFn = (rc: number, text: string) => string;

export interface WriteCmp {
  index: number;
  cmd: string;
  real: string;
  model: string;
  agree: boolean;
  stateDiff: string[];
}

export interface Disagreement {
  index: number;
  kind: 'write' | 'state' | 'final' | 'daxctl' | 'crash';
  signature: string;
  detail: string[];
}

export interface ItemCmp {
  id: string;
  writes: WriteCmp[];
  finalDiff: string[];
  daxctlDiff: string[];
  agreeWrites: number;
  agreeStates: number;
  states: number;
  first?: Disagreement;
  /** The facts could not be read, or the guest died during the sequence. */
  error?: string;
  facts?: HostFacts;
  modelResults: string[];
}

export function factsFrom(capture: string, release: string): { facts?: HostFacts; error?: string } {
  const { facts, problems } = readFacts(capture, 'capture', { kernelRelease: release });
  const fatal = problems.filter((p) => p.severity === 'error');
  if (!facts || fatal.length) return { error: `facts: ${fatal.map((p) => p.message).join('; ') || 'unreadable'}` };
  return { facts };
}

/** The attribute a write goes to (last path component), for signatures. */
export function attrOf(cmd: string): string {
  const m = />\s*(\S+)$/.exec(cmd);
  const path = m?.[1] ?? cmd;
  const last = path.split('/').at(-1) ?? path;
  return /^dax\d+\.\d+$/.test(last) ? 'DEVDIR' : /^memory\d+$/.test(last) ? 'BLOCKDIR' : last;
}

/** A disagreement's kind, stable under renaming of devices and addresses (delta debugging keeps it). */
function stateSignature(diff: string): string {
  const key = diff.split(':')[0] ?? diff;
  return key
    .replace(/dax\d+\.\d+/g, 'D')
    .replace(/memory\d+/g, 'M')
    .replace(/mapping\d+/g, 'K')
    .replace(/\/sys\/devices\/platform\/[^.]+\.\d+/, 'R')
    .replace(/\.\d+$/, '');
}

const writeSignature = (w: WriteCmp) => `write ${attrOf(w.cmd)} real=${w.real} model=${w.model}`;
const stateSig = (w: WriteCmp) => `state after ${attrOf(w.cmd)}: ${stateSignature(w.stateDiff[0] as string)}`;

export function compareItem(
  lines: readonly string[],
  res: ItemResult,
  release: string,
  layout: Layout,
  outcome: OutcomeFn,
  bootCapture = '',
): ItemCmp {
  const base: ItemCmp = {
    id: res.id,
    writes: [],
    finalDiff: [],
    daxctlDiff: [],
    agreeWrites: 0,
    agreeStates: 0,
    states: 0,
    modelResults: [],
  };
  const f = factsFrom(res.capture || bootCapture, release);
  if (!f.facts) return { ...base, error: f.error ?? 'no facts' };
  const model = KernelModel.fromFacts(f.facts, release);
  const parsed = parseScript(lines.join('\n'));
  if (!parsed.ok) return { ...base, error: parsed.message };
  let stopped = false;
  let first: Disagreement | undefined;
  const out: WriteCmp[] = [];
  let agreeW = 0;
  let agreeS = 0;
  let states = 0;
  parsed.writes.forEach((w, i) => {
    const g = res.writes[i];
    const real = g ? outcome(g.rc, g.text) : 'NOT-RUN';
    let mo = 'NOT-RUN';
    if (!stopped) {
      const r = model.write(w.path, w.value);
      if (r.kind === 'unmodelled') {
        mo = 'UNMODELLED';
        stopped = true;
      } else mo = r.kind === 'ok' ? 'ok' : r.errno;
    }
    base.modelResults.push(mo);
    const agree = real === mo;
    if (agree) agreeW++;
    const checked = !g || g.state !== undefined;
    const stateDiff = stopped
      ? ['(model stopped)']
      : g
        ? g.state
          ? diffCanon(guestState(g.state, layout.regionPaths), modelState(model))
          : []
        : ['(no real state)'];
    if (checked) {
      states++;
      if (stateDiff.length === 0) agreeS++;
    }
    const cmd = lines[i] as string;
    const wc: WriteCmp = { index: i, cmd, real, model: mo, agree, stateDiff };
    if (!first && !g && !res.done) {
      first = {
        index: i,
        kind: 'crash',
        signature: `crash at ${attrOf(cmd)}`,
        detail: [
          'the guest stopped answering during this write',
          ...res.dmesg
            .split('\n')
            .filter((l) => /BUG|Oops|WARNING|RIP|Misaligned|Call Trace|\+0x/.test(l))
            .slice(0, 16),
        ],
      };
    }
    if (!first && !agree)
      first = { index: i, kind: 'write', signature: writeSignature(wc), detail: [`${cmd}: real=${real} model=${mo}`] };
    if (!first && stateDiff.length) first = { index: i, kind: 'state', signature: stateSig(wc), detail: stateDiff };
    out.push(wc);
  });
  const complete = res.done && res.writes.length === parsed.writes.length;
  let finalDiff: string[] = [];
  let daxctlDiff: string[] = [];
  if (!complete) {
    finalDiff = ['(the guest did not finish the sequence)'];
  } else if (stopped) {
    finalDiff = ['(model stopped)'];
  } else {
    const lastState = parsed.writes.length ? res.writes.at(-1)?.state : res.start;
    if (lastState) finalDiff = diffCanon(guestState(lastState, layout.regionPaths), modelState(model));
    if (res.daxctl !== undefined)
      daxctlDiff = diffCanon(normaliseDaxctl(res.daxctl), normaliseDaxctl(toDaxctlJson(model.state)));
  }
  const finalAgree = finalDiff.length === 0 && daxctlDiff.length === 0;
  if (finalAgree) agreeS++;
  if (!first && !complete)
    first = {
      index: res.writes.length,
      kind: 'crash',
      signature: 'crash',
      detail: ['the guest stopped answering', ...res.dmesg.split('\n').slice(-20)],
    };
  if (!first && daxctlDiff.length)
    first = {
      index: lines.length - 1,
      kind: 'daxctl',
      signature: `daxctl: ${stateSignature(daxctlDiff[0] as string)}`,
      detail: daxctlDiff,
    };
  if (!first && finalDiff.length)
    first = {
      index: lines.length - 1,
      kind: 'final',
      signature: `final: ${stateSignature(finalDiff[0] as string)}`,
      detail: finalDiff,
    };
  return {
    ...base,
    writes: out,
    finalDiff,
    daxctlDiff,
    agreeWrites: agreeW,
    agreeStates: agreeS,
    states: states + 1,
    ...(first ? { first } : {}),
    ...(complete ? {} : { error: 'the guest did not finish the sequence (crash or timeout)' }),
    facts: f.facts,
  };
}

/**
 * The shrinking predicate: the candidate shows the disagreement again. For a write or state
 * disagreement the candidate keeps the disagreeing write last, and that write must disagree the
 * same way; for a final-state one, the final state must.
 */
export function hasSignature(c: ItemCmp, d: Pick<Disagreement, 'kind' | 'signature'>): boolean {
  if (d.kind === 'crash')
    return c.first?.kind === 'crash' && c.first.index === c.writes.length - 1 && c.first.signature === d.signature;
  if (d.kind === 'write' || d.kind === 'state') {
    const w = c.writes.at(-1);
    if (!w) return false;
    if (d.kind === 'write') return !w.agree && writeSignature(w) === d.signature;
    return w.stateDiff.length > 0 && w.stateDiff[0] !== '(model stopped)' && stateSig(w) === d.signature;
  }
  return c.first?.signature === d.signature;
}
