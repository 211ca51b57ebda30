// `daxlayout explain --daxctl-input`: for each device of the predicted state, the JSON object
// `daxctl create-device --input FILE` accepts (one object, not an array: the shape `daxctl list`
// prints for a device, with its mappings). daxctl takes the region from `chardev`, claims the
// mappings in page-offset order and names the device itself (in creation order). Pure.

import type { Analysis } from '../analysis/types';
import { deviceName, deviceSize } from '../kernel/state';

export interface DaxctlInput {
  readonly host: string;
  readonly region: number;
  readonly label?: string;
  readonly kernelName: string;
  readonly mode: 'devdax' | 'system-ram';
  /** One line of JSON. */
  readonly json: string;
}

export function daxctlInputs(a: Analysis): DaxctlInput[] {
  const out: DaxctlInput[] = [];
  for (const h of a.hosts) {
    if (!h.model || !h.plan) continue;
    for (const [ld, d] of h.plan.assigned) {
      if (deviceSize(d) === 0n) continue;
      const mode = d.driver === 'kmem' ? 'system-ram' : 'devdax';
      // integers beyond 2^53 stay exact: numbers are written from bigint text
      const mappings = d.ranges.map(
        (r) => `{"page_offset":${r.pgoff},"start":${r.start},"end":${r.end},"size":${r.end - r.start + 1n}}`,
      );
      const node = d.targetNode >= 0 ? `,"target_node":${d.targetNode}` : '';
      const json = `{"chardev":"${deviceName(d)}","size":${deviceSize(d)}${node},"align":${d.align},"mode":"${mode}","mappings":[${mappings.join(',')}]}`;
      out.push({ host: h.name, region: d.region.id, label: ld.label, kernelName: deviceName(d), mode, json });
    }
  }
  out.sort((x, y) =>
    x.host < y.host
      ? -1
      : x.host > y.host
        ? 1
        : x.region - y.region || x.kernelName.localeCompare(y.kernelName, 'en', { numeric: true }),
  );
  return out;
}

/** Text for the CLI: a `#` line saying what to run, then the JSON, per device. */
export function renderDaxctlInputs(list: readonly DaxctlInput[]): string {
  const out: string[] = [];
  for (const x of list) {
    const file = `${x.label ?? x.kernelName}.json`;
    const then = x.mode === 'system-ram' ? `; then daxctl reconfigure-device -m system-ram <the device it prints>` : '';
    out.push(
      `# ${x.host} region ${x.region}: ${x.label ?? '(not in layout)'} → ${x.kernelName} (${x.mode}): save as ${file}, run daxctl create-device -r ${x.region} --input ${file}${then}`,
    );
    out.push(x.json);
  }
  return out.join('\n') + (out.length ? '\n' : '');
}
