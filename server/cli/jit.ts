// V8's optimising compiler (TurboFan) for one-shot commands. bin/daxlayout.cjs starts every
// command but `lsp` with it off: a `check` of a layout of a few thousand lines spends more CPU
// compiling its hot code than the compiled code saves before the process ends (in the bench's
// 1 801-line fleet layout, loading and analysing cost about 40 % less CPU with it off; without it
// an analysis runs about 1.5× slower once warm). So it is turned back on once the process has
// used OPT_AFTER_MS of CPU time, or is given a large input, from where a long run compiles its
// hot code as usual. Turning it on when it is already on does nothing.
import { setFlagsFromString } from 'node:v8';

/** CPU time after which the optimising compiler is turned back on. */
export const OPT_AFTER_MS = 400;
/** A layout or facts text at least this large turns it on at once. */
export const OPT_INPUT_BYTES = 512 * 1024;

let on = false;

/** Called where a command reads an input and between analyses (`bytes`: the size of what was read). */
export function jitCheckpoint(bytes = 0): void {
  if (on) return;
  const u = process.cpuUsage();
  if (bytes < OPT_INPUT_BYTES && (u.user + u.system) / 1000 < OPT_AFTER_MS) return;
  on = true;
  setFlagsFromString('--opt');
}
