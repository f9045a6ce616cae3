// Builds build/origin: a linux-x64 single-file executable (the dist/origin.cjs bundle + Node SEA,
// sql.js wasm as a SEA asset). Run through `npm run build:binary`. See /work/shared/TOOLCHAIN.md.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, 'build');
const bundle = join(root, 'dist', 'origin.cjs');
const blob = join(out, 'origin.blob');
const seaConfig = join(out, 'sea-config.json');
const binary = join(out, 'origin');
// Sentinel string compiled into node; postject flips its trailing ':0' to ':1' ("blob present").
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

async function main() {
  fs.mkdirSync(out, { recursive: true });
  // The executable carries the same bundle as the package (scripts/bundle.js, `npm run build`):
  // package.json fields and the license taxonomy are inlined there.
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);

  const sea = {
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    // V8 code cache of the bundle: ~10 ms off every start. Valid because the blob is injected into
    // a copy of the same node binary that builds it.
    useCodeCache: true,
    assets: {
      'sql-wasm.wasm': join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'),
      // Ingest's parser threads run it from source (src/core/ingest/pool.ts).
      'parse-worker.cjs': join(root, 'dist', 'parse-worker.cjs'),
    },
  };
  fs.writeFileSync(seaConfig, `${JSON.stringify(sea, null, 2)}\n`);
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

  fs.rmSync(binary, { force: true });
  fs.copyFileSync(process.execPath, binary);
  fs.chmodSync(binary, 0o755);
  // Symbols are ~12 MB of the 99 MB node binary; strip before injecting (postject edits the ELF).
  if (spawnSync('strip', ['--version']).status === 0) execFileSync('strip', [binary]);
  // postject's CLI rather than its API, to drop LIEF's harmless "Can't find string offset for
  // section name '.note.100'" warnings (nodejs/postject#83) that it prints from native code.
  const cli = require.resolve('postject/dist/cli.js');
  const args = [cli, binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE];
  const postject = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const noise = /^warning: Can't find string offset for section name/;
  const stderr = postject.stderr.split('\n').filter((line) => line && !noise.test(line));
  if (postject.status !== 0 || stderr.length > 0) {
    throw new Error(
      `postject failed (${postject.status}):\n${postject.stdout}${stderr.join('\n')}`,
    );
  }

  console.log(`${binary}: ${(fs.statSync(binary).size / 1e6).toFixed(1)} MB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
