// The POSIX sh programs daxlayout runs on a host, fed to `sh -s`: the capture
// (read-only), and the apply program (lock, guard, writes). They need only a
// POSIX shell and sysfs (busybox sh works): no daxctl, no Node. Everything put
// into a program is checked against a strict pattern and single-quoted; a
// value that fails its pattern is refused before anything runs.
//
// sh.ts holds what the programs share, capture-program.ts the capture, apply-program.ts the
// apply and cancel programs, program-output.ts the reader of what they print.

export { ProgramRefused, shQuote, type Root } from './sh';
export { captureProgram, PERSIST_FILES_SECTION, STATE_BEGIN, STATE_END, stateText } from './capture-program';
export {
  applyProgram,
  cancelProgram,
  LOCK_DIR,
  stateProblem,
  writeProblem,
  type ApplyProgramOptions,
} from './apply-program';
export { errnoOf, parseProgramOutput, stateDiff, type ProgramReport, type WriteOutcome } from './program-output';
