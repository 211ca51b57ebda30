// Editor-facing views of an analysis (hover, completion, outline, navigation,
// inlay hints) as plain data over offsets. Pure: shared by the CLI and the language server.
export * from './describe';
export * from './hover';
export * from './complete';
export * from './symbols';
export * from './tokens';
export * from './navigate';
export * from './inlay';
export { locate, within, type Hit } from './locate';
export * from './region-map';
export * from './map-svg';
export * from './layout-tree';
