// Facts check: what the facts reader makes of a capture dump (test/vm/capture.sh plus the node
// and HMAT sections below) against what the guest's own files say, read independently in the
// same ssh round trip: `daxctl list -RDMi` for regions and devices, direct `cat`s of the NUMA
// node files (cpulist, MemTotal, accessK/initiators/*, memory_side_cache/indexL/*) and of the
// memory blocks. Three moments of one boot: the boot state; node 1's memory online (6.1 moves
// dax0.0 from device_dax to kmem first); after that memory was removed and added back (the
// HMAT attributes of a node are registered once: they do not come back).

import type { HostFacts, NodeFacts } from '../../server/core/host-facts';
import { factsFrom } from './compare';
import type { Session, BootFn } from './session';

export interface FactsCheckResult {
  compared: number;
  agree: number;
  diffs: string[];
  /** Differences with a known, documented explanation (counted as agreeing). */
  explained: string[];
  phases: string[];
}

/** The node sections of a capture dump (docs/facts.md, "Capture dumps"). */
const NODE_CAPTURE = String.raw`
for nd in /sys/devices/system/node/node[0-9]*; do
  for a in cpulist meminfo; do echo "### $nd/$a"; cat $nd/$a; done
  for a in $nd/access[0-9]*; do
    [ -d "$a" ] || continue
    for x in read_latency write_latency read_bandwidth write_bandwidth; do [ -e $a/initiators/$x ] && { echo "### $a/initiators/$x"; cat $a/initiators/$x; }; done
    for l in $a/initiators/node* $a/targets/node*; do [ -L "$l" ] && echo "### $l -> $(readlink $l)"; done
  done
  for c in $nd/memory_side_cache/index*; do
    [ -d "$c" ] || continue
    for x in size line_size indexing write_policy address_mode; do [ -e $c/$x ] && { echo "### $c/$x"; cat $c/$x; }; done
  done
done
`;

/** The same files read plainly, one `KEY VALUE` line each, parsed by this check alone. */
const RAW = String.raw`
echo "online $(cat /sys/devices/system/node/online)"
for nd in /sys/devices/system/node/node[0-9]*; do
  n=${'$'}{nd##*node}
  echo "node $n cpulist $(cat $nd/cpulist)"
  echo "node $n memtotal $(awk '/MemTotal/{print $4}' $nd/meminfo)"
  for a in $nd/access[0-9]*; do
    [ -d "$a" ] || continue
    k=${'$'}{a##*access}
    for x in read_latency write_latency read_bandwidth write_bandwidth; do [ -e $a/initiators/$x ] && echo "node $n access $k $x $(cat $a/initiators/$x)"; done
    echo "node $n access $k initiators $(cd $a/initiators && ls -d node* 2>/dev/null | sed 's/node//' | sort -n | tr '\n' ' ')"
  done
  for c in $nd/memory_side_cache/index*; do
    [ -d "$c" ] || continue
    l=${'$'}{c##*index}
    for x in size line_size indexing write_policy; do echo "node $n cache $l $x $(cat $c/$x)"; done
  done
  for b in $nd/memory[0-9]*; do [ -e "$b/state" ] && echo "node $n block ${'$'}{b##*memory} $(cat $b/state) $(cat $b/valid_zones)"; done
done
`;

function program(capture: string, kernelDriver: string): string {
  const phase = (name: string) =>
    [
      `echo "@@PHASE ${name}"`,
      'echo @@CAPTURE',
      capture.trim(),
      NODE_CAPTURE.trim(),
      'echo @@END',
      'echo @@DAXCTL; daxctl list -RDMi; echo @@END',
      'echo @@RAW',
      RAW.trim(),
      'echo @@END',
    ].join('\n');
  const first =
    'b1=$(ls -d /sys/devices/system/node/node1/memory[0-9]* | head -n 1); b2=$(ls -d /sys/devices/system/node/node1/memory[0-9]* | sed -n 2p)';
  return [
    'exec 2>&1',
    phase('boot'),
    // node 1 online: dax0.0 to kmem (6.1 matches kmem only through new_id), two blocks online
    ...(kernelDriver === 'device_dax'
      ? ['echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind', 'echo dax0.0 > /sys/bus/dax/drivers/kmem/new_id']
      : []),
    first,
    'echo online_movable > $b1/state; echo online_movable > $b2/state',
    phase('online'),
    // removed and added back: offline, unbind kmem (memory removed), bind again, online one block
    'echo offline > $b1/state; echo offline > $b2/state',
    'echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind',
    'echo dax0.0 > /sys/bus/dax/drivers/kmem/bind',
    first,
    'echo online_movable > $b1/state',
    phase('re-added'),
  ].join('\n');
}

