// A grammar-aware generator of .dax layouts (docs/language.md): hosts with
// facts files or declared facts, fleets of hosts from an inventory, regions
// with declared geometry, devices with every property. Mostly well-formed and
// plausible (so that the planner, kmem, colours and HMAT paths are reached),
// with a `hostility` share of hostile values: 0, 1, 2, powers of two ± 1,
// 2^63, 2^64, huge and odd strings and names.

import type { Corpus } from './corpus';
import { hostileFacts, factsFor } from './facts-gen';
import { inventoryFor } from './inventory-gen';
import {
  addrLiteral,
  ALIGNS,
  G,
  hostileLiteral,
  M,
  nameValue,
  realisticSize,
  sizeLiteral,
  sizeValue,
  stringContent,
  type Rng,
} from './values';

export interface Generated {
  readonly layout: string;
  readonly files: Record<string, string>;
}

interface Geometry {
  readonly id: number;
  readonly start: bigint;
  readonly size: bigint;
  readonly align: bigint;
  readonly cache?: bigint;
}

/** Where the sample facts files put region 0. */
const FACTS_GEOMETRY: Readonly<Record<string, Geometry>> = {
  'linux-6.1.facts.json': { id: 0, start: 0x1_0000_0000n, size: 2n * G, align: 2n * M },
  'linux-6.12.facts.json': { id: 0, start: 0x1_0000_0000n, size: 2n * G, align: 2n * M },
  'linux-6.1-node1-online.facts.json': { id: 0, start: 0x1_4000_0000n, size: G, align: 2n * M, cache: 256n * M },
};
const DEFAULT_GEOMETRY: Geometry = FACTS_GEOMETRY['linux-6.1.facts.json'] as Geometry;

class Out {
  private readonly lines: string[] = [];
  constructor(private readonly rng: Rng) {}
  line(indent: number, s: string): void {
    const comment = this.rng.chance(0.05)
      ? `  # ${this.rng.pick(['note', 'pinned', '#', 'size 1G', '{', 'é 😀', ''])}`
      : '';
    this.lines.push(' '.repeat(indent) + s + comment);
  }
  blank(): void {
    this.lines.push('');
  }
  text(): string {
    return this.lines.join(this.rng.chance(0.05) ? '\r\n' : '\n') + (this.rng.chance(0.8) ? '\n' : '');
  }
}

const str = (rng: Rng, s: string) => `"${stringContent(rng, s)}"`;

function hostProps(rng: Rng, h: number, factsPath: string | undefined): string[] {
  const props: string[] = [];
  if (rng.chance(0.6))
    props.push(
      `ssh ${str(rng, rng.pick(['root@127.0.0.1', 'root@hbm01.lab', 'hbm01', 'ssh://root@h:22', 'a b', '-oProxyCommand=x']))}`,
    );
  if (rng.chance(0.4))
    props.push(`port ${rng.chance(h) ? hostileLiteral(rng) : rng.pick(['22', '2222', '0', '65535', '65536'])}`);
  if (factsPath !== undefined) props.push(`facts ${rng.chance(h / 4) ? str(rng, factsPath) : `"${factsPath}"`}`);
  if (rng.chance(factsPath ? 0.15 : 0.7))
    props.push(
      `kernel ${str(rng, rng.pick(['6.12.0', '6.1.0-56-amd64', '5.10.0', '6.3.0', '6.8.0', '4.19.0', '99.0', 'x', '6', '6.', '6.1.0-rc1+', '18446744073709551616.1.0']))}`,
    );
  if (rng.chance(factsPath ? 0.1 : 0.5))
    props.push(`arch ${rng.chance(h) ? nameValue(rng, 1) : rng.pick(['x86_64', 'aarch64', 'ppc64le', 'riscv64'])}`);
  if (rng.chance(factsPath ? 0.15 : 0.6))
    props.push(
      `memory-block ${rng.chance(h) ? hostileLiteral(rng) : rng.pick(['128M', '256M', '1G', '2G', '128 MiB', '0x8000000'])}`,
    );
  if (rng.chance(factsPath ? 0.1 : 0.5))
    props.push(`auto-online ${rng.pick(['offline', 'online', 'online_kernel', 'online_movable', 'movable', 'x'])}`);
  if (rng.chance(0.15)) props.push('persist');
  return props;
}

function colours(rng: Rng, h: number): string {
  const word = rng.chance(0.8) ? 'colours' : 'colors';
  const k = rng.pick([2, 4, 8, 16, 128]);
  const n = (x: number) => (rng.chance(h) ? hostileLiteral(rng) : String(x));
  let set: string;
  if (rng.chance(0.3)) set = `any ${n(1 + rng.int(Math.max(1, k / 2)))}`;
  else {
    const parts: string[] = [];
    for (let i = 0, c = rng.int(k); i < rng.range(1, 3) && c < k; i++) {
      const last = Math.min(k - 1, c + rng.int(3));
      parts.push(last > c && rng.chance(0.6) ? `${n(c)}..${n(last)}` : n(c));
      c = last + 1 + rng.int(2);
    }
    set = parts.join(', ') || '0';
  }
  return `${word} ${set}${rng.chance(0.7) ? ` of ${n(k)}` : ''}${rng.chance(0.3) ? ' exclusive' : ''}`;
}

