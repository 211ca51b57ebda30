// Memory-side-cache colours (docs/colours.md): stripes and the region plan (the colour map
// hovers and `explain` show is in explain/colours.ts).
export {
  colourBytes,
  colourBytesByColour,
  colourList,
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
