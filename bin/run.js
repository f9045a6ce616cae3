#!/usr/bin/env node
// Before anything compiles sql.js: keep its WebAssembly on V8's baseline compiler. Otherwise V8
// recompiles the hot functions with its optimising tier on background threads, which competes with
// the command for the CPU and holds up exit (~100 ms on a 2-core machine), more than the faster
// code gives back in a CLI run. scripts/build-binary.js does the same for the single-file executable.
require('node:v8').setFlagsFromString('--liftoff-only');
if (process.argv[2] === 'ingest') {
  // Boot ingest's parser threads on the cores that are idle while the CLI loads, one of them
  // reading the input ahead (an optimisation only: see src/core/ingest-prestart.ts).
  try {
    require('../dist/core/ingest-prestart').prestartIngest(process.argv.slice(3));
    // And compile sql.js's WebAssembly (on background threads) while the CLI loads.
    require('../dist/core/sqljs')
      .loadSqlJs()
      .catch(() => {});
  } catch {
    // ingest starts them itself
  }
}
// oclif checks the Node version against its own package.json with semver on every start; npm
// checks ours (engines) at install.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= 'true';
require('@oclif/core').execute({ dir: __dirname });