function expect(rng: Rng, h: number): string {
  const metric = rng.pick(['read-latency', 'write-latency', 'read-bandwidth', 'write-bandwidth']);
  const value = rng.chance(h)
    ? hostileLiteral(rng)
    : metric.endsWith('latency')
      ? `${rng.pick([10, 40, 50, 120, 1000])}${rng.pick(['ns', 'us', 'ms', ''])}`
      : `${rng.pick([1, 2048, 10240, 20000])}${rng.pick(['MB/s', 'GB/s', 'MiB/s', ''])}`;
  return `expect ${metric} ${value} from ${rng.chance(0.7) ? 'node ' : ''}${rng.chance(h) ? hostileLiteral(rng) : rng.int(3)}${rng.chance(0.3) ? ` ${rng.pick(['access0', 'access1'])}` : ''}`;
}

function device(rng: Rng, g: Geometry, h: number, index: number, count: number, restUsed: { v: boolean }): string[] {
  const props: string[] = [];
  const share = g.size / BigInt(Math.max(1, count));
  const granule = g.align > 2n * M ? g.align : 2n * M;
  const kind = rng.int(10);
  if (kind < 5) {
    if (!restUsed.v && rng.chance(0.2)) {
      props.push('size rest');
      restUsed.v = true;
    } else props.push(`size ${sizeValue(rng, share > granule ? share : granule, h)}`);
  } else if (kind < 7) {
    const ranges: string[] = [];
    for (let i = 0; i < rng.range(1, 2); i++) {
      const slots = g.size / granule;
      const at = g.start + granule * BigInt(rng.int(Number(slots > 1000n ? 1000n : slots)));
      const len = rng.chance(h) ? null : realisticSize(rng, share > granule ? share : granule);
      if (len === null)
        ranges.push(
          rng.chance(0.5)
            ? `${rng.chance(0.5) ? hostileLiteral(rng) : addrLiteral(rng, at)} + ${hostileLiteral(rng)}`
            : `${addrLiteral(rng, at)}..${hostileLiteral(rng)}`,
        );
      else
        ranges.push(
          rng.chance(0.5)
            ? `${addrLiteral(rng, at)} + ${sizeLiteral(rng, len)}`
            : `${addrLiteral(rng, at)}..${addrLiteral(rng, at + len - 1n)}`,
        );
    }
    props.push(`range ${ranges.join(', ')}`);
  } else if (kind < 9 || g.cache) {
    props.push(colours(rng, h));
  }
  if (rng.chance(0.3)) props.push(`align ${rng.chance(h) ? hostileLiteral(rng) : sizeLiteral(rng, rng.pick(ALIGNS))}`);
  if (rng.chance(0.35)) {
    const sysram = rng.chance(0.7);
    const opts = ['online', 'offline', 'movable', 'normal', 'memmap-on-memory'].filter(() => rng.chance(0.3));
    props.push(`mode ${sysram ? 'system-ram' : 'devdax'}${opts.length ? ' ' + opts.join(' ') : ''}`);
  }
  if (rng.chance(0.1)) props.push(`name ${rng.chance(h) ? nameValue(rng, 1) : `dax${g.id}.${rng.int(count + 2)}`}`);
  if (rng.chance(0.15)) props.push(expect(rng, h));
  if (rng.chance(0.1)) props.push(`owner ${rng.pick(['qemu', '0', '107', 'root', '4294967296'])}`);
  if (rng.chance(0.1)) props.push(`group ${rng.pick(['kvm', '0', '36', 'x-y'])}`);
  if (rng.chance(0.1))
    props.push(
      `permissions ${rng.chance(h) ? hostileLiteral(rng) : rng.pick(['0660', '0600', '0777', '660', '0888', '01777'])}`,
    );
  return rng.chance(0.1) ? rng.pick([[], [...props, ...props], props.slice(1)]) : props;
}

