// The `daxlayout` command line. Exit codes: 0 clean, 1 findings or differences, 2 usage or unreadable input.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkFiles, hasErrors, renderFindings } from './check';
import { explainJson, renderExplain } from './explain';
import { runFmt } from './fmt';
import { UsageError } from './io';
import { runSim } from './sim';

const HELP = `daxlayout — Linux device-dax memory layouts as a file

Usage:
  daxlayout check FILE... [--json] [--prune]   diagnostics (exit 1 when there are errors)
  daxlayout explain FILE... [--json] [--prune] the predicted kernel state per region
  daxlayout fmt FILE... [--check]              format in place (--check: report only)
  daxlayout sim --facts FACTS [--kernel RELEASE] [--region-start ID=ADDR] [--json] SCRIPT
                                               run \`echo VALUE > PATH\` lines through the kernel model
  daxlayout help | --version

Exit codes: 0 success, 1 errors found (or files to format), 2 usage error or unreadable input.
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
        const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: { json: { type: 'boolean' }, prune: { type: 'boolean' } } });
        if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
        const files = checkFiles(positionals, values.prune ?? false);
        return { stdout: renderFindings(files, values.json ?? false), stderr: '', code: hasErrors(files) ? 1 : 0 };
      }
      case 'explain': {
        const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: { json: { type: 'boolean' }, prune: { type: 'boolean' } } });
        if (positionals.length === 0) throw new UsageError('explain needs at least one FILE');
        const files = checkFiles(positionals, values.prune ?? false);
        const errors = hasErrors(files);
        if (values.json) {
          const json = files.length === 1 ? explainJson((files[0] as (typeof files)[number]).analysis) : Object.fromEntries(files.map((f) => [f.path, explainJson(f.analysis)]));
          return { stdout: JSON.stringify(json, null, 2) + '\n', stderr: '', code: errors ? 1 : 0 };
        }
        const text = files
          .map((f) => {
            const n = f.analysis.findings.filter((x) => x.severity === 'error').length;
            const note = n ? `${f.path}: ${n} error(s); the prediction stops where the kernel would refuse — run \`daxlayout check ${f.path}\`\n` : '';
            return `== ${f.path}\n${renderExplain(f.path, f.analysis)}${note}`;
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

/** Entry point of the bundled bin (server/bin/daxlayout.cjs). */
export function run(): void {
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
