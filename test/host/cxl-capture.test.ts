// The host capture program's CXL part (server/host/cxl-capture.ts) on a fake sysfs root laid out
// from a real capture of the cxl2 machine on Linux 6.12 (test/vm/cxl/captures): the facts it gives
// are those of the real capture.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCxlFacts } from '../../server/core/index';
import { readCapture } from '../../server/host/capture';
import { captureProgram } from '../../server/host/shell';

const REAL = readFileSync(join(__dirname, '..', 'vm', 'cxl', 'captures', 'linux-6.12-cxl2-region.txt'), 'utf8');
const root = mkdtempSync(join(tmpdir(), 'daxlayout-cxl-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Lays the CXL devices of a capture out under `root` as sysfs has them: device directories, bus links, attributes, links. */
function layOut(text: string): void {
  const bus = join(root, 'sys/bus/cxl/devices');
  mkdirSync(bus, { recursive: true });
  const real = new Map<string, string>();
  let cur: string | undefined;
  for (const line of text.split('\n')) {
    const h = /^### (\/sys\/bus\/cxl\/devices\/([^/ ]+))(\/(\S+))?(?: -> (\S+))?$/.exec(line);
    if (line.startsWith('###')) cur = undefined;
    if (!h) continue;
    const [, , name, , attr, link] = h;
    if (attr?.startsWith('dax_region')) continue; // the dax region under a region: not the CXL facts' business
    if (!attr && link) {
      real.set(name as string, link);
      mkdirSync(join(root, link), { recursive: true });
      symlinkSync(relative(bus, join(root, link)), join(bus, name as string));
    } else if (attr && link) {
      const at = join(root, real.get(name as string) as string, attr);
      symlinkSync(link, at);
    } else if (attr) {
      cur = join(root, real.get(name as string) as string, attr);
      mkdirSync(dirname(cur), { recursive: true });
      writeFileSync(cur, '');
    }
  }
  // attribute bodies
  let file: string | undefined;
  for (const line of text.split('\n')) {
    const h = /^### \/sys\/bus\/cxl\/devices\/([^/ ]+)\/(\S+)$/.exec(line);
    if (line.startsWith('###'))
      file =
        h && !h[2]?.startsWith('dax_region')
          ? join(root, real.get(h[1] as string) as string, h[2] as string)
          : undefined;
    else if (file) writeFileSync(file, `${line}\n`, { flag: 'a' });
  }
}

describe('the capture program reads the CXL bus', () => {
  it('gives the same CXL facts as the real capture', () => {
    layOut(REAL);
    mkdirSync(join(root, 'sys/devices/system/node'), { recursive: true });
    writeFileSync(join(root, 'sys/devices/system/node/possible'), '0-1\n');
    const r = spawnSync('sh', ['-s'], { input: captureProgram(root), encoding: 'utf8' });
    expect(r.status).toBe(0);
    const got = readCxlFacts(r.stdout);
    const want = readCxlFacts(REAL);
    expect(got).toBeDefined();
    expect(got).toEqual(want);
    expect(got?.regions.map((x) => [x.name, x.commit, x.targets, x.bound])).toEqual([
      ['region0', true, ['decoder2.0', 'decoder3.0'], true],
    ]);
    // and the host's reader attaches them to the facts
    expect(readCapture(r.stdout, 'fake').facts?.cxl).toEqual(want);
  });
});
