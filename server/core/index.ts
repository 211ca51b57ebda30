// The provisioning core's public surface. Pure: no Node built-ins, no LSP, no SSH.
export * from './analysis/types';
export * from './pipeline/analyze';
export * from './analysis/finding';
export * from './units';
export type * from './host-facts';
export {
  detectFactsInput,
  readCaptureFacts,
  readCaptureText,
  readFacts,
  writeFacts,
  type FactsInputKind,
  type FactsProblem,
  type ReadFactsOptions,
} from './facts/read';
export { splitSections } from './facts/capture-text';
export { KernelModel, type WriteResult } from './kernel/model';
export { readCxlFacts, type CxlFacts } from './facts/cxl';
export type { CxlModel } from './kernel/cxl-model';
export { cxlSnapshot, snapshotHost, type CxlSnapshot } from './kernel/cxl-snapshot';
export { CXL_DIFFS } from './kernel/cxl-tables';
export { parseScript, type ScriptWrite } from './kernel/script';
export { snapshot, toDaxctlJson } from './kernel/snapshot';
export {
  availableSize,
  deviceName,
  deviceSize,
  regionSize,
  SeedError,
  type SimDevice,
  type SimRegion,
} from './kernel/state';
export { ERRNO, ERRNO_TEXT, type Errno } from './kernel/tables';
export { FEATURES, hmemRegionPath, outsideModelled, parseRelease } from './kernel/version';
export { RULES } from './rules/registry';
export { kmemUse } from './rules/util';
export { lower } from './layout/lower';
export type * from './layout/types';
export type { Plan, PlanStep, PlannedWrite } from './plan/planner';
export { SETTLE_SH, SETTLE_TIMEOUT_S, settleArgs, settleText, type Settle } from './plan/settle';
export * from './explain/index';
export * from './colour/index';
export * from './vm/index';
export { format, parse } from '../../grammar/src/index';
export * from './persist/index';
export * from './fleet/inventory';
export * from './pipeline/analyze-fleet';
