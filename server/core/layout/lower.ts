// AST → Layout. Tolerant: a value it cannot read becomes an issue and is left
// out; the rest of the declaration is still lowered.

import type {
  DeviceDecl,
  HostDecl,
  LayoutFile,
  NumberValue,
  Property,
  RegionDecl,
  Span,
  Value,
} from '../../../grammar/src/ast';
import type { AutoOnlinePolicy } from '../facts/types';
import { applyUnit, formatBytes } from '../units';
import type {
  DeviceMode,
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

class Lowerer {
  readonly issues: LoweringIssue[] = [];

  problem(span: Span, message: string, kind: LoweringIssue['kind'] = 'value', related?: LoweringIssue['related']): void {
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
      this.problem({ start: extra.span.start, end: (p.values[p.values.length - 1] as Value).span.end }, `\`${p.key.text}\` takes one value (${expected})`);
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
              this.problem(s.span, 'an SSH destination cannot be empty, start with `-` or contain spaces (it is passed to ssh as one argument)');
            } else h.ssh = s;
          }
          break;
        }
        case 'port': {
          const n = this.count(this.single(p, 'a TCP port'), 'a TCP port');
          if (n && (n.value < 1 || n.value > 65535)) this.problem(n.span, `port ${n.value} is not a TCP port (1–65535)`);
          else if (n) h.port = n;
          break;
        }
        case 'facts': {
          const s = this.string(this.single(p, 'a facts file path'), 'a facts file path');
          if (s) h.facts = s;
          break;
        }
        case 'kernel': {
          const s = this.string(this.single(p, 'a kernel release'), 'a kernel release such as "6.12.117+deb12-amd64"');
          if (s) {
            if (!/^\d+\.\d+/.test(s.value)) this.problem(s.span, `"${s.value}" is not a kernel release (expected \`uname -r\` output such as "6.1.0-56-amd64")`);
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
            if (b.value <= 0n || (b.value & (b.value - 1n)) !== 0n) this.problem(b.span, 'a memory block size is a power of two (e.g. 128M, 2G)');
            else h.memoryBlock = b;
          }
          break;
        }
        case 'auto-online': {
          const w = this.word(this.single(p, 'a policy'), `a policy (${AUTO_ONLINE.join(', ')})`);
          if (w) {
            if ((AUTO_ONLINE as readonly string[]).includes(w.value)) h.autoOnline = w as Spanned<AutoOnlinePolicy>;
            else this.problem(w.span, `\`${w.value}\` is not an auto_online_blocks policy; expected one of ${AUTO_ONLINE.join(', ')}`);
          }
          break;
        }
        case 'persist':
          h.persist = p.key.span;
          break;
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
          if (b && (b.value <= 0n || (b.value & (b.value - 1n)) !== 0n)) this.problem(b.span, 'a region align is a power of two (the provider sets it: 2M for hmem and CXL regions)');
          else if (b) g.align = b;
          break;
        }
        case 'node': {
          const n = this.count(this.single(p, 'a NUMA node'), 'a NUMA node number');
          if (n) g.node = n;
          break;
        }
        case 'dynamic':
        case 'static': {
          const value = p.key.text === 'dynamic';
          if (g.dynamic && g.dynamic.value !== value) {
            this.problem(p.key.span, 'a region is either `dynamic` or `static`, not both', 'value', [{ span: g.dynamic.span, message: 'declared here' }]);
          } else g.dynamic = { value, span: p.key.span };
          break;
        }
        case 'persist':
          persist = p.key.span;
          break;
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
        this.problem(dev.labelSpan, `device \`${dev.label}\` is already declared in this region; labels are unique per region`, 'duplicate', [
          { span: prev, message: `first \`${dev.label}\`` },
        ]);
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
    const seenKeys = new Map<string, Span>();
    for (const p of decl.properties) {
      const key = p.key.text;
      if (key !== 'range') {
        const prev = seenKeys.get(key);
        if (prev) {
          this.problem(p.key.span, `\`${key}\` is already set for device \`${d.label}\``, 'duplicate', [{ span: prev, message: 'first set here' }]);
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
            this.problem(w.span, `\`${w.value}\` belongs to region ${m[1]}, but this is region ${region.id.value}; use dax${region.id.value}.${m[2]}`, 'value');
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
              if (b.value === 0n) this.problem(b.span, 'a device of size 0 holds no memory; remove the device or give it a size');
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
      }
    }
    d.ranges = ranges;
    if (ranges.length > 0 && d.size) {
      const total = ranges.reduce((s, r) => s + (r.end - r.start + 1n), 0n);
      if (total !== d.size.value) {
        this.problem(d.size.span, `size ${formatBytes(d.size.value)} does not match the pinned ranges, which add up to ${formatBytes(total)}; drop \`size\` or make them agree`, 'size-conflict');
      }
    }
    if (ranges.length > 0 && d.rest) {
      this.problem(d.rest, '`size rest` cannot be combined with pinned ranges: the ranges give the size', 'size-conflict');
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
        this.problem(o.span, `\`${o.text}\` applies to system-ram only: a devdax device is not memory the kernel onlines`);
        continue;
      }
      const clash = o.text === 'online' ? 'offline' : o.text === 'offline' ? 'online' : o.text === 'movable' ? 'normal' : o.text === 'normal' ? 'movable' : undefined;
      const clashSpan = clash ? seen.get(clash) : undefined;
      if (clash && clashSpan) {
        this.problem(o.span, `\`${o.text}\` contradicts \`${clash}\``, 'value', [{ span: clashSpan, message: `\`${clash}\` here` }]);
        continue;
      }
      seen.set(o.text, o.span);
      if (o.text === 'offline') d.online = false;
      if (o.text === 'normal') d.movable = false;
      if (o.text === 'memmap-on-memory') d.memmapOnMemory = o.span;
    }
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
        this.problem(v.span, `the range ends (${hexOf(end.value)}) before it starts (${hexOf(start.value)}); END is inclusive`, 'range-shape');
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

