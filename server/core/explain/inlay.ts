// Inlay hints: for each device, the kernel name it will get and its physical start
// (`→ dax0.1 @ 0x140000000`); for `size rest`, what it resolves to (`rest = 256 MiB`).
// Shown at the end of the line, so that comments aligned after the devices stay aligned; never
// for a device with an error (its prediction would be a guess the kernel does not make).

import type { Span } from '../../../grammar/src/ast';
import type { Analysis } from '../analysis/types';
import { deviceName } from '../kernel/state';
import { formatBytes, hex } from '../units';

export interface InlayHint {
  readonly offset: number;
  readonly label: string;
  readonly tooltip?: string;
}

/** The end of the line holding `offset` (before its newline). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  const end = nl < 0 ? text.length : nl;
  return text[end - 1] === '\r' ? end - 1 : end;
}

export function inlayHints(a: Analysis, within?: Span): InlayHint[] {
  const out: { hint: InlayHint; order: number }[] = [];
  const inside = (o: number) => !within || (o >= within.start && o <= within.end);
  const errors = a.findings.filter((f) => f.severity === 'error').map((f) => f.span);
  const inError = (s: Span) => errors.some((e) => e.start < s.end && e.end > s.start);
  for (const h of a.hosts) {
    const plan = h.plan;
    if (!plan) continue;
    for (const [ld, sd] of plan.assigned) {
      if (inError(ld.decl.span)) continue;
      const at = lineEnd(a.text, ld.labelSpan.end);
      if (inside(at)) {
        const first = sd.ranges[0];
        const more = sd.ranges.length > 1 ? ` (+${sd.ranges.length - 1} range${sd.ranges.length > 2 ? 's' : ''})` : '';
        const tooltip = [
          `${ld.label} becomes ${deviceName(sd)}`,
          ...sd.ranges.map(
            (r) => `${hex(r.start)}..${hex(r.end)} (${formatBytes(r.end - r.start + 1n)}) at page offset ${r.pgoff}`,
          ),
        ].join('\n');
        out.push({
          hint: { offset: at, label: `→ ${deviceName(sd)}${first ? ` @ ${hex(first.start)}${more}` : ''}`, tooltip },
          order: ld.labelSpan.end,
        });
      }
      const size = ld.rest ? plan.targetSize.get(ld) : undefined;
      if (ld.rest && size !== undefined) {
        const restAt = lineEnd(a.text, ld.rest.end);
        if (inside(restAt))
          out.push({ hint: { offset: restAt, label: `rest = ${formatBytes(size)}` }, order: ld.rest.end });
      }
    }
  }
  return out.sort((x, y) => x.hint.offset - y.hint.offset || x.order - y.order).map((x) => x.hint);
}
