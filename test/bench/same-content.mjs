// One fleet layout written three ways with the same content, for test/bench/compare.mjs:
//
//   .dax  — hosts with `facts "facts/NAME.json"`, regions, devices (one line each), comments;
//           the facts files are written beside it;
//   YAML  — the natural rendering of the same structure (hosts → regions → devices with their
//           attributes), each host's facts inline, the same comments; what a user would write
//           for yaml-language-server with a JSON schema (layoutSchema() below);
//   JSON  — the same object as the YAML (JSON.stringify, 2-space indent).
//
// The YAML and JSON carry everything the .dax analysis reads — the layout and the 50 facts
// files — so "parse the YAML" and "analyse the .dax" start from the same information.
//
// Each host has facts modelled on the real Linux 6.1 capture (samples/linux-6.1.facts.json:
// Debian 6.1.0-56, x86_64, 128 MiB memory blocks, dax0.0 holding the whole hmem region,
// bound to device_dax), scaled to a 2 TiB CXL region whose memory is node 2, a CPU-less node
// of a two-socket machine (nodes 0 and 1, 32 CPUs each), with HMAT data. Per host 20
// devices: four 1 GiB-page devdax devices, three system-ram (kmem) devices of 256–512 GiB
// (half the region: 8 192 memory blocks of 128 MiB per host, so the planner's memory-block
// work is exercised), four 16 GiB ranges pinned at the top of the region for VMs
// (owner/group/permissions), eight 32 GiB 2 MiB-aligned devdax devices and one `size rest`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GiB = 1n << 30n;
const TiB = 1n << 40n;
const REGION_START = 0x100_0000_0000n; // 1 TiB
const REGION_SIZE = 2n * TiB;
const hex = (n) => '0x' + n.toString(16);
/** 0x2f0_0000_0000 — the .dax spelling of an address, `_` every 4 hex digits. */
const daxHex = (n) => {
  const h = n.toString(16);
  const parts = [];
  for (let i = h.length; i > 0; i -= 4) parts.unshift(h.slice(Math.max(0, i - 4), i));
  return '0x' + parts.join('_');
};
const hostName = (h) => `hbm${String(h).padStart(3, '0')}`;

/** The facts of host `h`: the 6.1 capture's shape, a 2 TiB region. A daxlayout-facts/1 object. */
export function hostFacts(h) {
  const name = hostName(h);
  const end = REGION_START + REGION_SIZE - 1n;
  const hmat = (initiators, lat, bw) => ({ initiators, readLatency: lat, writeLatency: lat, readBandwidth: bw, writeBandwidth: bw });
  return {
    format: 'daxlayout-facts/1',
    source: `captures/${name}.txt`,
    hostname: name,
    kernelRelease: '6.1.0-56-amd64',
    arch: 'x86_64',
    pageSize: 4096,
    daxAligns: [4096, 2097152, 1073741824],
    memoryBlockSize: 134217728,
    autoOnlineBlocks: 'offline',
    regions: [
      {
        id: 0,
        path: '/sys/devices/platform/hmem.0',
        start: hex(REGION_START),
        end: hex(end),
        size: Number(REGION_SIZE),
        align: 2097152,
        availableSize: 0,
        dynamic: true,
        targetNode: 2,
        kmemDefault: false,
        devices: [
          {
            name: 'dax0.0',
            size: Number(REGION_SIZE),
            align: 2097152,
            driver: 'device_dax',
            targetNode: 2,
            mappings: [{ id: 0, start: hex(REGION_START), end: hex(end), pageOffset: 0 }],
          },
        ],
      },
    ],
    memoryBlocks: [],
    nodes: [
      { id: 0, cpus: '0-31', online: true, memTotal: 274877906944, access0: hmat([0], 90, 204800), access1: hmat([0], 90, 204800), caches: [] },
      { id: 1, cpus: '32-63', online: true, memTotal: 274877906944, access0: hmat([1], 90, 204800), access1: hmat([1], 90, 204800), caches: [] },
      { id: 2, cpus: '', online: false, memTotal: 0, access0: hmat([0], 250, 65536), access1: hmat([0], 250, 65536), caches: [] },
    ],
    assumptions: [
      'dax aligns 4 KiB, 2 MiB, 1 GiB taken from the x86_64 table: the capture shows transparent hugepages configured (CONFIG_TRANSPARENT_HUGEPAGE)',
    ],
  };
}

