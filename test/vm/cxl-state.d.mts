// Types of test/vm/cxl-state.mjs for the TypeScript side of the harness (test/fidelity/).
export declare const cxlCapturePart: (cxlCaptureSh: string) => string;
export declare const CXL_STATE_FN: string;
export interface CxlStateLines {
  roots: { name: string; create_ram_region: string }[];
  endpoints: { name: string; mode: string; dpa_size: string; dpa_resource: string | null; region: string | null }[];
  regions: {
    name: string;
    commit: boolean;
    interleave_ways: number;
    interleave_granularity: number;
    size: string;
    resource: string | null;
    targets: (string | null)[];
    bound: boolean;
    locked?: boolean;
  }[];
}
export declare function parseCxlState(text: string): CxlStateLines;
