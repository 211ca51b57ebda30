// The `daxlayout` command line. Exit codes: 0 clean, 1 findings or differences, 2 usage or unreadable input.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkFiles, hasErrors, renderFindings } from './check';
import { explainJson, renderDaxctlInput, renderExplain, renderVm } from './explain';
import { runFmt } from './fmt';
import { fleetCommand, isFleetArgs, renderFleetExplain, verifyCommand } from './fleet';
import { readText, UsageError } from './io';
import { parseInventory } from '../core/fleet/inventory';
import { applyCommand, factsCommand, planCommand, type Io } from './plan-apply';
import { runSim } from './sim';

const HELP = `daxlayout — Linux device-dax memory layouts as a file

Usage:
  daxlayout check FILE... [--json] [--prune] [-i INVENTORY]
                                               diagnostics (exit 1 when there are errors); -i: hosts "…" blocks per host
  daxlayout explain FILE... [--json] [--prune] the predicted kernel state per region (stable names of persisted devices)
  daxlayout explain FILE... --daxctl-input     per device, the JSON \`daxctl create-device --input\` accepts
  daxlayout explain FILE --vm DEVICE           QEMU options and a libvirt snippet that give a guest a devdax device
                                               (DEVICE: LABEL, REGION/LABEL or HOST/REGION/LABEL)
  daxlayout fmt FILE... [--check]              format in place (--check: report only)
  daxlayout sim --facts FACTS [--kernel RELEASE] [--region-start ID=ADDR] [--json] SCRIPT
                                               run \`echo VALUE > PATH\` lines through the kernel model
  daxlayout facts DEST [-o FILE] [--port N] [--raw]
                                               capture a host's facts over SSH (read-only, one round trip)
  daxlayout facts --program | --from DUMP [-o FILE]
                                               the capture program, to run by hand (sh -s); a dump it printed → facts
  daxlayout plan FILE [--host H] [--json] [--prune] [--target sim:FACTS]
                                               the sysfs writes an apply would perform, against fresh facts
  daxlayout apply FILE [--host H] [--yes] [--json | --events] [--prune] [--target sim:FACTS]
                       [--fingerprint F] [--lock-timeout S]
                                               run the plan on the host (one program, under a lock), then verify
                                               facts/plan/apply also take --known-hosts FILE, --identity FILE,
                                               --ssh-config FILE (passed to ssh; host keys are always checked)
  daxlayout plan|apply FILE -i INVENTORY [--limit PATTERN] [--forks N] [--json] [--yes] [--prune]
                                               one layout on the hosts of an Ansible inventory, N at once;
                                               one section per host and a summary (docs/fleet.md)
  daxlayout plan FILE --for HOST [--groups G,…] --capture DUMP [--emit-program] [--prediction F] [--json]
  daxlayout verify --prediction F --capture DUMP [--apply-output OUT] [--json]
                                               hooks of the Ansible role (ansible/): plan from a capture,
                                               check an apply's output and the host against the prediction
  daxlayout help | --version

Exit codes: 0 success, 1 errors found (or files to format; for apply: a write failed or the host
differs from the prediction), 2 usage error or unreadable input, 3 refused (host changed since the
plan, lock busy, host key unknown or changed, confirmation declined).
Plan and apply: docs/apply.md. Layouts that survive reboots (\`persist\`; apply installs a boot-time
restorer and /dev/dax/by-label names): docs/persist.md.
Rules: docs/rules/DAXnnn.md. Language: docs/language.md. Facts: docs/facts.md.
`;

export const VERSION = '0.1.0';

function parseRegionStarts(values: readonly string[]): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const v of values) {
    const m = /^(\d+)=(0x[0-9a-fA-F_]+|\d+)$/.exec(v);
    if (!m) throw new UsageError(`--region-start takes ID=ADDR (e.g. 0=0x100000000), got ${v}`);
    out.set(Number(m[1]), BigInt((m[2] as string).replace(/_/g, '')));
  }
  return out;
}

