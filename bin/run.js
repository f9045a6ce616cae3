#!/usr/bin/env node
// No V8 flags here: a changed flag makes V8 refuse Node's code cache for its own modules (see
// src/core/sqljs.ts, which sets the one Origin needs when it loads sql.js).
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'origin.cjs');
if (existsSync(bundle)) {
  if (process.argv[2] === 'ingest') startEarlyReader();
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

/**
 * For `origin ingest`: starts the parser thread that reads the input ahead now, ~30 ms before the
 * CLI could (it boots while the bundle loads). The CLI takes it over (src/core/parse-pool.ts,
 * EARLY_PARSER), so `entry` has the shape of a PoolWorker there, as spawn() makes them; its
 * messages wait in `backlog` until then, and it does not keep the process up.
 */
function startEarlyReader() {
  const file = join(__dirname, '..', 'dist', 'ingest-reader.cjs');
  if (process.env.ORIGIN_INGEST_WORKERS === '0' || !existsSync(file)) return;
  try {
    const { Worker } = require('node:worker_threads');
    let markBooted;
    const entry = {
      worker: new Worker(file, { workerData: { argv: process.argv.slice(3) } }),
      online: false,
      queued: 0,
      booted: new Promise((resolve) => (markBooted = resolve)),
      backlog: [],
      handle: (message) => entry.backlog.push(message),
    };
    entry.worker.once('online', () => (entry.online = true));
    entry.worker.once('exit', markBooted);
    entry.worker.on('error', (err) => {
      entry.error ??= err;
      markBooted();
    });
    entry.worker.on('message', (message) => {
      if (message.kind === 'booted') markBooted();
      else entry.handle(message);
    });
    entry.worker.unref();
    globalThis[Symbol.for('origin.earlyParserWorker')] = entry;
  } catch {
    // The CLI starts its parser threads itself.
  }
}
