// AST → Layout. Tolerant: a value it cannot read becomes an issue and is left
// out; the rest of the declaration is still lowered.

import type {
  Declaration,
  DeviceDecl,
  HostDecl,
  LayoutFile,
  NumberValue,
  Property,
  RegionDecl,
  Span,
  Value,
} from '../../../grammar/src/ast';
import type { AutoOnlinePolicy } from '../host-facts';
import { applyUnit, formatBytes, hex as hexOf } from '../units';
import { cacheProblem, memoryBlockProblem, regionProblem } from '../kernel/limits';
import { ARCHES, DEFAULT_ARCH, type ArchFacts } from '../kernel/tables';
import { patternProblem } from '../fleet/inventory';
import type {
  ColourRequest,
  DeviceMode,
  ExpectMetric,
  Expectation,
  Layout,
  LayoutDevice,
  LayoutHost,
  LayoutRegion,
  LoweringIssue,
  PinnedRange,
  RegionGeometry,
  Spanned,
} from './types';

const AUTO_ONLINE: readonly AutoOnlinePolicy[] = ['offline', 'online', 'online_kernel', 'online_movable'];
const MODE_OPTIONS = ['online', 'offline', 'movable', 'normal', 'memmap-on-memory'] as const;
/** Most colours one device may ask for (a set, or `any N`): beyond it the planner would enumerate for nothing. */
const MAX_COLOURS = 65536;

/** The smallest page of any arch the model knows: a cache below it is no cache. */
const MIN_PAGE = 4096n;

class Lowerer {
  readonly issues: LoweringIssue[] = [];

  problem(
    span: Span,
    message: string,
    kind: LoweringIssue['kind'] = 'value',
    related?: LoweringIssue['related'],
  ): void {
    this.issues.push(related ? { kind, span, message, related } : { kind, span, message });
  }

  /** The single value of a property, or an issue naming what was expected. */
  single(p: Property, expected: string): Value | undefined {
    const v = p.values[0];
    if (!v) {
      // The parser reports the missing value; nothing to add.
      return undefined;
    }
    if (p.values.length > 1) {
      const extra = p.values[1] as Value;
      this.problem(
        { start: extra.span.start, end: (p.values[p.values.length - 1] as Value).span.end },
        `\`${p.key.text}\` takes one value (${expected})`,
      );
    }
    return v;
  }

  bytes(v: Value | undefined, what: string): Spanned<bigint> | undefined {
    if (!v) return undefined;
    if (v.kind !== 'number') {
      this.problem(v.span, `expected ${what}, found \`${textOf(v)}\``);
      return undefined;
    }
    return this.numberBytes(v);
  }

  numberBytes(v: NumberValue): Spanned<bigint> | undefined {
    if (v.value === undefined) {
      this.problem(v.span, v.error ?? `cannot read the number \`${v.text}\``);
      return undefined;
    }
    const r = applyUnit(v.value, v.unit);
    if (!r.ok) {
      this.problem(v.span, r.message);
      return undefined;
    }
    return { value: r.bytes, span: v.span };
  }

  count(v: Value | undefined, what: string): Spanned<number> | undefined {
    if (!v) return undefined;
    if (v.kind !== 'number' || v.value === undefined) {
      this.problem(v.span, `expected ${what}, found \`${textOf(v)}\``);
      return undefined;
    }
    if (v.unit !== undefined) {
      this.problem(v.span, `${what} takes no unit`);
      return undefined;
    }
    if (v.value > 2147483647n) {
      this.problem(v.span, `${what} is too large`);
      return undefined;
    }
    return { value: Number(v.value), span: v.span };
  }

  string(v: Value | undefined, what: string): Spanned<string> | undefined {
    if (!v) return undefined;
    if (v.kind !== 'string') {
      this.problem(v.span, `expected ${what} in double quotes, found \`${textOf(v)}\``);
      return undefined;
    }
    return { value: v.value, span: v.span };
  }

