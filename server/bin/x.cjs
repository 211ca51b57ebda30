#!/usr/bin/env node
'use strict';
// The CLI is bundled by server/build.mjs (run by `npm ci` through the prepare script).
//
// Start-up of a one-shot command (`check` of a fleet layout: node's start, the 1 MB bundle and a
// JIT-cold analysis; README, "Speed"):
// - V8's optimising compiler starts off; the CLI turns it back on once the run proves long
//   (server/cli/jit.ts). `lsp` is long-lived: it keeps it.
// - The bundle is compiled with the V8 code cache server/build.mjs wrote beside it (bytecode of
//   the functions a `check` runs), made by this node version with these flags. V8 rejects a cache
//   of another version or other flags (then the bundle compiles as without one); a missing or
//   unreadable cache is no cache.
const lsp = process.argv[2] === 'lsp';
if (!lsp) for (const f of (process.env.XF ?? '--no-opt').split(' ')) require('node:v8').setFlagsFromString(f);
const { join } = require('node:path');
const bundle = join(__dirname, '../dist/cli.cjs');
const cacheFile = `${bundle}.v8cache`;
const load = () => {
  if (lsp || process.env.DAXLAYOUT_CODE_CACHE === 'off') return require(bundle);
  const fs = require('node:fs');
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache
  }
  if (!cachedData && process.env.DAXLAYOUT_CODE_CACHE !== 'write') return require(bundle);
  const Module = require('node:module');
  const vm = require('node:vm');
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const m = new Module(bundle, module);
  m.filename = bundle;
  m.paths = Module._nodeModulePaths(join(__dirname, '../dist'));
  require.cache[bundle] = m;
  script.runInThisContext().call(m.exports, m.exports, (id) => m.require(id), m, bundle, join(__dirname, '../dist'));
  m.loaded = true;
  // server/build.mjs: the cache, written after a run so that it holds the functions the run compiled
  if (process.env.DAXLAYOUT_CODE_CACHE === 'write')
    process.on('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
  return m.exports;
};
load().run();
