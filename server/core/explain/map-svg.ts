// A region's address map (region-map.ts) drawn as SVG: an address axis left to right with hex
// labels at power-of-two ticks, the devices as coloured bands with their labels, free space
// hatched, pinned ranges outlined, the memory-side-cache colour stripes and the memory blocks
// (online movable / online kernel zone / offline) as strips, a legend and a table of the
// devices. Pure: addresses stay bigint until they become the final pixel coordinates; every
// piece of text is escaped for XML. The same SVG is written by `explain --svg` and shown by
// the editor's map (whose script highlights and follows the `data-device` groups). The drawing is
// light; its themable parts carry classes (`bg`, `paper`, `muted`, `error`, `ink-stroke`, the
// axis and grid) so that the editor's map restyles them in the editor's colour theme, while the
// text on device bands and colour stripes keeps its dark ink on their light fills.

import { DESIGN_HOST } from '../analysis/types';
import { formatBytes, hexLiteral } from '../units';
import type { MapDevice, MapRange, RegionMap } from './region-map';

export interface SvgOptions {
  /** Prefix of the ids inside the SVG (patterns), for several maps in one page. Default `m`. */
  readonly idPrefix?: string;
}

/** The drawing's width in pixels, and where the address axis starts and how long it is. */
export const SVG_WIDTH = 880;
export const PLOT_X = 40;
export const PLOT_WIDTH = 800;

const FONT = `ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace`;
/** A monospace character is about 0.6 em wide: what decides whether a label fits. */
const CHAR = 0.6;

const INK = '#1f2328';
const MUTED = '#59636e';
const RULE = '#d0d7de';
const ERROR = '#cf222e';
/** The white of the drawing: its background, the empty band and strip, the hatch's ground. */
const PAPER = `fill="#ffffff" class="paper"`;

/** Fill and outline of device bands, in layout order; devices the layout does not list are grey. */
export const DEVICE_COLOURS: readonly (readonly [fill: string, stroke: string])[] = [
  ['#cfe0f5', '#4e79a7'],
  ['#fddcb5', '#e07b12'],
  ['#cfe8c9', '#4e9a45'],
  ['#f8cacb', '#d9474a'],
  ['#d2ecea', '#3f9a93'],
  ['#f6e7a8', '#b8901a'],
  ['#e8d5e6', '#9c5f8f'],
  ['#e6d8cc', '#8a6245'],
];
export const UNLISTED_COLOUR = ['#e6e6e6', '#8c8c8c'] as const;

/** The table lists at most this many devices (a region may hold thousands). */
export const MAX_TABLE_ROWS = 48;

export const BLOCK_COLOURS = { movable: '#2e7d32', kernel: '#d35400', offline: '#9aa0a6' } as const;

/** Text for XML character data and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** A pixel coordinate, at most two decimals. */
function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** x of an address: integer arithmetic in hundredths of a pixel, a number only at the end. */
function xOf(m: RegionMap, addr: bigint): number {
  const off = addr < m.start ? 0n : addr > m.end + 1n ? m.size : addr - m.start;
  return PLOT_X + Number((off * BigInt(PLOT_WIDTH) * 100n) / m.size) / 100;
}

/** Left and width of an inclusive range (at least half a pixel, so that small ranges show). */
function span(m: RegionMap, r: MapRange): { x: number; w: number } {
  const x = xOf(m, r.start);
  return { x, w: Math.max(0.5, xOf(m, r.end + 1n) - x) };
}

/** Pixels along the axis that `bytes` take. */
function lengthOf(m: RegionMap, bytes: bigint): number {
  return Number((bytes * BigInt(PLOT_WIDTH) * 100n) / m.size) / 100;
}

function textWidth(s: string, size: number): number {
  return s.length * size * CHAR;
}

/** `s` cut to `chars` characters, with an ellipsis when cut. */
function clip(s: string, chars: number): string {
  return s.length <= chars ? s : chars <= 1 ? '…' : s.slice(0, chars - 1) + '…';
}

interface TextOpts {
  size?: number;
  fill?: string;
  weight?: 'bold';
  anchor?: 'middle' | 'end';
}

