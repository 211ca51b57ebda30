// Inlay hints: after each device label, the kernel name it will get and its
// physical start (`→ dax0.1 @ 0x140000000`); after `size rest`, what it resolves to.

import type { Span } from '../../../grammar/src/ast';
import type { Analysis } from '../analysis/types';
import { deviceName } from '../kernel/state';
import { formatBytes, hex } from '../units';

export interface InlayHint {
  readonly offset: number;
  readonly label: string;
  readonly tooltip?: string;
}

export function inlayHints(a: Analysis, within?: Span): InlayHint[] {
  const out: InlayHint[] = [];
  const inside = (o: number) => !within || (o >= within.start && o <= within.end);
  for (const h of a.hosts) {
    const plan = h.plan;
    if (!plan) continue;
    for (const [ld, sd] of plan.assigned) {
      if (inside(ld.labelSpan.end)) {
        const first = sd.ranges[0];
        const more = sd.ranges.length > 1 ? ` (+${sd.ranges.length - 1} range${sd.ranges.length > 2 ? 's' : ''})` : '';
        const tooltip = sd.ranges.map((r) => `${hex(r.start)}..${hex(r.end)} (${formatBytes(r.end - r.start + 1n)}) at page offset ${r.pgoff}`).join('\n');
        out.push({ offset: ld.labelSpan.end, label: `→ ${deviceName(sd)}${first ? ` @ ${hex(first.start)}${more}` : ''}`, ...(tooltip ? { tooltip } : {}) });
      }
      const size = ld.rest ? plan.targetSize.get(ld) : undefined;
      if (ld.rest && size !== undefined && inside(ld.rest.end)) out.push({ offset: ld.rest.end, label: `= ${formatBytes(size)}` });
    }
  }
  return out.sort((x, y) => x.offset - y.offset);
}
