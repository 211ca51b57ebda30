#!/usr/bin/env node
'use strict';
// One-shot commands start with V8's optimising compiler off, before the bundle loads; the CLI
// turns it back on once the run proves long (server/cli/jit.ts). `lsp` is long-lived: it keeps it.
if (process.argv[2] !== 'lsp') require('node:v8').setFlagsFromString('--no-opt');
// The CLI is bundled by server/build.mjs (run by `npm ci` through the prepare script).
require('../dist/cli.cjs').run();
