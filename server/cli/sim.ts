// `daxlayout sim --facts FACTS [--kernel RELEASE] [--json] SCRIPT`: the kernel model's own test interface.
import {
  cxlSnapshot,
  KernelModel,
  outsideModelled,
  parseScript,
  readFacts,
  SeedError,
  toDaxctlJson,
} from '../core/index';
import { readText, UsageError } from './io';

export interface SimOptions {
  readonly facts: string;
  readonly kernel?: string;
  readonly regionStart: Map<number, bigint>;
  readonly json: boolean;
}

export function runSim(scriptPath: string, o: SimOptions): string {
  const factsText = readText(o.facts);
  const { facts, problems } = readFacts(factsText, o.facts, {
    ...(o.kernel ? { kernelRelease: o.kernel } : {}),
    regionStart: o.regionStart,
  });
  const fatal = problems.filter((p) => p.severity === 'error');
  if (!facts || fatal.length > 0) {
    throw new UsageError(
      `${o.facts}: ${fatal.map((p) => (p.path ? `${p.path}: ` : '') + p.message).join('; ') || 'unreadable facts'}`,
    );
  }
  let model: KernelModel;
  try {
    model = KernelModel.fromFacts(facts, o.kernel);
  } catch (e) {
    if (e instanceof SeedError) throw new UsageError(`${o.facts}: ${e.message}`);
    throw e;
  }
  // a release outside the modelled range is modelled as the nearest one: never silently
  const note = outsideModelled(model.version);
  if (note) process.stderr.write(`daxlayout sim: warning: ${note}\n`);
  const script = parseScript(readText(scriptPath));
  if (!script.ok) throw new UsageError(`${scriptPath}:${script.message}`);
  const results: { line: number; result: string; text: string }[] = [];
  for (const w of script.writes) {
    const r = model.write(w.path, w.value);
    if (r.kind === 'unmodelled')
      throw new UsageError(`${scriptPath}: line ${w.line}: cannot model \`${w.text}\`: ${r.reason}`);
    results.push({ line: w.line, result: r.kind === 'ok' ? 'ok' : r.errno, text: w.text });
  }
  const state = toDaxctlJson(model.state);
  // the CXL regions and decoders, when the facts have a CXL topology (kernel/cxl-model.ts)
  const cxl = model.cxl ? cxlSnapshot(model.cxl) : undefined;
  if (o.json)
    return (
      JSON.stringify(
        { results: results.map(({ line, result }) => ({ line, result })), state, ...(cxl ? { cxl } : {}) },
        null,
        2,
      ) + '\n'
    );
  const width = Math.max(0, ...results.map((r) => r.text.length));
  const lines = results.map((r) => `${String(r.line).padStart(4)}  ${r.text.padEnd(width)}  ${r.result}`);
  const cxlText = cxl ? `\nCXL regions and decoders:\n${JSON.stringify(cxl, null, 2)}\n` : '';
  return `${lines.join('\n')}${lines.length ? '\n' : ''}\nstate (as daxctl list -RDMi would print it):\n${JSON.stringify(state, null, 2)}\n${cxlText}`;
}
