#!/usr/bin/env node
// `npm run pictures`: the region maps in docs/images, drawn from the samples by the built CLI
// (`daxlayout explain SAMPLE --svg docs/images/map-SAMPLE.svg`), as the README and docs show
// them. test/cli/explain-svg.test.ts fails when a picture differs from what this draws.
//
//   node scripts/pictures.mjs          write the pictures
//   node scripts/pictures.mjs --list   print each sample and the file(s) it draws to
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The samples pictured: one file per sample (several regions: one per region, -HOST-rN). */
export const PICTURED = ['hbm-lab', 'cxl-6.12', 'colours', 'design', 'syntax-tour'];

export function pictureArgs(sample) {
  return ['explain', join('samples', `${sample}.dax`), '--svg', join('docs/images', `map-${sample}.svg`)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let failed = false;
  for (const sample of PICTURED) {
    const r = spawnSync(process.execPath, [join(root, 'server/bin/daxlayout.cjs'), ...pictureArgs(sample)], { cwd: root, encoding: 'utf8' });
    if (process.argv.includes('--list') || r.status !== 0) process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    if (r.status !== 0) failed = true;
    else if (!process.argv.includes('--list')) process.stdout.write(r.stdout);
  }
  process.exit(failed ? 1 : 0);
}
