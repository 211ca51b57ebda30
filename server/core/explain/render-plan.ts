// A plan as data for people and machines: the terraform-style text `daxlayout
// plan` prints, the JSON the editor reads, and the fingerprint of the facts the
// plan was made from (apply refuses when the host no longer has them). Pure.

import type { HostFacts } from '../host-facts';
import type { HostAnalysis } from '../analysis/types';
import { formatBytes } from '../units';
import { expandWrite, type Plan, type StepOp } from '../plan/planner';
import { settleText, type Settle } from '../plan/settle';
import { sha256 as sha256Hex } from '../persist/sha256';

// ------------------------------------------------------------------ fingerprint

/** SHA-256 of a string's UTF-8 bytes, as lower-case hex (one implementation: persist/sha256). */
export { sha256 as sha256Hex } from '../persist/sha256';

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
    lines.push(
      `region ${r.id} ${r.path} ${hx(r.start)} ${hx(r.size)} ${hx(r.align)} ${r.dynamic ? 'dynamic' : 'static'} node ${r.targetNode} kmem ${r.kmemDefault}`,
    );
    for (const d of [...r.devices].sort((a, b) => num(a.name) - num(b.name) || a.name.localeCompare(b.name))) {
      const maps = [...d.mappings].sort((a, b) =>
        a.pageOffset < b.pageOffset ? -1 : a.pageOffset > b.pageOffset ? 1 : 0,
      );
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
  /** What apply waits for after the write returns (plan/settle.ts). */
  readonly settle?: Settle;
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
  readonly unlisted: {
    readonly name: string;
    readonly size: string;
    readonly mode: string;
    readonly pruned: boolean;
  }[];
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
  const steps = plan.steps.map((s, i): PlanStepView => ({
    index: i + 1,
    op: s.op,
    target: s.target,
    ...(s.device ? { label: s.device.label } : {}),
    summary: s.summary,
    destructive:
      s.op === '-' ||
      s.summary.startsWith('shrink') ||
      s.writes.some(
        (w) =>
          /\/(unbind|delete|remove_id)$/.test(w.path) ||
          (/\/(state|online)$/.test(w.path) && (w.value === 'offline' || w.value === '0')),
      ),
    // The host gets one write per memory block: block runs are listed block by block here.
    writes: s.writes.flatMap(expandWrite).map((w) => ({
      path: w.path,
      value: w.value,
      predicted: w.result.kind === 'ok' ? 'ok' : w.result.kind === 'errno' ? w.result.errno : 'unmodelled',
      ...(w.settle ? { settle: w.settle } : {}),
    })),
  }));
  return {
    host: host.name,
    fingerprint,
    ...(host.version ? { kernel: host.version.release } : {}),
    steps,
    summary: planSummary(steps),
    unlisted: [
      // CXL regions the layout does not declare: kept, or torn down with --prune (plan/cxl.ts)
      ...(plan.unlistedCxl ?? []).map((u) => ({
        name: u.name,
        size: formatBytes(u.size),
        mode: `CXL region in ${u.window}`,
        pruned: u.pruned,
      })),
      ...plan.unlisted.map((u) => ({
        name: u.kernelName,
        size: formatBytes(u.size),
        mode: u.driver === 'kmem' ? 'system-ram' : u.driver === 'device_dax' ? 'devdax' : 'unbound',
        pruned: u.pruned,
      })),
    ],
    refusals: plan.refusals.map((r) => r.reason),
  };
}

export function summaryLine(s: PlanSummary): string {
  if (s.create + s.change + s.destroy === 0) return 'No changes. The host matches the layout.';
  // one vocabulary: the plan counts kernel devices; steps and writes are listed, not counted
  return `Plan: ${s.create} device${s.create === 1 ? '' : 's'} to create, ${s.change} to change, ${s.destroy} to destroy.`;
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
    out.push('  + create a device   ~ change one   - destroy one', '');
    for (const s of v.steps) {
      out.push(`  ${s.op} ${s.summary}`);
      for (const w of s.writes) {
        out.push(`      ${writeText(w)}${w.predicted === 'ok' ? '' : `    # the kernel would refuse: ${w.predicted}`}`);
        if (w.settle) out.push(`      # then wait until ${settleText(w.settle)}`);
      }
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
