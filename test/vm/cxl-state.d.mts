// Types of test/vm/cxl-state.mjs for the TypeScript side of the harness (test/fidelity/).
export declare const cxlCapturePart: (cxlCaptureSh: string) => string;
export declare const CXL_STATE_FN: string;
/** What the guest's CXL state lines read: the same shape as the model's snapshot. */
export type CxlStateLines = import('../../server/core/index').CxlSnapshot;
export declare function parseCxlState(text: string): CxlStateLines;
