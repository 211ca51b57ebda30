// `daxlayout/regionMap`: the custom request behind the editor's region map (a webview beside
// the layout, client/src/map-view.ts): each region's SVG, its devices with their declarations,
// and the device under the cursor. From the last finished analysis (a short wait once the
// worker has finished the current version), mapped onto the current text: a declaration in a
// part edited since has no range. The client has no analysis of its own.

import { mapDeviceAt, mapTitle, regionMaps, renderMapSvg, type Analysis, type RegionMap } from '../core/index';
import type { Range } from 'vscode-languageserver/node';
import { toRange, type Span } from './convert';
import type { RegionMapInfo, RegionMapParams, RegionMapResult } from './protocol';
import type { Session, View } from './session';

export function range(v: View, span: Span | undefined): Range | undefined {
  const s = span && v.toCurrent(span);
  return s ? toRange(v.doc, s) : undefined;
}

/** The maps and their SVGs of one analysis: drawn once, however often the cursor moves. */
const drawn = new WeakMap<Analysis, { map: RegionMap; key: string; title: string; svg: string }[]>();

function drawMaps(a: Analysis): { map: RegionMap; key: string; title: string; svg: string }[] {
  let out = drawn.get(a);
  if (!out) {
    out = regionMaps(a).map((map, i) => ({
      map,
      key: `${map.host}/${map.region}`,
      title: mapTitle(map),
      svg: renderMapSvg(map, { idPrefix: `m${i}` }),
    }));
    drawn.set(a, out);
  }
  return out;
}

export async function regionMap(session: Session, params: RegionMapParams): Promise<RegionMapResult | null> {
  const v = await session.view(params.textDocument.uri, 'settled');
  if (!v) return null;
  const cursor = params.position ? v.toAnalysis(v.doc.offsetAt(params.position)) : undefined;
  let active: RegionMapResult['active'];
  const regions = drawMaps(v.analysis).map(({ map: m, key, title, svg }): RegionMapInfo => {
    const hit = cursor === undefined ? undefined : mapDeviceAt(m, cursor);
    if (hit && !active) active = { region: key, device: hit.key };
    return {
      key,
      title,
      svg,
      devices: m.devices.map((d) => {
        const r = range(v, d.declaration);
        return {
          key: d.key,
          ...(d.label ? { label: d.label } : {}),
          ...(d.kernelName ? { kernelName: d.kernelName } : {}),
          ...(r ? { range: r } : {}),
        };
      }),
    };
  });
  return { uri: v.doc.uri, version: v.doc.version, current: v.current, regions, ...(active ? { active } : {}) };
}
