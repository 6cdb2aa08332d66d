#!/usr/bin/env node
'use strict';
// The CLI ships as compiled JavaScript (npm ci runs `prepare`, which builds it),
// because worker threads must load plain .js files without a TypeScript loader.
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write('salvage is not built yet. Run `npm ci` (or `npm run build`) first.\n' +
    'salvage 尚未编译：请先运行 `npm ci`（或 `npm run build`）。\n');
  process.exit(2);
}
require(main).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
