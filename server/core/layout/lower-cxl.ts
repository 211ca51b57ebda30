// `cxl region LABEL { window … memdevs … granularity … size … adopt … }` → CxlRegionAsk
// (`adopt regionN`, or `adopt START..END` / `START + SIZE`: the region with that physical range)
// (docs/cxl.md, "Declaring a CXL region"). Only the shape of the values is judged here; what the
// host's window and memdevs can take is judged by the rules DAX100–DAX106 against the facts.

import type { Property, RegionDecl, Span } from '../../../grammar/src/ast';
import type { LowerBase } from './lower-base';
import { textOf } from './lower-base';
import type { LowerValues } from './lower-values';
import type { CxlMemdevRef, CxlRegionAsk } from './types';

/** Keys only a `cxl region` takes. */
export const CXL_ONLY_KEYS: readonly string[] = ['window', 'memdevs', 'granularity', 'adopt'];
/** Region keys that mean nothing for a `cxl region`: the kernel sets them. */
const KERNEL_SET: Readonly<Record<string, string>> = {
  start: 'its physical start is allocated by the kernel from the window',
  align: 'its dax region is aligned to 2M by the kernel',
  node: "its memory comes up on the window's NUMA node",
  dynamic: 'its dax region is always dynamic',
  static: 'its dax region is always dynamic',
};

function memdevs(b: LowerBase, p: Property): CxlRegionAsk['memdevs'] {
  const refs: CxlMemdevRef[] = [];
  let ok = true;
  for (const v of p.values) {
    if (v.kind === 'word') {
      if (!/^mem\d+$/.test(v.text)) {
        b.problem(
          v.span,
          `\`${textOf(v)}\` is not a memdev name; write memN (as in /sys/bus/cxl/devices) or its serial number`,
        );
        ok = false;
      } else refs.push({ name: v.text, span: v.span });
    } else if (v.kind === 'number') {
      if (v.value === undefined || v.unit !== undefined) {
        b.problem(v.span, `\`${v.text}\` is not a serial number; write it as the memdev's serial reads, such as 0x2`);
        ok = false;
      } else refs.push({ serial: v.value, span: v.span });
    }
  }
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i] as CxlMemdevRef;
    const j = refs.findIndex((x) => (r.name !== undefined ? x.name === r.name : x.serial === r.serial));
    if (j < i) {
      b.problem(
        r.span,
        `\`${r.name ?? `0x${(r.serial ?? 0n).toString(16)}`}\` is already in position ${j}: a memdev takes one interleave position`,
        'duplicate',
        [{ span: (refs[j] as CxlMemdevRef).span, message: `position ${j}` }],
      );
      ok = false;
    }
  }
  if (!ok || refs.length === 0) return undefined;
  return {
    refs,
    span: { start: (refs[0] as CxlMemdevRef).span.start, end: (refs[refs.length - 1] as CxlMemdevRef).span.end },
  };
}

/** The CXL part of a region block: for a `cxl region`, its ask; for a plain region, issues on CXL keys. */
export function cxlAsk(b: LowerValues, decl: RegionDecl): CxlRegionAsk | undefined {
  if (!decl.cxl) {
    for (const p of decl.properties)
      if (CXL_ONLY_KEYS.includes(p.key.text))
        b.problem(
          p.key.span,
          `\`${p.key.text}\` belongs to a \`cxl region\` block (\`cxl region LABEL on HOST { … }\`), not to region ${decl.id?.text ?? ''}`.trimEnd(),
        );
    return undefined;
  }
  if (!decl.label) return undefined;
  const ask: { -readonly [K in keyof CxlRegionAsk]: CxlRegionAsk[K] } = {
    label: { value: decl.label.text, span: decl.label.span },
  };
  const seen = new Map<string, Span>();
  for (const p of decl.properties) {
    const key = p.key.text;
    const why = KERNEL_SET[key];
    if (why) {
      b.problem(p.key.span, `a CXL region takes no \`${key}\`: ${why}; drop it`);
      continue;
    }
    if (!CXL_ONLY_KEYS.includes(key)) continue;
    const prev = seen.get(key);
    if (prev) {
      b.problem(p.key.span, `\`${key}\` is already set for cxl region \`${ask.label.value}\``, 'duplicate', [
        { span: prev, message: 'first set here' },
      ]);
      continue;
    }
    seen.set(key, p.key.span);
    switch (key) {
      case 'window': {
        const w = b.word(b.single(p, 'a root decoder'), 'a CXL window (root decoder) such as decoder0.0');
        if (w && !/^decoder\d+\.\d+$/.test(w.value))
          b.problem(w.span, `\`${w.value}\` is not a decoder name; a window is a root decoder such as decoder0.0`);
        else if (w) ask.window = w;
        break;
      }
      case 'memdevs': {
        const m = memdevs(b, p);
        if (m) ask.memdevs = m;
        break;
      }
      case 'granularity': {
        const g = b.bytes(b.single(p, 'a granularity'), 'an interleave granularity such as 256 or 4K');
        if (g && (g.value === 0n || g.value > 0x7fffffffn))
          b.problem(g.span, 'an interleave granularity is a power of two from 256 to 16K');
        else if (g) ask.granularity = { value: Number(g.value), span: g.span };
        break;
      }
      case 'adopt': {
        const v = b.single(p, 'a region name or its physical range');
        // by its physical range (`START..END` or `START + SIZE`, as for a device's `range`)
        if (v?.kind === 'range') {
          const r = b.range(v);
          if (r) ask.adoptRange = r;
          break;
        }
        const w = b.word(v, 'the name of an existing CXL region such as region0, or its range START..END');
        if (w && !/^region\d+$/.test(w.value))
          b.problem(
            w.span,
            `\`${w.value}\` is not a CXL region name; write regionN, as in /sys/bus/cxl/devices, or the region's physical range START..END`,
          );
        else if (w) ask.adopt = w;
        break;
      }
    }
  }
  if (!ask.adopt && !ask.adoptRange && !ask.memdevs && !seen.has('memdevs'))
    b.problem(
      decl.label.span,
      `cxl region \`${ask.label.value}\` names no memdevs: write \`memdevs mem0, mem1\` (interleave positions in order), or \`adopt regionN\` (or \`adopt START..END\`) to take over an existing region`,
    );
  return ask;
}