function region(out: Out, rng: Rng, g: Geometry, hostName: string | undefined, declare: boolean, h: number): void {
  const id = rng.chance(h / 2) ? hostileLiteral(rng) : String(g.id);
  out.line(0, `region ${id}${hostName !== undefined ? ` on ${hostName}` : ''} {`);
  const props: string[] = [];
  if (declare) {
    if (rng.chance(0.95)) props.push(`start ${rng.chance(h) ? hostileLiteral(rng) : addrLiteral(rng, g.start)}`);
    if (rng.chance(0.95)) props.push(`size ${rng.chance(h) ? hostileLiteral(rng) : sizeLiteral(rng, g.size)}`);
    if (rng.chance(0.7)) props.push(`align ${rng.chance(h) ? hostileLiteral(rng) : sizeLiteral(rng, g.align)}`);
    if (rng.chance(0.8)) props.push(`node ${rng.chance(h) ? hostileLiteral(rng) : rng.int(4)}`);
    if (rng.chance(0.6)) props.push(rng.pick(['dynamic', 'dynamic', 'static']));
  }
  if (g.cache !== undefined || rng.chance(declare ? 0.3 : 0.05))
    props.push(
      `cache ${rng.chance(h) ? hostileLiteral(rng) : sizeLiteral(rng, g.cache ?? rng.pick([64n * M, 256n * M, G]))}`,
    );
  if (rng.chance(0.1)) props.push('persist');
  for (const p of props) out.line(2, p);
  const count = rng.chance(0.05) ? rng.range(10, 60) : rng.range(0, 5);
  const restUsed = { v: false };
  for (let i = 0; i < count; i++) {
    const label = nameValue(rng, h / 3);
    const ps = device(rng, g, h, i, count, restUsed);
    if (rng.chance(0.7) && ps.length <= 4) out.line(2, `device ${label} { ${ps.join(' ')} }`);
    else {
      out.line(2, `device ${label} {`);
      for (const p of ps) out.line(4, p);
      out.line(2, '}');
    }
  }
  out.line(0, '}');
}

/** A declared geometry: realistic, or with hostile sizes. */
function declaredGeometry(rng: Rng, id: number): Geometry {
  const align = rng.pick([2n * M, 2n * M, 4n * 1024n, G]);
  const size = rng.pick([G, 2n * G, 4n * G, 16n * G, 64n * G, 256n * G]);
  const start =
    rng.pick([0x1_0000_0000n, 0x10_0000_0000n, 0x40_0000_0000n, 0x30_0000_0000n]) + BigInt(id) * 0x100_0000_0000n;
  return { id, start, size, align, ...(rng.chance(0.3) ? { cache: rng.pick([64n * M, 256n * M, G]) } : {}) };
}

/**
 * A layout with the files it names. `hostility` (0..1) is the share of values
 * drawn hostile; the facts files named are the corpus's, mutated at the same rate.
 */
export function generateLayout(rng: Rng, corpus: Corpus, hostility: number): Generated {
  const out = new Out(rng);
  const files: Record<string, string> = {};
  const hosts = rng.range(0, 3);
  const names: string[] = [];
  for (let i = 0; i < hosts; i++) {
    const scenario = rng.weighted<'facts' | 'declared' | 'fleet'>([
      [5, 'facts'],
      [4, 'declared'],
      [1.5, 'fleet'],
    ]) as 'facts' | 'declared' | 'fleet';
    const name = rng.chance(0.9)
      ? `h${i}${rng.pick(['', 'lab', '-x'])}`
      : nameValue(rng, hostility, ['lab61', 'hbm01', 'node', 'online', 'rack1']);
    names.push(name);
    if (i > 0) out.blank();
    if (scenario === 'fleet') {
      const inv = inventoryFor(rng, corpus, hostility);
      const invPath = rng.chance(0.5) ? 'inventory.ini' : inv.yaml ? 'hosts.yml' : 'hosts.ini';
      files[invPath] = inv.text;
      for (const m of inv.members) files[`facts/${m}.json`] = factsFor(rng, corpus, hostility).text;
      out.line(0, `host ${name} {`);
      out.line(2, `hosts ${str(rng, inv.pattern)}`);
      if (rng.chance(0.9)) out.line(2, `inventory "${invPath}"`);
      if (rng.chance(0.85)) out.line(2, `facts "facts/{host}.json"`);
      for (const p of hostProps(rng, hostility, undefined).filter((p) => !p.startsWith('kernel') || rng.chance(0.3)))
        out.line(2, p);
      out.line(0, '}');
      out.blank();
      region(out, rng, DEFAULT_GEOMETRY, name, false, hostility);
      continue;
    }
    if (scenario === 'facts') {
      const f = rng.chance(0.15) ? hostileFacts(rng, corpus) : factsFor(rng, corpus, hostility);
      const path = rng.chance(0.1) ? rng.pick(['missing.json', '', '../x.json', '/abs/x.json']) : f.name;
      files[path] = f.text;
      out.line(0, `host ${name} {`);
      for (const p of hostProps(rng, hostility, path)) out.line(2, p);
      out.line(0, '}');
      out.blank();
      const g = FACTS_GEOMETRY[f.base] ?? DEFAULT_GEOMETRY;
      region(out, rng, g, name, rng.chance(0.1), hostility);
      continue;
    }
    out.line(0, `host ${name} {`);
    for (const p of hostProps(rng, hostility, undefined)) out.line(2, p);
    out.line(0, '}');
    for (let r = 0; r < rng.range(1, 2); r++) {
      out.blank();
      region(out, rng, declaredGeometry(rng, r), name, true, hostility);
    }
  }
  if (hosts === 0 || rng.chance(0.2)) {
    out.blank();
    region(out, rng, declaredGeometry(rng, rng.int(4)), rng.chance(0.1) ? 'nosuchhost' : undefined, true, hostility);
  }
  return { layout: out.text(), files };
}