interface Raw {
  online: number[];
  nodes: Map<
    number,
    {
      cpus: string;
      memTotal?: bigint;
      access: Map<number, Record<string, string>>;
      caches: Map<number, Record<string, string>>;
      blocks: Map<number, string>;
    }
  >;
}

function parseList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.trim().split(',')) {
    if (!part) continue;
    const [a = 0, b = a] = part.split('-').map(Number);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

function parseRaw(text: string): Raw {
  const raw: Raw = { online: [], nodes: new Map() };
  const node = (n: number) => {
    let x = raw.nodes.get(n);
    if (!x) raw.nodes.set(n, (x = { cpus: '', access: new Map(), caches: new Map(), blocks: new Map() }));
    return x;
  };
  for (const l of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^online (.*)$/.exec(l))) raw.online = parseList(m[1] as string);
    else if ((m = /^node (\d+) cpulist ?(.*)$/.exec(l))) node(Number(m[1])).cpus = (m[2] as string).trim();
    else if ((m = /^node (\d+) memtotal (\d+)$/.exec(l))) node(Number(m[1])).memTotal = BigInt(m[2] as string) * 1024n;
    else if ((m = /^node (\d+) access (\d+) (\S+) ?(.*)$/.exec(l))) {
      const a = node(Number(m[1])).access;
      const k = Number(m[2]);
      const rec = a.get(k) ?? {};
      rec[m[3] as string] = (m[4] as string).trim();
      a.set(k, rec);
    } else if ((m = /^node (\d+) cache (\d+) (\S+) (.*)$/.exec(l))) {
      const c = node(Number(m[1])).caches;
      const rec = c.get(Number(m[2])) ?? {};
      rec[m[3] as string] = (m[4] as string).trim();
      c.set(Number(m[2]), rec);
    } else if ((m = /^node (\d+) block (\d+) (\S+) ?(.*)$/.exec(l)))
      node(Number(m[1])).blocks.set(Number(m[2]), `${m[3]}${m[3] === 'online' ? ' ' + (m[4] as string).trim() : ''}`);
  }
  return raw;
}

/**
 * Differences that are understood and documented (docs/fidelity.md, "Facts check"): shown as
 * explained, not counted as failures.
 */
const EXPLAINED: { where: RegExp; facts: RegExp; guest: RegExp; why: string }[] = [
  {
    where: /^re-added: node\d+ access[01]$/,
    facts: /^\{"initiators":\[\d+(,\d+)*\]\}$/,
    guest: /^undefined$/,
    why: "HMAT registers a target node once: after its memory was removed and added back, nodeT/accessK/ is not created again, but the initiator's nodeI/accessK/targets/nodeT link stays; the facts reader, which also reads those reverse links, keeps the initiator without performance values",
  },
];

