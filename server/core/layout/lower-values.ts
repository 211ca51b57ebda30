// Device values with a shape of their own: `mode`, `colours`, `expect`, `range` (lower.ts lowers
// the blocks around them).

import type { NumberValue, Property, Span, Value } from '../../../grammar/src/ast';
import { hex as hexOf } from '../units';
import { LowerBase, textOf } from './lower-base';
import type { ColourRequest, DeviceMode, ExpectMetric, Expectation, LayoutDevice, PinnedRange, Spanned } from './types';

const MODE_OPTIONS = ['online', 'offline', 'movable', 'normal', 'memmap-on-memory'] as const;
/** Most colours one device may ask for (a set, or `any N`): beyond it the planner would enumerate for nothing. */
const MAX_COLOURS = 65536;

export class LowerValues extends LowerBase {
  mode(p: Property, d: { -readonly [K in keyof LayoutDevice]: LayoutDevice[K] }): void {
    const [first, ...options] = p.values;
    if (!first) return;
    if (first.kind !== 'word' || (first.text !== 'devdax' && first.text !== 'system-ram')) {
      this.problem(first.span, `\`${textOf(first)}\` is not a mode; expected \`devdax\` or \`system-ram\``);
      return;
    }
    d.mode = first.text as DeviceMode;
    d.modeSpan = p.span;
    const seen = new Map<string, Span>();
    for (const o of options) {
      if (o.kind !== 'word' || !(MODE_OPTIONS as readonly string[]).includes(o.text)) {
        this.problem(o.span, `\`${textOf(o)}\` is not a mode option; expected ${MODE_OPTIONS.join(', ')}`);
        continue;
      }
      if (d.mode === 'devdax') {
        this.problem(
          o.span,
          `\`${o.text}\` applies to system-ram only: a devdax device is not memory the kernel onlines`,
        );
        continue;
      }
      const clash =
        o.text === 'online'
          ? 'offline'
          : o.text === 'offline'
            ? 'online'
            : o.text === 'movable'
              ? 'normal'
              : o.text === 'normal'
                ? 'movable'
                : undefined;
      const clashSpan = clash ? seen.get(clash) : undefined;
      if (clash && clashSpan) {
        this.problem(o.span, `\`${o.text}\` contradicts \`${clash}\``, 'value', [
          { span: clashSpan, message: `\`${clash}\` here` },
        ]);
        continue;
      }
      seen.set(o.text, o.span);
      if (o.text === 'offline') d.online = false;
      if (o.text === 'normal') d.movable = false;
      if (o.text === 'memmap-on-memory') d.memmapOnMemory = o.span;
    }
  }

  /** `colours 0, 2..3 [of K] [exclusive]` or `colours any N [of K] [exclusive]`. */
  colours(p: Property): ColourRequest | undefined {
    const vals = p.values;
    if (vals.length === 0) return undefined;
    const set = new Set<number>();
    let setSpan: Span | undefined;
    let any: Spanned<number> | undefined;
    let of: Spanned<number> | undefined;
    let exclusive: Span | undefined;
    let ok = true;
    const colourNumber = (v: NumberValue): number | undefined => {
      const n = this.count(v, 'a colour number');
      if (!n) ok = false;
      return n?.value;
    };
    let i = 0;
    if (vals[0]?.kind === 'word' && vals[0].text === 'any') {
      const n = vals[1];
      if (!n || n.kind !== 'number') {
        this.problem(n?.span ?? vals[0].span, 'expected how many colours after `any`, such as `any 2`');
        return undefined;
      }
      const c = this.count(n, 'a number of colours');
      if (!c) return undefined;
      if (c.value === 0) {
        this.problem(c.span, 'a device needs at least one colour');
        return undefined;
      }
      if (c.value > MAX_COLOURS) {
        this.problem(c.span, `too many colours: a device can ask for at most ${MAX_COLOURS}`);
        return undefined;
      }
      any = c;
      i = 2;
    } else {
      for (; i < vals.length; i++) {
        const v = vals[i] as Value;
        if (v.kind === 'number') {
          const c = colourNumber(v);
          if (c !== undefined) set.add(c);
        } else if (v.kind === 'range') {
          const a = colourNumber(v.start);
          const b = v.end ? colourNumber(v.end) : undefined;
          if (a === undefined || b === undefined) continue;
          if (b < a) {
            this.problem(v.span, `the colours ${a}..${b} run backwards; write ${b}..${a}`);
            ok = false;
            continue;
          }
          if (b - a + 1 + set.size > MAX_COLOURS) {
            this.problem(v.span, `too many colours: a device can ask for at most ${MAX_COLOURS}`);
            ok = false;
            continue;
          }
          for (let c = a; c <= b; c++) set.add(c);
        } else break;
        setSpan = { start: setSpan?.start ?? v.span.start, end: v.span.end };
      }
      if (!setSpan) {
        if (!ok) return undefined;
        const v = vals[0] as Value;
        this.problem(
          v.span,
          `expected colours such as 0..1 or \`any 2\` after \`${p.key.text}\`, found \`${textOf(v)}\``,
        );
        return undefined;
      }
    }
    for (; i < vals.length; i++) {
      const v = vals[i] as Value;
      if (v.kind === 'word' && v.text === 'of') {
        const k = vals[i + 1];
        if (!k || k.kind !== 'number') {
          this.problem(k?.span ?? v.span, 'expected the number of colours after `of`, such as `of 4`');
          ok = false;
          continue;
        }
        i++;
        const n = this.count(k, 'a number of colours');
        if (!n) ok = false;
        else if (n.value < 2) {
          this.problem(
            n.span,
            `a cache sliced into ${n.value} colour${n.value === 1 ? '' : 's'} has nothing to choose from; use 2 or more`,
          );
          ok = false;
        } else if (n.value > MAX_COLOURS) {
          // the colour maps and rules work per colour: a K past this would cost per colour, not per device
          this.problem(
            n.span,
            `a cache sliced into more than ${MAX_COLOURS} colours is not modelled; use \`of ${MAX_COLOURS}\` or fewer`,
          );
          ok = false;
        } else of = n;
      } else if (v.kind === 'word' && v.text === 'exclusive') {
        exclusive = v.span;
      } else {
        this.problem(
          v.span,
          `\`${textOf(v)}\` is not part of a colour request; expected \`of K\` or \`exclusive\` after the colours`,
        );
        ok = false;
      }
    }
    if (!ok) return undefined;
    if (of) {
      const over = [...set].filter((c) => c >= of.value);
      if (over.length > 0 && setSpan) {
        this.problem(
          setSpan,
          `colour ${over[0]} does not exist when the cache is sliced into ${of.value} colours (they are 0..${of.value - 1})`,
        );
        return undefined;
      }
      if (any && any.value > of.value) {
        this.problem(any.span, `${any.value} colours out of ${of.value}: there are only ${of.value}`);
        return undefined;
      }
    }
    return {
      span: p.span,
      ...(setSpan ? { colours: { value: [...set].sort((a, b) => a - b), span: setSpan } } : {}),
      ...(any ? { any } : {}),
      ...(of ? { of } : {}),
      ...(exclusive ? { exclusive } : {}),
    };
  }

