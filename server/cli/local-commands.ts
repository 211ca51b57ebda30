// The commands that work on files only (check, explain, fmt, sim) and the language server's
// entry (lsp): their flags and their runs. main.ts's table gives each its usage text.
import { join } from 'node:path';
import { intFlag, parseFlags, printable, type FlagSpecs } from './args';
import { checkFiles, hasErrors, renderFindings } from './check';
import { explainJson, renderDaxctlInput, renderExplain, renderVm, svgFiles } from './explain';
import { runFmt } from './fmt';
import { renderFleetExplain } from './fleet';
import { EXIT, readText, UsageError, writeOutput } from './io';
import { parseInventory } from '../core/index';
import type { Io } from './plan-apply';
import { runSim } from './sim';

function parseRegionStarts(values: readonly string[]): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const v of values) {
    const m = /^(\d{1,6})=(0x[0-9a-fA-F_]{1,40}|\d{1,40})$/.exec(v);
    if (!m) throw new UsageError(`--region-start takes ID=ADDR (e.g. 0=0x100000000), got \`${printable(v)}\``);
    out.set(Number(m[1]), BigInt((m[2] as string).replace(/_/g, '')));
  }
  return out;
}

// ------------------------------------------------------------------ check, explain, fmt, sim

const CHECK_FLAGS = {
  json: { type: 'boolean' },
  prune: { type: 'boolean' },
  inventory: { type: 'string', short: 'i', value: 'INVENTORY' },
} as const satisfies FlagSpecs;

export function checkCommand(args: string[], io: Io): number {
  const { values, positionals } = parseFlags('check', args, CHECK_FLAGS);
  if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
  const inventory =
    values.inventory !== undefined
      ? { inventory: parseInventory(readText(values.inventory), values.inventory), name: values.inventory }
      : undefined;
  const files = checkFiles(positionals, values.prune ?? false, inventory);
  io.out(renderFindings(files, values.json ?? false));
  return hasErrors(files) ? EXIT.failed : EXIT.ok;
}

const EXPLAIN_FLAGS = {
  json: { type: 'boolean' },
  prune: { type: 'boolean' },
  'daxctl-input': { type: 'boolean' },
  vm: { type: 'string', value: 'DEVICE' },
  svg: { type: 'string', value: 'FILE' },
} as const satisfies FlagSpecs;

export function explainCommand(args: string[], io: Io): number {
  const { values, positionals } = parseFlags('explain', args, EXPLAIN_FLAGS);
  if (positionals.length === 0) throw new UsageError('explain needs at least one FILE');
  if (values.vm !== undefined) {
    if (positionals.length !== 1) throw new UsageError('--vm takes one FILE');
    if (values.json || values['daxctl-input'])
      throw new UsageError('--vm prints QEMU options and libvirt XML: leave out --json and --daxctl-input');
    const [f] = checkFiles(positionals, values.prune ?? false);
    const r = renderVm((f as NonNullable<typeof f>).analysis, values.vm);
    io.out(r.stdout);
    io.err(r.stderr);
    return r.code;
  }
  if (values.json && values['daxctl-input'])
    throw new UsageError('--daxctl-input prints JSON objects already: leave out --json');
  if (values.svg !== undefined && (values.json || values['daxctl-input']))
    throw new UsageError('--svg writes pictures: leave out --json and --daxctl-input');
  if (values.svg === '') throw new UsageError('--svg needs a file name, such as --svg map.svg');
  const files = checkFiles(positionals, values.prune ?? false);
  const errors = hasErrors(files);
  const code = errors ? EXIT.failed : EXIT.ok;
  if (values.svg !== undefined) {
    // one SVG per region (svgFiles says how the files are named)
    const out = svgFiles(values.svg, files);
    if (out.length === 0)
      throw new UsageError(
        `no region to draw: the layout${files.length > 1 ? 's' : ''} predict${files.length > 1 ? '' : 's'} no region (run \`daxlayout explain\` to see why)`,
      );
    for (const f of out) {
      writeOutput(f.path, f.svg);
      io.out(`wrote ${f.path} (${f.title})\n`);
    }
    for (const f of files.filter((x) => x.analysis.findings.some((y) => y.severity === 'error')))
      io.err(
        `daxlayout: ${f.path} has errors; the pictures show the prediction up to where the kernel would refuse — run \`daxlayout check ${f.path}\`\n`,
      );
    return code;
  }
  if (values['daxctl-input']) {
    // per device of the predicted state, the object `daxctl create-device --input FILE` accepts
    io.out(files.map((f) => (files.length > 1 ? `# == ${f.path}\n` : '') + renderDaxctlInput(f.analysis)).join(''));
    io.err(
      files
        .filter((f) => f.analysis.findings.some((x) => x.severity === 'error'))
        .map(
          (f) =>
            `daxlayout: ${f.path} has errors; devices the kernel would refuse are left out — run \`daxlayout check ${f.path}\`\n`,
        )
        .join(''),
    );
    return code;
  }
  if (values.json) {
    const json =
      files.length === 1
        ? explainJson((files[0] as (typeof files)[number]).analysis)
        : Object.fromEntries(files.map((f) => [f.path, explainJson(f.analysis)]));
    io.out(JSON.stringify(json, null, 2) + '\n');
    return code;
  }
  io.out(
    files
      .map((f) => {
        const n = f.analysis.findings.filter((x) => x.severity === 'error').length;
        const note = n
          ? `${f.path}: ${n} error(s); the prediction stops where the kernel would refuse — run \`daxlayout check ${f.path}\`\n`
          : '';
        return `== ${f.path}\n${renderFleetExplain(f.path, f.analysis, renderExplain)}${note}`;
      })
      .join('\n'),
  );
  return code;
}