export function main(argv: readonly string[]): { stdout: string; stderr: string; code: number } {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check': {
        const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: { json: { type: 'boolean' }, prune: { type: 'boolean' }, inventory: { type: 'string', short: 'i' } } });
        if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
        const files = checkFiles(positionals, values.prune ?? false, values.inventory !== undefined ? { inventory: parseInventory(readText(values.inventory), values.inventory), name: values.inventory } : undefined);
        return { stdout: renderFindings(files, values.json ?? false), stderr: '', code: hasErrors(files) ? 1 : 0 };
      }
      case 'explain': {
        const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: { json: { type: 'boolean' }, prune: { type: 'boolean' }, 'daxctl-input': { type: 'boolean' }, vm: { type: 'string' } } });
        if (positionals.length === 0) throw new UsageError('explain needs at least one FILE');
        if (values.vm !== undefined) {
          if (positionals.length !== 1) throw new UsageError('--vm takes one FILE');
          if (values.json || values['daxctl-input']) throw new UsageError('--vm prints QEMU options and libvirt XML: leave out --json and --daxctl-input');
          const [f] = checkFiles(positionals, values.prune ?? false);
          const r = renderVm((f as NonNullable<typeof f>).analysis, values.vm);
          return { stdout: r.stdout, stderr: r.stderr, code: r.code };
        }
        if (values.json && values['daxctl-input']) throw new UsageError('--daxctl-input prints JSON objects already: leave out --json');
        const files = checkFiles(positionals, values.prune ?? false);
        const errors = hasErrors(files);
        if (values['daxctl-input']) {
          // per device of the predicted state, the object `daxctl create-device --input FILE` accepts
          const text = files.map((f) => (files.length > 1 ? `# == ${f.path}\n` : '') + renderDaxctlInput(f.analysis)).join('');
          const stderr = files
            .filter((f) => f.analysis.findings.some((x) => x.severity === 'error'))
            .map((f) => `daxlayout: ${f.path} has errors; devices the kernel would refuse are left out — run \`daxlayout check ${f.path}\`\n`)
            .join('');
          return { stdout: text, stderr, code: errors ? 1 : 0 };
        }
        if (values.json) {
          const json = files.length === 1 ? explainJson((files[0] as (typeof files)[number]).analysis) : Object.fromEntries(files.map((f) => [f.path, explainJson(f.analysis)]));
          return { stdout: JSON.stringify(json, null, 2) + '\n', stderr: '', code: errors ? 1 : 0 };
        }
        const text = files
          .map((f) => {
            const n = f.analysis.findings.filter((x) => x.severity === 'error').length;
            const note = n ? `${f.path}: ${n} error(s); the prediction stops where the kernel would refuse — run \`daxlayout check ${f.path}\`\n` : '';
            return `== ${f.path}\n${renderFleetExplain(f.path, f.analysis, renderExplain)}${note}`;
          })
          .join('\n');
        return { stdout: text, stderr: '', code: errors ? 1 : 0 };
      }
      case 'fmt': {
        const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: { check: { type: 'boolean' } } });
        if (positionals.length === 0) throw new UsageError('fmt needs at least one FILE');
        const r = runFmt(positionals, values.check ?? false);
        return { stdout: r.output, stderr: '', code: r.code };
      }
      case 'sim': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: { facts: { type: 'string' }, kernel: { type: 'string' }, json: { type: 'boolean' }, 'region-start': { type: 'string', multiple: true } },
        });
        if (!values.facts) throw new UsageError('sim needs --facts FACTS (a facts file or `daxctl list -RDMi` JSON)');
        if (positionals.length !== 1) throw new UsageError('sim takes one SCRIPT of `echo VALUE > PATH` lines');
        const out = runSim(positionals[0] as string, {
          facts: values.facts,
          ...(values.kernel ? { kernel: values.kernel } : {}),
          regionStart: parseRegionStarts(values['region-start'] ?? []),
          json: values.json ?? false,
        });
        return { stdout: out, stderr: '', code: 0 };
      }
      case 'lsp': {
        // The language server is its own bundle, next to this one in server/dist; the CLI
        // requires it at run time instead of importing server/lsp (docs/architecture.md).
        const server = require(join(__dirname, 'server.cjs')) as { start(): void };
        server.start();
        return { stdout: '', stderr: '', code: 0 };
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return { stdout: HELP, stderr: '', code: command === undefined ? 2 : 0 };
      case '--version':
        return { stdout: `daxlayout ${VERSION}\n`, stderr: '', code: 0 };
      default:
        throw new UsageError(`unknown command \`${command}\``);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'))) {
      return { stdout: '', stderr: `daxlayout: ${e.message}\n${e instanceof UsageError ? 'Run `daxlayout help` for usage.\n' : ''}`, code: 2 };
    }
    throw e;
  }
}

