// The `daxlayout` command line: one table of commands, each with its usage text (examples and
// exit codes) and its run. Exit codes: 0 success, 1 errors found or failed, 2 usage or
// unreadable input, 3 refused, 70 internal error (README, "The CLI"). No command prints a stack
// trace (unless DAXLAYOUT_DEBUG=1): a usage error is one line, an internal error one line that
// says so.
// The table below holds every command's usage text (half the file), kept in one place so that
// the help of all commands reads and changes together; the commands themselves live in their own
// files (local-commands.ts, plan-apply.ts, apply.ts, facts.ts, fleet.ts, ansible-hooks.ts), the
// process around them (signals, EPIPE, the last resort) in process-io.ts.
import { colourFlag, colourText, wantColour } from './colour';
import { printable, wantsHelp } from './args';
import { verifyCommand } from './ansible-hooks';
import { fleetCommand, isFleetArgs } from './fleet';
import { EXIT, internalError, UsageError } from './io';
import { guardedStream, lastResort, processIo } from './process-io';
import { applyCommand } from './apply';
import { factsCommand, planCommand, type Io } from './plan-apply';
import { checkCommand, explainCommand, fmtCommand, lspCommand, simCommand } from './local-commands';

export const VERSION = '0.1.0';

const EXIT_CODES_ALL = `  70  internal error: a bug in daxlayout (the message says so; please report it)`;

export interface Command {
  readonly name: string;
  /** The command's lines in the overview (`daxlayout help`). */
  readonly synopsis: string;
  /** `daxlayout COMMAND --help`: what it does, its options, examples, its exit codes. */
  readonly usage: string;
  run(args: string[], io: Io): number | Promise<number>;
}

// ------------------------------------------------------------------ the table

const SSH_HELP = `SSH options (facts, plan, apply):
  --known-hosts FILE   -o UserKnownHostsFile=FILE (env DAXLAYOUT_KNOWN_HOSTS)
  --identity FILE      -i FILE -o IdentitiesOnly=yes (env DAXLAYOUT_SSH_IDENTITY)
  --ssh-config FILE    -F FILE (env DAXLAYOUT_SSH_CONFIG)
Host keys are always checked; daxlayout never adds one.`;