  /** `expect METRIC VALUE from node N [access0 | access1]`. */
  expectation(p: Property): Expectation | undefined {
    const [m, v, ...rest] = p.values;
    const METRICS: readonly ExpectMetric[] = ['read-latency', 'write-latency', 'read-bandwidth', 'write-bandwidth'];
    if (!m) return undefined;
    if (m.kind !== 'word' || !(METRICS as readonly string[]).includes(m.text)) {
      this.problem(m.span, `\`${textOf(m)}\` is not a metric; expected one of ${METRICS.join(', ')}`);
      return undefined;
    }
    const metric = m.text as ExpectMetric;
    const latency = metric.endsWith('latency');
    const example = latency ? '120ns' : '20000MB/s';
    if (!v || v.kind !== 'number' || v.value === undefined) {
      this.problem(
        v?.span ?? m.span,
        `expected a ${latency ? 'latency' : 'bandwidth'} such as ${example} after \`${metric}\``,
      );
      return undefined;
    }
    const units: Record<string, bigint> = latency ? { ns: 1n, us: 1000n } : { 'MB/s': 1n, 'GB/s': 1000n };
    const unit = v.unit ?? '';
    const mult = units[unit];
    if (mult === undefined) {
      this.problem(
        v.span,
        `\`${v.text}\`: a ${latency ? 'latency' : 'bandwidth'} takes the unit ${Object.keys(units).join(' or ')} (HMAT reports ${latency ? 'nanoseconds' : 'MB/s'}), e.g. ${example}`,
      );
      return undefined;
    }
    const num = v.value * mult;
    if (num > 2147483647n || num === 0n) {
      this.problem(v.span, `${v.text} is not a usable ${latency ? 'latency' : 'bandwidth'}`);
      return undefined;
    }
    let initiator: Spanned<number> | undefined;
    let access: 0 | 1 = 0;
    let accessSpan: Span | undefined;
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i] as Value;
      if (w.kind === 'word' && w.text === 'from') {
        const node = rest[i + 1];
        const n = node?.kind === 'word' && node.text === 'node' ? rest[i + 2] : node;
        if (!n || n.kind !== 'number') {
          this.problem(w.span, 'expected the initiator node after `from`, such as `from node 0`');
          return undefined;
        }
        const c = this.count(n, 'a NUMA node number');
        if (!c) return undefined;
        initiator = c;
        i += n === node ? 1 : 2;
      } else if (w.kind === 'word' && (w.text === 'access0' || w.text === 'access1')) {
        access = w.text === 'access1' ? 1 : 0;
        accessSpan = w.span;
      } else {
        this.problem(
          w.span,
          `\`${textOf(w)}\` is not part of an expectation; expected \`from node N\`, then \`access0\` or \`access1\``,
        );
        return undefined;
      }
    }
    if (!initiator) {
      this.problem(p.span, `say where the consumers run: \`expect ${metric} ${v.text} from node 0\``);
      return undefined;
    }
    return {
      span: p.span,
      metric: { value: metric, span: m.span },
      value: { value: Number(num), span: v.span },
      initiator,
      access,
      ...(accessSpan ? { accessSpan } : {}),
    };
  }

  range(v: Value): PinnedRange | undefined {
    if (v.kind !== 'range') {
      this.problem(v.span, `expected a physical range (\`START..END\` or \`START + SIZE\`), found \`${textOf(v)}\``);
      return undefined;
    }
    const start = this.numberBytes(v.start);
    if (!start) return undefined;
    if (v.op === '..') {
      if (!v.end) return undefined;
      const end = this.numberBytes(v.end);
      if (!end) return undefined;
      if (end.value < start.value) {
        this.problem(
          v.span,
          `the range ends (${hexOf(end.value)}) before it starts (${hexOf(start.value)}); END is inclusive`,
          'range-shape',
        );
        return undefined;
      }
      return { start: start.value, end: end.value, span: v.span };
    }
    if (!v.length) return undefined;
    const len = this.numberBytes(v.length);
    if (!len) return undefined;
    if (len.value === 0n) {
      this.problem(v.span, 'a range of length 0 holds no memory', 'range-shape');
      return undefined;
    }
    return { start: start.value, end: start.value + len.value - 1n, span: v.span };
  }
}