function hexOf(v: bigint): string {
  return '0x' + v.toString(16);
}

function textOf(v: Value): string {
  const t = v.kind === 'range' ? `${v.start.text}${v.op === '+' ? ' + ' : '..'}${(v.op === '+' ? v.length : v.end)?.text ?? ''}` : v.text;
  return t.length > 40 ? t.slice(0, 37) + '…' : t;
}

export function lower(file: LayoutFile): Layout {
  const l = new Lowerer();
  const hosts: LayoutHost[] = [];
  const regions: LayoutRegion[] = [];
  const hostSeen = new Map<string, Span>();
  for (const decl of file.declarations) {
    if (decl.kind === 'host') {
      const h = l.host(decl);
      if (!h) continue;
      const prev = hostSeen.get(h.name);
      if (prev) {
        l.problem(h.nameSpan, `host \`${h.name}\` is already declared`, 'duplicate', [{ span: prev, message: 'first declaration' }]);
        continue;
      }
      hostSeen.set(h.name, h.nameSpan);
      hosts.push(h);
    } else {
      regions.push(l.region(decl));
    }
  }
  const regionSeen = new Map<string, Span>();
  const unique: LayoutRegion[] = [];
  for (const r of regions) {
    if (!r.id) continue;
    const key = `${r.hostName?.value ?? ''}\u0000${r.id.value}`;
    const prev = regionSeen.get(key);
    if (prev) {
      l.problem(r.id.span, `region ${r.id.value}${r.hostName ? ` on ${r.hostName.value}` : ''} is already declared; put all its devices in one block`, 'duplicate', [
        { span: prev, message: 'first declaration' },
      ]);
      continue;
    }
    regionSeen.set(key, r.id.span);
    unique.push(r);
  }
  return { hosts, regions: unique, issues: l.issues };
}
