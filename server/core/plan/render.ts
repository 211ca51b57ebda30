// A plan as data for people and machines: the terraform-style text `daxlayout
// plan` prints, the JSON the editor reads, and the fingerprint of the facts the
// plan was made from (apply refuses when the host no longer has them). Pure.

import type { HostFacts } from '../facts/types';
import type { HostAnalysis } from '../analysis/analyze';
import { formatBytes } from '../units';
import type { Plan, StepOp } from './planner';

// ------------------------------------------------------------------ fingerprint

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/** SHA-256 of a string's UTF-8 bytes, as lower-case hex (FIPS 180-4). */
export function sha256Hex(text: string): string {
  const bytes = utf8(text);
  const bitLen = bytes.length * 8;
  bytes.push(0x80);
  while (bytes.length % 64 !== 56) bytes.push(0);
  const hi = Math.floor(bitLen / 0x100000000);
  for (const v of [hi, bitLen >>> 0]) bytes.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const w = new Array<number>(64).fill(0);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < bytes.length; off += 64) {
    for (let i = 0; i < 16; i++) {
      const b = (j: number) => bytes[off + i * 4 + j] as number;
      w[i] = ((b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3)) >>> 0;
    }
    for (let i = 16; i < 64; i++) {
      const w15 = w[i - 15] as number;
      const w2 = w[i - 2] as number;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + (K[i] as number) + (w[i] as number)) >>> 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    const add = [a, b, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i++) h[i] = ((h[i] as number) + (add[i] as number)) >>> 0;
  }
  return h.map((x) => x.toString(16).padStart(8, '0')).join('');
}

/**
 * The facts a plan depends on, in a canonical text: kernel, memory-block
 * geometry and policy, every region, device, mapping and dax memory block.
 * Not: the facts' source, host name, NUMA/HMAT data or assumptions.
 */
export function factsCanonical(f: HostFacts): string {
  const hx = (v: bigint | undefined) => (v === undefined ? '-' : v.toString(16));
  const lines: string[] = [
    `kernel ${f.kernelRelease ?? '-'} ${f.arch} page ${hx(f.pageSize)} block ${hx(f.memoryBlockSize)} auto ${f.autoOnlineBlocks} memmap ${f.memmapOnMemorySupported ?? '-'}`,
  ];
  const num = (name: string) => {
    const m = /^dax(\d+)\.(\d+)$/.exec(name);
    return m ? Number(m[2]) : Number.MAX_SAFE_INTEGER;
  };
  for (const r of [...f.regions].sort((a, b) => a.id - b.id)) {
    lines.push(`region ${r.id} ${r.path} ${hx(r.start)} ${hx(r.size)} ${hx(r.align)} ${r.dynamic ? 'dynamic' : 'static'} node ${r.targetNode} kmem ${r.kmemDefault}`);
    for (const d of [...r.devices].sort((a, b) => num(a.name) - num(b.name) || a.name.localeCompare(b.name))) {
      const maps = [...d.mappings].sort((a, b) => (a.pageOffset < b.pageOffset ? -1 : a.pageOffset > b.pageOffset ? 1 : 0));
      lines.push(
        `device ${d.name} ${hx(d.size)} ${hx(d.align)} ${d.driver ?? 'none'} node ${d.targetNode} memmap ${d.memmapOnMemory ?? '-'} ${maps.map((m) => `${m.id}:${hx(m.start)}-${hx(m.end)}@${hx(m.pageOffset)}`).join(',')}`,
      );
    }
  }
  for (const b of [...f.memoryBlocks].sort((a, b) => a.index - b.index)) {
    lines.push(`block ${b.index} ${b.state} ${b.zone ?? '-'} node ${b.node} ${b.removable ? 'removable' : 'fixed'}`);
  }
  return lines.join('\n') + '\n';
}

/** A short, stable fingerprint of the facts a plan was made from: `sha256:` and 16 hex digits. */
export function factsFingerprint(f: HostFacts): string {
  return `sha256:${sha256Hex(factsCanonical(f)).slice(0, 16)}`;
}

// ------------------------------------------------------------------ plan view

export interface PlanWriteView {
  readonly path: string;
  readonly value: string;
  /** What the kernel model says this write will do (`ok`, an errno, or `unmodelled`). */
  readonly predicted: string;
}

