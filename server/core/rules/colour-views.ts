// Shared view of the colour rules (DAX070–DAX074): each `colours` device with
// its region's memory-side cache and the placement the plan made of it.

import { colourList } from '../colour/stripes';
import { colouringCache, type ColourPlacement } from '../colour/stripes';
import type { MemorySideCacheFacts } from '../host-facts';
import type { ColourRequest, LayoutDevice } from '../layout/types';
import { devices, type DeviceView } from './util';

export interface ColourView {
  readonly v: DeviceView;
  readonly req: ColourRequest;
  /** The region's target node, when known (-1: none). */
  readonly node?: number;
  readonly cache?: MemorySideCacheFacts;
  readonly placement?: ColourPlacement<LayoutDevice>;
}

export function colourViews(a: Parameters<typeof devices>[0]): ColourView[] {
  const out: ColourView[] = [];
  for (const v of devices(a)) {
    const req = v.device.colours;
    if (!req || !v.host.before) continue;
    const node = v.region.after?.targetNode ?? v.region.before?.targetNode;
    const cache = node === undefined ? undefined : colouringCache(v.host.before.nodes.find((n) => n.id === node));
    const placement = v.host.plan?.colours.get(v.device);
    out.push({
      v,
      req,
      ...(node !== undefined ? { node } : {}),
      ...(cache ? { cache } : {}),
      ...(placement ? { placement } : {}),
    });
  }
  return out;
}

/** `colours 0..1 of 4` as the user would read it back. */
export function askText(p: ColourPlacement<LayoutDevice> | undefined, req: ColourRequest): string {
  const k = p?.k ?? req.of?.value;
  const set = req.colours ? listColours(req.colours.value) : `any ${req.any?.value ?? '?'}`;
  return `colours ${set}${k !== undefined ? ` of ${k}` : ''}${req.exclusive ? ' exclusive' : ''}`;
}

/** `0..1, 3` for a colour list. */
export const listColours = colourList;
