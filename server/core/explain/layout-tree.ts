// Hosts → regions → devices with the change the plan makes to each (the editor's tree view).
// A view of an analysis: each device's change is read by comparing the kernel device it ends
// up as (the plan's `assigned`, in the predicted state) with the same device in the state the
// facts describe, plus the plan's failures and refusals — never planned again here.

import type { Span } from '../../../grammar/src/ast';
import { DESIGN_HOST, type Analysis, type HostAnalysis, type RegionAnalysis } from '../analysis/types';
import type { FleetAnalysis } from '../analysis/types';
import { deviceName, deviceSize, type SimDevice } from '../kernel/state';
import { formatBytes, hexLiteral } from '../units';
import { modeText, stateBefore } from './describe';

/**
 * What the plan does to a device: `create` (a new device, or the empty seed device filled),
 * `resize` (its memory grows, shrinks or moves), `rebind` (another driver), `change` (align,
 * memory blocks onlined or offlined, anything else), `unchanged`, `refused` (the kernel
 * would refuse a write, or the planner will not make the change), `destroy` (not in the
 * layout, removed with --prune), `keep` (not in the layout, left as it is), `unknown` (no
 * prediction: the host has no usable facts).
 */
export type DeviceChange =
  'create' | 'resize' | 'rebind' | 'change' | 'unchanged' | 'refused' | 'destroy' | 'keep' | 'unknown';

export interface TreeDevice {
  /** The layout's label; absent for a device the layout does not list. */
  readonly label?: string;
  readonly kernelName?: string;
  readonly change: DeviceChange;
  /** What changes, or why it is refused: `2 GiB → 1 GiB; device_dax → kmem`. */
  readonly detail: string;
  readonly size?: bigint;
  readonly mode?: string;
  /** The label in the layout (where a click goes). */
  readonly declaration?: Span;
}

export interface TreeRegion {
  readonly id: number;
  /** `0x1_0000_0000 · 2 GiB · node 1`, when the region is predicted. */
  readonly detail: string;
  readonly declaration?: Span;
  readonly devices: readonly TreeDevice[];
}

export interface TreeHost {
  readonly name: string;
  /** `ssh root@127.0.0.1:2222`, `facts lab.facts.json`, `declared geometry`, `no host`. */
  readonly target: string;
  readonly kernel?: string;
  /** Why there is no prediction (no facts, a model error). */
  readonly error?: string;
  readonly declaration?: Span;
  readonly regions: readonly TreeRegion[];
}

function target(h: HostAnalysis): string {
  if (h.name === DESIGN_HOST) return 'no host';
  const d = h.decl;
  if (d?.ssh) return `ssh ${d.ssh.value}${d.port ? `:${d.port.value}` : ''}`;
  if (d?.facts) return `facts ${d.facts.value}`;
  return h.factsOrigin === 'declared' ? 'declared geometry' : 'no facts';
}

const kib = (v: bigint) => formatBytes(v);

function sameRanges(a: SimDevice, b: SimDevice): boolean {
  return (
    a.ranges.length === b.ranges.length &&
    a.ranges.every((r, i) => r.start === b.ranges[i]?.start && r.end === b.ranges[i]?.end)
  );
}

