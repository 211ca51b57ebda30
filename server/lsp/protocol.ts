// What the daxlayout language server offers its own extension beyond LSP, declared once: the
// `daxlayout/hosts`, `daxlayout/regionMap` and `daxlayout/layoutTree` requests and the arguments
// of the commands its code lenses name. The server's handlers and the extension both import
// these, so a change fails the build on both sides. Types and names only: no code besides the
// constants, and no imports (a client import of this file pulls in nothing else).

/** `daxlayout/hosts`: the host blocks of an open layout, as its current text declares them. */
export const HOSTS_REQUEST = 'daxlayout/hosts';

export interface HostsParams {
  readonly uri: string;
}

export interface HostInfo {
  readonly name: string;
  /** Offsets (UTF-16) of the `host` keyword and of the block's end. */
  readonly start: number;
  readonly end: number;
  /** 0-based line of the `host` keyword. */
  readonly line: number;
  readonly ssh?: string;
  readonly port?: number;
  /** The `facts "…"` path as written. */
  readonly facts?: string;
  /** Where that path resolves (next to the layout, then the facts search paths), when the file exists. */
  readonly factsFile?: string;
  /** `hosts "PATTERN"`: the block stands for inventory hosts (planned with the CLI's -i). */
  readonly pattern?: string;
}

/** The commands the code lenses name; the extension registers them. */
export const COMMANDS = {
  plan: 'daxlayout.plan',
  planFacts: 'daxlayout.planAgainstFacts',
  apply: 'daxlayout.apply',
  captureFacts: 'daxlayout.captureFacts',
} as const;

/** The argument of a code lens' command. */
export interface LensArgs {
  readonly uri: string;
  readonly host: string;
  /** `facts`: plan against the host's facts file although it has `ssh "…"`. */
  readonly target?: 'facts';
}

/** A position and a range as LSP sends them (0-based line, UTF-16 character), declared here so
 * that this file imports nothing; `vscode-languageserver`'s `Range` has the same shape. */
export interface LspPosition {
  readonly line: number;
  readonly character: number;
}

export interface LspRange {
  readonly start: LspPosition;
  readonly end: LspPosition;
}

export interface TextDocumentRef {
  readonly uri: string;
}

/** `daxlayout/regionMap`: each region's address map of an open layout (server/lsp/map.ts), for
 * the editor's map view beside the layout (client/src/map-view.ts). */
export const REGION_MAP_REQUEST = 'daxlayout/regionMap';

export interface RegionMapParams {
  readonly textDocument: TextDocumentRef;
  /** The cursor: the answer names the device whose block holds it. */
  readonly position?: LspPosition;
}

export interface MapDeviceInfo {
  readonly key: string;
  readonly label?: string;
  readonly kernelName?: string;
  /** The label in the layout, where a click goes. */
  readonly range?: LspRange;
}

export interface RegionMapInfo {
  /** `HOST/REGION`, unique in the document. */
  readonly key: string;
  readonly title: string;
  readonly svg: string;
  readonly devices: readonly MapDeviceInfo[];
}

export interface RegionMapResult {
  readonly uri: string;
  /** The document version the ranges are for. */
  readonly version: number;
  /** The analysis is of that version (else of an older one, mapped onto it). */
  readonly current: boolean;
  readonly regions: readonly RegionMapInfo[];
  /** The device under the cursor. */
  readonly active?: { readonly region: string; readonly device: string };
}

/** `daxlayout/layoutTree`: hosts → regions → devices with the change the plan makes to each
 * (server/lsp/tree.ts), for the explorer's tree (client/src/tree-view.ts). */
export const LAYOUT_TREE_REQUEST = 'daxlayout/layoutTree';

export interface LayoutTreeParams {
  readonly textDocument: TextDocumentRef;
}

export interface TreeDeviceInfo {
  readonly label?: string;
  readonly kernelName?: string;
  /** create, resize, rebind, change, unchanged, refused, destroy, keep, unknown */
  readonly change: string;
  readonly detail: string;
  /** Formatted (`formatBytes`). */
  readonly size?: string;
  readonly mode?: string;
  readonly range?: LspRange;
}

export interface TreeRegionInfo {
  readonly id: number;
  readonly detail: string;
  readonly range?: LspRange;
  readonly devices: readonly TreeDeviceInfo[];
}

export interface TreeHostInfo {
  readonly name: string;
  readonly target: string;
  readonly kernel?: string;
  readonly error?: string;
  readonly range?: LspRange;
  readonly regions: readonly TreeRegionInfo[];
}

export interface LayoutTreeResult {
  readonly uri: string;
  readonly version: number;
  readonly current: boolean;
  readonly hosts: readonly TreeHostInfo[];
}
