// The answers of the server's custom requests `daxlayout/regionMap` (server/lsp/map.ts) and
// `daxlayout/layoutTree` (server/lsp/tree.ts), as the client reads them. The client has no
// analysis of its own: the map view and the tree show these.

export const REGION_MAP_REQUEST = 'daxlayout/regionMap';
export const LAYOUT_TREE_REQUEST = 'daxlayout/layoutTree';

export interface LspPosition {
  readonly line: number;
  readonly character: number;
}

export interface LspRange {
  readonly start: LspPosition;
  readonly end: LspPosition;
}

export interface MapDeviceInfo {
  readonly key: string;
  readonly label?: string;
  readonly kernelName?: string;
  readonly range?: LspRange;
}

export interface RegionMapInfo {
  readonly key: string;
  readonly title: string;
  readonly svg: string;
  readonly devices: readonly MapDeviceInfo[];
}

export interface RegionMapResult {
  readonly uri: string;
  readonly version: number;
  /** The analysis is of `version` (else of an older version, mapped onto it). */
  readonly current: boolean;
  readonly regions: readonly RegionMapInfo[];
  readonly active?: { readonly region: string; readonly device: string };
}

export interface TreeDeviceInfo {
  readonly label?: string;
  readonly kernelName?: string;
  /** create, resize, rebind, change, unchanged, refused, destroy, keep, unknown */
  readonly change: string;
  readonly detail: string;
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