/** The 20 devices of host `h`, grouped under a comment each, as plain objects (YAML/JSON form). */
function hostDevices(h, devicesPerHost) {
  const groups = [
    { comment: 'database buffer pools, 1 GiB pages', devices: [] },
    { comment: 'spill memory, hot-plugged as System RAM on node 2', devices: [] },
    { comment: 'VM memory, pinned at the top of the region, opened by qemu', devices: [] },
    { comment: 'caches and scratch, 2 MiB pages; the rest', devices: [] },
  ];
  const plan = [
    ...[256, 128, 64, 64].map((g, i) => [0, { label: `db-${h}-${i}`, size: `${g}G`, align: '1G' }]),
    [1, { label: `spill-${h}-0`, size: '512G', mode: 'system-ram', options: ['movable'] }],
    [1, { label: `spill-${h}-1`, size: '256G', mode: 'system-ram', options: ['movable'] }],
    [1, { label: `spill-${h}-2`, size: '256G', mode: 'system-ram', options: ['online', 'normal'] }],
    ...[0, 1, 2, 3].map((i) => {
      const start = REGION_START + REGION_SIZE - BigInt(4 - i) * 16n * GiB;
      return [2, { label: `vm-${h}-${i}`, ranges: [{ start: hex(start), length: '16G' }], owner: 'qemu', group: 'kvm', permissions: '0660' }];
    }),
    ...Array.from({ length: 8 }, (_, i) => [3, { label: `cache-${h}-${i}`, size: '32G', align: '2M' }]),
    [3, { label: `scratch-${h}`, size: 'rest', mode: 'devdax' }],
  ];
  if (devicesPerHost !== plan.length) throw new Error(`same-content: ${plan.length} devices per host are modelled, not ${devicesPerHost}`);
  for (const [g, d] of plan) groups[g].devices.push(d);
  return groups;
}

/** One device as a .dax line. */
function daxDevice(d) {
  const parts = [];
  if (d.size) parts.push(`size ${d.size}`);
  if (d.align) parts.push(`align ${d.align}`);
  if (d.ranges) parts.push(`range ${d.ranges.map((r) => `${daxHex(BigInt(r.start))} + ${r.length}`).join(', ')}`);
  if (d.mode) parts.push(`mode ${[d.mode, ...(d.options ?? [])].join(' ')}`);
  if (d.owner) parts.push(`owner ${d.owner}`);
  if (d.group) parts.push(`group ${d.group}`);
  if (d.permissions) parts.push(`permissions ${d.permissions}`);
  return `  device ${d.label} { ${parts.join(' ')} }`;
}

// ---- a small YAML writer: block style, plain scalars where YAML reads them back as the same string ----

const PLAIN = /^[A-Za-z_./][A-Za-z0-9_./@ -]*[A-Za-z0-9_./]$|^[A-Za-z]$/;
const NUMERIC_LIKE = /^[0-9]+[KMGT]$/; // 256G: a plain scalar that YAML reads as a string
function scalar(v) {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if ((PLAIN.test(v) || NUMERIC_LIKE.test(v)) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(v) && !v.includes(': ') && !v.includes(' #')) return v;
  return JSON.stringify(v);
}
/** YAML lines (block style, as a YAML dumper writes them) for `value` at `indent`. */
function yamlLines(value, indent, out) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'object' && item !== null && Object.keys(item).length > 0) {
        const sub = [];
        yamlLines(item, indent + 2, sub);
        out.push(pad + '- ' + sub[0].slice(indent + 2), ...sub.slice(1));
      } else out.push(`${pad}- ${typeof item === 'object' && item !== null ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
    }
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.length === 0) out.push(`${pad}${k}: []`);
    else if (Array.isArray(v)) {
      out.push(`${pad}${k}:`);
      yamlLines(v, indent + 2, out);
    } else if (typeof v === 'object' && v !== null) {
      out.push(`${pad}${k}:`);
      yamlLines(v, indent + 2, out);
    } else out.push(`${pad}${k}: ${scalar(v)}`);
  }
}

/**
 * The fleet layout: `hosts` hosts with `devicesPerHost` (20) devices each.
 * Returns the three texts, the facts files (relative path → text), the object the YAML and
 * JSON hold, and where a one-character edit goes in each text.
 */
export function sameContent(hosts = 50, devicesPerHost = 20) {
  const dax = [];
  const yaml = ['# daxlayout fleet layout (YAML rendering; facts inline)', 'hosts:'];
  const doc = { hosts: [] };
  const facts = new Map();
  const editHost = Math.floor(hosts / 2);
  const editLabel = `cache-${editHost}-3`;
  dax.push('# daxlayout fleet layout: Linux 6.1 hosts, each with 2 TiB of CXL memory on node 2', '');
  for (let h = 0; h < hosts; h++) {
    const name = hostName(h);
    const f = hostFacts(h);
    const factsPath = `facts/${name}.json`;
    facts.set(factsPath, JSON.stringify(f, null, 2) + '\n');
    const groups = hostDevices(h, devicesPerHost);
    const devices = groups.flatMap((g) => g.devices);
    const host = { name, ssh: `root@${name}.lab`, facts: f, regions: [{ id: 0, devices }] };
    doc.hosts.push(host);

    const intro = `${name}: Linux 6.1, 2 TiB of CXL memory (node 2) at ${daxHex(REGION_START)}`;
    dax.push(`# ${intro}`, `host ${name} {`, `  ssh "${host.ssh}"`, `  facts "${factsPath}"`, '}', '', `region 0 on ${name} {`);
    for (const [i, g] of groups.entries()) {
      if (i > 0) dax.push('');
      dax.push(`  # ${g.comment}`, ...g.devices.map(daxDevice));
    }
    dax.push('}', '');

    yaml.push(`  # ${intro}`);
    const hostLines = [];
    yamlLines({ name: host.name, ssh: host.ssh, facts: host.facts }, 4, hostLines);
    yaml.push('  - ' + hostLines[0].slice(4), ...hostLines.slice(1), '    regions:', '      - id: 0', '        devices:');
    for (const g of groups) {
      yaml.push(`          # ${g.comment}`);
      const lines = [];
      yamlLines(g.devices, 10, lines);
      yaml.push(...lines);
    }
  }
  const daxText = dax.join('\n');
  const yamlText = yaml.join('\n') + '\n';
  const jsonText = JSON.stringify(doc, null, 2) + '\n';
  // the one-character edit: the `2` of `size 32G` of one 2 MiB cache device in the middle host
  const daxAt = daxText.indexOf(`device ${editLabel} { size 32G`) + `device ${editLabel} { size 3`.length;
  const yamlLabel = yamlText.indexOf(`label: ${editLabel}\n`);
  const yamlAt = yamlText.indexOf('size: 32G', yamlLabel) + 'size: 3'.length;
  if (daxAt < 0 || yamlLabel < 0 || yamlAt < 0) throw new Error('same-content: edit position not found');
  return {
    dax: daxText,
    yaml: yamlText,
    json: jsonText,
    doc,
    facts,
    edit: { label: editLabel, dax: daxAt, yaml: yamlAt, from: '2', to: '3' },
  };
}

