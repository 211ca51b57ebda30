// The provisioning core's public surface. Pure: no Node built-ins, no LSP, no SSH.
export * from './analysis/analyze';
export * from './analysis/finding';
export * from './units';
export type * from './facts/types';
export { readFacts, writeFacts } from './facts/read';
export { KernelModel, type WriteResult } from './kernel/model';
export { parseScript, type ScriptWrite } from './kernel/script';
export { snapshot, toDaxctlJson } from './kernel/snapshot';
export { SeedError } from './kernel/state';
export { ERRNO, ERRNO_TEXT, type Errno } from './kernel/tables';
export { FEATURES, parseRelease } from './kernel/version';
export { RULES } from './rules/registry';
export type { Plan, PlanStep, PlannedWrite } from './plan/planner';
export * from './explain/index';
export { format, parse } from '../../grammar/src/index';
export * from './persist/index';
