// Builds dist/origin.cjs, the CLI as one file (what bin/run.js runs, and what the single-file
// executable carries), and dist/parse-worker.cjs, the program of ingest's parser threads. Part of
// `npm run build`, after tsc and the taxonomy snapshot.
const fs = require('node:fs');
const { join } = require('node:path');
const esbuild = require('esbuild');

const root = join(__dirname, '..');

async function main() {
  const pjson = JSON.parse(fs.readFileSync(join(root, 'package.json'), 'utf8'));
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  };
  await esbuild.build({
    ...common,
    entryPoints: [join(root, 'src/cli-entry.ts')],
    outfile: join(root, 'dist', 'origin.cjs'),
    // typescript: only reached through oclif's tsconfig reader (ts-node support), which a bundle never
    // uses. sql.js's wasm is read at run time from node_modules (the executable reads its asset).
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
  });
  await esbuild.build({
    ...common,
    entryPoints: [join(root, 'src/core/ingest/parse-worker.ts')],
    outfile: join(root, 'dist', 'parse-worker.cjs'),
  });
  const kb = (file) => `${Math.round(fs.statSync(join(root, 'dist', file)).size / 1024)} KB`;
  console.log(
    `dist/origin.cjs: ${kb('origin.cjs')}, dist/parse-worker.cjs: ${kb('parse-worker.cjs')}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
