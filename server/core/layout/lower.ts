// AST → Layout. Tolerant: a value it cannot read becomes an issue and is left
// out; the rest of the declaration is still lowered. Values are read by lower-base.ts, device
// values with shapes of their own by lower-values.ts, `cxl region` blocks by lower-cxl.ts.

import type { Declaration, DeviceDecl, HostDecl, LayoutFile, RegionDecl, Span } from '../../../grammar/src/ast';
import type { AutoOnlinePolicy } from '../host-facts';
import { formatBytes } from '../units';
import { cacheProblem, memoryBlockProblem, regionProblem } from '../kernel/limits';
import { ARCHES, DEFAULT_ARCH, type ArchFacts } from '../kernel/tables';
import { patternProblem } from '../fleet/inventory';
import { textOf } from './lower-base';
import { LowerValues } from './lower-values';
import { cxlAsk } from './lower-cxl';
import type {
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

/** The smallest page of any arch the model knows: a cache below it is no cache. */
const MIN_PAGE = 4096n;

class Lowerer extends LowerValues {
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
    const cxl = cxlAsk(this, decl);
    if (decl.cxl) for (const k of ['start', 'align', 'node', 'dynamic'] as const) delete g[k];
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
      ...(cxl ? { cxl } : {}),
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
    const named = r.id ?? r.cxl?.label;
    if (!named) continue;
    const what = r.id ? `region ${r.id.value}` : `cxl region ${r.cxl?.label.value}`;
    const key = `${r.hostName?.value ?? ''}\u0000${r.id ? r.id.value : `cxl:${r.cxl?.label.value}`}`;
    const prev = regionSeen.get(key);
    if (prev) {
      l.problem(
        named.span,
        `${what}${r.hostName ? ` on ${r.hostName.value}` : ''} is already declared; put all its devices in one block`,
        'duplicate',
        [{ span: prev, message: 'first declaration' }],
      );
      continue;
    }
    regionSeen.set(key, named.span);
    unique.push(r);
  }
  return { hosts, regions: unique, issues: l.issues };
}
