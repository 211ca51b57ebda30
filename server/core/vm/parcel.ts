// VM parcels (docs/colours.md "for apply", docs/language.md): the QEMU / libvirt options that
// attach a devdax device to a guest. Who may open the device (owner, group, mode) is set by udev
// rules that apply installs with the other persist artifacts (persist/access.ts). Pure.

import type { Analysis, HostAnalysis } from '../analysis/types';
import { deviceName, deviceSize } from '../kernel/state';
import type { LayoutDevice } from '../layout/types';
import { parsePermissions } from '../persist/access';
import { stablePath } from '../persist/spec';
import { formatBytes, sizeLiteral } from '../units';

export interface VmAttach {
  readonly host: string;
  readonly label: string;
  readonly kernelName: string;
  /** /dev/dax/by-label/LABEL when the region persists, else /dev/daxR.N. */
  readonly path: string;
  readonly size: bigint;
  /** The device's align: QEMU must map it at this alignment. */
  readonly align: bigint;
  readonly owner?: string;
  readonly group?: string;
  readonly mode?: number;
}

/** Finds a devdax device by label (`label`, `region/label` or `host/region/label`) and says how a guest gets it. */
export function vmAttach(a: Analysis, spec: string): { attach?: VmAttach; error?: string } {
  const parts = spec.split('/');
  const label = parts[parts.length - 1] as string;
  const regionId = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  const hostName = parts.length >= 3 ? parts[0] : undefined;
  const found: { host: HostAnalysis; l: LayoutDevice }[] = [];
  for (const h of a.hosts) {
    if (hostName !== undefined && h.name !== hostName) continue;
    for (const r of h.regions) {
      if (regionId !== undefined && String(r.layout.id?.value) !== regionId) continue;
      for (const l of r.layout.devices) if (l.label === label) found.push({ host: h, l });
    }
  }
  if (found.length === 0) return { error: `no device \`${spec}\` in the layout` };
  if (found.length > 1)
    return {
      error: `\`${spec}\` names ${found.length} devices; write HOST/REGION/LABEL (e.g. ${found.map((f) => `${f.host.name}/${f.l.region.id?.value}/${label}`).join(', ')})`,
    };
  const { host, l } = found[0] as { host: HostAnalysis; l: LayoutDevice };
  if (l.mode !== 'devdax')
    return {
      error: `\`${label}\` is system-ram: the kernel onlines its memory, there is no /dev/daxR.N for a guest to map`,
    };
  const d = host.plan?.assigned.get(l);
  if (!d || d.ranges.length === 0) return { error: `the plan does not create \`${label}\`; run \`daxlayout check\`` };
  const perm = l.permissions ? parsePermissions(l.permissions.value).mode : undefined;
  return {
    attach: {
      host: host.name,
      label,
      kernelName: deviceName(d),
      path: stablePath(host, l) ?? `/dev/${deviceName(d)}`,
      size: deviceSize(d),
      align: d.align,
      ...(l.owner ? { owner: l.owner.value } : {}),
      ...(l.group ? { group: l.group.value } : {}),
      ...(perm !== undefined ? { mode: perm } : {}),
    },
  };
}

const KiB = 1024n;

/** QEMU options and a libvirt snippet that attach the device to a guest. */
export function renderVmAttach(v: VmAttach): string {
  const id = v.label.replace(/[^A-Za-z0-9_-]/g, '_');
  const size = sizeLiteral(v.size);
  const align = sizeLiteral(v.align);
  const who = [
    v.owner && `owner ${v.owner}`,
    v.group && `group ${v.group}`,
    v.mode !== undefined && `mode ${v.mode.toString(8).padStart(4, '0')}`,
  ]
    .filter(Boolean)
    .join(', ');
  return [
    `# ${v.label} on ${v.host}: ${v.kernelName}, ${formatBytes(v.size)}, align ${formatBytes(v.align)}${who ? ` (${who})` : ''}`,
    `# QEMU must map ${v.path} at a ${formatBytes(v.align)} boundary (align=${align}): device-dax refuses a`,
    '# mapping that is not aligned to the device align; share=on, as device-dax memory cannot be private.',
    '',
    '## QEMU: as guest RAM (a DIMM; -m needs slots= and maxmem= covering it)',
    `-object memory-backend-file,id=mem-${id},mem-path=${v.path},size=${size},align=${align},share=on`,
    `-device pc-dimm,id=dimm-${id},memdev=mem-${id}`,
    '',
    '## QEMU: or as a virtual NVDIMM (-machine ...,nvdimm=on)',
    `-object memory-backend-file,id=mem-${id},mem-path=${v.path},size=${size},align=${align},share=on`,
    `-device nvdimm,id=nvdimm-${id},memdev=mem-${id}`,
    '',
    "## libvirt (<maxMemory slots='…'> must leave room for it; a model='dimm' memory device",
    '## takes no file path in libvirt, so the device is attached as an NVDIMM)',
    '<memoryBacking>',
    "  <access mode='shared'/>",
    '</memoryBacking>',
    '<devices>',
    "  <memory model='nvdimm' access='shared'>",
    '    <source>',
    `      <path>${v.path}</path>`,
    `      <alignsize unit='KiB'>${v.align / KiB}</alignsize>`,
    '    </source>',
    '    <target>',
    `      <size unit='KiB'>${v.size / KiB}</size>`,
    '      <node>0</node>',
    '    </target>',
    '  </memory>',
    '</devices>',
    '',
  ].join('\n');
}
