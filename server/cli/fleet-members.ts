// A fleet's member host as plan/apply -i (fleet.ts) and the Ansible role's hooks
// (ansible-hooks.ts) both see it: the inventory read, the layout host block that covers it, its plan
// as JSON.

import { parseInventory, type Inventory, type LayoutHost } from '../core/index';
import type { ApplyResult, PlanResult } from '../host/apply';
import type { PersistPlan, PersistResult } from '../host/persist';
import type { Target } from '../host/target';
import { readText, UsageError } from './io';
import { planDiagnostics, planDiagnosticsText, planJsonCore } from './diagnostics';

export function readInventory(path: string): Inventory {
  const inv = parseInventory(readText(path), path);
  if (inv.problems.length > 0) {
    throw new UsageError(
      `${path}: ${inv.problems
        .slice(0, 5)
        .map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.message}`)
        .join('; ')}${inv.problems.length > 5 ? `; and ${inv.problems.length - 5} more` : ''}`,
    );
  }
  return inv;
}

/** The layout host block for an inventory host: a block of that name, else the one `hosts "…"` block that matches it. */
export function layoutHostFor(
  hosts: readonly LayoutHost[],
  name: string,
  matches: (pattern: string) => boolean,
): LayoutHost | string {
  const named = hosts.find((h) => h.name === name && !h.pattern);
  if (named) return named;
  const t = hosts.filter((h) => h.pattern && matches(h.pattern.value));
  if (t.length === 1) return t[0] as LayoutHost;
  if (t.length > 1)
    return `${name} is matched by ${t.length} host blocks (${t.map((h) => `${h.name}: hosts "${h.pattern?.value}"`).join(', ')}); a host takes one layout`;
  return `the layout has no host block for ${name} (no \`host ${name}\`, no \`hosts "…"\` pattern matching it)`;
}

/** `persist` on the host or one of its regions: the Ansible role's hooks do not install the restorer (docs/fleet.md); `apply -i` does. */
export function persistProblem(
  layout: { regions: readonly { hostName?: { value: string }; persist?: unknown }[] },
  h: LayoutHost,
  host: string,
): string | undefined {
  if (!h.persist && !layout.regions.some((r) => r.hostName?.value === h.name && r.persist)) return undefined;
  return `${host}: the layout asks for \`persist\`, which the Ansible role does not install yet (docs/fleet.md); nothing was run. Apply it with \`daxlayout apply FILE -i INVENTORY\` (or \`--host ${h.name}\`), which installs the restorer on every host.`;
}

export interface Member {
  readonly host: string;
  readonly layoutHost?: LayoutHost;
  readonly problem?: string;
  target?: Target;
  description: string;
  plan?: PlanResult;
  apply?: ApplyResult;
  /** The persist step (docs/persist.md): the restorer and access rules, per host as for `apply --host`. */
  pp?: PersistPlan;
  persisted?: PersistResult;
  /** planned (plan only), changed/unchanged/failed/refused after the run. */
  state: 'changed' | 'unchanged' | 'failed' | 'refused';
  exitCode: number;
  message: string;
}

export const diagnosticsOf = (path: string, text: string, host: string, r: PlanResult) =>
  planDiagnostics(path, text, r, `${host}: `);
export const diagText = planDiagnosticsText;

export function planJsonOf(m: Member, path: string, text: string) {
  const r = m.plan;
  const v = r?.view;
  return {
    host: m.host,
    layoutHost: m.layoutHost?.name ?? null,
    target: m.description,
    ...planJsonCore(r, v),
    diagnostics: r ? diagnosticsOf(path, text, m.host, r) : [],
  };
}
