#!/usr/bin/env node
// Before anything compiles sql.js: keep its WebAssembly on V8's baseline compiler. Otherwise V8
// recompiles the hot functions with its optimising tier on background threads, which competes with
// the command for the CPU and holds up exit (~100 ms on a 2-core machine), more than the faster
// code gives back in a CLI run. The bundle (and so the single-file executable) does the same.
require('node:v8').setFlagsFromString('--liftoff-only');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'origin.cjs');
if (existsSync(bundle)) {
  runBundle(bundle);
} else {
  process.stderr.write(
    `Error: ${bundle} is missing\nHint: run \`npm run build\` (bin/dev.js runs dist/ without the bundle)\n`,
  );
  process.exitCode = 1;
}

/**
 * Runs the CLI bundle (scripts/bundle.js) with the V8 code cache `npm run build` made for it:
 * compiling the bundle's JavaScript is otherwise a large part of every start. V8 refuses a cache
 * made by another Node version or with other flags, and the bundle then compiles as usual.
 */
function runBundle(file) {
  const Module = require('node:module');
  const vm = require('node:vm');
  const cacheFile = `${file}.cache`;
  // Set by scripts/bundle.js at build time only: write the cache from this run.
  const writeCache = process.env.ORIGIN_WRITE_CODE_CACHE === '1';
  const cachedData = !writeCache && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const source = Module.wrap(readFileSync(file, 'utf8'));
  const script = new vm.Script(source, { filename: file, cachedData });
  if (writeCache) process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  const mod = new Module(file, module);
  mod.filename = file;
  const run = script.runInThisContext();
  run.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
}
