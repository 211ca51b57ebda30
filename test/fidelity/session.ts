// A guest session for the fidelity harness: boots a kernel (test/vm/vm.mjs), learns its boot
// state, and runs batches of sequences over one ssh round trip each, resetting the region to
// the boot state between sequences. A sequence whose first state dump differs from the boot
// state (the reset could not undo what the previous one did, e.g. stranded kmem memory) is
// run again on a fresh boot; so is everything after a guest that stopped answering.

import { readFileSync } from 'node:fs';
import { diffCanon, guestState, type CanonState } from './canon';
import {
  batchProgram,
  layoutOf,
  newIdNames,
  parseBatch,
  resettable,
  shellFunctions,
  type Item,
  type ItemResult,
  type Layout,
} from './guest';
import { factsFrom } from './compare';
import type { HostFacts } from '../../server/core/host-facts';

export interface Vm {
  release: string;
  bootMs: number;
  /** The guest's serial console (kernel messages: oopses, panics). */
  consoleLog?: string;
  ssh(
    cmd: string | string[],
    stdin?: string,
    o?: { timeoutMs?: number },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  shutdown(): Promise<void>;
}
export type BootFn = (o: { kernel: string; machine?: string }) => Promise<Vm>;

/** CXL machines: the writes that make the region the sequences run on, from the boot's facts. */
export type PreludeFn = (facts: HostFacts, release: string) => string[];

export interface SessionStats {
  boots: number;
  bootMs: number;
  batches: number;
  guestMs: number;
  resets: number;
  uncleanResets: number;
  crashes: number;
}

function consoleTail(file: string | undefined, n = 80): string {
  if (!file) return '(no console log)';
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no console log)';
  }
}

export class Session {
  vm: Vm | undefined;
  fresh = true;
  prevNames: string[] = [];
  release = '';
  /** ndctl release of the guest's daxctl (its list JSON depends on it). */
  daxctlVersion: number | undefined;
  bootCapture = '';
  bootFacts: HostFacts | undefined;
  layout: Layout | undefined;
  bootState: CanonState | undefined;
  /** CXL machines: the region-making writes, run after every boot, and what each run gave. */
  prelude: { lines: string[]; layout: Layout } | undefined;
  readonly preludeResults: ItemResult[] = [];
  readonly crashReports: { id: string; lines: readonly string[]; at: number; console: string }[] = [];
  readonly stats: SessionStats = {
    boots: 0,
    bootMs: 0,
    batches: 0,
    guestMs: 0,
    resets: 0,
    uncleanResets: 0,
    crashes: 0,
  };

  constructor(
    readonly kernel: string,
    private readonly boot: BootFn,
    private readonly capture: string,
    private readonly log: (s: string) => void,
    private readonly machine = 'hmem',
    private readonly preludeFor?: PreludeFn,
  ) {}

