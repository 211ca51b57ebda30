// npm run bench: full analysis of a large layout against JSON.parse of the same data, in one run.
// Medians over repeated runs; the machine is shared, so compare within this run only.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { generate, small } from './generate.mjs';

const require = createRequire(import.meta.url);
const core = require('../../server/dist/core.cjs');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return out;
}

const { dax, json } = generate(50, 20);
const lineCount = dax.split('\n').length;
const first = core.analyze(dax);
const devices = first.layout.regions.reduce((n, r) => n + r.devices.length, 0);
const errors = first.findings.filter((f) => f.severity === 'error');
if (errors.length) {
  console.error('the generated layout has errors:', errors.slice(0, 3).map((e) => e.message));
  process.exit(1);
}
// warm up both
time(() => core.analyze(dax), 5);
time(() => JSON.parse(json), 20);
const runs = Number(process.env.BENCH_RUNS ?? 31);
const tAnalyze = [];
const tJson = [];
for (let i = 0; i < runs; i++) {
  // interleave so both see the same machine load
  tAnalyze.push(...time(() => core.analyze(dax), 1));
  tJson.push(...time(() => JSON.parse(json), 5).map((x) => x));
}
const mA = median(tAnalyze);
const mJ = median(tJson);

const s = small();
const smallLines = s.split('\n').length;
time(() => core.analyze(s), 50);
const mS = median(time(() => core.analyze(s), 201));

console.log(`layout: ${lineCount} lines, ${devices} devices, ${first.hosts.length} hosts (${(dax.length / 1024).toFixed(0)} KiB); JSON of the same: ${(json.length / 1024).toFixed(0)} KiB`);
console.log(`full analysis (parse, lower, plan + simulate, all rules): median ${mA.toFixed(2)} ms over ${runs} runs`);
console.log(`JSON.parse of the same layout:                         median ${mJ.toFixed(2)} ms over ${runs * 5} runs`);
console.log(`ratio analysis / JSON.parse: ${(mA / mJ).toFixed(2)}x (target <= 3x)`);
console.log(`small file (${smallLines} lines): median ${mS.toFixed(3)} ms over 201 runs (target < 2 ms)`);

// The libraries' part of the core (docs/architecture.md, "Libraries"): a YAML inventory as Ansible
// users write them (1 000 hosts in 20 groups under two parents, group and host vars) and the
// SHA-256 of the persist artifacts (a 64 KiB text, as large as a restorer with its udev rules).
const invLines = ['all:', '  vars:', '    ansible_user: root', '  children:'];
for (const parent of ['rack_a', 'rack_b']) {
  invLines.push(`    ${parent}:`, '      vars:', `        rack: ${parent}`, '      children:');
  for (let g = 0; g < 10; g++) {
    invLines.push(`        ${parent}_g${g}:`, '          vars:', `            daxlayout_group: "g${g}"`, '          hosts:');
    for (let h = 0; h < 50; h++)
      invLines.push(`            ${parent}-g${g}-h${h}:`, `              ansible_host: 10.${g}.${h}.${parent === 'rack_a' ? 1 : 2}`, '              ansible_port: 22');
  }
}
const inventory = invLines.join('\n') + '\n';
const inv = core.parseInventory(inventory, 'hosts.yml');
if (inv.problems.length || inv.hosts.length !== 1000) {
  console.error('the generated inventory does not read:', inv.problems.slice(0, 3), inv.hosts.length);
  process.exit(1);
}
time(() => core.parseInventory(inventory, 'hosts.yml'), 5);
const mInv = median(time(() => core.parseInventory(inventory, 'hosts.yml'), 31));
const text64 = 'echo 1 > /sys/bus/dax/devices/dax0.1/size # ü\n'.repeat(1400).slice(0, 65536);
time(() => core.sha256(text64), 20);
const mSha = median(time(() => core.sha256(text64), 201));
console.log(`YAML inventory (${invLines.length} lines, 1000 hosts): median ${mInv.toFixed(2)} ms over 31 runs`);
console.log(`sha256 of 64 KiB of text: median ${mSha.toFixed(3)} ms over 201 runs`);
