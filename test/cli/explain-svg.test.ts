// `daxlayout explain --svg FILE`: one SVG per region, named as `--help` says; and the pictures in
// docs/images are what `npm run pictures` draws from the samples today.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const bin = join(root, 'server/bin/daxlayout.cjs');

function daxlayout(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'daxlayout-svg-'));

describe('daxlayout explain --svg', () => {
  it('one region: writes the SVG to FILE and says so', () => {
    const out = join(tmp(), 'map.svg');
    const r = daxlayout(['explain', 'samples/hbm-lab.dax', '--svg', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${out} (region 0 on lab61)\n`);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="880"/);
    for (const label of ['weather', 'spill', 'guest-a', 'scratch']) expect(svg).toContain(`>${label}<`);
  });

  it('several regions: one file each, -HOST-rREGION before the extension', () => {
    const dir = tmp();
    const r = daxlayout(['explain', 'samples/syntax-tour.dax', '--svg', join(dir, 'tour.svg')]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['tour-design-r1.svg', 'tour-hbm01-r0.svg', 'tour-hbm01-r2.svg']);
    expect(r.stdout).toContain(`wrote ${join(dir, 'tour-hbm01-r2.svg')} (region 2 on hbm01)`);
  });

  it('several layouts: the layout name comes first', () => {
    const dir = tmp();
    const r = daxlayout(['explain', 'samples/hbm-lab.dax', 'samples/cxl-6.12.dax', '--svg', join(dir, 'm.svg')]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['m-cxl-6.12-lab612-r0.svg', 'm-hbm-lab-lab61-r0.svg']);
  });

  it('a `hosts "…"` block: one file per inventory host, named after it', () => {
    const dir = tmp();
    daxlayout(['explain', 'test/fleet/fixtures/rack.dax', '--svg', join(dir, 'rack.svg')]);
    expect(readdirSync(dir).sort()).toEqual(['rack-hbm01-r0.svg', 'rack-hbm02-r0.svg', 'rack-hbm03-r0.svg']);
    expect(readFileSync(join(dir, 'rack-hbm02-r0.svg'), 'utf8')).toContain('region 0 on hbm02');
  });

  it('a layout with errors: the picture is written, exit 1, and stderr says why', () => {
    const out = join(tmp(), 'bad.svg');
    const r = daxlayout(['explain', 'samples/mistakes.dax', '--svg', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /mistakes\.dax has errors; the pictures show the prediction up to where the kernel would refuse/,
    );
    expect(readFileSync(out, 'utf8')).toMatch(/the layout has \d+ error\(s\)/);
  });

  it('usage errors exit 2; --help documents --svg', () => {
    expect(daxlayout(['explain', 'samples/hbm-lab.dax', '--svg', 'x.svg', '--json']).code).toBe(2);
    expect(daxlayout(['explain', 'samples/hbm-lab.dax', '--svg=']).code).toBe(2);
    const help = daxlayout(['explain', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--svg OUT\.svg/);
    expect(help.stdout).toMatch(/map\.svg -> map-lab61-r0\.svg/);
  });

  it('docs/images holds what `npm run pictures` draws today', async () => {
    const { PICTURED, pictureArgs } = (await import(join(root, 'scripts/pictures.mjs'))) as {
      PICTURED: string[];
      pictureArgs: (s: string) => string[];
    };
    const dir = tmp();
    for (const sample of PICTURED) {
      const args = pictureArgs(sample);
      const target = args[args.length - 1] as string;
      const r = daxlayout([...args.slice(0, -1), join(dir, target.replace(/^docs\/images\//, ''))]);
      expect(r.code, r.stderr).toBe(0);
    }
    const drawn = readdirSync(dir).sort();
    const committed = readdirSync(join(root, 'docs/images'))
      .filter((f) => f.startsWith('map-') && f.endsWith('.svg'))
      .sort();
    expect(committed).toEqual(drawn);
    for (const f of drawn)
      expect(
        readFileSync(join(root, 'docs/images', f), 'utf8'),
        `docs/images/${f} is stale: run \`npm run pictures\``,
      ).toBe(readFileSync(join(dir, f), 'utf8'));
  });
});