export interface PlanStepView {
  /** 1-based position in the plan. */
  readonly index: number;
  readonly op: StepOp;
  /** The kernel device the step acts on (`dax0.1`). */
  readonly target: string;
  /** The layout device's label, when the step is for one. */
  readonly label?: string;
  readonly summary: string;
  /** The step takes something away from what runs on the host (unbinds, shrinks, empties, deletes, offlines memory). */
  readonly destructive: boolean;
  readonly writes: PlanWriteView[];
}

export interface PlanSummary {
  readonly create: number;
  readonly change: number;
  readonly destroy: number;
}

export interface PlanView {
  readonly host: string;
  readonly fingerprint: string;
  readonly kernel?: string;
  readonly steps: PlanStepView[];
  readonly summary: PlanSummary;
  /** Devices of the layout's regions the layout does not list. */
  readonly unlisted: { readonly name: string; readonly size: string; readonly mode: string; readonly pruned: boolean }[];
  /** Changes the planner will not make, and why. */
  readonly refusals: string[];
}

/** Create / change / destroy counts, one per kernel device the plan touches. */
export function planSummary(steps: readonly { op: StepOp; target: string }[]): PlanSummary {
  const ops = new Map<string, Set<StepOp>>();
  let anonymous = 0;
  for (const s of steps) {
    if (s.target === '(new)') {
      anonymous++;
      continue;
    }
    const set = ops.get(s.target) ?? new Set<StepOp>();
    set.add(s.op);
    ops.set(s.target, set);
  }
  let create = anonymous;
  let change = 0;
  let destroy = 0;
  for (const set of ops.values()) {
    if (set.has('+')) create++;
    else if (set.has('-')) destroy++;
    else change++;
  }
  return { create, change, destroy };
}

export function planView(host: HostAnalysis, plan: Plan, fingerprint: string): PlanView {
  const steps = plan.steps.map(
    (s, i): PlanStepView => ({
      index: i + 1,
      op: s.op,
      target: s.target,
      ...(s.device ? { label: s.device.label } : {}),
      summary: s.summary,
      destructive:
        s.op === '-' ||
        s.summary.startsWith('shrink') ||
        s.writes.some((w) => /\/(unbind|delete|remove_id)$/.test(w.path) || (/\/(state|online)$/.test(w.path) && (w.value === 'offline' || w.value === '0'))),
      writes: s.writes.map((w) => ({
        path: w.path,
        value: w.value,
        predicted: w.result.kind === 'ok' ? 'ok' : w.result.kind === 'errno' ? w.result.errno : 'unmodelled',
      })),
    }),
  );
  return {
    host: host.name,
    fingerprint,
    ...(host.version ? { kernel: host.version.release } : {}),
    steps,
    summary: planSummary(steps),
    unlisted: plan.unlisted.map((u) => ({
      name: u.kernelName,
      size: formatBytes(u.size),
      mode: u.driver === 'kmem' ? 'system-ram' : u.driver === 'device_dax' ? 'devdax' : 'unbound',
      pruned: u.pruned,
    })),
    refusals: plan.refusals.map((r) => r.reason),
  };
}

export function summaryLine(s: PlanSummary): string {
  if (s.create + s.change + s.destroy === 0) return 'No changes. The host matches the layout.';
  return `Plan: ${s.create} to create, ${s.change} to change, ${s.destroy} to destroy.`;
}

/** The shell form of one write, as a person would type it. */
export function writeText(w: { path: string; value: string }): string {
  return `echo ${w.value} > ${w.path}`;
}

/** Terraform-style text: each step with its op, what it does, and the exact writes under it. */
export function renderPlan(v: PlanView): string {
  const out: string[] = [];
  if (v.steps.length > 0) {
    out.push('daxlayout will perform these steps, in this order:', '');
    out.push('  + create   ~ change   - destroy', '');
    for (const s of v.steps) {
      out.push(`  ${s.op} ${s.summary}`);
      for (const w of s.writes) out.push(`      ${writeText(w)}${w.predicted === 'ok' ? '' : `    # the kernel would refuse: ${w.predicted}`}`);
    }
    out.push('');
  }
  for (const u of v.unlisted) {
    out.push(
      u.pruned
        ? `  note: ${u.name} (${u.size}, ${u.mode}) is not in the layout and is removed (--prune)`
        : `  note: ${u.name} (${u.size}, ${u.mode}) is not in the layout; it is kept (--prune removes it)`,
    );
  }
  for (const r of v.refusals) out.push(`  refused: ${r}`);
  if (v.unlisted.length > 0 || v.refusals.length > 0) out.push('');
  out.push(summaryLine(v.summary));
  return out.join('\n') + '\n';
}