function regionTree(h: HostAnalysis, ra: RegionAnalysis): TreeRegion {
  const plan = h.plan;
  const sim = ra.after;
  const model = h.model;
  const before = h.before && sim ? stateBefore(h.before)?.regions.find((r) => r.id === sim.id) : undefined;
  const devices: TreeDevice[] = [];
  for (const ld of ra.layout.devices) {
    const d = plan?.assigned.get(ld);
    const failure = plan?.failures.find((f) => f.device === ld);
    const refusal = plan?.refusals.find((r) => r.device === ld);
    const base = {
      label: ld.label,
      declaration: ld.labelSpan,
      ...(d
        ? { kernelName: deviceName(d), size: deviceSize(d), ...(model ? { mode: modeText(model.state, d) } : {}) }
        : {}),
    };
    if (!model) {
      devices.push({ ...base, change: 'unknown', detail: 'no prediction without facts' });
      continue;
    }
    if (failure || refusal || !d) {
      const why =
        refusal?.reason ??
        (failure
          ? `the kernel would refuse the ${failure.purpose} write${failure.errno ? ` (${failure.errno})` : ''}: ${failure.write.path}`
          : 'not created (see the diagnostics)');
      devices.push({ ...base, change: 'refused', detail: why });
      continue;
    }
    const was = before?.devices.get(d.id);
    const steps = plan?.steps.filter((s) => s.device === ld) ?? [];
    if (!was || (deviceSize(was) === 0n && was.driver === null)) {
      devices.push({
        ...base,
        change: 'create',
        detail: `${kib(deviceSize(d))}, ${base.mode ?? ''}`.replace(/, $/, ''),
      });
      continue;
    }
    const what: string[] = [];
    let change: DeviceChange = 'unchanged';
    if (deviceSize(was) !== deviceSize(d)) what.push(`${kib(deviceSize(was))} → ${kib(deviceSize(d))}`);
    else if (!sameRanges(was, d)) what.push(`moved within ${kib(deviceSize(d))}`);
    if (what.length) change = 'resize';
    if (was.driver !== d.driver) {
      what.push(`${was.driver ?? 'no driver'} → ${d.driver ?? 'no driver'}`);
      if (change === 'unchanged') change = 'rebind';
    }
    if (was.align !== d.align) what.push(`align ${kib(was.align)} → ${kib(d.align)}`);
    if (change === 'unchanged' && steps.length > 0) {
      change = 'change';
      if (what.length === 0) what.push(...steps.map((s) => s.summary));
    }
    if (change === 'unchanged' && what.length > 0) change = 'change';
    devices.push({ ...base, change, detail: what.length ? what.join('; ') : 'as the host has it' });
  }
  for (const u of plan?.unlisted ?? []) {
    if (u.region !== ra.layout) continue;
    devices.push({
      kernelName: u.kernelName,
      size: u.size,
      change: u.pruned ? 'destroy' : 'keep',
      detail: `${formatBytes(u.size)}, not in the layout${u.pruned ? ': removed (--prune)' : ': kept (--prune removes it)'}`,
    });
  }
  return {
    id: sim?.id ?? ra.layout.id?.value ?? -1,
    detail: sim
      ? `${hexLiteral(sim.start)} · ${formatBytes(sim.end - sim.start + 1n)} · node ${sim.targetNode}`
      : 'not on this host',
    ...(ra.layout.id ? { declaration: ra.layout.id.span } : {}),
    devices,
  };
}

function hostTree(h: HostAnalysis, name: string): TreeHost {
  const error = h.model
    ? undefined
    : (h.modelError ?? h.factsProblems.find((p) => p.severity === 'error')?.message ?? 'no facts');
  return {
    name,
    target: target(h),
    ...(h.version ? { kernel: h.version.release } : {}),
    ...(error ? { error } : {}),
    ...(h.decl ? { declaration: h.decl.nameSpan } : {}),
    regions: h.regions.map((r) => regionTree(h, r)),
  };
}

/** The analysis as hosts → regions → devices; the members of a `hosts "…"` block each as a host. */
export function layoutTree(a: Analysis): TreeHost[] {
  const members = (a as Partial<FleetAnalysis>).members ?? [];
  const out: TreeHost[] = [];
  for (const h of a.hosts) {
    const mine = members.filter((m) => m.template === h.name);
    if (mine.length === 0) {
      out.push(hostTree(h, h.name));
      continue;
    }
    for (const m of mine) {
      const mh = m.analysis.hosts.find((x) => x.name === h.name);
      if (mh) out.push({ ...hostTree(mh, m.host), ...(h.decl ? { declaration: h.decl.nameSpan } : {}) });
    }
  }
  return out;
}