function text(x: number, y: number, s: string, o: TextOpts = {}): string {
  const attrs = [`x="${px(x)}"`, `y="${px(y)}"`];
  if (o.size && o.size !== 12) attrs.push(`font-size="${o.size}"`);
  if (o.fill && o.fill !== INK) attrs.push(`fill="${o.fill}"`);
  const cls = o.fill === MUTED ? 'muted' : o.fill === ERROR ? 'error' : undefined;
  if (cls) attrs.push(`class="${cls}"`);
  if (o.weight) attrs.push(`font-weight="${o.weight}"`);
  if (o.anchor) attrs.push(`text-anchor="${o.anchor}"`);
  return `<text ${attrs.join(' ')}>${escapeXml(s)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, attrs: string): string {
  return `<rect x="${px(x)}" y="${px(y)}" width="${px(w)}" height="${px(h)}" ${attrs}/>`;
}

export function deviceColour(d: MapDevice): readonly [string, string] {
  return d.order === undefined
    ? UNLISTED_COLOUR
    : (DEVICE_COLOURS[d.order % DEVICE_COLOURS.length] as readonly [string, string]);
}

/** Tick step: a power of two, at most about 8 ticks, far enough apart for their labels. */
function tickStep(m: RegionMap, labelWidth: number): bigint {
  let step = 1n;
  while (step * 8n < m.size) step *= 2n;
  while (Number((step * BigInt(PLOT_WIDTH)) / m.size) < labelWidth + 16) step *= 2n;
  return step;
}

/** The label of a region's map: `region 0 on lab61`. */
export function mapTitle(m: RegionMap): string {
  return m.host === DESIGN_HOST ? `region ${m.region} (design, no host)` : `region ${m.region} on ${m.host}`;
}

function nodeLines(m: RegionMap): string[] {
  const n = m.node;
  const out: string[] = [];
  if (!n) return [`NUMA node ${m.targetNode}: no NUMA facts`];
  const access = n.access.find((a) => a.cls === 'access1') ?? n.access[0];
  const perf: string[] = [];
  if (access) {
    if (access.readLatency !== undefined) perf.push(`read ${access.readLatency} ns`);
    if (access.writeLatency !== undefined) perf.push(`write ${access.writeLatency} ns`);
    if (access.readBandwidth !== undefined) perf.push(`read ${access.readBandwidth} MB/s`);
    if (access.writeBandwidth !== undefined) perf.push(`write ${access.writeBandwidth} MB/s`);
  }
  const cpus = n.cpus === '' ? 'no CPUs' : `CPUs ${n.cpus}`;
  out.push(
    `NUMA node ${n.id} (${cpus}) · ${access && perf.length ? `HMAT ${access.cls} from node(s) ${access.initiators.join(',') || '?'}: ${perf.join(', ')}` : 'no HMAT performance data'}`,
  );
  for (const c of n.caches)
    out.push(
      `memory-side cache L${c.level}: ${formatBytes(c.size)}, ${c.indexing}, ${c.writePolicy}, line ${c.lineSize} B`,
    );
  return out;
}

function rangesText(d: MapDevice): string {
  const first = d.ranges[0];
  if (!first) return '-';
  const one = `${hexLiteral(first.start)}..${hexLiteral(first.end)}`;
  return d.ranges.length === 1 ? one : `${one} +${d.ranges.length - 1} more`;
}

/** The region's map as a standalone SVG document. */
export function renderMapSvg(m: RegionMap, options: SvgOptions = {}): string {
  const prefix = (options.idPrefix ?? 'm').replace(/[^A-Za-z0-9_-]/g, '_');
  const id = (name: string) => `${prefix}-${name}`;
  const body: string[] = [];
  const right = PLOT_X + PLOT_WIDTH;
  let y = 0;

  // --- title, geometry, the node behind the region
  y += 24;
  body.push(
    text(
      PLOT_X,
      y,
      clip(`${mapTitle(m)}${m.kernel ? ` — Linux ${m.kernel}` : ''}`, Math.floor(PLOT_WIDTH / (16 * CHAR))),
      { size: 16, weight: 'bold' },
    ),
  );
  y += 20;
  const geometry = `${hexLiteral(m.start)}..${hexLiteral(m.end)} · ${formatBytes(m.size)} · align ${formatBytes(m.align)} · ${m.dynamic ? 'dynamic' : 'static'} · free after apply ${formatBytes(m.freeBytes)}`;
  body.push(text(PLOT_X, y, clip(geometry, Math.floor(PLOT_WIDTH / (12 * CHAR))), { fill: MUTED }));
  for (const line of nodeLines(m)) {
    y += 17;
    body.push(text(PLOT_X, y, clip(line, Math.floor(PLOT_WIDTH / (12 * CHAR))), { fill: MUTED }));
  }
  if (m.errors > 0) {
    y += 17;
    body.push(
      text(
        PLOT_X,
        y,
        `the layout has ${m.errors} error(s): this is the prediction up to where the kernel would refuse`,
        { fill: ERROR },
      ),
    );
  }

  // --- devices, free space, pinned ranges
  y += 26;
  body.push(text(PLOT_X, y, 'devices', { size: 11, fill: MUTED }));
  y += 6;
  const bandY = y;
  const bandH = 44;
  body.push(rect(PLOT_X, bandY, PLOT_WIDTH, bandH, `${PAPER} stroke="${RULE}"`));
  for (const f of m.free) {
    const s = span(m, f);
    const parts = [rect(s.x, bandY, s.w, bandH, `fill="url(#${id('free')})" stroke="${RULE}"`)];
    const label = `free ${formatBytes(f.end - f.start + 1n)}`;
    if (textWidth(label, 11) + 8 <= s.w)
      parts.push(text(s.x + s.w / 2, bandY + bandH / 2 + 4, label, { size: 11, fill: MUTED, anchor: 'middle' }));
    body.push(`<g class="free">${parts.join('')}</g>`);
  }
  for (const d of m.devices) {
    if (d.ranges.length === 0) continue;
    const [fill, stroke] = deviceColour(d);
    const parts: string[] = [];
    let widest = { x: 0, w: 0 };
    for (const r of d.ranges) {
      const s = span(m, r);
      parts.push(rect(s.x, bandY, s.w, bandH, `fill="${fill}" stroke="${stroke}"`));
      if (s.w > widest.w) widest = s;
    }
    const name = d.label ?? `${d.kernelName ?? d.key} (not in layout)`;
    const sub = [d.kernelName, formatBytes(d.size), d.driver === 'kmem' ? 'RAM' : undefined].filter(
      (x): x is string => x !== undefined,
    );
    // the label on every range it fits in; the kernel name and size under it on the widest
    for (const r of d.ranges) {
      const s = span(m, r);
      if (textWidth(name, 12) + 8 > s.w) continue;
      const cx = s.x + s.w / 2;
      const fits = (t: string) => textWidth(t, 11) + 8 <= s.w;
      const two =
        s.x !== widest.x
          ? undefined
          : fits(sub.join(' · '))
            ? sub.join(' · ')
            : fits(sub.slice(0, 2).join(' · '))
              ? sub.slice(0, 2).join(' · ')
              : undefined;
      parts.push(text(cx, bandY + (two ? 19 : 27), name, { weight: 'bold', anchor: 'middle' }));
      if (two) parts.push(text(cx, bandY + 35, two, { size: 11, fill: MUTED, anchor: 'middle' }));
    }
    body.push(
      `<g class="dev" data-device="${escapeXml(d.key)}"><title>${escapeXml(`${name}: ${d.kernelName ?? 'not created'}, ${formatBytes(d.size)}, ${d.mode}`)}</title>${parts.join('')}</g>`,
    );
  }
  for (const p of m.pinned) {
    const s = span(m, p);
    body.push(
      `<g class="pin">${rect(s.x + 1, bandY + 1, Math.max(0.5, s.w - 2), bandH - 2, `fill="none" stroke="${INK}" stroke-width="1.5" stroke-dasharray="4 3"`)}<path d="M${px(s.x)} ${px(bandY)}h8l-8 8z" fill="${INK}"/></g>`,
    );
  }
  y = bandY + bandH;

  // --- memory-side-cache colour stripes
  if (m.stripes) {
    const st = m.stripes;
    y += 20;
    body.push(
      text(
        PLOT_X,
        y,
        `cache colours: ${st.k} of the ${formatBytes(st.cacheSize)} L${st.level} memory-side cache, stripes of ${formatBytes(st.width)}`,
        { size: 11, fill: MUTED },
      ),
    );
    y += 6;
    const count = m.size / st.width + 2n;
    const stripeW = lengthOf(m, st.width);
    if (count > 4096n || stripeW < 1) {
      body.push(text(PLOT_X, y + 12, 'too fine to draw at this scale', { size: 11, fill: MUTED }));
    } else {
      const parts: string[] = [];
      for (let a = (m.start / st.width) * st.width; a <= m.end; a += st.width) {
        const r = { start: a < m.start ? m.start : a, end: a + st.width - 1n > m.end ? m.end : a + st.width - 1n };
        const c = Number((a % st.cacheSize) / st.width);
        const s = span(m, r);
        parts.push(rect(s.x, y, s.w, 16, `fill="hsl(${Math.round((360 * c) / st.k)},60%,${c % 2 ? 62 : 74}%)"`));
        if (s.w >= textWidth(`c${c}`, 10) + 4)
          parts.push(text(s.x + s.w / 2, y + 12, `c${c}`, { size: 10, anchor: 'middle' }));
      }
      body.push(`<g class="stripes">${parts.join('')}</g>`);
    }
    y += 16;
  }

  // --- memory blocks
  y += 20;
  body.push(
    text(
      PLOT_X,
      y,
      `memory blocks of ${formatBytes(m.blockSize)} (System RAM)${m.blocks.length === 0 ? ': none in this region' : ''}`,
      { size: 11, fill: MUTED },
    ),
  );
  y += 6;
  const blockY = y;
  body.push(rect(PLOT_X, blockY, PLOT_WIDTH, 16, `${PAPER} stroke="${RULE}"`));
  const blockParts: string[] = [];
  for (const b of m.blocks) {
    const s = span(m, b);
    const colour =
      b.state === 'offline'
        ? BLOCK_COLOURS.offline
        : b.zone === 'Movable'
          ? BLOCK_COLOURS.movable
          : BLOCK_COLOURS.kernel;
    blockParts.push(
      `<g class="blocks" data-state="${b.state}"${b.zone ? ` data-zone="${escapeXml(b.zone)}"` : ''}><title>${escapeXml(`${b.count} block(s) ${b.state}${b.zone ? ` ${b.zone}` : ''}, node ${b.node}`)}</title>${rect(s.x, blockY, s.w, 16, `fill="${colour}"`)}</g>`,
    );
  }
  body.push(...blockParts);
  const blockW = lengthOf(m, m.blockSize);
  if (m.blocks.length > 0 && blockW >= 4) {
    // a thin white line between blocks, where they are wide enough to count
    const d: string[] = [];
    for (const b of m.blocks)
      for (let a = b.start + m.blockSize; a <= b.end; a += m.blockSize) d.push(`M${px(xOf(m, a))} ${px(blockY)}v16`);
    if (d.length) body.push(`<path class="paper-line" d="${d.join('')}" stroke="#ffffff" stroke-width="1"/>`);
  }
  y = blockY + 16;

  // --- the address axis
  y += 10;
  const axisY = y;
  const labelWidth = textWidth(hexLiteral(m.end + 1n), 11);
  const step = tickStep(m, labelWidth);
  const ticks: { addr: bigint; anchor?: 'middle' | 'end' }[] = [{ addr: m.start }];
  for (let a = ((m.start + step - 1n) / step) * step; a <= m.end + 1n; a += step) {
    const x = xOf(m, a);
    if (a === m.start) continue;
    if (x - PLOT_X < labelWidth + 8 || right - x < labelWidth + 8) continue;
    ticks.push({ addr: a, anchor: 'middle' });
  }
  ticks.push({ addr: m.end + 1n, anchor: 'end' });
  const grid: string[] = [];
  const axis: string[] = [`<path d="M${PLOT_X} ${px(axisY)}H${right}" stroke="${MUTED}"/>`];
  for (const t of ticks) {
    const x = xOf(m, t.addr);
    grid.push(`M${px(x)} ${px(bandY)}V${px(axisY)}`);
    axis.push(`<path d="M${px(x)} ${px(axisY)}v5" stroke="${MUTED}"/>`);
    axis.push(text(x, axisY + 18, hexLiteral(t.addr), { size: 11, ...(t.anchor ? { anchor: t.anchor } : {}) }));
    axis.push(
      text(x, axisY + 31, t.addr === m.start ? '+0' : `+${formatBytes(t.addr - m.start)}`, {
        size: 10,
        fill: MUTED,
        ...(t.anchor ? { anchor: t.anchor } : {}),
      }),
    );
  }
  body.push(`<path class="grid" d="${grid.join('')}" stroke="${MUTED}" stroke-opacity="0.25" stroke-dasharray="2 3"/>`);
  body.push(`<g class="axis">${axis.join('')}</g>`);
  y = axisY + 31;

  // --- legend
  y += 24;
  const legend: [string, string][] = [
    [`fill="url(#${id('free')})" stroke="${RULE}"`, 'free'],
    [`fill="none" stroke="${INK}" stroke-dasharray="4 3" class="ink-stroke"`, 'pinned range'],
    [`fill="${BLOCK_COLOURS.movable}"`, 'online movable'],
    [`fill="${BLOCK_COLOURS.kernel}"`, 'online kernel zone'],
    [`fill="${BLOCK_COLOURS.offline}"`, 'offline'],
    [`${PAPER} stroke="${RULE}"`, 'not System RAM'],
  ];
  let lx = PLOT_X;
  const legendParts: string[] = [];
  for (const [attrs, label] of legend) {
    legendParts.push(rect(lx, y - 10, 14, 12, attrs), text(lx + 19, y, label, { size: 11 }));
    lx += 19 + textWidth(label, 11) + 18;
  }
  body.push(`<g class="legend">${legendParts.join('')}</g>`);

  // --- the devices as a table (also the key to the band colours)
  y += 14;
  const listed = m.devices.length > MAX_TABLE_ROWS ? m.devices.slice(0, MAX_TABLE_ROWS - 1) : m.devices;
  const rows = listed.map((d) => [
    d.label ?? '(not in layout)',
    d.kernelName ?? '-',
    formatBytes(d.size),
    d.colours ? `${d.mode}, ${d.colours}` : d.mode,
    rangesText(d),
  ]);
  const head = ['LABEL', 'KERNEL', 'SIZE', 'MODE', 'RANGES'];
  const max = [20, 8, 10, 44, 44];
  const widths = head.map((h, i) =>
    Math.min(max[i] as number, Math.max(h.length, ...rows.map((r) => (r[i] as string).length))),
  );
  const cols: number[] = [];
  let cx = PLOT_X + 20;
  for (const w of widths) {
    cols.push(cx);
    cx += w * 12 * CHAR + 14;
  }
  y += 18;
  body.push(
    `<g class="table-head">${head.map((h, i) => text(cols[i] as number, y, h, { size: 11, fill: MUTED, weight: 'bold' })).join('')}</g>`,
  );
  const shown = listed.length;
  listed.forEach((d, i) => {
    y += 19;
    const [fill, stroke] = deviceColour(d);
    const cells = (rows[i] as string[]).map((c, j) =>
      text(
        cols[j] as number,
        y,
        clip(c, widths[j] as number),
        j === 3 && d.mode === 'not created' ? { fill: ERROR } : {},
      ),
    );
    body.push(
      `<g class="dev row" data-device="${escapeXml(d.key)}">${rect(PLOT_X, y - 11, 14, 14, `fill="${fill}" stroke="${stroke}"`)}${cells.join('')}</g>`,
    );
  });
  if (shown < m.devices.length) {
    y += 19;
    body.push(
      text(PLOT_X + 20, y, `… and ${m.devices.length - shown} more devices (\`daxlayout explain\` lists them all)`, {
        fill: MUTED,
      }),
    );
  }
  if (m.devices.length === 0) {
    y += 19;
    body.push(text(PLOT_X, y, 'no devices', { fill: MUTED }));
  }
  const height = y + 16;

  const defs = `<defs><pattern id="${id('free')}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" ${PAPER}/><path d="M0 0V6" stroke="#8c959f" stroke-width="1.5"/></pattern></defs>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SVG_WIDTH}" height="${px(height)}" viewBox="0 0 ${SVG_WIDTH} ${px(height)}" font-family="${escapeXml(FONT)}" font-size="12" fill="${INK}" class="dax-map" role="img" aria-label="${escapeXml(`address map of ${mapTitle(m)}`)}">`,
    `<title>${escapeXml(`${mapTitle(m)}: ${hexLiteral(m.start)}..${hexLiteral(m.end)}`)}</title>`,
    defs,
    rect(0, 0, SVG_WIDTH, height, 'fill="#ffffff" class="bg"'),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
