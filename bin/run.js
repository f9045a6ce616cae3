#!/usr/bin/env node
// The shipped entry: the whole CLI bundled into one file by `npm run build` (scripts/bundle.js).
// bin/dev.js runs dist/ module by module instead.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'origin.cjs');
if (existsSync(bundle)) {
  require(bundle);
} else {
  process.stderr.write(
    `Error: ${bundle} is missing\nHint: run \`npm run build\` (bin/dev.js runs dist/ without the bundle)\n`,
  );
  process.exitCode = 1;
}