  word(v: Value | undefined, what: string): Spanned<string> | undefined {
    if (!v) return undefined;
    if (v.kind !== 'word') {
      this.problem(v.span, `expected ${what}, found \`${textOf(v)}\``);
      return undefined;
    }
    return { value: v.text, span: v.span };
  }

  host(decl: HostDecl): LayoutHost | undefined {
    if (!decl.name) return undefined;
    const h: {
      -readonly [K in keyof LayoutHost]: LayoutHost[K];
    } = { decl, name: decl.name.text, nameSpan: decl.name.span };
    for (const p of decl.properties) {
      switch (p.key.text) {
        case 'ssh': {
          const s = this.string(this.single(p, 'an SSH destination'), 'an SSH destination');
          if (s) {
            if (s.value.trim() === '' || s.value.startsWith('-') || /[\s\0]/.test(s.value)) {
              this.problem(
                s.span,
                'an SSH destination cannot be empty, start with `-` or contain spaces (it is passed to ssh as one argument)',
              );
            } else h.ssh = s;
          }
          break;
        }
        case 'port': {
          const n = this.count(this.single(p, 'a TCP port'), 'a TCP port');
          if (n && (n.value < 1 || n.value > 65535))
            this.problem(n.span, `port ${n.value} is not a TCP port (1–65535)`);
          else if (n) h.port = n;
          break;
        }
        case 'facts': {
          const s = this.string(this.single(p, 'a facts file path'), 'a facts file path');
          if (s) h.facts = s;
          break;
        }
        case 'hosts': {
          const s = this.string(this.single(p, 'an Ansible host pattern'), 'an Ansible host pattern such as "rack1"');
          if (s) {
            const why = patternProblem(s.value);
            if (why) this.problem(s.span, why);
            else h.pattern = s;
          }
          break;
        }
        case 'inventory': {
          const s = this.string(this.single(p, 'an inventory file path'), 'an inventory file path');
          if (s) h.inventory = s;
          break;
        }
        case 'kernel': {
          const s = this.string(this.single(p, 'a kernel release'), 'a kernel release such as "6.12.117+deb12-amd64"');
          if (s) {
            if (!/^\d+\.\d+/.test(s.value))
              this.problem(
                s.span,
                `"${s.value}" is not a kernel release (expected \`uname -r\` output such as "6.1.0-56-amd64")`,
              );
            else h.kernel = s;
          }
          break;
        }
        case 'arch': {
          const w = this.word(this.single(p, 'an architecture'), 'an architecture (x86_64 or aarch64)');
          if (w) h.arch = w;
          break;
        }
        case 'memory-block': {
          const b = this.bytes(this.single(p, 'a size'), 'a memory block size such as 128M');
          if (b) {
            if (b.value <= 0n || (b.value & (b.value - 1n)) !== 0n)
              this.problem(b.span, 'a memory block size is a power of two (e.g. 128M, 2G)');
            else h.memoryBlock = b;
          }
          break;
          break;
        }
        case 'auto-online': {
          const w = this.word(this.single(p, 'a policy'), `a policy (${AUTO_ONLINE.join(', ')})`);
          if (w) {
            if ((AUTO_ONLINE as readonly string[]).includes(w.value)) h.autoOnline = w as Spanned<AutoOnlinePolicy>;
            else
              this.problem(
                w.span,
                `\`${w.value}\` is not an auto_online_blocks policy; expected one of ${AUTO_ONLINE.join(', ')}`,
              );
          }
          break;
        }
        case 'persist':
          h.persist = p.key.span;
          break;
      }
    }
    // A memory block size no kernel of the declared arch (of any arch, when none is declared) has.
    if (h.memoryBlock) {
      const declared = h.arch ? ARCHES[h.arch.value] : undefined;
      const problems = (declared ? [declared] : Object.values(ARCHES)).map((a) =>
        memoryBlockProblem((h.memoryBlock as Spanned<bigint>).value, a),
      );
      if (problems.every((x) => x !== undefined)) {
        this.problem(
          h.memoryBlock.span,
          `${problems[0]}; write the host's block_size_bytes (128M on most x86-64 and arm64 hosts)`,
        );
        delete h.memoryBlock;
      }
    }
    return h;
  }

