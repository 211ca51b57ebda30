// The region map (explain/region-map.ts) and its SVG (explain/map-svg.ts), on layouts whose
// addresses are known: every position below is worked out by hand from the addresses
// (x = 40 + offset × 800 / region size).
import { describe, expect, it } from 'vitest';
import { analyze, escapeXml, mapDeviceAt, regionMaps, renderMapSvg, type RegionMap } from '../../server/core/index';

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** A small XML reader for what the renderer writes: fails on unbalanced tags and on a raw `<` or `&` in text. */
function parseXml(xml: string): El {
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(xml))) {
    at = re.lastIndex;
    const top = stack[stack.length - 1] as El;
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[5])) throw new Error(`raw & in text: ${m[5]}`);
      top.text += unescape(m[5]);
      continue;
    }
    if (m[1]) {
      if (top.name !== m[2]) throw new Error(`</${m[2]}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (m[3] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1] as string] = unescape(a[2] as string);
    const el: El = { name: m[2] as string, attrs, children: [], text: '' };
    top.children.push(el);
    if (!m[4]) stack.push(el);
  }
  if (at !== xml.length) throw new Error(`not XML at ${at}: ${xml.slice(at, at + 40)}`);
  if (stack.length !== 1) throw new Error(`unclosed <${(stack[stack.length - 1] as El).name}>`);
  return root.children[0] as El;
}

function all(e: El, pred: (e: El) => boolean, out: El[] = []): El[] {
  if (pred(e)) out.push(e);
  for (const c of e.children) all(c, pred, out);
  return out;
}
const texts = (e: El) => all(e, (x) => x.name === 'text').map((t) => t.text);
const device = (svg: El, key: string) =>
  all(svg, (e) => e.name === 'g' && e.attrs.class === 'dev' && e.attrs['data-device'] === key)[0] as El;
const rects = (e: El) =>
  all(e, (x) => x.name === 'rect').map((r) => ({ x: Number(r.attrs.x), width: Number(r.attrs.width) }));

const LAYOUT = `host t {
  kernel "6.1.0"
  memory-block 128M
  auto-online offline
}
region 0 on t {
  start 0x1_0000_0000
  size 2G
  align 2M
  node 1
  dynamic
  device weather { size 1G align 1G }
  device spill { size 512M mode system-ram online movable }
  device guest-a { range 0x1_7000_0000 + 256M }
}
`;

function mapOf(text: string): { map: RegionMap; svg: El; raw: string } {
  const a = analyze(text);
  const maps = regionMaps(a);
  expect(maps).toHaveLength(1);
  const map = maps[0] as RegionMap;
  const raw = renderMapSvg(map);
  return { map, svg: parseXml(raw), raw };
}

describe('region map', () => {
  it('reads devices, free space, pinned ranges and blocks from the prediction', () => {
    const { map } = mapOf(LAYOUT);
    expect(map).toMatchObject({
      host: 't',
      region: 0,
      start: 0x1_0000_0000n,
      end: 0x1_7fff_ffffn,
      size: 2n << 30n,
      targetNode: 1,
      freeBytes: 256n << 20n,
      blockSize: 128n << 20n,
      errors: 0,
    });
    expect(map.devices.map((d) => [d.label, d.kernelName, d.ranges.map((r) => [r.start, r.end])])).toEqual([
      ['weather', 'dax0.0', [[0x1_0000_0000n, 0x1_3fff_ffffn]]],
      ['spill', 'dax0.1', [[0x1_4000_0000n, 0x1_5fff_ffffn]]],
      ['guest-a', 'dax0.2', [[0x1_7000_0000n, 0x1_7fff_ffffn]]],
    ]);
    expect(map.free).toEqual([{ start: 0x1_6000_0000n, end: 0x1_6fff_ffffn }]);
    expect(map.pinned.map((p) => [p.label, p.start, p.end])).toEqual([['guest-a', 0x1_7000_0000n, 0x1_7fff_ffffn]]);
    // spill's 512 MiB are four 128 MiB blocks, online in ZONE_MOVABLE; nothing else is System RAM
    expect(map.blocks).toEqual([
      { start: 0x1_4000_0000n, end: 0x1_5fff_ffffn, count: 4, state: 'online', zone: 'Movable', node: 1 },
    ]);
  });

  it('finds the device whose block holds the cursor', () => {
    const { map } = mapOf(LAYOUT);
    expect(mapDeviceAt(map, LAYOUT.indexOf('512M'))?.label).toBe('spill');
    expect(mapDeviceAt(map, LAYOUT.indexOf('device guest-a'))?.label).toBe('guest-a');
    expect(mapDeviceAt(map, LAYOUT.indexOf('align 2M'))).toBeUndefined();
  });
});

describe('region map SVG', () => {
  it('is well-formed SVG 880 px wide', () => {
    const { svg } = mapOf(LAYOUT);
    expect(svg.name).toBe('svg');
    expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg.attrs.width).toBe('880');
  });

  it('draws each device as a band at its addresses, with its label', () => {
    const { svg } = mapOf(LAYOUT);
    // 2 GiB over 800 px: 1 GiB is 400 px, 256 MiB 100 px
    expect(rects(device(svg, 'dax0.0'))[0]).toEqual({ x: 40, width: 400 });
    expect(rects(device(svg, 'dax0.1'))[0]).toEqual({ x: 440, width: 200 });
    expect(rects(device(svg, 'dax0.2'))[0]).toEqual({ x: 740, width: 100 });
    expect(texts(device(svg, 'dax0.0'))).toContain('weather');
    expect(texts(device(svg, 'dax0.1'))).toContain('dax0.1 · 512 MiB · RAM');
  });

  it('hatches free space, outlines pinned ranges and shows the blocks as a strip', () => {
    const { svg } = mapOf(LAYOUT);
    const free = all(svg, (e) => e.name === 'g' && e.attrs.class === 'free');
    expect(free).toHaveLength(1);
    expect(rects(free[0] as El)[0]).toEqual({ x: 640, width: 100 });
    expect((all(free[0] as El, (e) => e.name === 'rect')[0] as El).attrs.fill).toBe('url(#m-free)');
    expect(texts(free[0] as El)).toEqual(['free 256 MiB']);
    const pin = all(svg, (e) => e.name === 'g' && e.attrs.class === 'pin');
    expect(pin.map((p) => rects(p)[0])).toEqual([{ x: 741, width: 98 }]);
    const blocks = all(svg, (e) => e.name === 'g' && e.attrs.class === 'blocks');
    expect(blocks.map((b) => [b.attrs['data-state'], b.attrs['data-zone'], rects(b)[0]])).toEqual([
      ['online', 'Movable', { x: 440, width: 200 }],
    ]);
  });

  it('labels the address axis in hex at power-of-two ticks', () => {
    const { svg } = mapOf(LAYOUT);
    const axis = all(svg, (e) => e.name === 'g' && e.attrs.class === 'axis')[0] as El;
    const labels = all(axis, (e) => e.name === 'text' && e.text.startsWith('0x')).map((t) => [
      t.text,
      Number(t.attrs.x),
    ]);
    // a label is about 86 px wide: 256 MiB (100 px) is too close, 512 MiB (200 px) is the step
    expect(labels).toEqual([
      ['0x1_0000_0000', 40],
      ['0x1_2000_0000', 240],
      ['0x1_4000_0000', 440],
      ['0x1_6000_0000', 640],
      ['0x1_8000_0000', 840],
    ]);
    expect(texts(axis)).toContain('+1 GiB');
  });

  it('lists every device in the table, also one the kernel would not size', () => {
    const bad = LAYOUT.replace(
      'device guest-a { range 0x1_7000_0000 + 256M }',
      'device guest-a { range 0x1_7000_0000 + 256M }\n  device huge { size 4G }',
    );
    const { map, svg } = mapOf(bad);
    expect(map.errors).toBeGreaterThan(0);
    // the kernel creates dax0.3 but refuses its size: it holds nothing, drawn in the table only
    expect(map.devices.find((d) => d.label === 'huge')).toMatchObject({ key: 'dax0.3', size: 0n, ranges: [] });
    const rows = all(svg, (e) => e.name === 'g' && e.attrs.class === 'dev row');
    expect(rows.map((r) => r.attrs['data-device'])).toEqual(['dax0.0', 'dax0.1', 'dax0.2', 'dax0.3']);
    expect(texts(rows[3] as El)).toEqual(['huge', 'dax0.3', '0 B', 'unbound', '-']);
    expect(device(svg, 'dax0.3')).toBeUndefined();
    expect(texts(svg).some((t) => /the layout has \d+ error/.test(t))).toBe(true);
  });

  it('draws the cache-colour stripes of a coloured region', () => {
    const text = `host t { kernel "6.1.0" }
region 0 on t {
  start 0x1_4000_0000
  size 1G
  node 1
  cache 256M
  device weather { colours 0..1 of 4 exclusive }
  device vms { colours 2..3 of 4 }
}
`;
    const { map, svg } = mapOf(text);
    expect(map.stripes).toMatchObject({ k: 4, width: 64n << 20n, cacheSize: 256n << 20n });
    const stripes = all(svg, (e) => e.name === 'g' && e.attrs.class === 'stripes')[0] as El;
    // 1 GiB over 800 px: a 64 MiB stripe is 50 px; 0x1_4000_0000 is a multiple of 256 MiB, so colour 0 comes first
    expect(rects(stripes).slice(0, 5)).toEqual([0, 50, 100, 150, 200].map((x) => ({ x: 40 + x, width: 50 })));
    expect(texts(stripes).slice(0, 5)).toEqual(['c0', 'c1', 'c2', 'c3', 'c0']);
    expect(rects(device(svg, 'dax0.0')).map((r) => r.x)).toEqual([40, 240, 440, 640]);
    expect(map.devices[0]?.colours).toBe('colours 0..1 of 4 (exclusive)');
  });

  it('lists at most 48 devices in the table, and says how many more there are', () => {
    const devices = Array.from({ length: 60 }, (_, i) => `  device d${i} { size 2M }`).join('\n');
    const { map, svg } = mapOf(
      `host t { kernel "6.1.0" }\nregion 0 on t {\n  start 0x1_0000_0000\n  size 2G\n${devices}\n}\n`,
    );
    expect(map.devices).toHaveLength(60);
    expect(all(svg, (e) => e.name === 'g' && e.attrs.class === 'dev row')).toHaveLength(47);
    expect(texts(svg)).toContain('… and 13 more devices (`daxlayout explain` lists them all)');
    // every device still has its band: d0 at the region's start, 2 MiB of 2 GiB is 0.78 px
    expect(all(svg, (e) => e.name === 'g' && e.attrs.class === 'dev')).toHaveLength(60);
    expect(rects(device(svg, 'dax0.0'))[0]).toEqual({ x: 40, width: 0.78 });
  });

  it('escapes text for XML', () => {
    const { map } = mapOf(LAYOUT);
    const evil: RegionMap = {
      ...map,
      host: `<script>alert("x")</script>&`,
      kernel: `6.1 'quoted' <b>`,
      devices: map.devices.map((d) => ({ ...d, label: `a<b>&"c'`, key: `k"><x` })),
    };
    const raw = renderMapSvg(evil, { idPrefix: 'p"q' });
    expect(raw).not.toContain('<script>');
    expect(raw).not.toContain('<b>');
    const svg = parseXml(raw);
    expect(texts(svg)[0]).toBe(`region 0 on <script>alert("x")</script>& — Linux 6.1 'quoted' <b>`);
    expect(all(svg, (e) => e.attrs['data-device'] === `k"><x`)).not.toHaveLength(0);
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
  });
});
