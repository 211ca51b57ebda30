// One-shot commands start with V8's optimising compiler off (server/bin/daxlayout.cjs); the CLI
// turns it back on for a large input or once the run has used OPT_AFTER_MS of CPU time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const flags: string[] = [];
vi.mock('node:v8', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:v8')>()),
  setFlagsFromString: (f: string) => flags.push(f),
}));

const root = join(__dirname, '../..');

describe('jitCheckpoint', () => {
  beforeEach(() => {
    flags.length = 0;
    vi.resetModules();
  });

  it('turns the optimising compiler on for an input of OPT_INPUT_BYTES, once', async () => {
    const { jitCheckpoint, OPT_INPUT_BYTES } = await import('../../server/cli/jit');
    jitCheckpoint(OPT_INPUT_BYTES);
    jitCheckpoint(OPT_INPUT_BYTES);
    jitCheckpoint(0);
    expect(flags).toEqual(['--opt']);
  });

  it('turns it on once the process has used OPT_AFTER_MS of CPU time', async () => {
    const { jitCheckpoint, OPT_AFTER_MS } = await import('../../server/cli/jit');
    const used = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    let x = 0;
    while (used() < OPT_AFTER_MS) x += Math.sqrt(x + 1);
    jitCheckpoint(0);
    expect(flags).toEqual(['--opt']);
    expect(x).toBeGreaterThan(0);
  });
});

describe('daxlayout as a process', () => {
  it('checks a layout the same with the compiler off at the start and the code cache (bin) as without (bundle)', () => {
    const bin = join(root, 'server/bin/daxlayout.cjs');
    const sample = join(root, 'samples/quickstart.dax');
    const r = spawnSync(process.execPath, [bin, 'check', '--json', sample], { encoding: 'utf8' });
    const reference = spawnSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(join(root, 'server/dist/cli.cjs'))}).run()`, 'x', 'check', '--json', sample],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(reference.status);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(reference.stdout));
  });
});
