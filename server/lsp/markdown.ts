// HoverInfo → compact Markdown. Numbers are printed as the core gives them;
// this file only formats (bytes in binary units, addresses in hex).

import {
  colourList,
  formatApprox,
  formatBytes,
  hex,
  type CxlMemdevHover,
  type CxlWindowHover,
  type DeviceHover,
  type FactsStatus,
  type HostHover,
  type HoverInfo,
  type KeywordHover,
  type NodeInfo,
  type RegionColourMap,
  type RegionHover,
  type ValueHover,
} from '../core/index';

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Rows without a header row (the title is a line above the table, where it does not wrap). */
function rowsTable(rows: [string, string][]): string {
  return ['| | |', '|:--|:--|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)].join('\n');
}

function kindOfFacts(f: FactsStatus): string {
  switch (f.kind) {
    case 'facts':
      return 'daxlayout facts file';
    case 'daxctl':
      return '`daxctl list -RDMi` output';
    case 'capture':
      return 'capture dump';
    default:
      return f.origin === 'declared' ? 'declared in the layout' : '';
  }
}

function factsFooter(f: FactsStatus, withAssumptions: boolean): string[] {
  const out: string[] = [];
  for (const p of f.problems) out.push(`⚠ ${p}`);
  if (f.origin === 'none' || f.origin === 'undeclared')
    out.push(`**No facts**${f.path ? ` (${code(f.path)} could not be used)` : ''}. ${f.help ?? ''}`);
  else if (f.origin === 'declared')
    out.push(`_Predicted from the layout's declarations, not from a captured host._ ${f.help ?? ''}`.trimEnd());
  else if (f.path) out.push(`_facts: ${code(f.path)}${kindOfFacts(f) ? ` — ${kindOfFacts(f)}` : ''}_`);
  // Declared geometry rests on its assumptions (e.g. the kernel release): always show them.
  if (withAssumptions || f.origin === 'declared') for (const a of f.assumptions) out.push(`_assumed: ${a}_`);
  return out;
}

export function renderNode(n: NodeInfo): string {
  const cpus = n.cpus ? `CPUs ${n.cpus}` : 'CPU-less';
  const mem = n.memTotal !== undefined ? ` · ${formatBytes(n.memTotal)} online` : '';
  const out = [`**NUMA node ${n.id}** · ${cpus}${mem}${n.online ? '' : ' · offline'}`];
  if (n.access.length > 0) {
    const v = (x: number | undefined, unit: string) => (x === undefined ? '–' : `${x} ${unit}`);
    out.push(
      [
        '| HMAT | initiators | read latency | write latency | read bandwidth | write bandwidth |',
        '|:--|:--|--:|--:|--:|--:|',
        ...n.access.map(
          (a) =>
            `| ${a.cls} (${a.meaning}) | ${a.initiators.join(', ') || '–'} | ${v(a.readLatency, 'ns')} | ${v(a.writeLatency, 'ns')} | ${v(a.readBandwidth, 'MB/s')} | ${v(a.writeBandwidth, 'MB/s')} |`,
        ),
      ].join('\n'),
    );
  } else {
    out.push('_No HMAT performance data for this node in the facts._');
  }
  for (const c of n.caches)
    out.push(
      `Memory-side cache L${c.level}: ${formatBytes(c.size)}, ${c.lineSize}-byte lines, ${c.indexing}, ${c.writePolicy}`,
    );
  return out.join('\n\n');
}

/** Which device holds which colours, and what is free. */
export function renderColourMap(m: RegionColourMap): string {
  const head = `**Colours** · ${m.k} of ${formatBytes(m.cacheSize)} (L${m.level} memory-side cache of node ${m.node}, ${m.indexing}) · stripes of ${formatBytes(m.width)}`;
  const rows = m.runs.map((r) => {
    const cs = r.first === r.last ? String(r.first) : `${r.first}..${r.last}`;
    const who = r.holders.map((x) => `${code(x.name)}${x.exclusive ? ' (exclusive)' : ''}`).join(', ') || '–';
    return `| ${cs} | ${who} | ${r.free > 0n ? formatBytes(r.free) : '–'} |`;
  });
  return [head, ['| colours | held by | free |', '|:--|:--|--:|', ...rows].join('\n')].join('\n\n');
}

/** One line of a node's HMAT data: what a region's hover needs (the full table is on the node's own hover). */
function nodeLine(n: NodeInfo): string {
  const a = n.access.find((x) => x.cls === 'access1') ?? n.access[0];
  const perf = a
    ? `${a.readLatency !== undefined ? `read ${a.readLatency} ns` : ''}${a.readBandwidth !== undefined ? `${a.readLatency !== undefined ? ', ' : ''}${a.readBandwidth} MB/s` : ''} from node ${a.initiators.join(', ') || '?'} (HMAT ${a.cls})`
    : 'no HMAT performance data in the facts';
  const cache = n.caches.map((c) => `L${c.level} memory-side cache ${formatBytes(c.size)}`).join(', ');
  return `node ${n.id}: ${perf}${cache ? ` · ${cache}` : ''}`;
}

/** The title line of a hover: never inside a table cell (it would wrap there). */
function title(main: string, detail: string | undefined): string {
  return `${main}${detail ? ` · ${detail}` : ''}`;
}

function region(h: RegionHover): string {
  const head = title(
    `**region ${h.id ?? '?'}**${h.hostName ? ` on ${code(h.hostName)}` : ''}`,
    h.kernel ? `Linux ${h.kernel}` : undefined,
  );
  const r = h.region;
  if (!r) return [head, `prediction: ${h.missing ?? 'none'}`, ...factsFooter(h.facts, false)].join('\n\n');
  // placement first: where the region is and what the plan leaves free
  const lines = [
    `${code(`${hex(r.start)}..${hex(r.end)}`)} · ${formatBytes(r.size)} · align ${formatBytes(r.align)} · ${r.dynamic ? 'dynamic' : 'static: its devices cannot be resized'}`,
    r.dynamic
      ? `free: ${r.availableBefore !== undefined ? `${formatBytes(r.availableBefore)} now → ` : ''}**${formatBytes(r.availableAfter)}** after the plan`
      : undefined,
    h.node ? nodeLine(h.node) : r.targetNode >= 0 ? `node ${r.targetNode} (not in the facts)` : 'no target node',
    r.defaultDriver === 'kmem' ? `boots bound to kmem — ${r.defaultDriverWhy}` : undefined,
    h.colours && h.colours.runs.some((x) => x.holders.length > 0)
      ? `colours: ${h.colours.k} of the ${formatBytes(h.colours.cacheSize)} cache, stripes of ${formatBytes(h.colours.width)} (hover a device for its own)`
      : undefined,
  ].filter((x): x is string => x !== undefined);
  return [head, lines.join('  \n'), ...factsFooter(h.facts, false)].join('\n\n');
}

/** Ranges listed in a device's hover (a colour device can have tens of thousands of stripes). */
const MAX_RANGE_ROWS = 32;

function device(h: DeviceHover): string {
  const where = `region ${h.regionId ?? '?'}${h.hostName ? ` on ${code(h.hostName)}` : ''}`;
  const p = h.predicted;
  if (!p) {
    const q = h.requested;
    const rows: [string, string][] = [];
    if (q.size !== undefined) rows.push(['size', formatBytes(q.size)]);
    else if (q.rest) rows.push(['size', 'rest']);
    if (q.align !== undefined) rows.push(['align', formatBytes(q.align)]);
    rows.push(['mode', q.mode]);
    const parts = [title(`**device ${code(h.label)}**`, where), rowsTable(rows)];
    const usable = h.facts.origin === 'file' || h.facts.origin === 'declared';
    if (usable) {
      parts.push(`**Not created** by the plan.${h.codes.length ? ` See ${h.codes.join(', ')}.` : ''}`);
      for (const x of h.problems) parts.push(`- ${x}`);
    }
    parts.push(...factsFooter(h.facts, false));
    return parts.join('\n\n');
  }
  const align =
    p.mode === 'system-ram'
      ? `${formatBytes(p.align)} · as System RAM the kernel maps it with ${formatBytes(p.pageSize)} pages`
      : `${formatBytes(p.align)} → faults map ${formatBytes(p.mapsWith.size)} pages${p.mapsWith.level ? ` (${p.mapsWith.level})` : ''}`;
  const size = h.requested.rest ? `${formatBytes(p.size)} (\`rest\`)` : formatBytes(p.size);
  const driver = p.driver ? ` (${p.driver})` : '';
  const rows: [string, string][] = [
    ['size', size],
    ['align', align],
    ['mode', `${p.modeText}${driver}`],
  ];
  if (p.kmem) {
    const k = p.kmem;
    rows.push([
      'System RAM',
      `${formatBytes(k.usable)} usable in ${k.blocks} block${k.blocks === 1n ? '' : 's'} of ${formatBytes(k.blockSize)} · ${formatBytes(k.lost)} lost`,
    ]);
  }
  if (p.targetNode >= 0) rows.push(['node', String(p.targetNode)]);
  if (h.colours) {
    const c = h.colours;
    rows.push([
      'colours',
      `${colourList(c.colours)} of ${c.k}${c.exclusive ? ' (exclusive)' : ''}${c.any !== undefined ? ` — chosen for \`any ${c.any}\`` : ''} · ${c.stripes} range${c.stripes === 1 ? '' : 's'} · ${formatBytes(c.bytes)}${c.bytes !== c.gives ? ` of ${formatBytes(c.gives)} the colours give` : ''}`,
    ]);
  }
  if (h.stablePath)
    rows.push([
      'stable name',
      `${code(h.stablePath)}${p.mode === 'system-ram' ? ' (holds the NUMA node)' : ''} · survives reboots`,
    ]);
  const head = title(
    `**device ${code(h.label)}** → ${code(p.kernelName)}`,
    `${where}${h.kernel ? ` · Linux ${h.kernel}` : ''}`,
  );
  // placement first: the physical ranges, then the rest
  const placed =
    p.ranges.length === 0
      ? 'no physical range'
      : p.ranges.length === 1
        ? `${code(`${hex((p.ranges[0] as (typeof p.ranges)[number]).start)}..${hex((p.ranges[0] as (typeof p.ranges)[number]).end)}`)}`
        : [
            '| physical range | size | page offset |',
            '|:--|--:|--:|',
            ...p.ranges
              .slice(0, MAX_RANGE_ROWS)
              .map(
                (r) =>
                  `| ${code(`${hex(r.start)}..${hex(r.end)}`)} | ${formatBytes(r.size)} | ${hex(r.pageOffset)}${r.offset > 0n ? ` (${formatBytes(r.offset)})` : ''} |`,
              ),
            ...(p.ranges.length > MAX_RANGE_ROWS
              ? [`| … ${p.ranges.length - MAX_RANGE_ROWS} more (\`daxlayout plan\` lists them all) | | |`]
              : []),
          ].join('\n');
  const parts = [head, placed, rowsTable(rows)];
  for (const x of h.problems) parts.push(`⚠ ${x}`);
  if (h.codes.length) parts.push(`See ${h.codes.join(', ')}.`);
  if (h.facts.origin === 'declared') parts.push(...factsFooter(h.facts, false));
  return parts.join('\n\n');
}

function value(h: ValueHover): string {
  if (h.error) return `**${h.what}**: ${h.error}`;
  if (h.range) {
    const r = h.range;
    return `**${h.what}** ${code(`${hex(r.start)}..${hex(r.end)}`)} (end inclusive)\n\n${formatBytes(r.size)} · starts at ${formatApprox(r.start)}`;
  }
  if (h.bytes !== undefined) {
    const approx = formatApprox(h.bytes);
    const exact = formatBytes(h.bytes);
    // a raw byte count only where the binary unit is not exact (`4097 B`), never beside `3 MiB`
    return `**${h.what}**: ${exact}${approx !== exact ? ` (≈ ${approx})` : ''} · ${code(hex(h.bytes))}`;
  }
  if (h.node) return renderNode(h.node);
  if (h.facts) {
    const f = h.facts;
    const head = `**${h.what}** ${code(h.text ?? '')}`;
    if (f.origin !== 'file') return [head, ...factsFooter(f, false)].join('\n\n');
    return [
      `${head} — ${kindOfFacts(f)}`,
      ...(f.source ? [`source: ${f.source}`] : []),
      ...f.problems.map((p) => `⚠ ${p}`),
      ...f.assumptions.map((x) => `_assumed: ${x}_`),
    ].join('\n\n');
  }
  if (h.features) {
    return [
      `**${h.what}** ${code(h.text ?? '')}`,
      [
        '| behaviour the model applies | since | here |',
        '|:--|:--|:-:|',
        ...h.features.map((f) => `| ${cell(f.what)} | ${f.since} | ${f.has ? '✓' : '–'} |`),
      ].join('\n'),
    ].join('\n\n');
  }
  if (h.count !== undefined)
    return `**${h.what}** ${h.count}${h.what === 'NUMA node' ? ' — the facts have no data for this node' : ''}`;
  return `**${h.what}** ${code(h.text ?? '')}`;
}

function keyword(h: KeywordHover): string {
  return `${code(h.syntax)}\n\n${h.description}`;
}

function host(h: HostHover): string {
  const s = h.host;
  const rows: [string, string][] = [];
  if (s.ssh) rows.push(['ssh', `${s.ssh}${s.port ? ` port ${s.port}` : ''}`]);
  if (s.pageSize !== undefined)
    rows.push([
      'pages',
      `${formatBytes(s.pageSize)}${s.aligns.length ? `; device aligns ${s.aligns.map(formatBytes).join(', ')}` : ''}`,
    ]);
  if (s.memoryBlockSize !== undefined)
    rows.push(['memory blocks', `${formatBytes(s.memoryBlockSize)} · auto-online ${s.autoOnline ?? '?'}`]);
  for (const r of s.regions) {
    rows.push([
      `region ${r.id}`,
      `${r.start !== undefined ? code(hex(r.start)) + ' · ' : ''}${formatBytes(r.size)} · node ${r.targetNode} · ${r.dynamic ? 'dynamic' : 'static'} · ${r.devices} device${r.devices === 1 ? '' : 's'}`,
    ]);
  }
  const head = title(
    `**host ${code(s.name)}**`,
    [s.kernel ? `Linux ${s.kernel}` : 'kernel unknown', s.arch].filter(Boolean).join(' · '),
  );
  return [head, ...(rows.length ? [rowsTable(rows)] : []), ...factsFooter(s.facts, true)].join('\n\n');
}

function memdev(h: CxlMemdevHover): string {
  const head = title(
    `**CXL memdev ${code(h.name)}**${h.position !== undefined && h.position >= 0 ? ` · interleave position ${h.position}` : ''}`,
    `serial ${hex(h.serial)}`,
  );
  const rows: [string, string][] = [
    [
      'RAM',
      `${formatBytes(h.ramSize)} · **${formatBytes(h.free)} free**${h.pmemSize > 0n ? ` · persistent ${formatBytes(h.pmemSize)}` : ''}`,
    ],
    [
      'topology',
      `${h.endpoint ? `${code(h.endpoint)} below ` : ''}host bridge ${h.hostBridge !== undefined ? `dport ${h.hostBridge}` : '?'}`,
    ],
  ];
  if (h.qosClass) rows.push(['QoS class', h.qosClass.join(', ')]);
  for (const d of h.decoders.filter((x) => x.dpaSize > 0n || x.region))
    rows.push([code(d.name), `${d.mode} · ${formatBytes(d.dpaSize)}${d.region ? ` · in ${code(d.region)}` : ''}`]);
  return [head, rowsTable(rows)].join('\n\n');
}

function cxlWindow(h: CxlWindowHover): string {
  const head = title(`**CXL window ${code(h.name)}**`, h.node !== undefined ? `node ${h.node}` : undefined);
  const rows: [string, string][] = [
    [
      'range',
      `${code(`${hex(h.start)}..${hex(h.start + h.size - 1n)}`)} · ${formatBytes(h.size)} · **${formatBytes(h.free)} free**`,
    ],
    [
      'interleave',
      `${h.ways} way${h.ways === 1 ? '' : 's'} × ${h.granularity} B over host bridge${h.targets.length === 1 ? '' : 's'} ${h.targets.join(', ')}`,
    ],
    [
      'holds',
      [h.capRam ? 'RAM' : undefined, h.capPmem ? 'persistent memory' : undefined].filter(Boolean).join(', ') ||
        'neither RAM nor persistent memory',
    ],
  ];
  if (h.qosClass !== undefined) rows.push(['QoS class', String(h.qosClass)]);
  for (const r of h.regions)
    rows.push([code(r.name), `${formatBytes(r.size)}${r.start !== undefined ? ` at ${code(hex(r.start))}` : ''}`]);
  if (h.offers) rows.push(['next region', code(h.offers)]);
  return [head, rowsTable(rows)].join('\n\n');
}

export function renderHover(h: HoverInfo): string {
  switch (h.kind) {
    case 'cxl-memdev':
      return memdev(h);
    case 'cxl-window':
      return cxlWindow(h);
    case 'region':
      return region(h);
    case 'device':
      return device(h);
    case 'value':
      return value(h);
    case 'keyword':
      return keyword(h);
    case 'host':
      return host(h);
  }
}