export function fmtCommand(args: string[], io: Io): number {
  const { values, positionals } = parseFlags('fmt', args, { check: { type: 'boolean' } });
  if (positionals.length === 0) throw new UsageError('fmt needs at least one FILE');
  const r = runFmt(positionals, values.check ?? false);
  io.out(r.output);
  return r.code;
}

const SIM_FLAGS = {
  facts: { type: 'string', value: 'FACTS' },
  kernel: { type: 'string', value: 'RELEASE' },
  json: { type: 'boolean' },
  'region-start': { type: 'string', multiple: true, value: 'ID=ADDR' },
} as const satisfies FlagSpecs;

/** A kernel release as `uname -r` prints it. */
const RELEASE = /^\d{1,4}\.\d{1,4}[A-Za-z0-9._+~-]{0,120}$/;

export function simCommand(args: string[], io: Io): number {
  const { values, positionals } = parseFlags('sim', args, SIM_FLAGS);
  if (values.facts === undefined)
    throw new UsageError('sim needs --facts FACTS (a facts file or `daxctl list -RDMi` JSON)');
  if (values.kernel !== undefined && !RELEASE.test(values.kernel)) {
    throw new UsageError(
      values.kernel === ''
        ? '--kernel needs a release, such as 6.1.0-56-amd64 (`uname -r` on the host)'
        : `--kernel \`${printable(values.kernel)}\` is not a kernel release such as 6.1.0-56-amd64`,
    );
  }
  if (positionals.length !== 1) throw new UsageError('sim takes one SCRIPT of `echo VALUE > PATH` lines');
  io.out(
    runSim(positionals[0] as string, {
      facts: values.facts,
      ...(values.kernel !== undefined ? { kernel: values.kernel } : {}),
      regionStart: parseRegionStarts(values['region-start'] ?? []),
      json: values.json ?? false,
    }),
  );
  return EXIT.ok;
}

// ------------------------------------------------------------------ lsp

const LSP_FLAGS = {
  stdio: { type: 'boolean' },
  'node-ipc': { type: 'boolean' },
  socket: { type: 'string', value: 'PORT' },
  pipe: { type: 'string', value: 'NAME' },
  clientProcessId: { type: 'string', value: 'PID' },
} as const satisfies FlagSpecs;

/** `beforeStart` lets the caller take back its last-resort error handlers (the server has its own). */
export function lspCommand(args: string[], beforeStart: () => void): number {
  const { values, positionals } = parseFlags('lsp', args, LSP_FLAGS);
  if (positionals.length > 0)
    throw new UsageError(
      `lsp takes no FILE (got \`${printable(positionals[0] as string)}\`): the editor sends the documents`,
    );
  const transports = [values.stdio, values['node-ipc'], values.socket !== undefined, values.pipe !== undefined].filter(
    Boolean,
  ).length;
  if (transports === 0)
    throw new UsageError(
      'lsp needs a transport: --stdio (or --node-ipc, --socket=PORT, --pipe=NAME); it talks LSP to an editor, not to a terminal',
    );
  if (transports > 1)
    throw new UsageError('lsp takes one transport: --stdio, --node-ipc, --socket=PORT or --pipe=NAME');
  if (values.socket !== undefined) intFlag(values.socket, 'socket', 0, 1, 65535);
  if (values.clientProcessId !== undefined) intFlag(values.clientProcessId, 'clientProcessId', 0, 1, 2 ** 31 - 1);
  // The language server is its own bundle, next to this one in server/dist; the CLI requires it
  // at run time instead of importing server/lsp (docs/architecture.md). It reads its transport
  // from process.argv and installs its own handlers for escaped errors (it keeps serving).
  beforeStart();
  const server = require(join(__dirname, 'server.cjs')) as { start(): void };
  server.start();
  return EXIT.ok;
}