export const COMMANDS: readonly Command[] = [
  {
    name: 'check',
    synopsis: `  daxlayout check FILE... [--json] [--prune] [-i INVENTORY]
                                               diagnostics (exit 1 when there are errors); -i: hosts "…" blocks per host`,
    usage: `Usage: daxlayout check FILE... [--json] [--prune] [-i INVENTORY]

Checks layouts against the kernel model and prints each problem as
FILE:LINE:COLUMN: SEVERITY: MESSAGE [DAXnnn] (docs/rules/DAXnnn.md explains each code).

Options:
  --json              the findings as a JSON array (file, line, column, severity, code, message, href)
  --prune             check as \`plan --prune\` would plan: devices the layout does not list are removed
  -i, --inventory F   the Ansible inventory \`hosts "…"\` blocks are matched against (INI or YAML)

Examples:
  daxlayout check samples/*.dax
  daxlayout check rack.dax -i inventory.ini --json

Exit codes:
  0   no errors (warnings and info may be printed)
  1   errors found
  2   usage error, or a file that cannot be read
${EXIT_CODES_ALL}`,
    run: checkCommand,
  },
  {
    name: 'explain',
    synopsis: `  daxlayout explain FILE... [--json] [--prune] the predicted kernel state per region (stable names of persisted devices)
  daxlayout explain FILE... --daxctl-input     per device, the JSON \`daxctl create-device --input\` accepts
  daxlayout explain FILE --vm DEVICE           QEMU options and a libvirt snippet that give a guest a devdax device
                                               (DEVICE: LABEL, REGION/LABEL or HOST/REGION/LABEL)
  daxlayout explain FILE... --svg OUT.svg      a picture of each region's address map (one SVG per region)`,
    usage: `Usage: daxlayout explain FILE... [--json] [--prune]
       daxlayout explain FILE... --daxctl-input
       daxlayout explain FILE --vm DEVICE
       daxlayout explain FILE... --svg OUT.svg

Prints what the kernel will make of each region: device names, sizes, aligns, modes, physical
ranges, System RAM blocks, cache colours, stable names of persisted devices.

Options:
  --json              the predicted state in the shape of \`daxctl list -RDMi\`, with labels
  --prune             predict as \`plan --prune\` would plan
  --daxctl-input      per device, the JSON object \`daxctl create-device --input\` accepts
  --vm DEVICE         QEMU options and a libvirt snippet that give a guest the devdax device
                      (DEVICE: LABEL, REGION/LABEL or HOST/REGION/LABEL)
  --svg OUT.svg       draw each region's address map (devices, free space, pinned ranges,
                      cache-colour stripes, memory blocks, NUMA node) as SVG. One region: written
                      to OUT.svg. Several: one file each, -HOST-rREGION before the extension
                      (map.svg -> map-lab61-r0.svg), and with several FILEs the layout's name
                      first (map-hbm-lab-lab61-r0.svg). Prints the files written.

Examples:
  daxlayout explain samples/hbm-lab.dax
  daxlayout explain samples/colours.dax --vm vms
  daxlayout explain samples/syntax-tour.dax --svg map.svg

Exit codes:
  0   the layout has no errors
  1   the layout has errors (the prediction stops where the kernel would refuse)
  2   usage error, a file that cannot be read, no such --vm device
${EXIT_CODES_ALL}`,
    run: explainCommand,
  },
  {
    name: 'fmt',
    synopsis: `  daxlayout fmt FILE... [--check]              format in place (--check: report only)`,
    usage: `Usage: daxlayout fmt FILE... [--check]

Rewrites layouts in the canonical style (idempotent, keeps comments). A file with syntax errors
is left as it is.

Options:
  --check             change nothing; list the files that would be reformatted

Examples:
  daxlayout fmt lab.dax
  daxlayout fmt --check *.dax

Exit codes:
  0   formatted (or nothing to change)
  1   --check: a file would be reformatted; or a file has syntax errors
  2   usage error, a file that cannot be read or written
${EXIT_CODES_ALL}`,
    run: fmtCommand,
  },
  {
    name: 'sim',
    synopsis: `  daxlayout sim --facts FACTS [--kernel RELEASE] [--region-start ID=ADDR] [--json] SCRIPT
                                               run \`echo VALUE > PATH\` lines through the kernel model`,
    usage: `Usage: daxlayout sim --facts FACTS [--kernel RELEASE] [--region-start ID=ADDR]... [--json] SCRIPT

Runs a script of \`echo VALUE > PATH\` lines (real sysfs paths) through the kernel model seeded
from FACTS, and prints each write's result (ok or the errno) and the final state.

Options:
  --facts FACTS           a facts file, or the JSON \`daxctl list -RDMi\` prints as root
  --kernel RELEASE        the kernel release (\`uname -r\`), needed with daxctl JSON
  --region-start ID=ADDR  the physical start of a region daxctl JSON does not give (repeatable)
  --json                  results and state as JSON

Examples:
  daxlayout sim --facts samples/linux-6.1.facts.json grow.sh
  daxlayout sim --facts samples/linux-6.1.daxctl.json --kernel 6.1.0-56-amd64 --json grow.sh

Exit codes:
  0   the script ran through the model (failed writes are results, not errors)
  2   usage error, unreadable facts or script, or a line the model cannot model
${EXIT_CODES_ALL}`,
    run: simCommand,
  },
  {
    name: 'facts',
    synopsis: `  daxlayout facts DEST [-o FILE] [--port N] [--raw]
                                               capture a host's facts over SSH (read-only, one round trip)
  daxlayout facts --program | --from DUMP [-o FILE]
                                               the capture program, to run by hand (sh -s); a dump it printed → facts`,
    usage: `Usage: daxlayout facts DEST [-o FILE] [--port N] [--raw]
       daxlayout facts --program [-o FILE]
       daxlayout facts --from DUMP [-o FILE]

Captures a host's facts over SSH (read-only, one round trip) and prints them, or writes FILE.
DEST is an ssh destination: [user@]host or a ~/.ssh/config alias.

Options:
  -o, --output FILE   write the facts to FILE (replaced whole)
  --port N            the SSH port
  --raw               print the capture dump as it came, not facts
  --program           print the capture program, to run by hand: sh -s < capture.sh > dump.txt
  --from DUMP         read a dump that program printed

${SSH_HELP}

Examples:
  daxlayout facts root@hbm01 -o hbm01.facts.json
  daxlayout facts --program > capture.sh; daxlayout facts --from dump.txt -o hbm01.facts.json

Exit codes:
  0   facts captured
  1   cannot connect, or the capture is incomplete
  2   usage error, a file that cannot be read or written
  3   refused: the host key is unknown or changed
${EXIT_CODES_ALL}`,
    run: (args, io) => factsCommand(args, io),
  },
  {
    name: 'plan',
    synopsis: `  daxlayout plan FILE [--host H] [--json] [--prune] [--target ssh|facts|sim:FACTS]
                                               the sysfs writes an apply would perform, against fresh facts`,
    usage: `Usage: daxlayout plan FILE [--host H] [--json] [--prune] [--target ssh|facts|sim:FACTS]
       daxlayout plan FILE -i INVENTORY [--limit PATTERN] [--forks N] [--json] [--prune]
       daxlayout plan FILE --for HOST [--groups G,…] [-i INVENTORY] --capture DUMP
                      [--emit-program] [--prediction FILE] [--lock-timeout S] [--json]

Prints the sysfs writes that make a host match the layout (a terraform-style plan), made from
the host's facts captured now. The third form is the Ansible role's hook (docs/fleet.md).
A host with \`ssh "…"\` is planned over SSH; one with only \`facts "…"\` against a simulation of
its facts file (nothing is reached), as the editor's Plan does.

Options:
  --host H            the layout host to plan (needed when the file has several)
  --target facts      against the host's facts file, simulated, even when it has ssh "…"
  --target sim:FACTS  against a simulated host whose state is the file FACTS
  --target ssh        over SSH (the default when the host has ssh "…")
  --color WHEN        auto (default: when stdout is a terminal and NO_COLOR is unset), always, never
  --prune             remove devices of the layout's regions that it does not list
  --json              the plan as JSON
  -i, --inventory F   plan on the hosts of an Ansible inventory (one section per host)
  -l, --limit P       only the hosts an Ansible pattern matches
  -f, --forks N       hosts at once (1–256, default 5)

${SSH_HELP}

Examples:
  daxlayout plan samples/quickstart.dax
  daxlayout plan samples/hbm-lab.dax --target facts
  daxlayout plan samples/hbm-lab.dax --target sim:lab61.json
  daxlayout plan rack.dax -i inventory.ini --limit 'rack1:!hbm03'

Exit codes:
  0   a plan (with or without changes)
  1   the plan has errors; the host could not be reached or read (-i: at least one host failed)
  2   usage error, a file that cannot be read
  3   refused: the host key is unknown or changed
${EXIT_CODES_ALL}`,
    run: (args, io) => (isFleetArgs(args) ? fleetCommand('plan', args, io) : planCommand(args, io)),
  },
  {
    name: 'apply',
    synopsis: `  daxlayout apply FILE [--host H] [--yes] [--json | --events] [--prune] [--target ssh|facts|sim:FACTS]
                       [--fingerprint F] [--lock-timeout S]
                                               run the plan on the host (one program, under a lock), then verify
                                               facts/plan/apply also take --known-hosts FILE, --identity FILE,
                                               --ssh-config FILE (passed to ssh; host keys are always checked)
  daxlayout plan|apply FILE -i INVENTORY [--limit PATTERN] [--forks N] [--json] [--yes] [--prune]
                                               one layout on the hosts of an Ansible inventory, N at once;
                                               one section per host and a summary (docs/fleet.md)`,
    usage: `Usage: daxlayout apply FILE [--host H] [--yes] [--json | --events] [--prune]
                       [--target ssh|facts|sim:FACTS] [--fingerprint F] [--lock-timeout S]
       daxlayout apply FILE -i INVENTORY [--limit PATTERN] [--forks N] [--json] [--yes] [--prune]

Plans, asks (unless --yes), runs the writes on the host as one program under the host's lock,
then checks that the host is exactly the predicted state. A \`persist\` layout also installs its
boot-time restorer (docs/persist.md).

Options:
  --host H            the layout host to apply (needed when the file has several)
  --yes               apply without asking (needed when stdin is not a terminal)
  --json | --events   the result as one JSON object, or one JSON object a line as things happen
  --target facts      apply to a simulation of the host's facts file and verify; nothing is saved
                      (the default for a host with only facts "…")
  --target sim:FACTS  apply to a simulated host: the new state is written back to FACTS
  --prune             remove devices of the layout's regions that it does not list
  --fingerprint F     apply only if the host's facts still have the fingerprint the plan showed
  --lock-timeout S    seconds to wait for another apply's lock (0–86400, default 30)
  -i, --inventory F   apply on the hosts of an Ansible inventory; -l/--limit, -f/--forks as for plan

${SSH_HELP}

Examples:
  daxlayout apply samples/quickstart.dax --yes
  daxlayout apply samples/hbm-lab.dax --target sim:lab61.json --yes
  daxlayout apply rack.dax -i inventory.ini --forks 8 --yes

Exit codes:
  0        applied and verified, or nothing to do
  1        a write failed; the host differs from the prediction; the plan has errors; the host
           could not be reached; the restorer could not be installed
  2        usage error, a file that cannot be read, no --yes off a terminal
  3        refused: the host changed since the plan, the lock is busy, the host key is unknown
           or changed, the confirmation was declined
  130, 143 stopped between writes by SIGINT / SIGTERM
${EXIT_CODES_ALL}`,
    run: (args, io) => (isFleetArgs(args) ? fleetCommand('apply', args, io) : applyCommand(args, io)),
  },
  {
    name: 'verify',
    synopsis: `  daxlayout plan FILE --for HOST [--groups G,…] --capture DUMP [--emit-program] [--prediction F] [--json]
  daxlayout verify --prediction F --capture DUMP [--apply-output OUT] [--json]
                                               hooks of the Ansible role (ansible/): plan from a capture,
                                               check an apply's output and the host against the prediction`,
    usage: `Usage: daxlayout verify --prediction FILE --capture DUMP [--apply-output OUT] [--json]

The Ansible role's hook (docs/fleet.md): did the apply program run (its output OUT), and is the
host (a capture DUMP taken after it) the predicted state (FILE, from \`plan --prediction\`)?

Options:
  --prediction FILE   the predicted facts \`plan --for … --prediction FILE\` wrote
  --capture DUMP      a capture of the host taken after the apply
  --apply-output OUT  what the apply program printed
  --json              the result as JSON

Examples:
  daxlayout verify --prediction pred.json --capture after.txt --apply-output out.txt --json

Exit codes:
  0   the host equals the prediction (and the apply completed)
  1   a write failed, the apply did not finish, or the host differs
  2   usage error, a file that cannot be read
  3   refused: the lock was busy, or the host changed before the apply
${EXIT_CODES_ALL}`,
    run: (args, io) => verifyCommand(args, io),
  },
  {
    name: 'lsp',
    synopsis: `  daxlayout lsp --stdio                        the language server, for any LSP client`,
    usage: `Usage: daxlayout lsp --stdio | --node-ipc | --socket=PORT | --pipe=NAME

The language server (diagnostics, hovers, completion, formatting, …) for any LSP client; the
editor starts it and talks LSP over the transport given.

Examples:
  daxlayout lsp --stdio

Exit codes:
  0   the client asked the server to shut down, then to exit
  1   the client went away without asking it to shut down (as the LSP specification says)
  2   usage error (no transport, an unknown option)
${EXIT_CODES_ALL}`,
    run: (args) => lspCommand(args, () => lastResort.uninstall()),
  },
];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

