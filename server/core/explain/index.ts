// Editor-facing views of an analysis (hover, completion, outline, navigation,
// inlay hints, the colour map, the plan text and JSON) as plain data over offsets. Pure: shared
// by the CLI and the language server.
export * from './describe';
export * from './hover';
export type { CxlHover, CxlMemdevHover, CxlWindowHover } from './cxl-hover';
export * from './complete';
export * from './symbols';
export * from './tokens';
export * from './navigate';
export * from './inlay';
export { locate, within, type Hit } from './locate';
export {
  deviceColours,
  regionColourMap,
  type DeviceColours,
  type RegionColourMap,
  type ColourRun,
  type ColourHolder,
} from './colours';
export * from './render-plan';
export * from './region-map';
export * from './map-svg';
export * from './layout-tree';
