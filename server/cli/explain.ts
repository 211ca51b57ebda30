// `daxlayout explain FILE`: the predicted kernel state per region.
import {
  availableSize,
  colourList,
  DESIGN_HOST,
  daxctlInputs,
  deviceColours,
  deviceName,
  deviceSize,
  formatBytes,
  hex,
  kmemUse,
  mapTitle,
  modeText,
  persists,
  regionMaps,
  regionSize,
  renderDaxctlInputs,
  renderMapSvg,
  renderVmAttach,
  stablePath,
  toDaxctlJson,
  vmAttach,
  type Analysis,
  type SimDevice,
} from '../core/index';

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd(),
  );
}

export function renderExplain(path: string, a: Analysis): string {
  const out: string[] = [];
  for (const h of a.hosts) {
    const m = h.model;
    const facts = h.decl?.facts
      ? `facts ${h.decl.facts.value}`
      : h.factsOrigin === 'declared'
        ? 'declared geometry'
        : 'no facts';
    out.push(
      `${h.name === '(design)' ? 'design (no host)' : `host ${h.name}`} — ${h.version ? `Linux ${h.version.release}` : 'kernel unknown'}, ${h.before?.arch ?? '?'}, ${facts}`,
    );
    if (!m) {
      out.push(`  cannot predict: ${h.modelError ?? h.factsProblems.map((p) => p.message).join('; ') ?? 'no facts'}`);
      out.push('');
      continue;
    }
    const bs = m.state.blockSize;
    for (const r of h.regions) {
      const sim = r.after;
      if (!sim) {
        out.push(`  region ${r.layout.id?.value ?? '?'}: not on this host`);
        continue;
      }
      out.push(
        `  region ${sim.id}: ${hex(sim.start)}..${hex(sim.end)} (${formatBytes(regionSize(sim))}), align ${formatBytes(sim.align)}, ${sim.dynamic ? 'dynamic' : 'static'}, target node ${sim.targetNode}, free after apply: ${formatBytes(availableSize(sim))}`,
      );
      const stable = persists(h, r.layout);
      const rows: string[][] = [
        [
          'LABEL',
          'KERNEL',
          ...(stable ? ['STABLE NAME'] : []),
          'SIZE',
          'ALIGN',
          'MODE',
          'RANGES (physical @ page offset)',
          'SYSTEM-RAM',
        ],
      ];
      const labelOf = new Map<SimDevice, string>();
      const stableOf = new Map<SimDevice, string>();
      for (const [ld, sd] of h.plan?.assigned ?? []) {
        if (ld.region !== r.layout) continue;
        labelOf.set(sd, ld.label);
        const p = stablePath(h, ld);
        if (p) stableOf.set(sd, p);
      }
      const devs = [...sim.devices.values()].sort((x, y) => x.id - y.id);
      for (const d of devs) {
        const label = labelOf.get(d) ?? (deviceSize(d) === 0n && !d.driver ? '(empty)' : '(not in layout)');
        if (label === '(empty)' && d.id !== 0) continue;
        const ranges = d.ranges.length
          ? d.ranges.map((x) => `${hex(x.start)}..${hex(x.end)} @${hex(x.pgoff)}`).join(', ')
          : '-';
        let ram = '';
        if (d.driver === 'kmem') {
          const use = kmemUse(d.ranges, bs);
          ram = `${formatBytes(use.usable)} in ${use.blocks} block(s)${use.lost > 0n ? `, ${formatBytes(use.lost)} lost` : ''}`;
        }
        rows.push([
          label,
          deviceName(d),
          ...(stable ? [stableOf.get(d) ?? '-'] : []),
          formatBytes(deviceSize(d)),
          formatBytes(d.align),
          modeText(m.state, d),
          ranges,
          ram,
        ]);
      }
      for (const line of table(rows)) out.push('    ' + line);
      for (const ld of r.layout.devices) {
        const c = deviceColours(h, ld);
        if (!c) continue;
        out.push(
          `    ${ld.label}: colours ${colourList(c.colours)} of ${c.k}${c.exclusive ? ' (exclusive)' : ''} of the ${formatBytes(c.cacheSize)} memory-side cache — ${formatBytes(c.bytes)} in ${c.stripes} range(s) (colour stripes of ${formatBytes(c.width)})`,
        );
      }
      const missing = r.layout.devices.filter((ld) => !h.plan?.assigned.has(ld));
      for (const ld of missing) out.push(`    ${ld.label}: not created (see the diagnostics)`);
    }
    out.push('');
  }
  void path;
  return out.join('\n');
}