/** The JSON schema a yaml-language-server user would write for the YAML (and JSON) rendering. */
export function layoutSchema() {
  const size = { type: 'string', pattern: '^[0-9]+[KMGT]$', description: 'A size in binary units: 16G, 512M, 2T.' };
  const address = { type: 'string', pattern: '^0x[0-9a-fA-F]+$', description: 'A physical address, 0x hex.' };
  const bytes = { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^(0x[0-9a-fA-F]+|[0-9]+)$' }], description: 'A byte count: a safe integer or a decimal / 0x string.' };
  const access = {
    type: 'object',
    additionalProperties: false,
    required: ['initiators'],
    properties: {
      initiators: { type: 'array', items: { type: 'integer', minimum: 0 } },
      readLatency: { type: 'integer', minimum: 0, description: 'ns' },
      writeLatency: { type: 'integer', minimum: 0, description: 'ns' },
      readBandwidth: { type: 'integer', minimum: 0, description: 'MB/s' },
      writeBandwidth: { type: 'integer', minimum: 0, description: 'MB/s' },
    },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://daxlayout.invalid/bench/layout.schema.json',
    title: 'daxlayout fleet layout (YAML rendering)',
    type: 'object',
    additionalProperties: false,
    required: ['hosts'],
    properties: { hosts: { type: 'array', items: { $ref: '#/definitions/host' } } },
    definitions: {
      host: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'regions'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$', description: 'The host name regions refer to.' },
          ssh: { type: 'string', description: 'SSH destination, user@host.' },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          facts: { $ref: '#/definitions/facts' },
          regions: { type: 'array', items: { $ref: '#/definitions/region' } },
        },
      },
      region: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'devices'],
        properties: {
          id: { type: 'integer', minimum: 0, description: 'The kernel region id (R of daxR.N).' },
          devices: { type: 'array', items: { $ref: '#/definitions/device' } },
        },
      },
      device: {
        type: 'object',
        additionalProperties: false,
        required: ['label'],
        properties: {
          label: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$', description: 'Your name for the device (not the kernel name daxR.N).' },
          size: { oneOf: [size, { const: 'rest' }], description: 'Size of the device, or rest: what the other devices leave.' },
          align: { enum: ['4K', '2M', '1G'], description: 'Alignment (fault granularity) of the device.' },
          mode: { enum: ['devdax', 'system-ram'], description: 'devdax: /dev/daxR.N; system-ram: hot-plugged by kmem.' },
          options: { type: 'array', uniqueItems: true, items: { enum: ['online', 'offline', 'movable', 'normal', 'memmap-on-memory'] } },
          ranges: {
            type: 'array',
            items: { type: 'object', additionalProperties: false, required: ['start', 'length'], properties: { start: address, length: size } },
          },
          name: { type: 'string', pattern: '^dax[0-9]+\\.[0-9]+$' },
          owner: { type: 'string' },
          group: { type: 'string' },
          permissions: { type: 'string', pattern: '^0?[0-7]{3,4}$' },
        },
      },
      facts: {
        type: 'object',
        additionalProperties: false,
        required: ['format', 'kernelRelease', 'arch', 'pageSize', 'memoryBlockSize', 'autoOnlineBlocks', 'regions'],
        properties: {
          format: { const: 'daxlayout-facts/1' },
          source: { type: 'string' },
          hostname: { type: 'string' },
          kernelRelease: { type: 'string', description: 'uname -r' },
          arch: { enum: ['x86_64', 'aarch64', 'ppc64le'] },
          pageSize: bytes,
          daxAligns: { type: 'array', items: bytes },
          memoryBlockSize: bytes,
          autoOnlineBlocks: { enum: ['offline', 'online', 'online_kernel', 'online_movable'] },
          memmapOnMemorySupported: { type: 'boolean' },
          regions: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['id', 'path', 'size', 'align', 'devices'],
              properties: {
                id: { type: 'integer', minimum: 0 },
                path: { type: 'string' },
                start: address,
                end: address,
                size: bytes,
                align: bytes,
                availableSize: bytes,
                dynamic: { type: 'boolean' },
                targetNode: { type: 'integer', minimum: -1 },
                kmemDefault: { type: 'boolean' },
                devices: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['name', 'size', 'align', 'driver', 'targetNode', 'mappings'],
                    properties: {
                      name: { type: 'string', pattern: '^dax[0-9]+\\.[0-9]+$' },
                      size: bytes,
                      align: bytes,
                      driver: { enum: ['device_dax', 'kmem', null] },
                      targetNode: { type: 'integer', minimum: -1 },
                      memmapOnMemory: { type: 'boolean' },
                      mappings: {
                        type: 'array',
                        items: {
                          type: 'object',
                          additionalProperties: false,
                          required: ['start', 'end', 'pageOffset'],
                          properties: { id: { type: 'integer', minimum: 0 }, start: address, end: address, pageOffset: bytes },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          memoryBlocks: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['index', 'state', 'node', 'removable'],
              properties: {
                index: { type: 'integer', minimum: 0 },
                state: { enum: ['online', 'offline'] },
                zone: { enum: ['Normal', 'Movable', 'DMA32', 'DMA', 'none'] },
                node: { type: 'integer', minimum: 0 },
                removable: { type: 'boolean' },
              },
            },
          },
          nodes: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['id', 'cpus', 'online'],
              properties: {
                id: { type: 'integer', minimum: 0 },
                cpus: { type: 'string' },
                online: { type: 'boolean' },
                memTotal: bytes,
                access0: access,
                access1: access,
                caches: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['level', 'size', 'lineSize', 'indexing', 'writePolicy'],
                    properties: {
                      level: { type: 'integer' },
                      size: bytes,
                      lineSize: { type: 'integer' },
                      indexing: { type: 'integer' },
                      writePolicy: { type: 'integer' },
                      addressMode: { type: 'integer' },
                    },
                  },
                },
              },
            },
          },
          assumptions: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  };
}

/**
 * Writes the big and the small layout (three renderings each), their facts files and the
 * schema into `dir`. Returns the paths and texts.
 */
export function writeSameContent(dir, { hosts = 50, smallHosts = 3, devicesPerHost = 20 } = {}) {
  mkdirSync(join(dir, 'facts'), { recursive: true });
  const out = {};
  for (const [key, n] of [
    ['big', hosts],
    ['small', smallHosts],
  ]) {
    const c = sameContent(n, devicesPerHost);
    for (const [p, text] of c.facts) writeFileSync(join(dir, p), text);
    const paths = { dax: join(dir, `${key}.dax`), yaml: join(dir, `${key}.layout.yaml`), json: join(dir, `${key}.layout.json`) };
    writeFileSync(paths.dax, c.dax);
    writeFileSync(paths.yaml, c.yaml);
    writeFileSync(paths.json, c.json);
    out[key] = { ...c, paths };
  }
  out.schemaPath = join(dir, 'layout.schema.json');
  writeFileSync(out.schemaPath, JSON.stringify(layoutSchema(), null, 2) + '\n');
  return out;
}