  region(decl: RegionDecl): LayoutRegion {
    let id: Spanned<number> | undefined;
    if (decl.id) id = this.count(decl.id, 'a region id');
    const g: { -readonly [K in keyof RegionGeometry]: RegionGeometry[K] } = {};
    let persist: Span | undefined;
    for (const p of decl.properties) {
      switch (p.key.text) {
        case 'start': {
          const b = this.bytes(this.single(p, 'a physical address'), 'a physical address');
          if (b) g.start = b;
          break;
        }
        case 'size': {
          const b = this.bytes(this.single(p, 'a size'), 'a size such as 64G');
          if (b) g.size = b;
          break;
        }
        case 'align': {
          const b = this.bytes(this.single(p, 'an alignment'), 'an alignment such as 2M');
          if (b && (b.value <= 0n || (b.value & (b.value - 1n)) !== 0n))
            this.problem(
              b.span,
              'a region align is a power of two (the provider sets it: 2M for hmem and CXL regions)',
            );
          else if (b) g.align = b;
          break;
        }
        case 'node': {
          const n = this.count(this.single(p, 'a NUMA node'), 'a NUMA node number');
          if (n) g.node = n;
          break;
        }
        case 'cache': {
          const b = this.bytes(this.single(p, 'a cache size'), 'a cache size such as 256M');
          if (b && b.value === 0n) this.problem(b.span, 'a cache of 0 bytes is no cache; drop `cache`');
          else if (b) g.cache = b;
          break;
        }
        case 'dynamic':
        case 'static': {
          const value = p.key.text === 'dynamic';
          if (g.dynamic && g.dynamic.value !== value) {
            this.problem(p.key.span, 'a region is either `dynamic` or `static`, not both', 'value', [
              { span: g.dynamic.span, message: 'declared here' },
            ]);
          } else g.dynamic = { value, span: p.key.span };
          break;
        }
        case 'persist':
          persist = p.key.span;
          break;
      }
    }
    // Geometry no kernel has: checked here, so that nothing is modelled from it.
    if (g.size && g.size.value === 0n) {
      this.problem(g.size.span, 'a region of 0 bytes holds nothing; write its size, such as 64G');
      delete g.size;
    }
    if (g.start && g.size) {
      const p = regionProblem(g.start.value, g.size.value, ARCHES[DEFAULT_ARCH] as ArchFacts);
      if (p) {
        this.problem(g.size.span, `${p}; check start and size`);
        delete g.size;
      }
    }
    if (g.cache) {
      const p = cacheProblem(g.cache.value, MIN_PAGE);
      if (p) {
        this.problem(
          g.cache.span,
          `${p}; write the cache size HMAT reports (memory_side_cache/index1/size), such as 256M`,
        );
        delete g.cache;
      }
    }
    const region: LayoutRegion = {
      decl,
      ...(id ? { id } : {}),
      ...(persist ? { persist } : {}),
      ...(decl.host ? { hostName: { value: decl.host.text, span: decl.host.span } } : {}),
      geometry: g,
      devices: [],
    };
    const seen = new Map<string, Span>();
    for (const d of decl.devices) {
      const dev = this.device(d, region);
      if (!dev) continue;
      const prev = seen.get(dev.label);
      if (prev) {
        this.problem(
          dev.labelSpan,
          `device \`${dev.label}\` is already declared in this region; labels are unique per region`,
          'duplicate',
          [{ span: prev, message: `first \`${dev.label}\`` }],
        );
        continue;
      }
      seen.set(dev.label, dev.labelSpan);
      region.devices.push(dev);
    }
    const rests = region.devices.filter((d) => d.rest);
    for (const extra of rests.slice(1)) {
      this.problem(extra.rest as Span, 'only one device per region can take `size rest`', 'size-conflict', [
        { span: (rests[0] as LayoutDevice).rest as Span, message: 'the first `size rest`' },
      ]);
    }
    return region;
  }

