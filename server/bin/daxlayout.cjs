#!/usr/bin/env node
'use strict';
// The CLI is bundled by server/build.mjs (run by `npm ci` through the prepare script).
require('../dist/cli.cjs').run();