function overview(): string {
  return `daxlayout — Linux device-dax memory layouts as a file

Usage:
${COMMANDS.map((c) => c.synopsis).join('\n')}
  daxlayout help [COMMAND] | COMMAND --help | --version

Exit codes: 0 success, 1 errors found (or files to format; for apply: a write failed or the host
differs from the prediction), 2 usage error or unreadable input, 3 refused (host changed since the
plan, lock busy, host key unknown or changed, confirmation declined), 70 internal error.
\`daxlayout COMMAND --help\` shows a command's options, examples and exit codes.
Plan and apply: docs/apply.md. Layouts that survive reboots (\`persist\`; apply installs a boot-time
restorer and /dev/dax/by-label names): docs/persist.md.
Rules: docs/rules/DAXnnn.md. Language: docs/language.md. Facts: docs/facts.md.
`;
}

const debugging = (io: Io): boolean => io.env.DAXLAYOUT_DEBUG === '1';

function usageFailure(command: string | undefined, e: Error, io: Io): number {
  const how = command && BY_NAME.has(command) ? `daxlayout ${command} --help` : 'daxlayout help';
  io.err(`daxlayout: ${e.message}\nRun \`${how}\` for usage.\n`);
  return EXIT.usage;
}

/** Runs a command with what the table says; usage errors exit 2, anything unexpected 70. */
function dispatch(command: string | undefined, argv: string[], plainIo: Io): number | Promise<number> {
  let rest = argv;
  let io = plainIo;
  const fail = (e: unknown): number => {
    if (e instanceof UsageError) return usageFailure(command, e, io);
    io.err(internalError(e, debugging(io)));
    return EXIT.internal;
  };
  try {
    // tests: an internal error where a command would run (DAXLAYOUT_TEST_CRASH=command)
    if (io.env.DAXLAYOUT_TEST_CRASH === 'command')
      throw new Error('simulated internal error (DAXLAYOUT_TEST_CRASH=command)');
    if (command === undefined) {
      io.err(overview());
      return EXIT.usage;
    }
    if (command === 'help' || command === '--help' || command === '-h') {
      const [topic, ...more] = rest;
      if (topic === undefined) {
        io.out(overview());
        return EXIT.ok;
      }
      const c = BY_NAME.get(topic);
      if (!c || more.length > 0)
        throw new UsageError(
          `help takes one COMMAND (${COMMANDS.map((x) => x.name).join(', ')}), got \`${printable([topic, ...more].join(' '))}\``,
        );
      io.out(c.usage + '\n');
      return EXIT.ok;
    }
    if (command === '--version' || command === 'version') {
      if (rest.length > 0) throw new UsageError(`${command} takes nothing after it`);
      io.out(`daxlayout ${VERSION}\n`);
      return EXIT.ok;
    }
    // --color=auto|always|never, for every command (colour.ts)
    const colour = colourFlag(rest);
    rest = colour.rest;
    if (wantColour(colour.mode, io.env, plainIo.stdoutIsTTY === true, rest))
      io = { ...plainIo, out: (s) => plainIo.out(colourText(s)) };
    const c = BY_NAME.get(command);
    if (!c) {
      const hint = command.startsWith('-') ? ' (options come after the command: daxlayout COMMAND [OPTIONS])' : '';
      throw new UsageError(
        `unknown command \`${printable(command)}\`${hint}; the commands are ${COMMANDS.map((x) => x.name).join(', ')}`,
      );
    }
    if (wantsHelp(rest)) {
      io.out(c.usage + '\n');
      return EXIT.ok;
    }
    const r = c.run(rest, io);
    if (typeof r === 'number') return r;
    return r.catch((e: unknown) => fail(e));
  } catch (e) {
    return fail(e);
  }
}