  device(decl: DeviceDecl, region: LayoutRegion): LayoutDevice | undefined {
    if (!decl.label) return undefined;
    const d: { -readonly [K in keyof LayoutDevice]: LayoutDevice[K] } = {
      decl,
      region,
      label: decl.label.text,
      labelSpan: decl.label.span,
      mode: 'devdax',
      online: true,
      movable: true,
      ranges: [],
    };
    const ranges: PinnedRange[] = [];
    const expects: Expectation[] = [];
    const seenKeys = new Map<string, Span>();
    for (const p of decl.properties) {
      const key = p.key.text === 'colors' ? 'colours' : p.key.text;
      if (key !== 'range' && key !== 'expect') {
        const prev = seenKeys.get(key);
        if (prev) {
          this.problem(p.key.span, `\`${key}\` is already set for device \`${d.label}\``, 'duplicate', [
            { span: prev, message: 'first set here' },
          ]);
          continue;
        }
        seenKeys.set(key, p.key.span);
      }
      switch (key) {
        case 'name': {
          const w = this.word(this.single(p, 'a kernel device name'), 'a kernel device name such as dax0.1');
          if (!w) break;
          const m = /^dax(\d+)\.(\d+)$/.exec(w.value);
          if (!m) this.problem(w.span, `\`${w.value}\` is not a dax device name; expected daxR.N (e.g. dax0.1)`);
          else if (region.id && Number(m[1]) !== region.id.value) {
            this.problem(
              w.span,
              `\`${w.value}\` belongs to region ${m[1]}, but this is region ${region.id.value}; use dax${region.id.value}.${m[2]}`,
              'value',
            );
          } else d.kernelName = w;
          break;
        }
        case 'size': {
          const v = this.single(p, 'a size or `rest`');
          if (!v) break;
          if (v.kind === 'word' && v.text === 'rest') d.rest = v.span;
          else {
            const b = this.bytes(v, 'a size such as 48G, or `rest`');
            if (b) {
              if (b.value === 0n)
                this.problem(b.span, 'a device of size 0 holds no memory; remove the device or give it a size');
              else d.size = b;
            }
          }
          break;
        }
        case 'align': {
          const b = this.bytes(this.single(p, 'an alignment'), 'an alignment such as 2M or 1G');
          if (b && b.value === 0n) this.problem(b.span, 'align 0 is not an alignment; use 4K, 2M or 1G');
          else if (b) d.align = b;
          break;
        }
        case 'mode':
          this.mode(p, d);
          break;
        case 'range':
          for (const v of p.values) {
            const r = this.range(v);
            if (r) ranges.push(r);
          }
          break;
        case 'colours': {
          const c = this.colours(p);
          if (c) d.colours = c;
          break;
        }
        case 'expect': {
          const e = this.expectation(p);
          if (e) expects.push(e);
          break;
        }
        case 'owner':
        case 'group': {
          const v = this.single(p, key === 'owner' ? 'a user name' : 'a group name');
          if (!v) break;
          if (v.kind !== 'word' && v.kind !== 'number') {
            this.problem(
              v.span,
              `expected ${key === 'owner' ? 'a user name such as qemu' : 'a group name such as kvm'}, found \`${textOf(v)}\``,
            );
            break;
          }
          d[key] = { value: v.text, span: v.span };
          break;
        }
        case 'permissions': {
          const v = this.single(p, 'an octal file mode');
          if (!v) break;
          if (v.kind !== 'number')
            this.problem(v.span, `expected an octal file mode such as 0660, found \`${textOf(v)}\``);
          else d.permissions = { value: v.text, span: v.span };
          break;
        }
      }
    }
    d.ranges = ranges;
    if (expects.length > 0) d.expects = expects;
    if (d.colours && d.rest) {
      this.problem(
        d.rest,
        '`size rest` cannot be combined with `colours`: the colours give the size; drop `size rest`',
        'size-conflict',
      );
      delete d.rest;
    }
    if (d.colours && ranges.length > 0) {
      this.problem(
        d.colours.span,
        '`colours` and `range` cannot be combined: the colours decide where the device lies; drop one of them',
        'size-conflict',
      );
      delete d.colours;
    }
    if (ranges.length > 0 && d.size) {
      const total = ranges.reduce((s, r) => s + (r.end - r.start + 1n), 0n);
      if (total !== d.size.value) {
        this.problem(
          d.size.span,
          `size ${formatBytes(d.size.value)} does not match the pinned ranges, which add up to ${formatBytes(total)}; drop \`size\` or make them agree`,
          'size-conflict',
        );
      }
    }
    if (ranges.length > 0 && d.rest) {
      this.problem(
        d.rest,
        '`size rest` cannot be combined with pinned ranges: the ranges give the size',
        'size-conflict',
      );
    }
    return d;
  }

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

function textOf(v: Value): string {
  const t =
    v.kind === 'range'
      ? `${v.start.text}${v.op === '+' ? ' + ' : '..'}${(v.op === '+' ? v.length : v.end)?.text ?? ''}`
      : v.text;
  return t.length > 40 ? t.slice(0, 37) + '…' : t;
}

/** What each declaration lowered to, with the issues it raised (lowering a declaration depends on it alone). */
export type LowerMemo = Map<
  Declaration,
  { readonly value: LayoutHost | LayoutRegion | undefined; readonly issues: readonly LoweringIssue[] }
>;

/**
 * The layout of a file. `reuse` (what an earlier lowering recorded in its `record`)
 * gives the result for declarations that are the same objects as then (an incremental
 * re-parse keeps the declarations an edit did not touch), so that their layout
 * objects stay the same objects too.
 */
export function lower(file: LayoutFile, reuse?: LowerMemo, record?: LowerMemo): Layout {
  const l = new Lowerer();
  const hosts: LayoutHost[] = [];
  const regions: LayoutRegion[] = [];
  const hostSeen = new Map<string, Span>();
  const one = <T extends LayoutHost | LayoutRegion | undefined>(decl: Declaration, f: () => T): T => {
    const m = reuse?.get(decl);
    if (m) {
      for (const i of m.issues) l.issues.push(i);
      record?.set(decl, m);
      return m.value as T;
    }
    const at = l.issues.length;
    const value = f();
    record?.set(decl, { value, issues: l.issues.slice(at) });
    return value;
  };
  for (const decl of file.declarations) {
    if (decl.kind === 'host') {
      const h = one(decl, () => l.host(decl));
      if (!h) continue;
      const prev = hostSeen.get(h.name);
      if (prev) {
        l.problem(h.nameSpan, `host \`${h.name}\` is already declared`, 'duplicate', [
          { span: prev, message: 'first declaration' },
        ]);
        continue;
      }
      hostSeen.set(h.name, h.nameSpan);
      hosts.push(h);
    } else {
      regions.push(one(decl, () => l.region(decl)));
    }
  }
  const regionSeen = new Map<string, Span>();
  const unique: LayoutRegion[] = [];
  for (const r of regions) {
    if (!r.id) continue;
    const key = `${r.hostName?.value ?? ''}\u0000${r.id.value}`;
    const prev = regionSeen.get(key);
    if (prev) {
      l.problem(
        r.id.span,
        `region ${r.id.value}${r.hostName ? ` on ${r.hostName.value}` : ''} is already declared; put all its devices in one block`,
        'duplicate',
        [{ span: prev, message: 'first declaration' }],
      );
      continue;
    }
    regionSeen.set(key, r.id.span);
    unique.push(r);
  }
  return { hosts, regions: unique, issues: l.issues };
}