  private async ensureVm(): Promise<Vm> {
    if (this.vm) return this.vm;
    const t0 = Date.now();
    let lastErr: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        this.vm = await this.boot({ kernel: this.kernel, machine: this.machine });
        break;
      } catch (e) {
        lastErr = e;
        this.log(
          `  boot of ${this.kernel} failed (attempt ${attempt + 1}): ${String((e as Error).message ?? e).split('\n')[0]}`,
        );
      }
    }
    if (!this.vm) throw lastErr;
    this.stats.boots++;
    this.stats.bootMs += Date.now() - t0;
    this.fresh = true;
    this.prevNames = [];
    if (this.prelude) await this.runPrelude(this.vm);
    return this.vm;
  }

  /** The capture dump (facts) of the guest as it is now, with daxctl's version. */
  private async captureNow(vm: Vm): Promise<string> {
    const prog = [
      'exec 2>&1',
      'echo "@@DAXCTL $(daxctl version)"',
      'echo @@CAPTURE',
      this.capture.trim(),
      'echo @@END',
    ];
    const r = await vm.ssh(prog.join('\n'), undefined, { timeoutMs: 120_000 });
    const m = /@@CAPTURE\n([\s\S]*?)\n@@END/.exec(r.stdout);
    if (!m) throw new Error(`${this.kernel}: no capture from the guest (ssh ${r.code}: ${r.stderr.trim()})`);
    const v = /@@DAXCTL (\d+)/.exec(r.stdout);
    this.daxctlVersion = v ? Number(v[1]) : undefined;
    return (m[1] as string) + '\n';
  }

  /** Runs the prelude on a fresh boot (capture, every write, the state after each). */
  private async runPrelude(vm: Vm): Promise<void> {
    const p = this.prelude as { lines: string[]; layout: Layout };
    const id = `cxl-prelude-${this.preludeResults.length}`;
    const prog = batchProgram(p.layout, [{ id, lines: p.lines }], this.capture, false);
    const t0 = Date.now();
    const r = await vm.ssh(prog, undefined, { timeoutMs: 120_000 + 2000 * p.lines.length });
    this.stats.guestMs += Date.now() - t0;
    const res = parseBatch(r.stdout)[0];
    if (!res || !res.done) throw new Error(`${this.kernel}: the CXL prelude did not finish (ssh ${r.code})`);
    this.preludeResults.push(res);
  }

  async close(): Promise<void> {
    if (this.vm) await this.vm.shutdown();
    this.vm = undefined;
  }

  /** Boots and reads the boot state: the capture dump (facts) and the state dump. */
  async start(): Promise<void> {
    const vm = await this.ensureVm();
    this.bootCapture = await this.captureNow(vm);
    this.release = /### uname -r\n(\S+)/.exec(this.bootCapture)?.[1] ?? vm.release;
    if (this.preludeFor) {
      // CXL: the region is made from the boot's facts; its result is the state every sequence starts from
      const f0 = factsFrom(this.bootCapture, this.release);
      if (!f0.facts) throw new Error(`${this.kernel}: ${f0.error}`);
      this.prelude = { lines: this.preludeFor(f0.facts, this.release), layout: layoutOf(f0.facts) };
      await this.runPrelude(vm);
      this.bootCapture = await this.captureNow(vm);
    }
    const f = factsFrom(this.bootCapture, this.release);
    if (!f.facts) throw new Error(`${this.kernel}: ${f.error}`);
    this.bootFacts = f.facts;
    this.layout = layoutOf(f.facts);
    const s = await vm.ssh(['exec 2>&1', shellFunctions(this.layout), 'S boot'].join('\n'), undefined, {
      timeoutMs: 60_000,
    });
    const body = /@@S boot\n([\s\S]*?)\n@@E/.exec(s.stdout);
    if (!body) throw new Error(`${this.kernel}: no state dump from the guest`);
    this.bootState = guestState((body[1] as string).split('\n'), this.layout.regionPaths);
  }

  /** Runs every item, each from the boot state; returns their results by id. */
  async run(items: readonly Item[], o: { maxBatchWrites?: number } = {}): Promise<Map<string, ItemResult>> {
    const layout = this.layout as Layout;
    const results = new Map<string, ItemResult>();
    let pending = [...items];
    while (pending.length) {
      const vm = await this.ensureVm();
      // a batch: as many items as fit in maxBatchWrites (at least one)
      const batch: Item[] = [];
      let n = 0;
      for (const it of pending) {
        if (batch.length && n + it.lines.length > (o.maxBatchWrites ?? 1500)) break;
        batch.push(it);
        n += it.lines.length;
      }
      const resetFirst = !this.fresh;
      if (resetFirst && !resettable(layout)) {
        await this.close();
        continue;
      }
      const prog = batchProgram(layout, batch, this.capture, resetFirst, this.prevNames);
      const t0 = Date.now();
      const r = await vm.ssh(prog, undefined, { timeoutMs: 120_000 + 600 * n });
      this.stats.batches++;
      this.stats.guestMs += Date.now() - t0;
      this.fresh = false;
      const parsed = parseBatch(r.stdout);
      let reboot = false;
      let k = 0;
      for (const it of batch) {
        const res = parsed[k];
        if (!res || res.id !== it.id) {
          reboot = true; // the guest stopped before this item
          break;
        }
        k++;
        const startDiff = diffCanon(this.bootState, guestState(res.start, layout.regionPaths));
        if (startDiff.length) {
          // the reset before it could not restore the boot state
          this.stats.uncleanResets++;
          if (k === 1 && !resetFirst) {
            throw new Error(
              `${this.kernel}: a fresh boot does not come up in the boot state: ${startDiff.slice(0, 3).join('; ')}`,
            );
          }
          reboot = true;
          break;
        }
        if (k > 1 || resetFirst) this.stats.resets++;
        if (!res.done) {
          this.stats.crashes++;
          this.log(
            `  ${it.id}: the guest stopped answering after write ${res.writes.length} of ${it.lines.length} (ssh ${r.code})`,
          );
          const tail = consoleTail(vm.consoleLog);
          res.dmesg = `${res.dmesg}\n--- serial console ---\n${tail}`;
          this.crashReports.push({ id: it.id, lines: it.lines, at: res.writes.length, console: tail });
          for (const l of tail.split('\n').slice(-25)) this.log(`      | ${l}`);
          results.set(it.id, res);
          pending = pending.filter((x) => x.id !== it.id);
          reboot = true;
          break;
        }
        results.set(it.id, res);
        pending = pending.filter((x) => x.id !== it.id);
        this.prevNames = newIdNames(it.lines);
      }
      if (reboot) await this.close();
    }
    return results;
  }
}
