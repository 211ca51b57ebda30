// Generates a large layout (hosts × devices) as .dax text and as the same data in JSON.
export function generate(hosts = 50, devicesPerHost = 20) {
  const lines = [];
  const json = { hosts: [] };
  for (let h = 0; h < hosts; h++) {
    const name = `node${String(h).padStart(3, '0')}`;
    lines.push(`# host ${h}: a design host with one 1 TiB region`);
    lines.push(`host ${name} {`, `  kernel "6.12.0"`, `  memory-block 2G`, `}`, '');
    lines.push(`region 0 on ${name} {`, `  start 0x100_0000_0000`, `  size 1T`, `  align 2M`, `  node 1`, `  dynamic`, '');
    const region = { id: 0, start: '0x10000000000', size: '1T', align: '2M', node: 1, dynamic: true, devices: [] };
    for (let d = 0; d < devicesPerHost; d++) {
      const kind = d % 4;
      const label = `dev-${h}-${d}`;
      lines.push('', `  # device ${d} of ${name}`, `  # owner: team ${d % 7}, ticket OPS-${1000 + h * 20 + d}`, `  # reviewed: yes`);
      lines.push(`  device ${label} {`);
      const dev = { label };
      if (kind === 0) {
        lines.push(`    size 16G`, `    align 1G`, `    mode devdax`);
        Object.assign(dev, { size: '16G', align: '1G', mode: 'devdax' });
      } else if (kind === 1) {
        lines.push(`    size 32G`, `    align 2M`, `    mode system-ram movable`);
        Object.assign(dev, { size: '32G', align: '2M', mode: 'system-ram', options: ['movable'] });
      } else if (kind === 2) {
        const start = 0x10000000000n + 0x8000000000n + BigInt(d) * 0x400000000n;
        lines.push(`    range 0x${start.toString(16)} + 8G`, `    mode devdax`);
        Object.assign(dev, { ranges: [{ start: '0x' + start.toString(16), length: '8G' }], mode: 'devdax' });
      } else {
        lines.push(`    size 8G`, `    align 2M`, `    mode devdax`);
        Object.assign(dev, { size: '8G', align: '2M', mode: 'devdax' });
      }
      lines.push(`  }`);
      region.devices.push(dev);
    }
    lines.push(`}`, '');
    json.hosts.push({ name, kernel: '6.12.0', memoryBlock: '2G', regions: [region] });
  }
  return { dax: lines.join('\n'), json: JSON.stringify(json, null, 2) };
}

/** A small layout (under 200 lines). */
export function small() {
  return generate(2, 12).dax;
}