// plan/apply with -i INVENTORY (a fleet) or --capture (the Ansible role's hook): server/cli/fleet.ts
const fleetOr = (kind: 'plan' | 'apply', single: (args: string[], io: Io) => Promise<number>) => (args: string[], io: Io) =>
  isFleetArgs(args) ? fleetCommand(kind, args, io) : single(args, io);
const ASYNC: Record<string, (args: string[], io: Io) => Promise<number>> = { facts: factsCommand, plan: fleetOr('plan', planCommand), apply: fleetOr('apply', applyCommand), verify: verifyCommand };

function processIo(): Io {
  let cleanup: (() => void) | undefined;
  let cancel: ((signal: string) => void) | undefined;
  let hooked = false;
  const hook = (): void => {
    if (hooked) return;
    hooked = true;
    for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
      process.on(sig, () => {
        if (cancel && sig !== 'SIGHUP') {
          // the first signal during the writes: the host stops before its next write, and we report
          const c = cancel;
          cancel = undefined;
          c(sig);
          return;
        }
        process.stderr.write(`\ndaxlayout: interrupted (${sig}); if writes were already on their way, they run to the end on the host — run \`daxlayout plan\` to see its state\n`);
        try {
          cleanup?.();
        } finally {
          process.exit(code);
        }
      });
    }
  };
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    isTTY: process.stdin.isTTY === true,
    env: process.env,
    ask: async (q) => {
      const { createInterface } = await import('node:readline');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await new Promise<string>((resolve) => {
          rl.question(q, resolve);
          rl.on('SIGINT', () => rl.close());
          rl.on('close', () => resolve(''));
        });
      } finally {
        rl.close();
      }
    },
    onInterrupt: (c) => {
      cleanup = c;
      hook();
    },
    onCancel: (h) => {
      cancel = h;
      hook();
    },
  };
}

/** Runs an asynchronous command (facts, plan, apply): usage errors exit 2. */
export async function mainAsync(command: string, rest: string[], io: Io): Promise<number> {
  const f = Object.hasOwn(ASYNC, command) ? ASYNC[command] : undefined;
  if (!f) throw new Error(`not an asynchronous command: ${command}`);
  try {
    return await f(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`daxlayout: ${e.message}\n${e instanceof UsageError ? 'Run `daxlayout help` for usage.\n' : ''}`);
      return 2;
    }
    io.err(`daxlayout: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nPlease report it with the input that caused it.\n`);
    return 1;
  }
}

/** Entry point of the bundled bin (server/bin/daxlayout.cjs). */
export function run(): void {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== undefined && Object.hasOwn(ASYNC, command)) {
    void mainAsync(command, rest, processIo()).then((code) => {
      process.exitCode = code;
    });
    return;
  }
  let r: ReturnType<typeof main>;
  try {
    r = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`daxlayout: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nPlease report it with the input that caused it.\n`);
    process.exitCode = 3;
    return;
  }
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
