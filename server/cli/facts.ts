// `daxlayout facts`: capture a host's facts over SSH (read-only, one round trip), print the
// capture program for hosts daxlayout cannot reach, or read a dump captured that way.

import { writeFacts } from '../core/index';
import { CaptureError, captureFacts, readCapture, unreadableNote, type Captured } from '../host/capture';
import { captureProgram } from '../host/shell';
import { ConnectError, destinationProblem, HostKeyError, portProblem } from '../host/transport';
import { intFlag, parseFlags, type FlagSpecs } from './args';
import { readText, UsageError, writeOutput } from './io';
import { SSH_OPTIONS, sshExtras, sshTransport, type Io } from './host-io';

const FACTS_FLAGS = {
  output: { type: 'string', short: 'o', value: 'FILE' },
  port: { type: 'string', value: 'N' },
  raw: { type: 'boolean' },
  program: { type: 'boolean' },
  from: { type: 'string', value: 'DUMP' },
  ...SSH_OPTIONS,
} as const satisfies FlagSpecs;

export async function factsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('facts', args, FACTS_FLAGS);
  if (values.output === '') throw new UsageError('-o/--output needs a FILE');
  if (values.program && values.from !== undefined)
    throw new UsageError('--program and --from are two uses of facts: pick one');
  if ((values.program || values.from !== undefined) && (values.port !== undefined || values.raw))
    throw new UsageError(
      `--port and --raw are for capturing over SSH, not with ${values.program ? '--program' : '--from'}`,
    );
  if (values.program) {
    // for hosts daxlayout cannot reach: run it there (`sh -s < capture.sh > dump.txt`), then `facts --from dump.txt`
    if (positionals.length > 0) throw new UsageError('facts --program takes no DEST');
    emit(values.output, captureProgram(), io);
    return 0;
  }
  if (values.from !== undefined) {
    if (positionals.length > 0) throw new UsageError('facts --from FILE takes no DEST');
    return reportCapture(readCapture(readText(values.from), values.from), values.from, values.output, io);
  }
  if (positionals.length !== 1)
    throw new UsageError('facts takes one DEST (an ssh destination: [user@]host or a ~/.ssh/config alias)');
  const dest = positionals[0] as string;
  const dp = destinationProblem(dest);
  if (dp) throw new UsageError(dp);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = intFlag(values.port, 'port', 0, 1, 65535);
    const pp = portProblem(port);
    if (pp) throw new UsageError(pp);
  }
  const t = sshTransport({ destination: dest, ...(port ? { port } : {}), ...sshExtras(values, io.env) }, io);
  try {
    let c;
    try {
      c = await captureFacts(t, `ssh ${t.description}`);
    } catch (e) {
      if (e instanceof HostKeyError) {
        io.err(`daxlayout: refused: ${e.message}\n`);
        return 3;
      }
      if (e instanceof ConnectError || e instanceof CaptureError) {
        io.err(`daxlayout: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
    if (values.raw) {
      emit(values.output, c.text, io);
      return 0;
    }
    return reportCapture(c, dest, values.output, io);
  } finally {
    await t.close();
    io.onInterrupt?.(undefined);
  }
}

function reportCapture(c: Captured, what: string, output: string | undefined, io: Io): number {
  const note = unreadableNote(c);
  if (note) io.err(`daxlayout: ${note}\n`);
  for (const p of c.problems)
    if (p.severity !== 'info')
      io.err(`daxlayout: ${p.severity}: ${p.message}${p.line ? ` (capture line ${p.line})` : ''}\n`);
  if (!c.facts || c.problems.some((p) => p.severity === 'error')) {
    io.err(
      `daxlayout: no complete facts for ${what}${output ? `; ${output} not written` : ''} (--raw prints the capture as it came)\n`,
    );
    return 1;
  }
  emit(output, writeFacts(c.facts), io);
  if (output)
    io.err(
      `daxlayout: wrote ${output}: Linux ${c.facts.kernelRelease ?? '?'}, ${c.facts.regions.length} region(s), ${c.facts.regions.reduce((n, r) => n + r.devices.length, 0)} device(s)\n`,
    );
  return 0;
}

export function emit(file: string | undefined, text: string, io: Io): void {
  if (file === undefined) return io.out(text);
  writeOutput(file, text);
}
