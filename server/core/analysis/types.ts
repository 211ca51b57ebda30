// What an analysis is: per host, the facts it started from, the kernel model after the plan
// and the plan; per region, the region before and after; the findings. The pipeline
// (pipeline/analyze.ts) produces it; rules, explain/, persist/ and vm/ read it. This folder
// imports no rule and no reader of text, so everything that reads an analysis can sit above it.

import type { LayoutFile } from '../../../grammar/src/ast';
import type { FactsInputKind, FactsProblem } from '../facts/read';
import type { HostFacts, RegionFacts } from '../host-facts';
import type { KernelModel } from '../kernel/model';
import type { SimRegion } from '../kernel/state';
import type { KernelVersion } from '../kernel/version';
import type { Layout, LayoutHost, LayoutRegion } from '../layout/types';
import type { Plan } from '../plan/planner';
import type { Finding } from './finding';

export type FactsLoad = { text: string } | { error: string };

export interface HostAnalysis {
  /** The host's name; `(design)` for regions declared without a host. */
  readonly name: string;
  readonly decl?: LayoutHost;
  readonly regions: RegionAnalysis[];
  /** Where the facts came from: a facts file, or the layout's declarations. */
  readonly factsOrigin: 'file' | 'declared' | 'none';
  /** What the facts file held (a daxlayout facts file, daxctl JSON, a capture dump). */
  readonly factsKind?: FactsInputKind;
  readonly factsProblems: FactsProblem[];
  /** A SeedError or other reason the model could not start. */
  readonly modelError?: string;
  /** The host as the facts describe it (before the plan). */
  readonly before?: HostFacts;
  readonly version?: KernelVersion;
  /** The kernel release is outside the modelled range: what is modelled instead, and what may differ (DAX007). */
  readonly kernelNote?: string;
  /** The model after the plan ran: the predicted state of the host. */
  readonly model?: KernelModel;
  readonly plan?: Plan;
}

export interface RegionAnalysis {
  readonly layout: LayoutRegion;
  readonly host: HostAnalysis;
  /** The region as the facts describe it before the plan. */
  readonly before?: RegionFacts;
  /** The region in the predicted final state. */
  readonly after?: SimRegion;
}

export interface Analysis {
  readonly text: string;
  readonly file: LayoutFile;
  readonly layout: Layout;
  readonly hosts: HostAnalysis[];
  readonly findings: Finding[];
  /** Findings an `# daxlayout: ignore DAXnnn` comment hides (never errors; rules/dax095-suppression.ts). */
  readonly suppressed?: Finding[];
}

export interface FleetMember {
  /** The layout host block (`hosts "…"`) the member belongs to. */
  readonly template: string;
  /** The inventory host. */
  readonly host: string;
  readonly analysis: Analysis;
}

export interface FleetAnalysis extends Analysis {
  /** Per member host of every `hosts "…"` block, in inventory order. */
  readonly members: readonly FleetMember[];
}

export const DESIGN_HOST = '(design)';

/** The region analysis for a layout region, wherever its host is. */
export function regionAnalysis(a: Analysis, r: LayoutRegion): RegionAnalysis | undefined {
  for (const h of a.hosts) for (const x of h.regions) if (x.layout === r) return x;
  return undefined;
}