/**
 * Runs any command with `io` (tests, and the bin through run()): the exit code. Usage errors
 * exit 2; an escaped exception is an internal error (70), one line.
 */
export async function mainAsync(command: string | undefined, rest: string[], io: Io): Promise<number> {
  return dispatch(command, rest, io);
}

/** A synchronous command (check, explain, fmt, sim, help) run to strings (tests). */
export function main(argv: readonly string[]): { stdout: string; stderr: string; code: number } {
  const [command, ...rest] = argv;
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (s) => void (stdout += s),
    err: (s) => void (stderr += s),
    isTTY: false,
    env: process.env,
    ask: async () => '',
  };
  const code = dispatch(command, rest, io);
  if (typeof code !== 'number') throw new Error(`daxlayout ${command}: an asynchronous command; use mainAsync`);
  return { stdout, stderr, code };
}

/** Entry point of the bundled bin (server/bin/daxlayout.cjs). */
export function run(): void {
  const debug = process.env.DAXLAYOUT_DEBUG === '1';
  const stdout = guardedStream(process.stdout);
  const stderr = guardedStream(process.stderr);
  lastResort.install(debug, (s) => stderr.write(s));
  // tests: an exception nothing catches, a rejection nobody awaits (the last resort's cases)
  const crash = process.env.DAXLAYOUT_TEST_CRASH;
  if (crash === 'uncaught')
    setImmediate(() => {
      throw new TypeError('simulated uncaught exception (DAXLAYOUT_TEST_CRASH=uncaught)');
    });
  if (crash === 'rejection')
    void Promise.reject(new Error('simulated unhandled rejection (DAXLAYOUT_TEST_CRASH=rejection)'));
  const [command, ...rest] = process.argv.slice(2);
  const code = dispatch(command, rest, processIo(stdout.write, stderr.write));
  if (typeof code === 'number') process.exitCode = code;
  else
    void code.then((c) => {
      process.exitCode = c;
    });
}