class Tally {
  compared = 0;
  agree = 0;
  diffs: string[] = [];
  explained: string[] = [];
  eq(where: string, facts: unknown, real: unknown): void {
    this.compared++;
    const a = JSON.stringify(facts, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'undefined';
    const b = JSON.stringify(real, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'undefined';
    if (a === b) {
      this.agree++;
      return;
    }
    const known = EXPLAINED.find((x) => x.where.test(where) && x.facts.test(a) && x.guest.test(b));
    if (known) {
      this.agree++;
      this.explained.push(`${where}: facts=${a} guest=${b} — ${known.why}`);
    } else this.diffs.push(`${where}: facts=${a} guest=${b}`);
  }
}

function checkPhase(t: Tally, phase: string, facts: HostFacts, daxctl: unknown, raw: Raw): void {
  // regions and devices against daxctl list -RDMi
  const regions = Array.isArray(daxctl) ? (daxctl as Record<string, unknown>[]) : [];
  t.eq(
    `${phase}: region ids`,
    facts.regions.map((r) => r.id),
    regions.map((r) => r.id),
  );
  for (const r of facts.regions) {
    const d = regions.find((x) => x.id === r.id) ?? {};
    const w = `${phase}: region ${r.id}`;
    t.eq(`${w} path`, r.path, `/sys/devices${String(d.path)}`);
    t.eq(`${w} size`, r.size, BigInt(Number(d.size ?? -1)));
    t.eq(`${w} align`, r.align, BigInt(Number(d.align ?? -1)));
    const used = r.devices.reduce((a, x) => a + x.size, 0n);
    t.eq(`${w} available_size`, r.size - used, BigInt(Number(d.available_size ?? 0)));
    const devs = ((d.devices as Record<string, unknown>[] | undefined) ?? []).sort((a, b) =>
      String(a.chardev).localeCompare(String(b.chardev), 'en', { numeric: true }),
    );
    t.eq(
      `${w} devices`,
      r.devices.map((x) => x.name),
      devs.map((x) => x.chardev),
    );
    for (const dev of r.devices) {
      const j = devs.find((x) => x.chardev === dev.name) ?? {};
      const v = `${phase}: ${dev.name}`;
      t.eq(`${v} size`, dev.size, BigInt(Number(j.size ?? -1)));
      t.eq(`${v} align`, dev.align, BigInt(Number(j.align ?? -1)));
      t.eq(`${v} target_node`, dev.targetNode, j.target_node ?? -1);
      t.eq(`${v} driver`, dev.driver, j.state === 'disabled' ? null : j.mode === 'system-ram' ? 'kmem' : 'device_dax');
      const maps = ((j.mappings as Record<string, number>[] | undefined) ?? []).sort(
        (a, b) => (a.page_offset ?? 0) - (b.page_offset ?? 0),
      );
      t.eq(
        `${v} mappings`,
        dev.mappings.map((m) => [m.start, m.end, m.pageOffset]),
        maps.map((m) => [BigInt(m.start ?? -1), BigInt(m.end ?? -1), BigInt(m.page_offset ?? -1)]),
      );
      if (dev.driver === 'kmem') {
        const blocks = facts.memoryBlocks.filter((b) => b.node === dev.targetNode);
        t.eq(`${v} online_memblocks`, blocks.filter((b) => b.state === 'online').length, j.online_memblocks);
        t.eq(`${v} total_memblocks`, blocks.length, j.total_memblocks);
      }
    }
  }
  // nodes against the node files: every node directory is in the facts; the facts may also
  // list a region's target node that has no directory (no memory yet: 6.1 at boot), as offline
  t.eq(
    `${phase}: node ids`,
    facts.nodes.map((n) => n.id).filter((id) => raw.nodes.has(id)),
    [...raw.nodes.keys()].sort((a, b) => a - b),
  );
  for (const n of facts.nodes) {
    const r = raw.nodes.get(n.id);
    const w = `${phase}: node${n.id}`;
    if (!r) {
      t.eq(
        `${w} without a sysfs directory`,
        { online: n.online, cpus: n.cpus, access0: n.access0, access1: n.access1, caches: n.caches.length },
        { online: raw.online.includes(n.id), cpus: '', access0: undefined, access1: undefined, caches: 0 },
      );
      continue;
    }
    t.eq(`${w} cpulist`, n.cpus, r.cpus);
    t.eq(`${w} online`, n.online, raw.online.includes(n.id));
    t.eq(`${w} MemTotal`, n.memTotal, r.memTotal);
    for (const k of [0, 1] as const) {
      const fa = (k === 0 ? n.access0 : n.access1) as NodeFacts['access0'];
      const ra = r.access.get(k);
      const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
      t.eq(
        `${w} access${k}`,
        fa
          ? {
              initiators: fa.initiators,
              readLatency: fa.readLatency,
              writeLatency: fa.writeLatency,
              readBandwidth: fa.readBandwidth,
              writeBandwidth: fa.writeBandwidth,
            }
          : undefined,
        ra
          ? {
              initiators: (ra.initiators ?? '').trim() ? (ra.initiators as string).trim().split(/\s+/).map(Number) : [],
              readLatency: num(ra.read_latency),
              writeLatency: num(ra.write_latency),
              readBandwidth: num(ra.read_bandwidth),
              writeBandwidth: num(ra.write_bandwidth),
            }
          : undefined,
      );
    }
    t.eq(
      `${w} memory_side_cache`,
      n.caches.map((c) => ({
        level: c.level,
        size: c.size,
        lineSize: c.lineSize,
        indexing: c.indexing,
        writePolicy: c.writePolicy,
      })),
      [...r.caches]
        .sort((a, b) => a[0] - b[0])
        .map(([level, c]) => ({
          level,
          size: BigInt(c.size ?? '-1'),
          lineSize: Number(c.line_size),
          indexing: Number(c.indexing),
          writePolicy: Number(c.write_policy),
        })),
    );
    // memory blocks of the node that the facts keep (dax memory)
    const kept = facts.memoryBlocks.filter((b) => b.node === n.id);
    t.eq(
      `${w} dax memory blocks`,
      kept.map((b) => `${b.index} ${b.state}${b.state === 'online' ? ' ' + (b.zone ?? '?') : ''}`),
      kept.map((b) => `${b.index} ${r.blocks.get(b.index) ?? 'absent'}`),
    );
    // and every block the node lists inside a dax region is kept
    const inRegion = [...r.blocks.keys()].filter((i) =>
      facts.regions.some(
        (reg) =>
          reg.start !== undefined &&
          BigInt(i) * facts.memoryBlockSize >= reg.start &&
          BigInt(i) * facts.memoryBlockSize < reg.start + reg.size,
      ),
    );
    t.eq(
      `${w} dax memory block list`,
      kept.map((b) => b.index),
      inRegion.sort((a, b) => a - b),
    );
  }
}

export async function factsCheck(
  session: Session,
  boot: BootFn,
  capture: string,
  log: (s: string) => void,
): Promise<FactsCheckResult> {
  const vm = await boot({ kernel: session.kernel });
  try {
    const driver = session.bootFacts?.regions[0]?.devices[0]?.driver ?? 'device_dax';
    const r = await vm.ssh(program(capture, driver), undefined, { timeoutMs: 120_000 });
    const t = new Tally();
    const phases: string[] = [];
    for (const chunk of r.stdout.split(/^@@PHASE /m).slice(1)) {
      const name = chunk.split('\n')[0] as string;
      const sec = (tag: string) => new RegExp(`@@${tag}\\n([\\s\\S]*?)\\n@@END`).exec(chunk)?.[1] ?? '';
      const cap = sec('CAPTURE') + '\n';
      const release = /### uname -r\n(\S+)/.exec(cap)?.[1] ?? session.release;
      const f = factsFrom(cap, release);
      if (!f.facts) {
        t.eq(`${name}: facts readable`, f.error, undefined);
        continue;
      }
      let daxctl: unknown = [];
      try {
        daxctl = JSON.parse(sec('DAXCTL') || '[]');
      } catch {
        daxctl = [];
      }
      const before = t.compared;
      checkPhase(t, name, f.facts, daxctl, parseRaw(sec('RAW')));
      const n1 = f.facts.nodes.find((n) => n.id === 1);
      phases.push(
        `${name}: ${t.compared - before} values; node1 ${n1?.online ? 'online' : 'offline'}, access0 ${n1?.access0 ? 'present' : 'absent'}, caches ${n1?.caches.length ?? 0}, MemTotal ${n1?.memTotal ?? '?'}`,
      );
    }
    for (const p of phases) log(`  facts check ${p}`);
    return { compared: t.compared, agree: t.agree, diffs: t.diffs, explained: t.explained, phases };
  } finally {
    await vm.shutdown();
  }
}