export function explainJson(a: Analysis): unknown {
  const hosts: Record<string, unknown> = {};
  for (const h of a.hosts) {
    if (!h.model) {
      hosts[h.name] = { error: h.modelError ?? 'no facts' };
      continue;
    }
    const labels = new Map<string, string>();
    for (const [ld, sd] of h.plan?.assigned ?? []) labels.set(deviceName(sd), ld.label);
    const owned = new Set(h.regions.map((r) => r.after?.id));
    const json = toDaxctlJson(h.model.state) as { id: number; devices: { chardev: string; label?: string }[] }[];
    hosts[h.name] = json
      .filter((r) => owned.has(r.id))
      .map((r) => ({
        ...r,
        devices: r.devices.map((d) => (labels.has(d.chardev) ? { ...d, label: labels.get(d.chardev) } : d)),
      }));
  }
  return hosts;
}

/** `explain --daxctl-input`: per device, the JSON object `daxctl create-device --input` accepts (docs/persist.md). */
export function renderDaxctlInput(a: Analysis): string {
  return renderDaxctlInputs(daxctlInputs(a));
}

/** `explain --vm DEVICE`: how a guest gets a devdax device (exit 2 when there is no such device, 1 with errors). */
export function renderVm(a: Analysis, device: string): { stdout: string; stderr: string; code: number } {
  const r = vmAttach(a, device);
  if (!r.attach) return { stdout: '', stderr: `daxlayout: ${r.error ?? 'no such device'}\n`, code: 2 };
  const errors = a.findings.some((f) => f.severity === 'error');
  return {
    stdout: renderVmAttach(r.attach),
    stderr: errors ? 'daxlayout: the layout has errors; this is what the plan predicts — run `daxlayout check`\n' : '',
    code: errors ? 1 : 0,
  };
}

/** A host name or layout name as part of a file name: anything but letters, digits, `.`, `_` and `-` becomes `_`. */
function namePart(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
}

/**
 * `explain --svg FILE`: one SVG per region. A single region is written to FILE itself; several
 * are written next to it, `-HOST-rREGION` inserted before the extension (`map.svg` →
 * `map-lab61-r0.svg`), and, when several layouts are explained, the layout's name before the
 * host (`map-hbm-lab-lab61-r0.svg`).
 */
export function svgFiles(
  out: string,
  files: readonly { path: string; analysis: Analysis }[],
): { path: string; title: string; svg: string }[] {
  const maps = files.flatMap((f) => regionMaps(f.analysis).map((m) => ({ layout: f.path, m })));
  const dot = out.lastIndexOf('.');
  const slash = Math.max(out.lastIndexOf('/'), out.lastIndexOf('\\'));
  const [stem, ext] = dot > slash + 1 ? [out.slice(0, dot), out.slice(dot)] : [out, '.svg'];
  const layoutName = (p: string) => namePart((p.split(/[\\/]/).pop() ?? p).replace(/\.dax$/, ''));
  return maps.map(({ layout, m }) => ({
    path:
      maps.length === 1
        ? out
        : `${stem}-${files.length > 1 ? `${layoutName(layout)}-` : ''}${m.host === DESIGN_HOST ? 'design' : namePart(m.host)}-r${m.region}${ext}`,
    title: mapTitle(m),
    svg: renderMapSvg(m),
  }));
}
