// Builds dist/origin.cjs, the CLI as one file (what bin/run.js runs, and what the single-file
// executable carries), and dist/origin.cjs.cache, its V8 code cache. Part of `npm run build`,
// after tsc and the taxonomy snapshot.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const esbuild = require('esbuild');

const root = join(__dirname, '..');
const bundle = join(root, 'dist', 'origin.cjs');

async function main() {
  const pjson = JSON.parse(fs.readFileSync(join(root, 'package.json'), 'utf8'));
  await esbuild.build({
    entryPoints: [join(root, 'src/cli-entry.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Only reached through oclif's tsconfig reader (ts-node support), which a bundle never uses.
    // sql.js's wasm is resolved at run time from node_modules (the executable reads its asset).
    external: ['typescript', 'sql.js/dist/sql-wasm.wasm'],
    define: {
      // Otherwise oclif require()s its own package.json to check engines (npm checks ours).
      'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"true"',
      // The built-in license taxonomy, parsed at build time (dist/licenses.snapshot.json).
      ORIGIN_LICENSES_SNAPSHOT: fs.readFileSync(
        join(root, 'dist', 'licenses.snapshot.json'),
        'utf8',
      ),
      ORIGIN_PJSON: JSON.stringify({
        name: pjson.name,
        version: pjson.version,
        description: pjson.description,
        oclif: pjson.oclif,
      }),
    },
    logLevel: 'warning',
  });
  asciiOnly(bundle);
  writeEarlyReader();
  writeCodeCache();
  const kb = (path) => `${Math.round(fs.statSync(path).size / 1024)} KB`;
  console.log(`dist/origin.cjs: ${kb(bundle)}, code cache ${kb(`${bundle}.cache`)}`);
}

/**
 * Escapes the bundle's few non-ASCII characters (today in comments, and raw in one dependency's
 * regular expression) as \uXXXX, which means the same in comments, strings, regular expressions
 * and identifiers; only a template literal's raw text (String.raw) would differ. A source of
 * one-byte characters reads faster: bin/run.js's read of the bundle drops from ~8 to ~3 ms.
 */
function asciiOnly(file) {
  const source = fs.readFileSync(file, 'utf8');
  const escape = (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  fs.writeFileSync(file, source.replace(/[^\0-\x7f]/g, escape));
}

/**
 * dist/ingest-reader.cjs: the parser thread's program (src/core/parse-pool.ts) with a start of
 * its own, for bin/run.js to start before it loads the CLI. It works out from ingest's arguments
 * what to read ahead exactly as the CLI will (readAheadOf, same settings) and begins at once.
 */
function writeEarlyReader() {
  const { parserWorkerSource } = require(join(root, 'dist', 'core', 'ingest', 'parse-pool.js'));
  const { READ_AHEAD_SETTINGS, readAheadOf } = require(
    join(root, 'dist', 'core', 'ingest', 'prestart.js'),
  );
  const start = [
    '{',
    `  const readAheadOf = ${readAheadOf.toString()};`,
    `  const what = readAheadOf(require('node:worker_threads').workerData.argv, ${JSON.stringify(READ_AHEAD_SETTINGS)});`,
    '  if (what) startReadAhead(what);',
    '}',
  ];
  fs.writeFileSync(
    join(root, 'dist', 'ingest-reader.cjs'),
    `${parserWorkerSource()}\n${start.join('\n')}\n`,
  );
}

/**
 * The cache holds the functions a run compiled, so it is taken from a real run: an ingest (the
 * command where start-up counts most) of a few records into a throwaway database.
 */
function writeCodeCache() {
  fs.rmSync(`${bundle}.cache`, { force: true });
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'origin-code-cache-'));
  try {
    const input = join(dir, 'input.jsonl');
    fs.writeFileSync(
      input,
      ['a', 'b', 'a'].map((t) => JSON.stringify({ text: t, source: 'example' })).join('\n'),
    );
    const args = ['ingest', input, '--path', join(dir, 'cache.db'), '--content-field', 'text'];
    args.push('--source-field', 'source', '--license', 'MIT', '--json');
    const run = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {
      env: { ...process.env, ORIGIN_WRITE_CODE_CACHE: '1' },
      encoding: 'utf8',
    });
    if (run.status !== 0 || !fs.existsSync(`${bundle}.cache`)) {
      throw new Error(`code cache run failed (${run.status}):\n${run.stdout}${run.stderr}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  checkCodeCache();
}

/**
 * V8 silently ignores a cache made under other V8 flags than the ones the bundle is compiled
 * under (each start is then ~30 ms slower). bin/run.js compiles it before anything sets a flag, so
 * the cache must be accepted by a plain `node`.
 */
function checkCodeCache() {
  const check = spawnSync(
    process.execPath,
    [
      '-e',
      `const fs = require('node:fs');
       const { Script } = require('node:vm');
       const { wrap } = require('node:module');
       const file = process.argv[1];
       const script = new Script(wrap(fs.readFileSync(file, 'utf8')), {
         filename: file,
         cachedData: fs.readFileSync(file + '.cache'),
       });
       process.exit(script.cachedDataRejected ? 1 : 0);`,
      bundle,
    ],
    { encoding: 'utf8' },
  );
  if (check.status !== 0) {
    throw new Error(
      `V8 rejects the code cache of ${bundle} (${check.status}): was it written under other V8 flags? ${check.stderr}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
