// The plan view of the VS Code extension (client/src/plan-render.ts) shows, under a CXL region's
// bind, the wait apply makes for the region's dax device, from the plan JSON's `settle`.
import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../client/src/plan-render';
import type { PlanJson } from '../../server/cli/protocol';

const bind = { path: '/sys/bus/cxl/drivers/cxl_region/bind', value: 'region0', predicted: 'ok' };
const plan = (settle?: object): PlanJson => ({
  host: 'cxl2',
  target: 'ssh root@127.0.0.1 port 2226',
  simulated: false,
  fingerprint: 'sha256:0',
  kernel: '7.3.4+deb13-amd64',
  changes: true,
  steps: [
    {
      index: 1,
      op: '+',
      target: 'region0',
      summary: 'region0: 2 GiB of window decoder0.0',
      destructive: false,
      writes: [{ ...bind, ...(settle ? { settle } : {}) }],
    },
  ],
  summary: { create: 1, change: 0, destroy: 0 },
  summaryLine: 'Plan: 1 device to create, 0 to change, 0 to destroy.',
  unlisted: [],
  refusals: [],
  diagnostics: [],
  unreadable: [],
  persist: null,
});
const text = (p: PlanJson) =>
  renderPlan({ plan: p, layoutName: 'cxl2.dax', target: { text: 'ssh', simulated: false }, madeAt: new Date(0) });

describe('client plan view: the wait after a CXL bind', () => {
  it('is shown under the write when the plan has one, and not otherwise', () => {
    const settle = { device: 'dax0.0', driver: 'kmem', blocks: { first: 114, last: 129 }, timeoutS: 120 };
    expect(text(plan(settle))).toContain(
      '      echo region0 > /sys/bus/cxl/drivers/cxl_region/bind\n        # then wait until dax0.0 bound to kmem, memory114-memory129 added (up to 120 s)\n',
    );
    expect(text(plan())).not.toContain('then wait');
  });
});
