// Shell-session helpers: run `echo VALUE > PATH` scripts through the model and
// read its state back, so that tests read like a root shell on the guest.

import { expect } from 'vitest';
import type { KernelModel, WriteResult } from '../../server/core/kernel/model';
import { parseScript } from '../../server/core/kernel/script';
import { toDaxctlJson } from '../../server/core/kernel/snapshot';
import { availableSize, deviceSize, type SimDevice, type SimRegion } from '../../server/core/kernel/state';

/** `ok`, the errno name, or `unmodelled`. */
export function outcome(r: WriteResult): string {
  return r.kind === 'ok' ? 'ok' : r.kind === 'errno' ? r.errno : 'unmodelled';
}

export interface Step {
  line: number;
  text: string;
  result: string;
}

/** Parses a script and runs every write; the outcome of each line. */
export function run(model: KernelModel, script: string): Step[] {
  const parsed = parseScript(script);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.writes.map((w) => ({ line: w.line, text: w.text, result: outcome(model.write(w.path, w.value)) }));
}

/**
 * Runs a transcript of lines `echo VALUE > PATH -> RESULT [comment]` and
 * expects every line's outcome; `#` lines and blank lines are skipped.
 * Compares the whole transcript at once so a failure shows every line.
 */
export function expectSession(model: KernelModel, transcript: string): void {
  const expected: string[] = [];
  const actual: string[] = [];
  for (const raw of transcript.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf('->');
    if (at < 0) throw new Error(`transcript line without "-> RESULT": ${line}`);
    const cmd = line.slice(0, at).trim();
    const want = (
      line
        .slice(at + 2)
        .trim()
        .split(/\s+/)[0] ?? ''
    ).trim();
    const steps = run(model, cmd);
    if (steps.length !== 1) throw new Error(`transcript line is not one write: ${line}`);
    expected.push(`${cmd} -> ${want}`);
    actual.push(`${cmd} -> ${(steps[0] as Step).result}`);
    // Keep going after a mismatch: the full transcript is the useful diff.
  }
  expect(actual).toEqual(expected);
}

// ------------------------------------------------------------- state readers

export function region(model: KernelModel, id = 0): SimRegion {
  const r = model.state.regions.find((x) => x.id === id);
  if (!r) throw new Error(`no region ${id}`);
  return r;
}

export function device(model: KernelModel, name: string): SimDevice {
  const d = model.findDevice(name);
  if (!d) throw new Error(`no device ${name}`);
  return d;
}

export function exists(model: KernelModel, name: string): boolean {
  return model.findDevice(name) !== undefined;
}

export const hex = (v: bigint) => '0x' + v.toString(16);

/** A device's mappings as `mappingK start-end pgoff P`, in page-offset order. */
export function mappings(model: KernelModel, name: string): string[] {
  return device(model, name).ranges.map(
    (r) => `mapping${r.mappingId} ${hex(r.start)}-${hex(r.end)} pgoff ${hex(r.pgoff)}`,
  );
}

export function sizeOf(model: KernelModel, name: string): bigint {
  return deviceSize(device(model, name));
}

export function driverOf(model: KernelModel, name: string): string | null {
  return device(model, name).driver;
}

/** What `daxctl list -r 0` shows as available_size (absent, i.e. "full", → 0). */
export function listedAvailable(model: KernelModel, id = 0): number {
  const json = toDaxctlJson(model.state) as { id: number; available_size?: number }[];
  const r = json.find((x) => x.id === id);
  if (!r) throw new Error(`no region ${id} in daxctl JSON`);
  return r.available_size ?? 0;
}

export function available(model: KernelModel, id = 0): bigint {
  return availableSize(region(model, id));
}

/** Name of the region's seed device, or '' (what `cat dax_region/seed` prints). */
export function seed(model: KernelModel, id = 0): string {
  const s = region(model, id).seed;
  return s ? `dax${s.region.id}.${s.id}` : '';
}

export function devices(model: KernelModel, id = 0): string[] {
  return [...region(model, id).devices.values()].sort((a, b) => a.id - b.id).map((d) => `dax${d.region.id}.${d.id}`);
}
