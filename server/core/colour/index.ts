// Memory-side-cache colours (docs/colours.md): stripes, the region plan, hover data.
export {
  colourOf,
  colourStripes,
  coloursIn,
  colouringCache,
  defaultColourCount,
  planRegionColours,
  rangeBytes,
  subtractRanges,
  takeBytes,
  trimToGranule,
  type AddrRange,
  type ColourAsk,
  type ColourPlacement,
} from './stripes';
export { colourBytes, colourList, deviceColours, regionColourMap, type DeviceColours, type RegionColourMap, type ColourRun, type ColourHolder } from './describe';
